// Running a grid scenario from the CLI: outputs, progress line and summary.

#include "Commands.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Log.hpp"
#include "hepkit/sim/output/GridReport.hpp"

#include <chrono>
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
    if (!trace_path.empty())
        trace = std::make_unique<sim::TraceWriter>(trace_path);
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
    double next_report = 2.0; // a progress line for runs longer than a couple of seconds
    bool reported = false;
    obs.progress = [&](std::size_t done, std::size_t total, double now) {
        if (globals.quiet || (done % 256 != 0 && done != total))
            return;
        const double t = seconds();
        if (t < next_report && done != total)
            return;
        if (!reported && done == total)
            return;
        next_report = t + 1.0;
        reported = true;
        std::fprintf(stderr, "\r  simulated %s, %zu / %zu jobs done, %.3g events/s   ",
                     units::format_duration(now).c_str(), done, total,
                     static_cast<double>(simulation.engine().events_processed()) / std::max(t, 1e-9));
    };
    grid.run(obs);
    if (reported)
        std::fprintf(stderr, "\n");
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
        std::fputs(
            summary
                .table(fmt::format("{} ({} jobs on {} workers in {} sites, dispatcher {})", scenario.name,
                                   grid.jobs_total(), grid.dispatcher().workers().size(),
                                   grid.dispatcher().sites().size(),
                                   sim::dispatch_policy_name(grid.dispatcher().policy())),
                       wall, events)
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
