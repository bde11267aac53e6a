// `hepkit sim`: runs a scenario (YAML), a platform with an activities list, or the built-in
// default scenario, and writes a trace and a summary.

#include "CliChecks.hpp"
#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "Progress.hpp"
#include "SurrogateCommands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Log.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/sim/grid/Parameters.hpp"
#include "hepkit/sim/grid/Scan.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/ActivityRunner.hpp"
#include "hepkit/sim/workload/Scenario.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <yaml-cpp/yaml.h>

namespace hepkit::app {
namespace {

struct SimOptions {
    std::string scenario;
    std::string platform;
    std::string activities;
    std::string output;
    std::string solver = "lazy";
    // grid runs (DCSim's command line and hepkit's additions)
    std::vector<std::string> workloads, datasets, job_lists;
    long long seed = -1;
    std::string buffer_size = "1048576";
    bool all_sites = false, list_parameters = false;
    // flags that set parameters (cli_parameters): only whether they were given matters
    bool no_caching = false, prefetch_off = false, shuffle_jobs = false, dcsim_block_sizes = false;
    std::vector<std::string> set; ///< --set PATH=VALUE, in order
    std::string summary_json, timeseries, drone_trace;
    std::string scan, emit, emit_dir = "hepkit-scan", surrogate;
    long long point = -1;
    unsigned threads = 0;
    CLI::App* cmd = nullptr;
};

bool given(const SimOptions& o, const char* name) {
    return o.cmd->count(name) > 0;
}

// The command-line options that set a parameter of the grid run (grid/Parameters.hpp): the
// option, its parameter path and, for a flag, the value it sets. Flags can only switch their
// feature one way (there is no --prefetch-on: a scenario's `prefetch: false` stays). With a
// scenario file they override the scenario's values (command line > scenario > default).
struct CliParameter {
    const char* option;
    const char* path;
    const char* flag_value; ///< nullptr: the option takes a value
};
constexpr CliParameter cli_parameters[] = {
    {"--hitrate", "cache.hitrate", nullptr},
    {"--xrd-blocksize", "streaming.block_size", nullptr},
    {"--no-caching", "cache.caching", "false"},
    {"--prefetch-off", "streaming.prefetch", "false"},
    {"--shuffle-jobs", "jobs.shuffle", "true"},
    {"--dcsim-block-sizes", "streaming.dcsim_block_sizes", "true"},
    {"--cache-scope", "cache.scope", nullptr},
    {"--duplications", "jobs.duplications", nullptr},
    {"--xrd-flops-per-time", "streaming.xrd_flops_per_time", nullptr},
    {"--xrd-flops-per-time-local", "streaming.xrd_flops_per_time_local", nullptr},
    {"--xrd-overhead-model", "streaming.xrd_overhead_model", nullptr},
    {"--dispatcher", "dispatcher.policy", nullptr},
    {"--eviction", "cache.eviction", nullptr},
    {"--output-storage", "output_storage.host", nullptr},
    {"--timeseries-interval", "timeseries.interval", nullptr},
    {"--gpu-policy", "gpu.sharing.default", nullptr}, // replaces the scenario's `default` policy
};

// The options of a grid run that the command line may set (for the refusals of scans and
// activities runs).
constexpr const char* grid_run_options[] = {"--hitrate",
                                            "--xrd-blocksize",
                                            "--no-caching",
                                            "--prefetch-off",
                                            "--cache-scope",
                                            "--duplications",
                                            "--shuffle-jobs",
                                            "--xrd-flops-per-time",
                                            "--xrd-flops-per-time-local",
                                            "--xrd-overhead-model",
                                            "--dispatcher",
                                            "--eviction",
                                            "--output-storage",
                                            "--dcsim-block-sizes",
                                            "--timeseries-interval",
                                            "--gpu-policy",
                                            "--storage-buffer-size",
                                            "--summary-json",
                                            "--timeseries",
                                            "--drone-trace",
                                            "--all-sites",
                                            "--set"};

// The grid-run options given on this command line, e.g. "-d/--duplications", for messages.
std::vector<std::string> given_grid_options(const SimOptions& o) {
    std::vector<std::string> out;
    for (const char* name : grid_run_options)
        if (given(o, name)) {
            const CLI::Option* opt = o.cmd->get_option(name);
            std::string names = opt->get_name(false, true); // "-d,--duplications"
            std::replace(names.begin(), names.end(), ',', '/');
            out.push_back(names);
        }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v)
        out += (out.empty() ? "" : ", ") + x;
    return out;
}

// Every grid option given on the command line replaces the scenario's value, through the
// parameter registry; then every --set PATH=VALUE, in order.
void apply_overrides(sim::GridOptions& g, const SimOptions& o) {
    for (const auto& p : cli_parameters) {
        const CLI::Option* opt = o.cmd->get_option(p.option);
        if (opt->count() == 0)
            continue;
        const std::string value = p.flag_value ? p.flag_value : opt->results().back();
        try {
            sim::set_parameter(g, p.path, value);
        } catch (const InputError& e) {
            throw UsageError(p.option, e.message());
        }
    }
    for (const auto& item : o.set) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--set", fmt::format("'{}' is not PATH=VALUE (e.g. cache.hitrate=0.5)", item));
        try {
            sim::set_parameter(g, item.substr(0, eq), item.substr(eq + 1));
        } catch (const InputError& e) {
            throw UsageError("--set", fmt::format("{}: {}", item.substr(0, eq), e.message()));
        }
    }
}

