#pragma once
// The subcommands of `hepkit nn` (issue 16): each registers itself on the `nn` group and returns
// the function that runs it (NnCommand.cpp dispatches; main.cpp adds the group with
// add_nn_command, declared in Commands.hpp). They exist only in a build with libtorch
// (HEPKIT_WITH_TORCH); without it the group says so.

#include "Commands.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace hepkit::app {

/// `hepkit nn train CONFIG.yaml [-o OUTDIR] [-j N] [--epochs N] [--seed S] [--no-plots]`
/// (NnTrainCommand.cpp; docs/nn-train.md).
std::function<int()> add_nn_train(CLI::App& nn, const GlobalOptions& globals);
/// `hepkit nn taylor MODEL.pt DATA... [--order N] [--convention C] [--output-node K] [--cut C]
/// [--weight W] [--features ...] --json OUT [--plot OUT.png]` (docs/nn-taylor.md; --help lists all)
/// (NnTaylorCommand.cpp).
std::function<int()> add_nn_taylor(CLI::App& nn, const GlobalOptions& globals);

} // namespace hepkit::app
