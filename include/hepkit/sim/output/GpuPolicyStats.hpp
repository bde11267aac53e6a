#pragma once
/// @file
/// What the GPU pool (sim/gpu) reports of each sharing policy at the end of a run, for the
/// summary (GridReport.hpp): a plain record, so that the summary needs nothing of the pool.

#include <cstddef>
#include <limits>
#include <string>

namespace hepkit::sim {

/// Energy and throughput of the devices under one policy, over the window in which they ran jobs.
struct GpuPolicyStats {
    std::string policy;
    int devices = 0;
    std::size_t jobs = 0;          ///< GPU tasks that ran to the end
    std::size_t out_of_memory = 0; ///< tasks that failed with out-of-memory
    double window_start = std::numeric_limits<double>::infinity();
    double window_end = 0;
    double energy = 0;    ///< J of all the policy's devices over the window
    double busy_time = 0; ///< s during which devices had kernels running, summed over devices
    double gpu_hours() const {
        return window_end > window_start ? devices * (window_end - window_start) / 3600 : 0;
    }
};

} // namespace hepkit::sim
