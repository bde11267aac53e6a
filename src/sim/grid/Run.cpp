#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/core/AtomicFile.hpp"

#include "hepkit/sim/Simulation.hpp"
#include "hepkit/sim/grid/GridSimulation.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

namespace hepkit::sim {
namespace {

// GPU columns only when the platform has GPUs, the energy column only when some host has a
// power model or GPUs (docs/formats.md): a CPU grid's trace stays DCSim's plus hepkit's job
// columns.
TraceWriter::Columns trace_columns(const Platform& platform) {
    bool gpus = false, power = false;
    for (HostIndex h = 0; h < platform.host_count(); ++h) {
        const auto& host = platform.host(h);
        gpus = gpus || !host.gpus.empty();
        power = power || host.power_max > 0 || host.power_idle > 0;
    }
    return {gpus, gpus || power};
}

} // namespace

RunOptions outputs_of(const GridScenario& scenario, RunOptions o) {
    for (auto [mine, theirs] :
         {std::pair{&o.trace, &scenario.trace}, std::pair{&o.summary, &scenario.summary},
          std::pair{&o.timeseries, &scenario.timeseries}, std::pair{&o.drones, &scenario.drones}})
        if (mine->empty())
            *mine = *theirs;
    return o;
}

Summary run(GridScenario scenario, const RunOptions& options) {
    const auto wall_start = std::chrono::steady_clock::now();
    if (!scenario.platform)
        throw ScenarioError(scenario.origin, 0, "platform", "the scenario has no platform");
    // A scenario read for its totals only (WorkloadDetail::totals) has not kept its jobs: running
    // it would simulate none of them — a caller's mistake, not the user's.
    if (scenario.workload.totals_only)
        throw std::logic_error("sim::run: the scenario was read with WorkloadDetail::totals (no jobs kept)");
    // A run that writes a time series samples it every minute unless the scenario says otherwise.
    if (!options.timeseries.empty() && !(scenario.options.timeseries.interval > 0))
        scenario.options.timeseries.interval = 60;
    if (options.starting)
        options.starting(scenario);

    const TraceWriter::Columns columns = trace_columns(*scenario.platform);
    Simulation::Config cfg;
    cfg.engine.mode = options.solver;
    Simulation simulation(std::move(*scenario.platform), cfg);
    if (!options.slack_decomposition)
        simulation.engine().set_slack_decomposition(false);
    // Inconsistencies between workload and platform (capacities, roles) are input errors.
    std::optional<GridSimulation> holder;
    try {
        holder.emplace(simulation, std::move(scenario.workload), scenario.options);
    } catch (const std::invalid_argument& e) {
        throw ScenarioError(scenario.origin, 0, "", e.what());
    }
    GridSimulation& grid = *holder;
    if (options.warning)
        grid.set_warning_handler(options.warning);

    // Outputs are opened before the run so that an unwritable path fails at once; they appear
    // only on commit, after a complete run.
    std::unique_ptr<TraceWriter> trace;
    if (!options.trace.empty())
        trace = std::make_unique<TraceWriter>(options.trace, columns);
    std::unique_ptr<TimeSeriesWriter> series;
    if (!options.timeseries.empty())
        series = std::make_unique<TimeSeriesWriter>(options.timeseries);
    std::unique_ptr<DroneTraceWriter> drone_trace;
    if (!options.drones.empty())
        drone_trace = std::make_unique<DroneTraceWriter>(options.drones);

    Summary summary;
    summary.scenario = scenario.name;
    for (const auto& s : grid.dispatcher().sites())
        summary.site_cores[s.name] = s.cores_total;
    summary.site_count = grid.dispatcher().sites().size();
    summary.workers = grid.dispatcher().workers().size();
    summary.jobs_total = grid.jobs_total();
    summary.dispatcher = std::string(dispatch_policies.name(grid.dispatcher().policy()));

    GridSimulation::Observers obs;
    obs.job_finished = [&](const JobRecord& r) {
        summary.add(r);
        if (trace)
            trace->add(r);
        if (options.job_finished)
            options.job_finished(r);
    };
    if (series || options.sample)
        obs.sample = [&](const TimeSample& s) {
            if (series)
                series->add(s.time, s.kind, s.name, s.value);
            if (options.sample)
                options.sample(s);
        };
    if (drone_trace || options.drone)
        obs.drone = [&](const DroneEvent& e) {
            if (drone_trace)
                drone_trace->add(e);
            if (options.drone)
                options.drone(e);
        };
    if (options.progress)
        obs.progress = [&](std::size_t done, std::size_t total, double now) {
            options.progress(done, total, now, simulation.engine().events_processed());
        };
    grid.run(obs);

    summary.gpu = grid.gpu_stats();
    summary.host_energy = grid.host_energy(summary.makespan);
    summary.drones = grid.drone_stats();
    summary.events = simulation.engine().events_processed();
    if (options.finished)
        options.finished(simulation.engine().solver(), summary.events);
    summary.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (trace)
        trace->commit();
    if (series)
        series->commit();
    if (drone_trace)
        drone_trace->commit();
    if (!options.summary.empty())
        write_json_file(options.summary, summary.to_json(), 2);
    return summary;
}

} // namespace hepkit::sim
