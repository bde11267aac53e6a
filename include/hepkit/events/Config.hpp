#pragma once
/// @file
/// The YAML configuration of `hepkit events run` (docs/events-config.md): inputs, plugins,
/// producers, filters, consumers, shifts and pipelines, with `include:` of other files. Read into
/// a Plan; every bad key or value is an InputError naming file, line and key, before any event is
/// read (what the steps read from each other is checked by Runner::prepare, whose messages name
/// the step's StepPlace: file and line of its map).

#include "hepkit/events/Plan.hpp"
#include "hepkit/events/Registry.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::events {

/// What the command line may change in a configuration.
struct PlanOverrides {
    /// Input files in place of the configuration's `inputs.files`, which are then neither expanded
    /// nor checked (a batch job whose node sees only its own files).
    std::optional<std::vector<std::string>> files;
    std::optional<std::int64_t> max_entries; ///< in place of `inputs.entries`
};

/// Reads `path` (and its includes), loads its plugins into `registry` and makes every step.
/// Paths (input files, plugins, includes) are taken relative to the folder of the file that
/// names them; input file names may hold glob patterns (`data/*.root`, sorted by name).
Plan load_plan(const std::string& path, Registry& registry, const PlanOverrides& overrides = {});

/// Reads a list of input files (`hepkit events run --files-from LIST`): one path per line, blank
/// lines and lines starting with `#` skipped, relative paths taken from the list's folder. Each
/// must be an existing file, listed once: an InputError names the list, the line and the path.
std::vector<std::string> read_file_list(const std::string& path);

/// A batch job array over a run's input files (`hepkit events run --emit condor|slurm`).
struct JobArray {
    std::string kind;               ///< "condor" or "slurm"
    std::string config;             ///< the configuration file the jobs run
    std::vector<std::string> files; ///< the run's input files, in order
    std::size_t files_per_job = 1;  ///< ≥ 1; the last job may get fewer
    std::string outdir;             ///< the array's folder (created)
    std::string hepkit = "hepkit";  ///< the program the jobs run (an absolute path, usually)
    unsigned threads = 1;           ///< threads per job (-j, request_cpus / --cpus-per-task)
};

/// Writes the job array into `outdir`: files/job-N.txt (the N-th slice of the inputs),
/// run_job.sh (runs `hepkit events run CONFIG --files-from files/job-N.txt -o OUTDIR/job-N`),
/// the HTCondor submit file events.sub or the Slurm script events.sbatch, and merge.sh (checks
/// that every job finished, then `hepkit events merge OUTDIR/job-0 ... -o OUTDIR/merged`).
/// Every file is written whole or not at all. Returns the number of jobs. Throws
/// hepkit::OutputError when the folder cannot be written, std::invalid_argument for an empty
/// file list, files_per_job 0 or a kind other than condor and slurm.
std::size_t emit_job_array(const JobArray& array);

} // namespace hepkit::events
