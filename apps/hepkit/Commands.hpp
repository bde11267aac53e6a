#pragma once
// Subcommands of the hepkit CLI: each registers its options on the app and returns the
// function that runs it.

#include "hepkit/sim/grid/GridScenario.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace hepkit::app {

struct GlobalOptions {
    std::string log_level = "warning";
    bool quiet = false;
};

/// `hepkit sim`: simulate a scenario, a DCSim command line, or a platform plus activities.
std::function<int()> add_sim_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit generate wlcg`: writes a WLCG-scale scenario.
std::function<int()> add_generate_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit gpu-plan`: recommends a GPU sharing policy for a job mix.
std::function<int()> add_gpu_plan_command(CLI::App& app, const GlobalOptions& globals);
/// `hepkit gpu-bench`: measures GPU sharing on real cards (run) or reports a measurement.
std::function<int()> add_gpu_bench_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit fit`: kafe2go-compatible fits.
std::function<int()> add_fit_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit root`: ROOT files without ROOT (RootCommand.cpp, subcommands in RootCommands.hpp).
std::function<int()> add_root_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit events`: event processing (EventsCommand.cpp, subcommands in EventsCommands.hpp).
std::function<int()> add_events_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit nn`: neural networks (NnCommand.cpp, subcommands in NnCommands.hpp).
std::function<int()> add_nn_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit infer`: maximum-likelihood fits of HistFactory workspaces (InferCommand.cpp).
std::function<int()> add_infer_command(CLI::App& app, const GlobalOptions& globals);

/// `hepkit surrogate`: learned emulators of hepkit sim (SurrogateCommand.cpp).
std::function<int()> add_surrogate_command(CLI::App& app, const GlobalOptions& globals);

/// Output paths and solver settings of a grid run that the command line may set.
struct GridRunOutputs {
    std::string trace, summary, timeseries, drones;
    bool full_solver = false;
    bool all_sites = false; ///< summary table: every site, not only the 10 with most jobs
};
/// Runs a grid scenario, writes its outputs, prints the summary. Returns the exit code.
int run_grid(sim::GridScenario scenario, const GridRunOutputs& outputs, const GlobalOptions& globals);

} // namespace hepkit::app
