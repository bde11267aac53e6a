#pragma once
// The subcommands of `hepkit events` (issue 15): each registers itself on the `events` group and
// returns the function that runs it (EventsCommand.cpp dispatches; main.cpp adds the group with
// add_events_command, declared in Commands.hpp).

#include "Commands.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace hepkit::app {

/// `hepkit events run CONFIG.yaml [-j N] [-o OUTDIR] [--graph] [--emit condor|slurm ...]`
/// (EventsRunCommand.cpp).
std::function<int()> add_events_run(CLI::App& events, const GlobalOptions& globals);
/// `hepkit events hist FILE... --tree T --expr EXPR [--cut C] [--weight W] --bins N,LO,HI --json OUT`
/// (EventsHistCommand.cpp).
std::function<int()> add_events_hist(CLI::App& events, const GlobalOptions& globals);
/// `hepkit events merge OUTDIR... -o MERGED` (EventsMergeCommand.cpp).
std::function<int()> add_events_merge(CLI::App& events, const GlobalOptions& globals);

} // namespace hepkit::app
