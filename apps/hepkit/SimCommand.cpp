// `hepkit sim`: runs a scenario (YAML), a platform with an activities list, or the built-in
// default scenario, and writes a trace and a summary.

#include "Commands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Log.hpp"
#include "hepkit/core/Units.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/ActivityRunner.hpp"
#include "hepkit/sim/workload/Scenario.hpp"

#include <chrono>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {
namespace {

struct SimOptions {
    std::string scenario;
    std::string platform;
    std::string activities;
    std::string output;
    std::string solver = "lazy";
};

void write_trace(const std::string& path, const std::vector<sim::ActivityRow>& rows,
                 const std::vector<sim::ActivityTimes>& times) {
    CsvWriter out(path, "id,start,end");
    for (std::size_t i = 0; i < rows.size(); ++i)
        out.line(fmt::format("{},{},{}", CsvWriter::field(rows[i].id), CsvWriter::number(times[i].start),
                             CsvWriter::number(times[i].end)));
    out.commit();
}

int run(const SimOptions& o, const GlobalOptions& g) {
    const auto wall_start = std::chrono::steady_clock::now();
    const Logger log(parse_log_level(g.log_level));
    sim::Scenario scenario;
    if (!o.scenario.empty()) {
        if (!o.platform.empty() || !o.activities.empty())
            throw InputError("", 0, "command line",
                             "give either a SCENARIO file or -p/--activities, not both");
        scenario = sim::load_scenario(o.scenario);
    } else if (!o.platform.empty() || !o.activities.empty()) {
        if (o.platform.empty() || o.activities.empty())
            throw InputError("", 0, "command line", "-p/--platform and --activities must be given together");
        scenario.name = o.activities;
        scenario.origin = o.activities;
        scenario.platform.emplace(sim::load_platform(o.platform));
        scenario.activities = sim::read_activities(o.activities, *scenario.platform);
    } else {
        scenario = sim::default_scenario();
    }
    const std::string output = !o.output.empty() ? o.output : scenario.output;
    log.info("scenario '{}' from {}: {} hosts, {} links, {} activities", scenario.name, scenario.origin,
             scenario.platform->host_count(), scenario.platform->link_count(), scenario.activities.size());

    sim::Simulation::Config cfg;
    cfg.engine.mode = o.solver == "full" ? sim::MaxMinSolver::Mode::full : sim::MaxMinSolver::Mode::lazy;
    sim::Simulation simulation(std::move(*scenario.platform), cfg);
    sim::ActivityRunner runner(simulation, scenario.activities);
    const std::size_t n = scenario.activities.size();
    const bool show_progress = !g.quiet && n >= 100000;
    runner.run(
        [&](std::size_t done, double now) {
            if (show_progress)
                std::fprintf(stderr, "\r  %zu / %zu activities done, simulated time %s   ", done, n,
                             units::format_duration(now).c_str());
        },
        std::max<std::size_t>(1, n / 20));
    if (show_progress)
        std::fprintf(stderr, "\n");
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
        "  hepkit sim                      run the built-in default scenario (a data-movement campaign)\n"
        "  hepkit sim SCENARIO.yaml        run a scenario file (see docs/formats.md)\n"
        "  hepkit sim -p P.xml --activities A.csv -o OUT.csv\n"
        "                                  run explicit transfers/computations on a SimGrid or native\n"
        "                                  platform; OUT.csv gets id,start,end per activity.");
    cmd->add_option("scenario", opts->scenario, "scenario file (YAML)")->check(CLI::ExistingFile);
    cmd->add_option("-p,--platform", opts->platform, "platform: SimGrid XML (.xml) or native YAML (.yaml)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--activities", opts->activities,
                    "activities CSV: id,type,source,destination,amount,start[,after]")
        ->check(CLI::ExistingFile);
    cmd->add_option("-o,--output-file", opts->output, "trace CSV to write (written atomically)");
    cmd->add_option("--solver", opts->solver,
                    "sharing solver: lazy (re-solve only what changed, default) or full (re-solve all; slow, "
                    "for checking)")
        ->check(CLI::IsMember({"lazy", "full"}));
    return [opts, &globals]() { return run(*opts, globals); };
}

} // namespace hepkit::app
