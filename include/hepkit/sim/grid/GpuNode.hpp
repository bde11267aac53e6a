#pragma once
/// @file
/// One worker node with GPUs running a given job mix under one sharing policy: the unit of the
/// calibration test and of `hepkit gpu-plan`. Jobs are calculation jobs (no input or output
/// transfers); they all run through the full grid layer (slots, contexts, memory, energy).

#include "hepkit/sim/gpu/GpuPolicy.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <map>
#include <string>
#include <vector>

namespace hepkit::sim {

struct GpuNodeResult {
    double makespan = 0;     ///< s, last job end
    double energy = 0;       ///< J of the node's GPUs over their busy window
    double window = 0;       ///< s from the first context start to the last GPU end
    std::size_t jobs_ok = 0; ///< jobs that ended `done`
    std::map<std::string, std::size_t> status;
    double mean_gpu_time = 0; ///< s, over jobs that ran
    double busy_fraction = 0; ///< time with kernels running / (devices x window)
    double jobs_per_second() const { return makespan > 0 ? static_cast<double>(jobs_ok) / makespan : 0; }
    double joules_per_job() const { return jobs_ok > 0 ? energy / static_cast<double>(jobs_ok) : 0; }
};

/// Runs `jobs` on one node with `devices` GPUs of model `gpu`, `cores` cores at `core_speed`,
/// through sim::run. Throws ScenarioError (grid/Run.hpp) when the policy cannot hold some job.
GpuNodeResult run_gpu_node(const GpuSpec& gpu, int devices, const GpuPolicy& policy,
                           std::vector<JobSpec> jobs, const GpuCalibration& calibration, int cores = 256,
                           double core_speed = 1e10);

} // namespace hepkit::sim
