#pragma once
/// @file
/// `hepkit gpu-plan`: simulate a job mix on one GPU node under every sharing policy and packing,
/// and recommend one (docs/gpu.md).
///
/// Candidates: exclusive; time-slicing, HTCondor -divide (time-sliced) and MPS with N jobs per
/// device for N up to `max_jobs_per_gpu`; MPS also with a fair thread percentage ceil(100/N)
/// and, always, a pinned memory limit of the largest job's memory + the CUDA context (rounded
/// up to a GB); MIG layouts of the model (uniform 1g/2g/3g and a mixed 3g+2g+2g). Each
/// candidate runs the job mix through the grid layer (run_gpu_node). Only the GPU part is
/// planned: CPU work and input transfers do not depend on the GPU policy and are left out.
/// The recommendation is the candidate with the most jobs per GPU-hour among those that run
/// every job without out-of-memory failures (ties: fewer joules per job).

#include "hepkit/sim/grid/GpuNode.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hepkit::sim {

struct GpuPlanOptions {
    GpuSpec gpu;
    int gpus_per_node = 1;
    int max_jobs_per_gpu = 8;
    GpuCalibration calibration;
};

struct GpuPlanRow {
    GpuPolicy policy;
    bool fits = true; ///< false: some job can never run under this policy (why in `note`)
    GpuNodeResult result;
    double jobs_per_gpu_hour = 0;
    double throughput_gain = 0; ///< jobs per GPU-hour / exclusive's
    double energy_gain = 0;     ///< exclusive's joules per job / this one's
    std::string note;
};

struct GpuPlan {
    std::vector<GpuPlanRow> rows; ///< exclusive first
    std::size_t best = 0;         ///< index in rows
    std::size_t jobs = 0;
};

/// Plans for the GPU jobs among `jobs` (jobs without GPUs are ignored; at least one needed).
/// `progress(done, total, candidate)` is called before each candidate policy is simulated.
GpuPlan
plan_gpu_sharing(const std::vector<JobSpec>& jobs, const GpuPlanOptions& options,
                 const std::function<void(std::size_t, std::size_t, const std::string&)>& progress = {});
/// The comparison table, the recommendation and the HTCondor configuration lines.
std::string gpu_plan_report(const GpuPlan& plan, const GpuPlanOptions& options);
/// Reads a DCSim workload JSON file for planning: only the GPU part is planned, so every
/// workload becomes a calculation workload without inputs (the command and its fuzz harness
/// share this reading).
nlohmann::json read_gpu_plan_workloads(const std::string& path);
/// HTCondor configuration (and MPS/MIG set-up) a site admin pastes for `policy`.
std::string htcondor_config(const GpuPolicy& policy);

} // namespace hepkit::sim
