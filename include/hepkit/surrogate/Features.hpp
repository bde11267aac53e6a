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

} // namespace hepkit::surrogate
