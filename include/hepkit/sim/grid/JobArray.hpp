#pragma once
/// @file
/// Batch-system job arrays: the files that run N independent tasks of a hepkit command on
/// HTCondor or Slurm and merge their outputs afterwards. `hepkit sim --scan --emit` (one task per
/// scan point) and `hepkit surrogate generate --emit` (one per sample) write theirs with it.

#include <cstddef>
#include <string>

namespace hepkit::sim {

struct JobArray {
    std::string kind;         ///< condor or slurm (anything else: InputError naming --emit)
    std::string dir;          ///< created, with DIR/out/ for the tasks' logs
    std::string name;         ///< job name and the submit file's stem: NAME.sub / NAME.sbatch
    std::string task_script;  ///< e.g. run_point.sh: checks "$1", then runs `task_command`
    std::string merge_script; ///< e.g. merge.sh: `merge_body`
    std::size_t tasks = 0;    ///< ≥ 1
    std::string what;         ///< one line for the task script's comment ("scan point $1 of ...")
    std::string task_command; ///< sh command of task "$1" (quoted with sh_quote where needed)
    std::string merge_body;   ///< sh commands of the merge script
};

/// Writes DIR/TASK_SCRIPT, DIR/MERGE_SCRIPT and DIR/NAME.sub (HTCondor, `queue N`) or
/// DIR/NAME.sbatch (Slurm, `--array=0-(N-1)`), every file atomically, the scripts executable.
/// Throws OutputError when DIR cannot be written.
void write_job_array(const JobArray& array);

/// A word for sh: single quotes, each ' written as '\''.
std::string sh_quote(const std::string& text);

} // namespace hepkit::sim