// `hepkit sim --list-parameters`: every parameter path with its unit, scenario key and meaning.
int list_parameters() {
    fmt::print("{:<40} {:<14} {:<40} {}\n", "parameter path", "unit", "scenario key", "meaning");
    for (const auto& p : sim::grid_parameters()) {
        fmt::print("{:<40} {:<14} {:<40} {}{}\n", p.path, p.unit, p.scenario, p.doc,
                   p.allowed ? fmt::format(" ({})", p.allowed()) : "");
    }
    return 0;
}

sim::GridScenario dcsim_scenario(const SimOptions& o) {
    sim::GridScenario s;
    s.name = "dcsim command line";
    s.origin = o.platform;
    s.platform.emplace(sim::load_platform(o.platform));
    sim::GridOptions& g = s.options;
    g.seed = o.seed >= 0 ? static_cast<std::uint64_t>(o.seed) : 42;
    apply_overrides(g, o);
    sim::WorkloadSources sources;
    for (const auto& d : o.datasets)
        sources.datasets.emplace_back(config::load_json_file(d), d);
    for (const auto& w : o.workloads)
        sources.workloads.emplace_back(config::load_json_file(w), w);
    sources.job_lists = o.job_lists;
    s.workload = sim::build_workload(*s.platform, sources, g.seed);
    return s;
}

void write_trace(const std::string& path, const std::vector<sim::ActivityRow>& rows,
                 const std::vector<sim::ActivityTimes>& times) {
    CsvWriter out(path, "id,start,end");
    for (std::size_t i = 0; i < rows.size(); ++i)
        out.line(fmt::format("{},{},{}", CsvWriter::field(rows[i].id), CsvWriter::number(times[i].start),
                             CsvWriter::number(times[i].end)));
    out.commit();
}

int run_activities(const SimOptions& o, const GlobalOptions& g, sim::Scenario scenario);

int run_scan_command(const SimOptions& o, const GlobalOptions& g) {
    sim::ScanSpec spec = sim::read_scan(o.scan);
    if (o.threads > 0)
        spec.threads = o.threads;
    if (!o.emit.empty() && !o.surrogate.empty())
        // The array's tasks would simulate each point; a surrogate predicts 10^5 points in seconds here.
        throw UsageError("--emit", "runs the scan's points as simulations on a batch system; --surrogate "
                                   "predicts them here (10^5 points in seconds): give one of the two");
    if (!o.emit.empty()) {
        sim::emit_batch_array(spec, o.scan, o.emit, o.emit_dir,
                              std::filesystem::canonical("/proc/self/exe").string());
        if (!g.quiet)
            fmt::print(
                "hepkit sim --scan: {} points as a {} job array in {} (submit {}, then run merge.sh)\n",
                spec.points(), o.emit, o.emit_dir, o.emit == "condor" ? "scan.sub" : "scan.sbatch");
        return 0;
    }
    std::size_t first = 0, last = spec.points();
    if (o.point >= 0) {
        if (static_cast<std::size_t>(o.point) >= spec.points())
            throw UsageError("--point", fmt::format("{} is not below the {} points of {}", o.point,
                                                    spec.points(), o.scan));
        first = static_cast<std::size_t>(o.point);
        last = first + 1;
    }
    if (!o.surrogate.empty()) {
#if HEPKIT_WITH_TORCH
        return run_scan_surrogate(spec, first, last, o.surrogate, o.output, g);
#else
        throw UsageError("--surrogate", "this hepkit was built without libtorch (HEPKIT_WITH_TORCH=OFF)");
#endif
    }
    ProgressLine line(g.quiet);
    const auto rows = sim::run_scan(spec, first, last, [&](std::size_t done, std::size_t total) {
        if (line.due() || (done == total && line.shown()))
            line.show(fmt::format("{} / {} scan points done", done, total));
    });
    line.finish();
    if (!o.output.empty()) {
        CsvWriter out(o.output, sim::scan_header(spec));
        for (const auto& r : rows)
            out.line(r);
        out.commit();
    }
    if (!g.quiet) {
        fmt::print("{}\n", sim::scan_header(spec));
        for (const auto& r : rows)
            fmt::print("{}\n", r);
    }
    return 0;
}

