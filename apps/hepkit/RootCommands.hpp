#pragma once
// `hepkit root`: ROOT files without ROOT (hepkit::io; docs/root-io.md). The group is created in
// RootCommand.cpp; each subcommand lives in its own file (RootHistCommand.cpp, ...) and adds itself
// with one function declared here and one line in RootCommand.cpp's list.

#include "Commands.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace hepkit::app {

/// `hepkit root hist FILE NAME [--json OUT]`: a histogram's axes, contents, errors and statistics.
std::function<int()> add_root_hist(CLI::App& root, const GlobalOptions& globals);

} // namespace hepkit::app
