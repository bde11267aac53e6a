#pragma once
// The subcommands of `hepkit root`: each registers itself on the `root` group and returns the
// function that runs it (RootCommand.cpp dispatches).

#include "Commands.hpp"

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
/// `hepkit root stats FILE --ntuple NAME [--branches PATTERN] --json OUT`: n, sum, min and max of
/// every numeric top-level field of the RNTuple `ntuple` (entries read cluster by cluster), in
/// the schema of the tree statistics with the key "ntuple" instead of "tree". `branch_pattern`:
/// comma-separated shell globs (`Muon_*,nMuon`), empty for all fields. `json_out`: the output
/// file, or "-" for standard output. `threads` ≥ 1: page decompression threads. Returns the exit
/// code (0); bad input throws hepkit::InputError, an unwritable output hepkit::OutputError.
int root_ntuple_stats(const std::string& file, const std::string& ntuple, const std::string& branch_pattern,
                      const std::string& json_out, int threads);
/// `hepkit root hist FILE NAME [--json OUT]`: a histogram's axes, contents, errors and statistics.
std::function<int()> add_root_hist(CLI::App& root, const GlobalOptions& globals);

} // namespace hepkit::app
