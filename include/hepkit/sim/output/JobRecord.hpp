#pragma once
/// @file
/// What the grid layer reports about each finished job, and the writers of the outputs.

#include <string>

namespace hepkit::sim {

/// One line of the job trace: DCSim's columns, then hepkit's.
struct JobRecord {
    std::string tag;     ///< job.tag
    std::string machine; ///< machine.name (empty if the job never ran)
    double hitrate = 0;  ///< fraction of input bytes read from a cache
    double start = 0, end = 0;
    double compute_time = 0; ///< job.computetime: sum of computation durations
    double flops = 0;        ///< job.flops: the job's work (DCSim writes flops x actions; see docs)
    double infile_time = 0;  ///< infiles.transfertime: sum of input read durations
    double infile_size = 0;  ///< infiles.size
    double outfile_time = 0; ///< outfiles.transfertime
    double outfile_size = 0; ///< outfiles.size
    // hepkit's columns
    std::string site;
    double submit = 0;
    double queue_wait = 0;
    int cores = 0;
    double memory = 0;
    double bytes_from_cache = 0;
    double bytes_from_remote = 0;
    std::string status; ///< done, unschedulable, output-storage-full, gpu-out-of-memory
    // GPU columns (empty / 0 for jobs without GPUs)
    std::string gpu_devices; ///< host/gpu<i>[+gpu<j>][:MIG profile]
    std::string gpu_policy;
    double gpu_time = 0;   ///< s from the start of its GPU work to its end
    double gpu_memory = 0; ///< B per device
    double energy = 0;     ///< J: GPU share while its kernels ran + CPU power above idle
};

} // namespace hepkit::sim
