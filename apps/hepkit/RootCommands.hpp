#pragma once
// The subcommands of `hepkit root`: each registers itself on the `root` group and returns the
// function that runs it (RootCommand.cpp dispatches).

#include "Commands.hpp"
#include "RootNtupleStats.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace hepkit::app {

/// `hepkit root ls FILE [PATH]`: keys, directories, trees and their branches.
std::function<int()> add_root_ls(CLI::App& root, const GlobalOptions& globals);
/// `hepkit root stats FILE --tree NAME --json OUT`: n, sum, min, max of every numeric branch.
std::function<int()> add_root_stats(CLI::App& root, const GlobalOptions& globals);
/// `hepkit root dump FILE --tree NAME -o OUT.csv|OUT.h5`: branches to CSV or HDF5.
std::function<int()> add_root_dump(CLI::App& root, const GlobalOptions& globals);
/// `hepkit root hist FILE NAME [--json OUT]`: a histogram's axes, contents, errors and statistics.
std::function<int()> add_root_hist(CLI::App& root, const GlobalOptions& globals);

} // namespace hepkit::app
