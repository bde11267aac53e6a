#pragma once
/// @file
/// Jobs and the workload they make up with their files (sim/data/FileCatalog.hpp).

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/data/FileCatalog.hpp"
#include "hepkit/sim/workload/GpuRequest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

using JobIndex = std::uint32_t;

/// How a job gets its input (DCSim's `workload_type`).
enum class JobType {
    calculation, ///< no input; flops on all its cores
    streaming,   ///< inputs read in blocks, reading block i+1 overlaps computing block i
    copy         ///< all inputs staged in first, then the computation
};
inline constexpr auto job_types = make_enum_table<JobType>(
    "workload type",
    {{"calculation", JobType::calculation}, {"streaming", JobType::streaming}, {"copy", JobType::copy}});

struct JobSpec {
    std::string id;       ///< DCSim's job.tag, e.g. job_Analysis_T1_0
    std::string workload; ///< name of the workload it came from
    JobType type = JobType::streaming;
    double submit = 0;      ///< s
    int cores = 1;          ///< requested cores (streaming/copy compute on one, as DCSim)
    double memory = 0;      ///< bytes requested
    double flops = 0;       ///< total work
    double output_size = 0; ///< bytes written at the end
    std::vector<FileIndex> inputs;
    std::string user = "default";
    int priority = 0; ///< larger runs first among queued jobs
    GpuRequest gpu;   ///< GPUs used after the CPU part (docs/models.md §9)
};

/// Consecutive jobs (in the workload's order) submitted at the same time that all read input files
/// or all read none: a DCSim workload is one group, or part of one. The surrogate's features place
/// such groups on the workers as the dispatcher would (src/surrogate/Placement.cpp).
struct JobGroup {
    double submit = 0;  ///< s
    bool reads = false; ///< the jobs read input files (streaming or copy jobs with inputs)
    std::size_t jobs = 0;
    double cores = 0;       ///< summed
    double flops = 0;       ///< summed
    double input_bytes = 0; ///< summed
    /// The largest job's flops: where all jobs run at once, the makespan is the end of the
    /// slowest one — the drawn tail, not the mean, decides it (the surrogate's placed end).
    double flops_max = 0;
};

/// Sums over a workload's jobs: what readers that need only totals (the surrogate's features)
/// take without a walk over 10^4 jobs.
struct WorkloadTotals {
    std::size_t jobs = 0;
    double cores = 0;        ///< requested cores, summed
    double flops = 0;        ///< CPU work, summed
    double input_bytes = 0;  ///< the sizes of every job's input files, summed (a file read by two jobs twice)
    double output_bytes = 0; ///< summed
    double first_submit = 0; ///< s (0 without jobs)
    double last_submit = 0;  ///< s
    std::vector<JobGroup> groups; ///< the same sums per group of jobs, in the jobs' order
};

/// Everything a grid workload defines: files, their datasets and replicas (the catalogue, sim/data),
/// and the jobs that read them.
struct WorkloadSet : FileCatalog {
    std::vector<JobSpec> jobs;
    /// The jobs' totals, set by build_workload when it made the jobs (a grid scenario's one way to
    /// make them). Code that changes `jobs` or the files' sizes afterwards resets it: then
    /// totals_of() walks the jobs.
    std::optional<WorkloadTotals> totals;
    /// Built for its totals only (WorkloadDetail::totals): the DCSim workloads' jobs were drawn but
    /// not kept. Such a set describes a scenario (the surrogate's features) but cannot be run.
    bool totals_only = false;
};

/// What build_workload keeps: every job (to simulate), or only the jobs' totals (to describe a
/// scenario: a scan through a summary surrogate needs no job records).
enum class WorkloadDetail { jobs, totals };

/// The kept totals, or the sums over the jobs when none are kept.
WorkloadTotals totals_of(const WorkloadSet& set);
/// The sums over the jobs (one walk over them and their inputs).
WorkloadTotals sum_jobs(const WorkloadSet& set);
/// Adds one job to `t` as sum_jobs does, but for its inputs (their sizes are the caller's to add,
/// with add_input: a job drawn without being kept has no input list); `reads`: it has input files.
void add_job(WorkloadTotals& t, const JobSpec& job, bool reads);
/// Adds an input file's size to the totals and to the last job's group.
void add_input(WorkloadTotals& t, double bytes);

} // namespace hepkit::sim
