#pragma once
// The subcommands of `hepkit surrogate` that need libtorch (SurrogateModelCommands.cpp).

#include "Commands.hpp"
#include "hepkit/sim/grid/Scan.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace hepkit::app {

/// Runs a subcommand if it was given: its exit code, or nullopt when it was not on the line.
using SubcommandRunner = std::function<std::optional<int>()>;

/// `hepkit sim --scan ... --surrogate MODEL` (SurrogateScan.cpp): points [first, last) predicted.
int run_scan_surrogate(const sim::ScanSpec& spec, std::size_t first, std::size_t last,
                       const std::string& model_dir, const std::string& output, const GlobalOptions& g);

/// `train`, `predict`, `evaluate` under `cmd`.
std::vector<SubcommandRunner> add_surrogate_model_commands(CLI::App* cmd, const GlobalOptions& globals);

} // namespace hepkit::app
