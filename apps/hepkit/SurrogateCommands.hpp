#pragma once
// The subcommands of `hepkit surrogate` that need libtorch (SurrogateModelCommands.cpp).

#include "Commands.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace hepkit::app {

/// Runs a subcommand if it was given: its exit code, or nullopt when it was not on the line.
using SubcommandRunner = std::function<std::optional<int>()>;

/// `train`, `predict`, `evaluate` under `cmd`.
std::vector<SubcommandRunner> add_surrogate_model_commands(CLI::App* cmd, const GlobalOptions& globals);

} // namespace hepkit::app
