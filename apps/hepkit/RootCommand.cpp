// `hepkit root`: the group of subcommands that read (and write) ROOT files with hepkit::io.

#include "Commands.hpp"
#include "RootCommands.hpp"

#include <vector>

namespace hepkit::app {

std::function<int()> add_root_command(CLI::App& app, const GlobalOptions& globals) {
    CLI::App* root = app.add_subcommand(
        "root",
        "Read ROOT files without ROOT: list their contents, histograms, tree and RNTuple columns, and\n"
        "write columns as CSV or HDF5. Details: docs/root-io.md.");
    root->require_subcommand(1);
    // One line per subcommand; each returns the function that runs it when it was given.
    const std::vector<std::function<int()>> runs{
        add_root_hist(*root, globals),
    };
    return [runs]() {
        for (const auto& run : runs)
            if (const int code = run(); code != 0)
                return code;
        return 0;
    };
}

} // namespace hepkit::app
