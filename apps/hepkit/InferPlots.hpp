#pragma once
// The plots of `hepkit infer --plots DIR` (docs/infer.md): the impacts plot and the profile scan,
// drawn by tools/plot/hepkit_infer_plot.py (next to the executable, or share/hepkit of an installed
// hepkit) through Debian's /usr/bin/python3 from the command's JSON document.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hepkit::app {

/// Draws DIR/impacts.EXT when `doc` has "impacts" and DIR/scan.EXT when it has "scan" (EXT: png,
/// pdf or svg), each through a temporary file beside it renamed when the script succeeded (no
/// half-written plot); `top` bounds the nuisances in the impacts plot. Creates DIR. Returns the
/// paths written. Throws OutputError naming the plot: a missing script, matplotlib missing (with
/// the Debian package to install), the script's failure with its message, a directory that cannot
/// be made.
std::vector<std::string> draw_infer_plots(const std::filesystem::path& program, const nlohmann::json& doc,
                                          const std::string& dir, const std::string& ext, int top);

} // namespace hepkit::app