// Options of grid runs make no sense for an activities run (explicit transfers and
// computations): refuse them rather than ignore them.
void refuse_grid_options(const SimOptions& o, const std::string& what) {
    auto given_opts = given_grid_options(o);
    if (given(o, "--seed"))
        given_opts.insert(given_opts.begin(), "-s/--seed");
    if (!given_opts.empty())
        throw UsageError(join(given_opts),
                         fmt::format("{} to grid runs only, and {}{}",
                                     given_opts.size() == 1 ? "applies" : "apply", what,
                                     given(o, "--seed") ? " (an activities scenario takes its seed from its "
                                                          "'seed:' key)"
                                                        : ""));
}

sim::GridScenario with_overrides(sim::GridScenario s, const SimOptions& o) {
    apply_overrides(s.options, o);
    return s;
}

int run(const SimOptions& o, const GlobalOptions& g) {
    if (o.list_parameters)
        return list_parameters();
    if (given(o, "--storage-buffer-size") && o.buffer_size != "0")
        Logger(parse_log_level(g.log_level))
            .warn("-b/--storage-buffer-size {} has no effect: hepkit's storage transfers are fluid "
                  "(like DCSim's -b 0)",
                  o.buffer_size);
    if (!o.scan.empty()) {
        if (!o.scenario.empty() || !o.platform.empty() || !o.activities.empty() || !o.workloads.empty() ||
            !o.datasets.empty() || !o.job_lists.empty())
            throw UsageError("--scan", "the scan file names its scenarios; give no SCENARIO, -p, "
                                       "--activities, --workload-configurations or --jobs with it");
        auto given_opts = given_grid_options(o);
        if (given(o, "--seed"))
            given_opts.insert(given_opts.begin(), "-s/--seed");
        if (!given_opts.empty())
            throw UsageError(join(given_opts),
                             "not applied to scan points: put the value in the scenario files the scan "
                             "names, or make it a scan parameter (docs/scans.md)");
        return run_scan_command(o, g);
    }
    if (!o.surrogate.empty())
        throw UsageError("--surrogate",
                         "needs --scan (a single scenario: hepkit surrogate predict MODEL SCENARIO)");
    if (o.point >= 0 || !o.emit.empty() || given(o, "--threads"))
        throw UsageError(given(o, "--threads") ? "-j/--threads" : "--point/--emit", "needs --scan");
    GridRunOutputs outputs{o.output,
                           o.summary_json,
                           o.timeseries,
                           o.drone_trace,
                           sim::solver_modes.parse(o.solver) == sim::MaxMinSolver::Mode::full,
                           o.all_sites};
    const std::optional<std::uint64_t> seed =
        o.seed >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(o.seed)) : std::nullopt;
    const bool grid_cli = !o.workloads.empty() || !o.job_lists.empty() || !o.datasets.empty();
    if (!o.scenario.empty()) {
        if (!o.platform.empty() || !o.activities.empty() || grid_cli)
            throw UsageError("SCENARIO", "give either a SCENARIO file or -p with --activities / "
                                         "--workload-configurations, not both");
        const config::YamlView root(config::load_yaml_file(o.scenario), o.scenario);
        if (sim::is_grid_scenario(root.node())) {
            auto scenario =
                sim::read_grid_scenario(root, std::filesystem::path(o.scenario).parent_path().string(), seed);
            return run_grid(with_overrides(std::move(scenario), o), outputs, g);
        }
        refuse_grid_options(o, fmt::format("{} is an activities scenario", o.scenario));
        return run_activities(o, g, sim::load_scenario(o.scenario));
    }
    if (grid_cli) {
        if (o.platform.empty())
            throw UsageError("--workload-configurations/--jobs", "needs -p/--platform");
        if (!o.activities.empty())
            throw UsageError("--activities", "cannot be combined with workloads");
        if (o.workloads.empty() && o.job_lists.empty())
            throw UsageError("--dataset-configurations", "give --workload-configurations or --jobs too");
        return run_grid(dcsim_scenario(o), outputs, g);
    }
    if (!o.platform.empty() || !o.activities.empty()) {
        if (o.platform.empty() || o.activities.empty())
            throw UsageError("-p/--platform", "needs --activities, --workload-configurations or --jobs");
        refuse_grid_options(o, "--activities runs explicit transfers and computations");
        sim::Scenario scenario;
        scenario.name = o.activities;
        scenario.origin = o.activities;
        scenario.platform.emplace(sim::load_platform(o.platform));
        scenario.activities = sim::read_activities(o.activities, *scenario.platform);
        return run_activities(o, g, std::move(scenario));
    }
    return run_grid(with_overrides(sim::default_grid_scenario(seed), o), outputs, g);
}

