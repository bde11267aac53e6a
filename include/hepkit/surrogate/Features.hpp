#pragma once
/// @file
/// What a summary-level surrogate reads of a scenario: numbers known before it is simulated —
/// the platform's workers, cores, speeds, disks, links and caches, the workload's jobs, work and
/// bytes, the hit rate (docs/surrogate.md, "Features"). Computed from the scenario as hepkit sim
/// loads it, so that any grid scenario (a generated sample or one written by hand) gets them.

#include "hepkit/sim/grid/GridScenario.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hepkit::surrogate {

/// The features' names, in the order scenario_features() returns them.
const std::vector<std::string>& feature_names();

/// The features of a loaded scenario (its workload drawn), in feature_names() order.
std::vector<double> scenario_features(const sim::GridScenario& scenario);

/// Settings that no feature describes but that change what hepkit sim computes — jobs run
/// several times, the streamed block size, prefetching, the cache's eviction, the dispatcher's
/// policy, GPU sharing policies and opportunistic sites (their counts), ... — by parameter path
/// (`jobs.duplications`, docs/formats.md), in the order scenario_settings() returns them. A
/// model records the values its training samples had; a scenario with another value lies
/// outside its training domain (the networks never saw what the setting does).
const std::vector<std::string>& setting_names();

/// A scenario's settings as numbers (enumerations by their index, flags 0 / 1), in
/// setting_names() order.
std::vector<double> scenario_settings(const sim::GridScenario& scenario);

} // namespace hepkit::surrogate
