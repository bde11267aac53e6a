// `hepkit root`: ROOT files without ROOT. The group only dispatches; each subcommand lives in its
// own file (RootLsCommand.cpp, RootStatsCommand.cpp, RootDumpCommand.cpp, ...) and adds one line
// to the table below.

#include "RootCommands.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hepkit::app {

std::function<int()> add_root_command(CLI::App& app, const GlobalOptions& globals) {
    CLI::App* root = app.add_subcommand(
        "root", "Read ROOT files without ROOT: list keys, trees and branches, branch statistics, dump\n"
                "branches to CSV or HDF5 (docs/root-io.md). Run 'hepkit root SUBCOMMAND --help'.");
    root->require_subcommand(1);
    const std::vector<std::pair<std::string, std::function<int()>>> subs{
        {"ls", add_root_ls(*root, globals)},
        {"stats", add_root_stats(*root, globals)},
        {"dump", add_root_dump(*root, globals)},
    };
    return [root, subs]() {
        for (const auto& [name, run] : subs)
            if (root->got_subcommand(name))
                return run();
        return 0;
    };
}

} // namespace hepkit::app
