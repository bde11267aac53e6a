#pragma once
/// @file
/// Settings of the jobs' submission and execution in a grid run.

#include "hepkit/core/ParameterRegistry.hpp"

#include <cstddef>

namespace hepkit::sim {

/// Parameter paths `jobs.*` (docs/formats.md, "Parameter paths").
struct JobsConfig {
    std::size_t duplications = 1;      ///< count: run each job this many times (-d)
    bool shuffle = false;              ///< shuffle the submission order (--shuffle-jobs)
    bool compute_on_all_cores = false; ///< streaming/copy jobs compute on all their cores (DCSim: one)
};

/// Registers `duplications`, `shuffle` and `compute_on_all_cores`.
void register_parameters(ParameterRegistry<JobsConfig>& r);

} // namespace hepkit::sim
