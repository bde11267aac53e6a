// `hepkit nn`: neural networks on libtorch (issue 16). The group only dispatches; each subcommand
// lives in its own file (NnTrainCommand.cpp, NnTaylorCommand.cpp) and adds one line to the table
// below. A build without libtorch (HEPKIT_WITH_TORCH=OFF) keeps the group, which then says why it
// cannot run instead of an "unknown subcommand".

#include "NnCommands.hpp"

#include "hepkit/core/Error.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hepkit::app {

std::function<int()> add_nn_command(CLI::App& app, const GlobalOptions& globals) {
    CLI::App* nn = app.add_subcommand(
        "nn", "Neural networks on libtorch: train classifiers and regressions from ROOT, CSV or HDF5 files\n"
              "(nn train) and rank what a network learned by its Taylor coefficients (nn taylor),\n"
              "docs/nn.md. Run 'hepkit nn SUBCOMMAND --help'.");
    (void)globals; // used by the subcommands' add_ functions
#if HEPKIT_WITH_TORCH
    nn->require_subcommand(1);
    const std::vector<std::pair<std::string, std::function<int()>>> subs{
        {"taylor", add_nn_taylor(*nn, globals)},
        {"train", add_nn_train(*nn, globals)},
    };
    return [nn, subs]() {
        for (const auto& [name, run] : subs)
            if (nn->got_subcommand(name))
                return run();
        return 0;
    };
#else
    nn->allow_extras();
    return []() -> int {
        throw UsageError("hepkit nn",
                         "this hepkit was built without libtorch (HEPKIT_WITH_TORCH=OFF): install Debian's "
                         "libtorch-dev (scripts/install-deps does) and build again");
    };
#endif
}

} // namespace hepkit::app
