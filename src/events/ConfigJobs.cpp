// Beyond one machine (Config.hpp): file lists for `hepkit events run --files-from` and the batch
// job arrays of `--emit condor|slurm`, in the style of `hepkit sim --scan --emit` (docs/scans.md):
// one shell script per job index, a submit file, and a merge script that refuses to merge while
// a job is missing.
#include "hepkit/events/Config.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace hepkit::events {
namespace {

namespace fs = std::filesystem;

// A word for sh: single quotes, each ' written as '\''.
std::string sh_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out.append("'\\''");
        else
            out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

void write(const fs::path& path, const std::string& text, bool executable) {
    write_file_atomically(path, text);
    if (executable) {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add, ec);
        if (ec)
            throw OutputError(path.string(), 0, "", "cannot make it executable: " + ec.message());
    }
}

} // namespace

std::vector<std::string> read_file_list(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(path, 0, "", "cannot read the file list: no such file");
    check_input_size(path, 64);
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "", "cannot open the file list");
    const fs::path dir = fs::path(path).parent_path();
    std::vector<std::string> files;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#')
            continue;
        const auto last = line.find_last_not_of(" \t\r");
        std::string file = line.substr(first, last - first + 1);
        if (!fs::path(file).is_absolute() && !dir.empty())
            file = (dir / file).lexically_normal().string();
        if (!fs::is_regular_file(file, ec))
            throw InputError(path, number, "",
                             std::string("input file '").append(file).append("' does not exist"));
        for (const auto& f : files)
            if (f == file)
                throw InputError(path, number, "",
                                 std::string("input file '")
                                     .append(file)
                                     .append("' is listed twice: its events would be counted twice"));
        files.push_back(std::move(file));
    }
    if (files.empty())
        throw InputError(path, 0, "", "the file list names no input file");
    return files;
}

std::size_t emit_job_array(const JobArray& a) {
    if (a.kind != "condor" && a.kind != "slurm")
        throw std::invalid_argument("emit_job_array: kind '" + a.kind + "' is not condor or slurm");
    if (a.files.empty())
        throw std::invalid_argument("emit_job_array: no input files");
    if (a.files_per_job == 0)
        throw std::invalid_argument("emit_job_array: files_per_job must be >= 1");
    const std::size_t jobs = (a.files.size() + a.files_per_job - 1) / a.files_per_job;
    const unsigned threads = a.threads == 0 ? 1 : a.threads;

    const fs::path dir = fs::absolute(a.outdir).lexically_normal();
    std::error_code ec;
    // Outputs of an earlier array would pass merge.sh's check for finished jobs (their
    // report.json exists) and be merged as if the new jobs had made them.
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name == "merged" || name.rfind("job-", 0) == 0)
            throw OutputError(dir.string(), 0, "",
                              "holds the outputs of an earlier job array (" + name +
                                  "); remove them or write the new array elsewhere (-o)");
    }
    ec.clear();
    fs::create_directories(dir / "files", ec);
    if (!ec)
        fs::create_directories(dir / "logs", ec);
    if (ec)
        throw OutputError(dir.string(), 0, "", "cannot create the job array's folder: " + ec.message());
    const std::string config = fs::absolute(a.config).lexically_normal().string();
    const std::string d = dir.string();

    for (std::size_t j = 0; j < jobs; ++j) {
        std::string list = "# input files of job " + std::to_string(j) + " of " + config + "\n";
        for (std::size_t f = j * a.files_per_job; f < a.files.size() && f < (j + 1) * a.files_per_job; ++f)
            list.append(fs::absolute(a.files[f]).lexically_normal().string()).append("\n");
        write(dir / "files" / ("job-" + std::to_string(j) + ".txt"), list, false);
    }
    const std::string n = std::to_string(jobs), last = std::to_string(jobs - 1), t = std::to_string(threads);
    // "$1" stays outside the quotes: inside them every job would read and write the same literal
    // job-$1 paths.
    std::string run = "#!/bin/sh\n# Job $1 (0 to " + last + ") of the event-processing run " + config + ":\n";
    run.append("# reads the files of files/job-$1.txt, writes its outputs to job-$1/.\n");
    run.append("case \"$1\" in ''|*[!0-9]*) echo \"usage: $0 JOB (0 to " + last +
               ")\" >&2; exit 64;; esac\n");
    run.append("exec " + sh_quote(a.hepkit) + " -q events run " + sh_quote(config) + " -j " + t +
               " --files-from " + sh_quote(d + "/files/job-") + "\"$1\".txt -o " + sh_quote(d + "/job-") +
               "\"$1\"\n");
    write(dir / "run_job.sh", run, true);

    // merge.sh refuses to merge while a job has not finished (a failed or running array job):
    // report.json is the last file a run writes.
    std::string merge =
        "#!/bin/sh\n# Merges the outputs of the " + n + " jobs into merged/ (hepkit events merge).\n";
    merge.append("cd " + sh_quote(d) + " || exit 1\nn=" + n + "\nmissing=0\ni=0\n");
    merge.append("while [ $i -lt $n ]; do\n"
                 "  if [ ! -s job-$i/report.json ]; then echo \"merge.sh: job $i has not finished "
                 "(job-$i/report.json is missing)\" >&2; missing=$((missing + 1)); fi\n"
                 "  i=$((i + 1))\ndone\n");
    merge.append(
        "if [ $missing -gt 0 ]; then echo \"merge.sh: $missing of $n jobs unfinished; nothing merged\" >&2; "
        "exit 1; fi\n");
    merge.append("set --\ni=0\nwhile [ $i -lt $n ]; do set -- \"$@\" job-$i; i=$((i + 1)); done\n");
    merge.append("exec " + sh_quote(a.hepkit) + " -q events merge \"$@\" -o merged\n");
    write(dir / "merge.sh", merge, true);

    if (a.kind == "condor") {
        std::string sub = "# HTCondor: condor_submit " + d + "/events.sub, then " + d + "/merge.sh\n";
        sub.append("executable = " + d + "/run_job.sh\narguments = $(Process)\n");
        sub.append("output = " + d + "/logs/job-$(Process).out\nerror = " + d + "/logs/job-$(Process).err\n");
        sub.append("log = " + d + "/logs/events.log\nrequest_cpus = " + t + "\nrequest_memory = 2 GB\n");
        sub.append("queue " + n + "\n");
        write(dir / "events.sub", sub, false);
    } else {
        std::string sb = "#!/bin/sh\n# Slurm: sbatch " + d + "/events.sbatch, then " + d + "/merge.sh\n";
        sb.append("#SBATCH --job-name=hepkit-events\n#SBATCH --array=0-" + last + "\n");
        sb.append("#SBATCH --cpus-per-task=" + t + "\n#SBATCH --mem=2G\n");
        sb.append("#SBATCH --output=" + d + "/logs/job-%a.out\n");
        sb.append("exec " + sh_quote(d + "/run_job.sh") + " \"$SLURM_ARRAY_TASK_ID\"\n");
        write(dir / "events.sbatch", sb, true);
    }
    return jobs;
}

} // namespace hepkit::events