int run_activities(const SimOptions& o, const GlobalOptions& g, sim::Scenario scenario) {
    const auto wall_start = std::chrono::steady_clock::now();
    const Logger log(parse_log_level(g.log_level));
    const std::string output = !o.output.empty() ? o.output : scenario.output;
    log.info("scenario '{}' from {}: {} hosts, {} links, {} activities", scenario.name, scenario.origin,
             scenario.platform->host_count(), scenario.platform->link_count(), scenario.activities.size());

    sim::Simulation::Config cfg;
    cfg.engine.mode = sim::solver_modes.parse(o.solver);
    sim::Simulation simulation(std::move(*scenario.platform), cfg);
    sim::ActivityRunner runner(simulation, scenario.activities);
    const std::size_t n = scenario.activities.size();
    ProgressLine line(g.quiet);
    runner.run(
        [&](std::size_t done, double now) {
            if (line.due() || (done == n && line.shown()))
                line.show(fmt::format("{} / {} activities done, simulated time {}", done, n,
                                      units::format_duration(now)));
        },
        // the clock is read once per 256 completed activities
        256);
    line.finish();
    log.info("simulation finished at t = {} s after {} events", simulation.engine().now(),
             simulation.engine().events_processed());
    if (!output.empty()) {
        write_trace(output, scenario.activities, runner.times());
        log.info("trace written to {}", output);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (!g.quiet) {
        const auto s = runner.summary();
        fmt::print("hepkit sim: {} ({} activities: {} transfers, {} computations, {} disk I/O)\n",
                   scenario.name, n, s.transfers, s.computes, s.ios);
        fmt::print("  platform        {} hosts, {} links\n", simulation.platform().host_count(),
                   simulation.platform().link_count());
        fmt::print("  data moved      {}\n", units::format_bytes(s.bytes_moved));
        fmt::print("  makespan        {}\n", units::format_duration(s.makespan));
        if (s.makespan > 0 && s.bytes_moved > 0)
            fmt::print("  mean throughput {:.4g} Gbps\n", s.bytes_moved * 8 / s.makespan / 1e9);
        fmt::print("  events          {} ({:.3g} s wall, {:.3g} events/s)\n", s.events, wall,
                   wall > 0 ? static_cast<double>(s.events) / wall : 0.0);
        if (!output.empty())
            fmt::print("  trace           {}\n", output);
    }
    return 0;
}

} // namespace

