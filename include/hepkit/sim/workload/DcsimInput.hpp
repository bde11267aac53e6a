#pragma once
/// @file
/// DCSim's workload and dataset JSON files (../shared/reference/dcsim-data), read as they are,
/// and explicit job lists (CSV) for replaying a real workload.

#include "hepkit/sim/workload/Job.hpp"

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace hepkit::sim {

/// Adds the datasets of one DCSim dataset document: `{name: {location, num_files, filesize}}`.
/// `location` is a host name or a list; every location must be a host with the `storage` role.
/// File sizes are drawn from `rng` (negative draws redrawn, sizes truncated to whole bytes).
void add_dcsim_datasets(const nlohmann::json& doc, const std::string& origin, const Platform& platform,
                        std::mt19937_64& rng, WorkloadSet& set);

/// Adds the jobs of one DCSim workload document: `{name: {num_jobs, cores, flops, memory,
/// outfilesize, workload_type, submission_time, infile_dataset(s)}}`, assigning input files as
/// DCSim does: the files of the named datasets, concatenated, cut into num_jobs consecutive
/// chunks of floor(files / jobs) files. Unknown datasets and bad distributions throw InputError.
/// The older DCSim format without datasets (`infiles_per_job` and an `infilesize` distribution)
/// is read too: each job then gets its own files, held by every storage host of `platform`.
/// With `totals`, the jobs are drawn as always (the same draws from `rng`, in the same order) but
/// not kept: their sums go into *totals, equal to sum_jobs' over the jobs kept otherwise (the same
/// additions in the same order), at a fraction of the cost (no ids, no job records).
void add_dcsim_workloads(const nlohmann::json& doc, const std::string& origin, const Platform& platform,
                         std::mt19937_64& rng, WorkloadSet& set, WorkloadTotals* totals = nullptr);

/// Reads a job list CSV. Columns: `id,submit,cores,memory,flops,inputs,output_size` and,
/// optionally, `type` (streaming, copy, calculation; default streaming, calculation when there
/// are no inputs), `user`, `priority`. Quantities take units (`2GB`, `1.5e12`). `inputs` is a
/// `;`-separated list of files: the id of a dataset file, or `name:size@host` for a file of that
/// size held by storage host `host`.
void add_job_list(const std::string& path, const Platform& platform, WorkloadSet& set);

} // namespace hepkit::sim
