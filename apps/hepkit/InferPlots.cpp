// `hepkit infer --plots DIR`: the impacts and scan plots through hepkit_infer_plot.py (InferPlots.hpp).
#include "InferPlots.hpp"

#include "ProgramDir.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"

#include <fmt/format.h>
#include <stdexcept>
#include <unistd.h>

namespace hepkit::app {

namespace {

// Runs the script for one plot into `target` (through a temporary file beside it).
void draw_one(const std::filesystem::path& script, const std::string& json, const char* kind,
              const std::filesystem::path& target, int top) {
    namespace fs = std::filesystem;
    const fs::path tmp =
        target.parent_path() / fmt::format(".{}.tmp.{}{}", target.stem().string(),
                                           static_cast<long>(::getpid()), target.extension().string());
    ProcessResult run;
    try {
        run = run_process(
            {"/usr/bin/python3", script.string(), json, kind, tmp.string(), std::to_string(top)}, true);
    } catch (const std::runtime_error& e) {
        throw OutputError(target.string(), 0, "--plots",
                          fmt::format("{} (Debian: apt install python3 python3-matplotlib)", e.what()));
    }
    std::error_code ec;
    if (!run.exited || run.exit_code != 0) {
        fs::remove(tmp, ec);
        const std::string why =
            run.exited && run.exit_code == 4
                ? "matplotlib is missing for /usr/bin/python3 (Debian: apt install python3-matplotlib)"
                : fmt::format("the plot script {} failed: {}", script.string(), run.errors);
        throw OutputError(target.string(), 0, "--plots", why);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw OutputError(target.string(), 0, "--plots",
                          fmt::format("cannot write the plot: {}", ec.message()));
    }
}

} // namespace

std::vector<std::string> draw_infer_plots(const std::filesystem::path& program, const nlohmann::json& doc,
                                          const std::string& dir, const std::string& ext, int top) {
    namespace fs = std::filesystem;
    std::string searched;
    const fs::path script = find_program_file(program, "hepkit_infer_plot.py", searched);
    if (script.empty())
        throw OutputError(
            dir, 0, "--plots",
            fmt::format("the plot script hepkit_infer_plot.py is missing: searched {}",
                        searched.empty() ? "nothing (the program's directory is unknown)" : searched));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw OutputError(
            dir, 0, "--plots",
            fmt::format("cannot make the plot directory: {}", ec ? ec.message() : "not a directory"));
    // the script reads the command's document from a file of its own (removed afterwards)
    const fs::path json =
        fs::path(dir) / fmt::format(".hepkit-infer-plot.{}.json", static_cast<long>(::getpid()));
    write_json_file(json.string(), doc);
    std::vector<std::string> written;
    try {
        for (const char* kind : {"impacts", "scan"})
            if (doc.contains(kind)) {
                const fs::path target = fs::path(dir) / fmt::format("{}.{}", kind, ext);
                draw_one(script, json.string(), kind, target, top);
                written.push_back(target.string());
            }
    } catch (...) {
        fs::remove(json, ec);
        throw;
    }
    fs::remove(json, ec);
    return written;
}

} // namespace hepkit::app
