// Running a grid scenario from the CLI: sim::run with a progress line, logs and the summary table.

#include "Commands.hpp"
#include "Progress.hpp"
#include "hepkit/core/Log.hpp"
#include "hepkit/sim/grid/Run.hpp"

#include <cstdint>
#include <cstdio>
#include <fmt/format.h>

namespace hepkit::app {

int run_grid(sim::GridScenario scenario, const GridRunOutputs& outputs, const GlobalOptions& globals) {
    const Logger log(parse_log_level(globals.log_level));
    {
        // the options in effect after command line > scenario > default (docs/formats.md)
        const sim::GridOptions& o = scenario.options;
        log.info("options: seed {}, hitrate {}, xrd_blocksize {} B, prefetch {}, caching {}, cache_scope {}, "
                 "duplications {}, shuffle_jobs {}, dispatcher {}, eviction {}, xrd_flops_per_time {} "
                 "(local {}), dcsim_block_sizes {}",
                 o.seed, o.cache.hitrate, o.streaming.block_size, o.streaming.prefetch ? "on" : "off",
                 o.cache.caching ? "on" : "off", sim::cache_scopes.name(o.cache.scope), o.jobs.duplications,
                 o.jobs.shuffle ? "on" : "off", sim::dispatch_policies.name(o.dispatcher.policy),
                 sim::evictions.name(o.cache.eviction), o.streaming.xrd_flops_per_time,
                 o.streaming.xrd_flops_per_time_local, o.streaming.dcsim_block_sizes ? "on" : "off");
    }
    sim::RunOptions run;
    run.trace = outputs.trace;
    run.summary = outputs.summary;
    run.timeseries = outputs.timeseries;
    run.drones = outputs.drones;
    run = sim::outputs_of(scenario, std::move(run));
    run.solver = outputs.full_solver ? sim::MaxMinSolver::Mode::full : sim::MaxMinSolver::Mode::lazy;
    run.starting = [&](const sim::GridScenario& s) {
        log.info("grid scenario '{}': {} hosts, {} jobs, {} files", s.name, s.platform->host_count(),
                 s.workload.jobs.size(), s.workload.files.size());
    };
    ProgressLine line(globals.quiet);
    run.finished = [&](const sim::MaxMinSolver& solver, std::uint64_t events) {
        line.finish();
        const double per_event = events > 0 ? 1.0 / static_cast<double>(events) : 0.0;
        log.info("solver: {} events; per event {:.1f} resources and {:.1f} classes re-solved; {} changes "
                 "booked without re-solving; {} slack decompositions re-solved whole",
                 events, static_cast<double>(solver.resources_solved()) * per_event,
                 static_cast<double>(solver.variables_solved()) * per_event, solver.shortcuts(),
                 solver.slack_fallbacks());
    };
    // Called at every job end and, as a heartbeat, every 1024 engine events (a streaming job
    // runs many blocks before it ends); reading the clock each time costs ~25 ns.
    run.progress = [&](std::size_t done, std::size_t total, double now, std::uint64_t events) {
        // the last update is always shown once a line is up, so it ends on "N / N jobs done"
        const bool last = done == total && line.shown();
        if (!line.enabled() || (!last && !line.due()))
            return;
        const double t = line.elapsed();
        line.show(fmt::format("simulated {}, {} / {} jobs done, {:.3g} events/s", units::format_duration(now),
                              done, total, static_cast<double>(events) / std::max(t, 1e-9)));
    };
    const sim::Summary summary = sim::run(std::move(scenario), run);
    if (!globals.quiet) {
        std::fputs(summary.table(summary.title(), outputs.all_sites ? SIZE_MAX : 10).c_str(), stdout);
        for (const auto& [label, path] :
             {std::pair{"trace", run.trace}, std::pair{"summary", run.summary},
              std::pair{"time series", run.timeseries}, std::pair{"drone trace", run.drones}})
            if (!path.empty())
                std::printf("  %-19s %s\n", label, path.c_str());
    }
    return 0;
}

} // namespace hepkit::app
