// Running a grid scenario from the CLI: outputs, progress line and summary.

#include "Commands.hpp"
#include "Progress.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Log.hpp"
#include "hepkit/core/Plural.hpp"
#include "hepkit/sim/output/GridReport.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <optional>

namespace hepkit::app {

int run_grid(sim::GridScenario scenario, const GridRunOutputs& outputs, const GlobalOptions& globals) {
    const auto wall_start = std::chrono::steady_clock::now();
    const Logger log(parse_log_level(globals.log_level));
    auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    };
    const std::string trace_path = !outputs.trace.empty() ? outputs.trace : scenario.trace;
    const std::string summary_path = !outputs.summary.empty() ? outputs.summary : scenario.summary;
    const std::string series_path = !outputs.timeseries.empty() ? outputs.timeseries : scenario.timeseries;
    const std::string drones_path = !outputs.drones.empty() ? outputs.drones : scenario.drones;
    if (!series_path.empty() && !(scenario.options.timeseries_interval > 0))
        scenario.options.timeseries_interval = 60;

    {
        // the options in effect after command line > scenario > default (docs/formats.md)
        const sim::GridOptions& o = scenario.options;
        const char* scope = o.cache_scope == sim::CacheScope::local     ? "local"
                            : o.cache_scope == sim::CacheScope::network ? "network"
                                                                        : "siblingnetwork";
        log.info("options: seed {}, hitrate {}, xrd_blocksize {} B, prefetch {}, caching {}, cache_scope {}, "
                 "duplications {}, shuffle_jobs {}, dispatcher {}, eviction {}, xrd_flops_per_time {} "
                 "(local {}), dcsim_block_sizes {}",
                 o.seed, o.hitrate, o.xrd_block_size, o.prefetch ? "on" : "off", o.caching ? "on" : "off",
                 scope, o.duplications, o.shuffle_jobs ? "on" : "off",
                 sim::dispatch_policy_name(o.dispatcher), o.eviction == sim::Eviction::lru ? "lru" : "fifo",
                 o.xrd_flops_per_time, o.xrd_flops_per_time_local, o.dcsim_block_sizes ? "on" : "off");
    }
    sim::Simulation::Config cfg;
    cfg.engine.mode = outputs.full_solver ? sim::MaxMinSolver::Mode::full : sim::MaxMinSolver::Mode::lazy;
    sim::Simulation simulation(std::move(*scenario.platform), cfg);
    log.info("grid scenario '{}': {} hosts, {} jobs, {} files", scenario.name,
             simulation.platform().host_count(), scenario.workload.jobs.size(),
             scenario.workload.files.size());
    // Inconsistencies between workload and platform (capacities, roles) are input errors.
    std::optional<sim::GridSimulation> grid_holder;
    try {
        grid_holder.emplace(simulation, std::move(scenario.workload), scenario.options);
    } catch (const std::invalid_argument& e) {
        throw InputError(scenario.origin, 0, "", e.what());
    }
    sim::GridSimulation& grid = *grid_holder;

    // Outputs are opened before the run so that an unwritable path fails at once; they appear
    // only on commit, after a complete run.
    std::unique_ptr<sim::TraceWriter> trace;
    if (!trace_path.empty()) {
        // GPU columns only when the platform has GPUs, the energy column only when some host
        // has a power model or GPUs (docs/formats.md): a CPU grid's trace stays DCSim's plus
        // hepkit's job columns.
        bool gpus = false, power = false;
        for (sim::HostIndex h = 0; h < simulation.platform().host_count(); ++h) {
            const auto& host = simulation.platform().host(h);
            gpus = gpus || !host.gpus.empty();
            power = power || host.power_max > 0 || host.power_idle > 0;
        }
        trace =
            std::make_unique<sim::TraceWriter>(trace_path, sim::TraceWriter::Columns{gpus, gpus || power});
    }
    std::unique_ptr<sim::TimeSeriesWriter> series;
    if (!series_path.empty())
        series = std::make_unique<sim::TimeSeriesWriter>(series_path);
    std::unique_ptr<sim::DroneTraceWriter> drone_trace;
    if (!drones_path.empty())
        drone_trace = std::make_unique<sim::DroneTraceWriter>(drones_path);
    std::map<std::string, int> site_cores;
    for (const auto& s : grid.dispatcher().sites())
        site_cores[s.name] = s.cores_total;
    sim::SummaryBuilder summary(site_cores);

    sim::GridSimulation::Observers obs;
    obs.job_finished = [&](const sim::JobRecord& r) {
        summary.add(r);
        if (trace)
            trace->add(r);
    };
    if (series)
        obs.sample = [&](const sim::TimeSample& s) { series->add(s.time, s.kind, s.name, s.value); };
    if (drone_trace)
        obs.drone = [&](const sim::DroneEvent& e) { drone_trace->add(e); };
    // Called at every job end and, as a heartbeat, every 1024 engine events (a streaming job
    // runs many blocks before it ends); reading the clock each time costs ~25 ns.
    ProgressLine line(globals.quiet);
    obs.progress = [&](std::size_t done, std::size_t total, double now) {
        // the last update is always shown once a line is up, so it ends on "N / N jobs done"
        const bool last = done == total && line.shown();
        if (!line.enabled() || (!last && !line.due()))
            return;
        const double t = line.elapsed();
        line.show(fmt::format(
            "simulated {}, {} / {} jobs done, {:.3g} events/s", units::format_duration(now), done, total,
            static_cast<double>(simulation.engine().events_processed()) / std::max(t, 1e-9)));
    };
    grid.run(obs);
    line.finish();
    summary.set_energy(grid.gpu_stats(), grid.host_energy(summary.makespan()));
    summary.set_drones(grid.drone_stats());
    const double wall = seconds();
    const std::uint64_t events = simulation.engine().events_processed();
    const auto& solver = simulation.engine().solver();
    const double per_event = events > 0 ? 1.0 / static_cast<double>(events) : 0.0;
    log.info("solver: {} events; per event {:.1f} resources and {:.1f} classes re-solved; {} changes booked "
             "without re-solving; {} slack decompositions re-solved whole",
             events, static_cast<double>(solver.resources_solved()) * per_event,
             static_cast<double>(solver.variables_solved()) * per_event, solver.shortcuts(),
             solver.slack_fallbacks());
    if (trace)
        trace->commit();
    if (series)
        series->commit();
    if (drone_trace)
        drone_trace->commit();
    if (!summary_path.empty())
        sim::write_json(summary_path, summary.json(wall, events));
    if (!globals.quiet) {
        std::fputs(summary
                       .table(fmt::format("{} ({} on {} in {}, dispatcher {})", scenario.name,
                                          plural(grid.jobs_total(), "job"),
                                          plural(grid.dispatcher().workers().size(), "worker"),
                                          plural(grid.dispatcher().sites().size(), "site"),
                                          sim::dispatch_policy_name(grid.dispatcher().policy())),
                              wall, events, outputs.all_sites ? SIZE_MAX : 10)
                       .c_str(),
                   stdout);
        for (const auto& [label, path] :
             {std::pair{"trace", trace_path}, std::pair{"summary", summary_path},
              std::pair{"time series", series_path}, std::pair{"drone trace", drones_path}})
            if (!path.empty())
                std::printf("  %-19s %s\n", label, path.c_str());
    }
    return 0;
}

} // namespace hepkit::app
