// `hepkit gpu-bench`: measure GPU sharing on a real card (run) and derive the calibration table
// (report). The measurement is a generated shell script (kept in the output directory, so that
// what ran can be read); docs/gpu.md.

#include "CliChecks.hpp"
#include "Commands.hpp"
#include "ProgramDir.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Process.hpp"
#include "hepkit/sim/gpu/GpuBenchReport.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_gpu_bench_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::string dir, report_dir, table;
        std::vector<int> ks = {1, 2, 4, 8};
        std::string command;
        bool no_mps = false, no_ts = false, dry_run = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "gpu-bench",
        "Measure GPU sharing on this machine's GPU 0 and calibrate the simulator on it.\n"
        "  run:    k = 1, 2, 4, 8 processes of a synthetic kernel (a small one on ~12% of the SMs and\n"
        "          a full-device one) or of --command, under time-slicing and under MPS (its own\n"
        "          control daemon, private pipe/log directories, stopped at the end), power sampled\n"
        "          with nvidia-smi; never changes clocks, power limit, compute mode or MIG layout.\n"
        "  report: the jobs/s and J/job table of a measurement directory (no GPU needed).\n"
        "The files are those 'gpu-bench run' writes (res.txt, per.txt, pw.csv; docs/gpu.md).");
    cmd->require_subcommand(1);
    CLI::App* run = cmd->add_subcommand("run", "run the measurement (needs an NVIDIA GPU and nvidia-smi)");
    run->add_option("-o,--output-dir", o->dir, "directory for res.txt, per.txt, pw.csv and the script")
        ->required();
    run->add_option("-k", o->ks, "numbers of concurrent processes (default 1 2 4 8)")
        ->check(integer_in(1, 48));
    run->add_option("--command", o->command,
                    "shell command to run as each job instead of the synthetic kernel");
    run->add_flag("--no-mps", o->no_mps, "skip the MPS part");
    run->add_flag("--no-time-slicing", o->no_ts, "skip the time-slicing part");
    run->add_flag("--dry-run", o->dry_run, "write the script, do not run it");
    CLI::App* report =
        cmd->add_subcommand("report", "derive jobs/s and joules/job from a measurement directory");
    report->add_option("dir", o->report_dir, "directory with res*.txt, per*.txt, pw*.csv")->required();
    report->add_option("-o,--output", o->table, "also write the table as CSV");

    return [o, run, &globals]() {
        std::string dir = o->report_dir;
        if (run->parsed()) {
            sim::GpuBenchPlan plan;
            plan.out_dir = std::filesystem::absolute(o->dir).string();
            plan.ks = o->ks;
            plan.command = o->command;
            plan.mps = !o->no_mps;
            plan.time_slicing = !o->no_ts;
            if (plan.command.empty()) {
                // built next to the hepkit executable (apps/hepkit/CMakeLists.txt)
                const auto dir = program_dir();
                const auto exe =
                    (dir.empty() ? std::filesystem::path("<the hepkit executable's directory>") : dir) /
                    "hepkit-gpu-kernel";
                if (dir.empty() || !std::filesystem::exists(exe))
                    throw InputError(
                        "", 0, "gpu-bench",
                        fmt::format("{} is missing: hepkit was built without CUDA (no nvcc found). "
                                    "Install the CUDA toolkit and rebuild, or give --command",
                                    exe.string()));
                plan.kernel = exe.string();
            }
            std::string script;
            try {
                script = sim::gpu_bench_script(plan);
            } catch (const std::invalid_argument& e) {
                throw InputError("", 0, "gpu-bench run", e.what());
            }
            std::error_code ec;
            std::filesystem::create_directories(plan.out_dir, ec);
            if (ec)
                throw OutputError(plan.out_dir, 0, "", "cannot create the output directory: " + ec.message());
            const std::string path = plan.out_dir + "/gpu-bench.sh";
            write_file_atomically(path, script);
            if (o->dry_run) {
                if (!globals.quiet)
                    fmt::print("hepkit gpu-bench: script written to {} (not run)\n", path);
                return 0;
            }
            // no shell command line: the script's path is an argument, whatever characters it has;
            // its output (a long measurement's progress) goes straight to the terminal
            ProcessResult rc;
            try {
                rc = run_process({"/bin/sh", path}, false);
            } catch (const std::runtime_error& e) {
                throw OutputError(path, 0, "", e.what());
            }
            if (!rc.exited || rc.exit_code != 0)
                throw OutputError(
                    path, 0, "",
                    rc.exited ? fmt::format("the measurement script failed (exit status {})", rc.exit_code)
                              : fmt::format("the measurement script was killed by signal {}", rc.signal));
            dir = plan.out_dir;
        }
        const sim::GpuBenchRun result = sim::read_gpu_bench_dir(dir);
        const std::string table = sim::gpu_bench_table_csv(result);
        if (!o->table.empty())
            write_file_atomically(o->table, table);
        if (!globals.quiet) {
            fmt::print("hepkit gpu-bench: {} ({}, power limit {:g} W, idle {:.1f} W)\n", result.card,
                       result.compute_mode, result.power_limit, result.idle_power);
            std::fputs(table.c_str(), stdout);
            for (const auto& t : result.thread_percentage)
                fmt::print("MPS active thread percentage {:g}%{}: {:.3f} s\n", t.percent,
                           t.small ? " (small)" : "", t.seconds);
            for (const auto& a : result.allocations)
                fmt::print("MPS pinned memory limit, allocation of {:g} MB: {}\n", a.megabytes, a.result);
        }
        return 0;
    };
}

} // namespace hepkit::app
