// `hepkit events run CONFIG.yaml [-j N] [-o OUTDIR]`: an event-processing run from its YAML
// configuration (docs/events-config.md) — every step made and checked against the products it
// reads before any event is read, then the batches on a thread pool with a progress line, the
// outputs under OUTDIR, and a report of the time per step (ARTUS's per-processor times) and of
// the cut flows. `--graph` prints the dependency graph instead of running; `--emit` writes a
// batch job array over the input files instead (ConfigJobs.cpp).

#include "CliChecks.hpp"
#include "EventsCommands.hpp"
#if HEPKIT_WITH_TORCH
#include "NnScoreStep.hpp"
#endif
#include "Progress.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Config.hpp"
#include "hepkit/events/Runner.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>

namespace hepkit::app {

namespace {

struct RunOptions {
    std::string config;
    std::size_t threads = 0; // 0: ThreadPool::default_size()
    std::string outdir = "hepkit-events";
    std::string graph; // "", "text" or "dot"
    long long entries = -1;
    std::string files_from;
    std::string emit;
    std::size_t files_per_job = 1;
};

// "1:02:03", "4:05", "7 s" hh:mm:ss for an ETA.
std::string clock_time(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 60)
        return fmt::format("{} s", s);
    if (s < 3600)
        return fmt::format("{}:{:02}", s / 60, s % 60);
    return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

// "zmm: producer m (/long/path/run.yaml:12)" -> "zmm: producer m (run.yaml:12)": the table's
// rows stay readable; the file's folder is the configuration's (or an include's, named in full
// by every error message).
std::string short_label(const std::string& label) {
    const auto open = label.rfind(" (");
    const auto slash = label.rfind('/');
    if (open == std::string::npos || slash == std::string::npos || slash < open)
        return label;
    return label.substr(0, open + 2) + label.substr(slash + 1);
}

void print_times(const events::RunReport& r) {
    double total = r.read_seconds;
    std::size_t width = std::string_view("reading the inputs").size();
    for (const auto& s : r.steps) {
        total += s.seconds;
        width = std::max(width, short_label(s.label).size() + (s.shift.empty() ? 0 : s.shift.size() + 3));
    }
    const double share = total > 0 ? 100.0 / total : 0.0;
    fmt::print("\ntime per step (summed over threads and batches)\n");
    fmt::print("  {:<{}} {:>9} {:>11} {:>7}\n", "step", width, "calls", "seconds", "share");
    fmt::print("  {:<{}} {:>9} {:>11.6f} {:>6.1f}%\n", "reading the inputs", width, r.batches, r.read_seconds,
               r.read_seconds * share);
    for (const auto& s : r.steps) {
        // a shift's replacement is labelled "shift NAME: ..." already
        const bool named = s.shift.empty() || s.label.rfind("shift " + s.shift + ":", 0) == 0;
        const std::string label =
            named ? short_label(s.label) : fmt::format("{} [{}]", short_label(s.label), s.shift);
        fmt::print("  {:<{}} {:>9} {:>11.6f} {:>6.1f}%\n", label, width, s.calls, s.seconds,
                   s.seconds * share);
    }
}

// The nominal cut flow of each pipeline (every shift's is in OUTDIR/PIPELINE/cutflow.json).
void print_cutflows(const events::RunReport& r) {
    for (const auto& flow : r.cutflows) {
        if (!flow.shift.empty() || flow.rows.empty())
            continue;
        std::size_t width = 3;
        for (const auto& row : flow.rows)
            width = std::max(width, row.label.size());
        fmt::print("\ncut flow of pipeline {}\n", flow.pipeline);
        fmt::print("  {:<{}} {:>12} {:>14} {:>9} {:>9}\n", "cut", width, "events", "sum of w", "of prev.",
                   "of all");
        const double all = static_cast<double>(flow.rows.front().events);
        double previous = all;
        for (const auto& row : flow.rows) {
            const double n = static_cast<double>(row.events);
            fmt::print("  {:<{}} {:>12} {:>14.6g} {:>8.2f}% {:>8.2f}%\n", row.label, width, row.events,
                       row.sumw, previous > 0 ? 100 * n / previous : 0.0, all > 0 ? 100 * n / all : 0.0);
            previous = n;
        }
    }
}

int emit_jobs(const RunOptions& o, const events::Plan& plan, bool threads_given,
              const GlobalOptions& globals) {
    if (o.entries >= 0)
        throw UsageError("--entries",
                         "cannot be split over a job array: each job reads all entries of its files");
    if (plan.inputs.first_entry != 0 || plan.inputs.max_entries >= 0)
        throw InputError(
            plan.source, 0, "inputs",
            "first_entry / entries select a range of the whole chain, which a job array over the "
            "files cannot split: leave them out to --emit");
    // Check the configuration against the first file before writing thousands of jobs: a job
    // array whose every job fails at its start costs a queue's wait to find out.
    {
        events::Plan probe = plan;
        probe.inputs.files.resize(1);
        events::Runner(std::move(probe)).prepare();
    }
    events::JobArray array;
    array.kind = o.emit;
    array.config = o.config;
    array.files = plan.inputs.files;
    array.files_per_job = o.files_per_job;
    array.outdir = o.outdir;
    array.hepkit = std::filesystem::canonical("/proc/self/exe").string();
    array.threads = threads_given ? static_cast<unsigned>(o.threads) : 1;
    const std::size_t jobs = events::emit_job_array(array);
    if (!globals.quiet)
        fmt::print(
            "hepkit events run: {} input file{} as {} {} job{} of up to {} file{} in {} (submit {}, then run "
            "merge.sh: outputs in {}/merged)\n",
            plan.inputs.files.size(), plan.inputs.files.size() == 1 ? "" : "s", jobs, o.emit,
            jobs == 1 ? "" : "s", o.files_per_job, o.files_per_job == 1 ? "" : "s", o.outdir,
            o.emit == "condor" ? "events.sub" : "events.sbatch", o.outdir);
    return 0;
}

int run_events(const RunOptions& o, const CLI::App& cmd, const GlobalOptions& globals) {
    auto given = [&](const char* name) { return cmd.count(name) > 0; };
    if (given("--files-per-job") && o.emit.empty())
        throw UsageError("--files-per-job", "needs --emit condor|slurm");
    if (!o.graph.empty() && !o.emit.empty())
        throw UsageError("--graph", "prints the graph and runs nothing: leave out --emit");

    events::Registry registry;
    events::register_builtins(registry);
#if HEPKIT_WITH_TORCH
    register_nn_steps(registry);
#endif
    events::PlanOverrides overrides;
    if (!o.files_from.empty())
        overrides.files = events::read_file_list(o.files_from);
    if (o.entries >= 0)
        overrides.max_entries = o.entries;
    events::Plan plan = events::load_plan(o.config, registry, overrides);
    if (!o.emit.empty())
        return emit_jobs(o, plan, given("--threads"), globals);

    const std::int64_t files = static_cast<std::int64_t>(plan.inputs.files.size());
    events::Runner runner(std::move(plan));
    runner.prepare();
    if (!o.graph.empty()) {
        runner.print_graph(std::cout, o.graph == "dot");
        return 0;
    }

    const std::size_t threads = o.threads > 0 ? o.threads : ThreadPool::default_size();
    ThreadPool pool(threads);
    ProgressLine line(globals.quiet);
    std::mutex progress_mutex;
    const auto progress = [&](std::int64_t done, std::int64_t total) {
        std::lock_guard lock(progress_mutex);
        const bool last = done == total && line.shown();
        if (!line.enabled() || (!last && !line.due()))
            return;
        const double t = std::max(line.elapsed(), 1e-9);
        const double rate = static_cast<double>(done) / t;
        line.show(
            fmt::format("{} / {} events ({:.1f} %), {:.3g} events/s, ETA {}", done, total,
                        total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0,
                        rate, clock_time(rate > 0 ? static_cast<double>(total - done) / rate : NAN)));
    };
    const events::RunReport report = runner.run(&pool, progress);
    line.finish();
    runner.write(o.outdir);
    if (!globals.quiet) {
        fmt::print("hepkit events run: {} events of {} file{} in {:.3f} s ({:.3g} events/s, {} thread{}, {} "
                   "batch{}); outputs in {}\n",
                   report.events, files, files == 1 ? "" : "s", report.wall_seconds,
                   report.wall_seconds > 0 ? static_cast<double>(report.events) / report.wall_seconds : 0.0,
                   threads, threads == 1 ? "" : "s", report.batches, report.batches == 1 ? "" : "es",
                   o.outdir);
        print_times(report);
        print_cutflows(report);
    }
    return 0;
}

} // namespace

std::function<int()> add_events_run(CLI::App& events, const GlobalOptions& globals) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = events.add_subcommand(
        "run", "Run an event-processing configuration (docs/events-config.md) over its input files\n"
               "(TTrees or RNTuples): the global producers and filters, then every pipeline under the\n"
               "nominal and its shifts, on a thread pool; outputs (identical for any thread count) under "
               "OUTDIR/PIPELINE/, the cut flows\n"
               "in OUTDIR/PIPELINE/cutflow.json, the run's report in OUTDIR/report.json. Every step is\n"
               "checked against the products it reads before any event is read.");
    cmd->add_option("config", o->config, "the configuration (YAML)")->required();
    cmd->add_option("-j,--threads", o->threads, "threads (default: HEPKIT_THREADS or all cores)")
        ->check(integer_in(1, 1024));
    cmd->add_option("-o,--outdir", o->outdir,
                    "output folder (default hepkit-events); with --emit, the job array's");
    cmd->add_flag("--graph{text}", o->graph,
                  "print the dependency graph of products, steps and shifts (what each shift runs again) and "
                  "stop; --graph=dot prints it for Graphviz")
        ->check(CLI::IsMember({"text", "dot"}));
    cmd->add_option("--entries", o->entries, "process at most N entries (in place of the configuration's)")
        ->check(integer_in(1, std::numeric_limits<long long>::max()));
    cmd->add_option("--files-from", o->files_from,
                    "read the input files from this list (one per line, # comments) in place of the "
                    "configuration's (what the jobs of --emit do)");
    cmd->add_option("--emit", o->emit,
                    "write a batch job array over the input files instead of running: one job per "
                    "--files-per-job files, and merge.sh")
        ->check(CLI::IsMember({"condor", "slurm"}));
    cmd->add_option("--files-per-job", o->files_per_job, "input files per job of --emit (default 1)")
        ->check(integer_in(1, 1'000'000));
    return [o, cmd, &globals]() { return run_events(*o, *cmd, globals); };
}

} // namespace hepkit::app
