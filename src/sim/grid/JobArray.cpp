#include "hepkit/sim/grid/JobArray.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace hepkit::sim {

std::string sh_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

void write_job_array(const JobArray& a) {
    if (a.kind != "condor" && a.kind != "slurm")
        throw InputError("", 0, "--emit", fmt::format("'{}' is not condor or slurm", a.kind));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(a.dir) / "out", ec);
    if (ec)
        throw OutputError(a.dir, 0, "", "cannot create directory: " + ec.message());
    const std::string dir = std::filesystem::absolute(a.dir).string();
    const auto write = [&](const std::string& name, const std::string& text, bool exec) {
        const auto path = std::filesystem::path(a.dir) / name;
        AtomicFile f(path);
        f.stream() << text;
        f.commit();
        if (exec)
            std::filesystem::permissions(
                path, std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec,
                std::filesystem::perm_options::add);
    };
    // The task number "$1" must stay outside any quotes of the command, or every task of the
    // array writes the same literal file.
    write(a.task_script,
          fmt::format("#!/bin/sh\n# Runs {}.\n"
                      "case \"$1\" in ''|*[!0-9]*) echo \"usage: $0 TASK (0 to {})\" >&2; exit 64;; esac\n"
                      "exec {}\n",
                      a.what, a.tasks - 1, a.task_command),
          true);
    write(a.merge_script, "#!/bin/sh\n" + a.merge_body, true);
    if (a.kind == "condor")
        write(a.name + ".sub",
              fmt::format("# HTCondor: condor_submit {0}/{1}.sub, then {0}/{2}\n"
                          "executable = {0}/{3}\narguments = $(Process)\n"
                          "output = {0}/out/task_$(Process).log\nerror = {0}/out/task_$(Process).err\n"
                          "log = {0}/{1}.log\nrequest_cpus = 1\nrequest_memory = 4 GB\nqueue {4}\n",
                          dir, a.name, a.merge_script, a.task_script, a.tasks),
              false);
    else
        write(a.name + ".sbatch",
              fmt::format("#!/bin/sh\n# Slurm: sbatch {0}/{1}.sbatch, then {0}/{2}\n"
                          "#SBATCH --job-name=hepkit-{1}\n#SBATCH --array=0-{3}\n#SBATCH --cpus-per-task=1\n"
                          "#SBATCH --mem=4G\n#SBATCH --output={0}/out/task_%a.log\n"
                          "exec {4}/{5} \"$SLURM_ARRAY_TASK_ID\"\n",
                          dir, a.name, a.merge_script, a.tasks - 1, sh_quote(dir), a.task_script),
              true);
}

} // namespace hepkit::sim
