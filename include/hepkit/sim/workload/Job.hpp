#pragma once
/// @file
/// Jobs, files and datasets: what a grid workload is made of.

#include "hepkit/sim/platform/Platform.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::sim {

using FileIndex = std::uint32_t;
using JobIndex = std::uint32_t;

struct FileSpec {
    std::string id;
    double size = 0; ///< bytes
};

struct DatasetSpec {
    std::string name;
    std::vector<HostIndex> locations; ///< storage hosts holding every file of the dataset
    std::vector<FileIndex> files;
};

/// How a job gets its input (DCSim's `workload_type`).
enum class JobType {
    calculation, ///< no input; flops on all its cores
    streaming,   ///< inputs read in blocks, reading block i+1 overlaps computing block i
    copy         ///< all inputs staged in first, then the computation
};
const char* job_type_name(JobType t);

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
};

/// Everything a grid workload defines: files, their datasets and replicas, and the jobs.
struct WorkloadSet {
    std::vector<FileSpec> files;
    std::vector<DatasetSpec> datasets;
    std::vector<JobSpec> jobs;
    /// storage host of each file's initial replicas (parallel to `files`)
    std::vector<std::vector<HostIndex>> replicas;

    FileIndex add_file(std::string id, double size, const std::vector<HostIndex>& locations);
};

} // namespace hepkit::sim
