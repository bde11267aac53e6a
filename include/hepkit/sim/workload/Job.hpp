#pragma once
/// @file
/// Jobs, files and datasets: what a grid workload is made of.

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/gpu/GpuRequest.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace hepkit::sim {

using FileIndex = std::uint32_t;
using JobIndex = std::uint32_t;

/// A file: 16 bytes, so that workloads of 10^7 files fit in memory. Its name is derived from
/// its dataset (DCSim's `infile_<dataset>_<n>`) unless it was given one (job lists).
struct FileSpec {
    double size = 0;           ///< bytes
    std::uint32_t dataset = 0; ///< index in WorkloadSet::datasets
    std::uint32_t ordinal = 0; ///< position in its dataset
};

struct DatasetSpec {
    std::string name;                 ///< empty for the anonymous datasets that hold job-list files
    std::vector<HostIndex> locations; ///< storage hosts holding every file of the dataset
    std::vector<FileIndex> files;
};

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

/// Everything a grid workload defines: files, their datasets and replicas, and the jobs.
struct WorkloadSet {
    std::vector<FileSpec> files;
    std::vector<DatasetSpec> datasets;
    std::vector<JobSpec> jobs;

    /// Adds a file to dataset `dataset`.
    FileIndex add_dataset_file(std::uint32_t dataset, double size);
    /// Adds a named file held by `locations` (kept in an anonymous dataset per location set).
    FileIndex add_file(std::string name, double size, const std::vector<HostIndex>& locations);
    /// Storage hosts holding the file's initial replicas.
    const std::vector<HostIndex>& replicas(FileIndex f) const { return datasets[files[f].dataset].locations; }
    std::string file_name(FileIndex f) const;

  private:
    std::unordered_map<FileIndex, std::string> names_;
};

} // namespace hepkit::sim
