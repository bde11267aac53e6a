#pragma once
// Subcommands of the hepkit CLI: each registers its options on the app and returns the
// function that runs it.

#include <CLI/CLI.hpp>
#include <functional>

namespace hepkit::app {

struct GlobalOptions {
    std::string log_level = "warning";
    bool quiet = false;
};

/// `hepkit sim`: simulate a scenario, or a platform plus an activities list.
std::function<int()> add_sim_command(CLI::App& app, const GlobalOptions& globals);

} // namespace hepkit::app
