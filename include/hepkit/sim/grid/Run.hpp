#pragma once
/// @file
/// `sim::run`: the one call that builds a grid simulation from a scenario, runs it, writes its
/// outputs and returns its summary. The CLI, parameter scans, the GPU planner, tests and
/// benchmarks all run simulations through it.
///
///     GridScenario s = read_grid_scenario(root, base_dir);
///     Summary summary = sim::run(std::move(s), {});
///     fmt::print("{}\n", summary.to_json().dump(2));
///
/// Outputs named in RunOptions (trace, time series, drone trace, summary JSON) are opened
/// before the run, so that an unwritable path fails at once, and appear only after a complete
/// run (written atomically).

#include "hepkit/core/Error.hpp"
#include "hepkit/sim/engine/MaxMinSolver.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/output/GridReport.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace hepkit::sim {

/// The scenario cannot be simulated as given: its workload does not fit its platform (a role,
/// a capacity, a GPU policy that a device cannot hold). Thrown by run() before the simulation
/// starts; `file()` is the scenario's origin.
class ScenarioError : public InputError {
  public:
    using InputError::InputError;
};

/// What run() builds, observes and writes besides the scenario itself.
struct RunOptions {
    /// Sharing solver: lazy (re-solve what changed) or full (re-solve all; for checking).
    MaxMinSolver::Mode solver = MaxMinSolver::Mode::lazy;
    /// Solve slack components apart (MaxMinSolver::set_slack_decomposition; benchmarks compare).
    bool slack_decomposition = true;

    /// Output paths; empty: not written. Each defaults to nothing (a scenario's own `outputs:`
    /// are the caller's to pass, see outputs_of()).
    std::string trace, summary, timeseries, drones;

    /// Called for every job as it ends (after the summary and the trace took it).
    std::function<void(const JobRecord&)> job_finished;
    /// Called for every time-series sample (the scenario needs a `timeseries.interval`).
    std::function<void(const TimeSample&)> sample;
    /// Called for every drone state transition (opportunistic sites).
    std::function<void(const DroneEvent&)> drone;
    /// Called at every job end and, as a heartbeat, every 1024 engine events: jobs done, jobs in
    /// all, simulated time (s), engine events so far.
    std::function<void(std::size_t done, std::size_t total, double now, std::uint64_t events)> progress;
    /// Where warnings about the run go; without one they are printed on stderr as
    /// `hepkit: warning: ...`.
    std::function<void(const std::string&)> warning;
    /// Called once the simulation is built, before it runs (for logs): the scenario's name,
    /// hosts, jobs and files.
    std::function<void(const GridScenario& scenario)> starting;
    /// Called after the run with the solver's counters (for logs): events, resources and
    /// classes re-solved, changes booked without re-solving, slack decompositions re-solved.
    std::function<void(const MaxMinSolver& solver, std::uint64_t events)> finished;
};

/// Runs `scenario` and returns its summary. Throws ScenarioError when the workload does not
/// fit the platform, InputError for a run that cannot end (beyond `limits.max_sim_time`),
/// OutputError for an output that cannot be written.
Summary run(GridScenario scenario, const RunOptions& options = {});

/// RunOptions whose output paths are the scenario's own `outputs:` (trace, summary, time
/// series, drones), each replaced by the one in `overrides` where that is not empty.
RunOptions outputs_of(const GridScenario& scenario, RunOptions overrides = {});

} // namespace hepkit::sim
