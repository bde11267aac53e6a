#pragma once
/// @file
/// Bounds of a grid run: how far in simulated time it may go and how much work it may plan.

#include "hepkit/core/ParameterRegistry.hpp"
#include "hepkit/sim/engine/Engine.hpp"

namespace hepkit::sim {

/// Parameter paths `limits.*` (docs/formats.md, "Parameter paths").
struct RunLimits {
    /// s: the run fails with an error naming `max_sim_time` if an event lies beyond it.
    double max_sim_time = Engine::default_max_time;
    /// Bound on the activities the workload needs (reads, computations, writes), estimated before
    /// the run; beyond it the scenario is refused (error naming `max_events`).
    double max_events = 1e9;
};

/// Registers `max_sim_time` and `max_events`.
void register_parameters(ParameterRegistry<RunLimits>& r);

} // namespace hepkit::sim
