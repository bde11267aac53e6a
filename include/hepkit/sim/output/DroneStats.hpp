#pragma once
/// @file
/// What the drone pool (sim/provisioning/DronePool.hpp) reports: its life-cycle transitions (the
/// drone trace) and per-site accounting (the summary). Plain records, so that the outputs
/// (GridReport.hpp) need nothing of the pool.

#include "hepkit/core/EnumTable.hpp"

#include <cstddef>
#include <string>

namespace hepkit::sim {

/// A drone's life-cycle states, in order (DronePool.hpp describes the transitions).
enum class DroneState { requested, booting, integrating, available, draining, shutdown };
inline constexpr auto drone_states =
    make_enum_table<DroneState>("drone state", {{"requested", DroneState::requested},
                                                {"booting", DroneState::booting},
                                                {"integrating", DroneState::integrating},
                                                {"available", DroneState::available},
                                                {"draining", DroneState::draining},
                                                {"shutdown", DroneState::shutdown}});

/// One line of the drone trace.
struct DroneEvent {
    double time;
    std::string drone, site;
    DroneState state;
    int running_jobs;
};

/// Per-site accounting over the run.
struct DroneSiteStats {
    std::string site;
    int drones_started = 0;
    double core_hours_boot = 0;       ///< booting + integrating (lost to boot)
    double core_hours_delivered = 0;  ///< available + draining
    double core_hours_used = 0;       ///< cores held by jobs on drones
    double core_hours_drain_idle = 0; ///< draining and idle (lost to drain)
    double cost = 0;                  ///< cost_per_core_hour x cores x (shutdown − start)
    std::size_t jobs_run = 0, jobs_killed = 0;
};

} // namespace hepkit::sim