std::function<int()> add_sim_command(CLI::App& app, const GlobalOptions& globals) {
    auto opts = std::make_shared<SimOptions>();
    CLI::App* cmd = app.add_subcommand(
        "sim",
        "Simulate a workload on a platform.\n\n"
        "  hepkit sim                      run the built-in scenario (a Tier-1 with a cache, three Tier-2s)\n"
        "  hepkit sim SCENARIO.yaml        run a scenario file (see docs/formats.md)\n"
        "  hepkit sim -p P.xml -o OUT.csv --workload-configurations W.json --dataset-configurations D.json\n"
        "                                  run a DCSim command line (dc-sim replaced by hepkit sim)\n"
        "  hepkit sim -p P.xml --activities A.csv -o OUT.csv\n"
        "                                  run explicit transfers/computations; OUT.csv gets id,start,end\n"
        "  hepkit sim --scan SCAN.yaml -o TABLE.csv\n"
        "                                  run a parameter scan in parallel (see docs/scans.md)\n\n"
        "With a scenario file, every grid option given here overrides the scenario's value\n"
        "(precedence: command line > scenario > default); options that cannot apply are refused.\n"
        "Output paths named in a scenario (outputs:, output:) are relative to the current directory,\n"
        "not to the scenario file (input paths stay relative to the scenario file).\n"
        "Sizes, speeds and times take units as in scenario files: -x 500MB, --xrd-flops-per-time 20Gf.");
    cmd->add_option("scenario", opts->scenario, "scenario file (YAML)")->check(CLI::ExistingFile);
    cmd->add_option("-p,--platform", opts->platform, "platform: SimGrid XML (.xml) or native YAML (.yaml)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--activities", opts->activities,
                    "activities CSV: id,type,source,destination,amount,start[,after]")
        ->check(CLI::ExistingFile);
    cmd->add_option("-o,--output-file", opts->output, "trace CSV to write (written atomically)");
    opts->cmd = cmd;
    const char* grid = "Grid runs (DCSim's command line: replace dc-sim by 'hepkit sim')";
    cmd->add_option("--workload-configurations", opts->workloads, "DCSim workload JSON files")
        ->check(CLI::ExistingFile)
        ->group(grid);
    cmd->add_option("--dataset-configurations", opts->datasets, "DCSim dataset JSON files")
        ->check(CLI::ExistingFile)
        ->group(grid);
    cmd->add_option("--jobs", opts->job_lists,
                    "job list CSV files to replay "
                    "(id,submit,cores,memory,flops,inputs,output_size[,type,user,priority])")
        ->check(CLI::ExistingFile)
        ->group(grid);
    cmd->add_option("-s,--seed", opts->seed, "seed of all random draws (default 42)")
        ->check(integer_in(0, 1LL << 62))
        ->group(grid);
    cmd->add_option("-H,--hitrate",
                    "initial fraction of each job's input bytes staged on every cache (default 0)")
        ->check(real_in(0, 1))
        ->group(grid);
    cmd->add_option("-x,--xrd-blocksize",
                    "bytes per XRootD streaming block, a number or a size such as 500MB (default 1e9)")
        ->transform(quantity(units::Kind::size, true))
        ->group(grid);
    cmd->add_option("-b,--storage-buffer-size", opts->buffer_size,
                    "accepted for DCSim compatibility; NO EFFECT: hepkit's storage transfers are fluid "
                    "(like DCSim's -b 0)")
        ->group(grid);
    cmd->add_flag("--no-caching", opts->no_caching, "do not store missed input files in caches")->group(grid);
    cmd->add_flag("--prefetch-off", opts->prefetch_off,
                  "streaming: read block i+1 only after computing block i")
        ->group(grid);
    cmd->add_option("--cache-scope",
                    "caches a worker reads from: local (same host, default), network (same zone), "
                    "siblingnetwork (same or sibling zones)")
        ->check(CLI::IsMember(sim::cache_scopes.names()))
        ->group(grid);
    cmd->add_option("-d,--duplications", "run every job this many times (default 1)")
        ->check(integer_in(1, 10000))
        ->group(grid);
    cmd->add_flag("--shuffle-jobs", opts->shuffle_jobs,
                  "shuffle the submission order (DCSim's flag has no effect in DCSim itself; here it does)")
        ->group(grid);
    cmd->add_option("--xrd-flops-per-time",
                    "flop of XRootD CPU overhead per second of remote streaming, a number or a speed "
                    "such as 20Gf (DCSim default 2e10)")
        ->transform(quantity(units::Kind::speed, false))
        ->group(grid);
    cmd->add_option("--xrd-flops-per-time-local",
                    "the same overhead when streaming from the worker's own host (default 0)")
        ->transform(quantity(units::Kind::speed, false))
        ->group(grid);
    cmd->add_option("--xrd-overhead-model",
                    "read-time (default: overhead per second of each block's own read) or dcsim (DCSim's: "
                    "from the last read's start, which with prefetch includes the previous block's "
                    "computation and can grow without bound; docs/models.md)")
        ->check(CLI::IsMember(sim::xrd_overhead_models.names()))
        ->group(grid);
    cmd->add_option("--dispatcher",
                    "job placement: dcsim (first free worker by name, default), round-robin, least-loaded, "
                    "data-locality")
        ->check(CLI::IsMember(sim::dispatch_policies.names()))
        ->group(grid);
    cmd->add_option("--eviction", "cache eviction: lru (default) or fifo")
        ->check(CLI::IsMember(sim::evictions.names()))
        ->group(grid);
    cmd->add_option("--output-storage", "storage host receiving job outputs (default: the "
                                        "first storage host)")
        ->group(grid);
    cmd->add_flag("--dcsim-block-sizes", opts->dcsim_block_sizes,
                  "reproduce DCSim's streaming over-read (each file's last block is read whole)")
        ->group(grid);
    cmd->add_option("--gpu-policy",
                    "GPU sharing policy of every GPU host the scenario does not configure: exclusive, "
                    "repeat:N, divide:N, time-slicing:N, mps:N[,thread_percentage=P,memory_limit=SIZE,"
                    "multi_user=true], mig:PROFILE+PROFILE... (docs/gpu.md)")
        ->group(grid);
    cmd->add_option("--drone-trace", opts->drone_trace,
                    "write the drones' state transitions (opportunistic sites) as CSV")
        ->group(grid);
    cmd->add_option("--summary-json", opts->summary_json, "write the run summary as JSON")->group(grid);
    cmd->add_flag("--all-sites", opts->all_sites,
                  "list every site in the summary table (default: the 10 with most jobs, then totals)")
        ->group(grid);
    cmd->add_option("--timeseries", opts->timeseries,
                    "write running/queued jobs, link load and cache occupancy as CSV (time,kind,name,value)")
        ->group(grid);
    const char* scans = "Parameter scans";
    cmd->add_option(
           "--scan", opts->scan,
           "run a parameter scan (YAML: scenarios, parameters) and write one table (-o); see docs/scans.md")
        ->check(CLI::ExistingFile)
        ->group(scans);
    cmd->add_option("-j,--threads", opts->threads, "threads for a scan (default: all cores)")
        ->check(integer_in(0, 1024))
        ->group(scans);
    cmd->add_option("--point", opts->point, "run only this point of the scan (for batch job arrays)")
        ->check(integer_in(0, 99999))
        ->group(scans);
    auto* emit = cmd->add_option("--emit", opts->emit,
                                 "write an HTCondor or Slurm job array for the scan: condor|slurm")
                     ->check(CLI::IsMember({"condor", "slurm"}))
                     ->group(scans);
    cmd->add_option("--emit-dir", opts->emit_dir, "directory for --emit (default hepkit-scan)")
        ->needs(emit)
        ->group(scans);
    cmd->add_option(
           "--surrogate", opts->surrogate,
           "predict the scan's points with a summary surrogate (a `hepkit surrogate train` directory) "
           "instead of simulating them; points outside its training domain are flagged "
           "(docs/surrogate.md)")
        ->group(scans);
    cmd->add_option("--timeseries-interval",
                    "time between samples, seconds or a time such as 5min (default 60)")
        ->transform(quantity(units::Kind::time, true))
        ->group(grid);
    cmd->add_option("--solver", opts->solver,
                    "sharing solver: lazy (re-solve only what changed, default) or full (re-solve all; slow, "
                    "for checking)")
        ->check(CLI::IsMember(sim::solver_modes.names()));
    const char* params = "Parameter paths (docs/formats.md)";
    cmd->add_option("--set", opts->set,
                    "set any parameter of a grid run by its path, e.g. --set caches.t1-xcache.size=50TB "
                    "--set queue.backfill_depth=0 (repeatable; after the options above)")
        ->take_all()
        ->allow_extra_args(false)
        ->group(params);
    cmd->add_flag("--list-parameters", opts->list_parameters,
                  "list every parameter path with its unit, scenario key and meaning, and exit")
        ->group(params);
    return [opts, &globals]() { return run(*opts, globals); };
}

} // namespace hepkit::app
