#pragma once
/// @file
/// Plots of fits. hepkit computes everything (data, model curve, error band, contours,
/// profiles) and hands a JSON description to a small matplotlib script shipped with the CLI
/// (tools/plot/hepkit_fit_plot.py, run with Debian's /usr/bin/python3 as a child process with an
/// argument vector: no shell; where it is looked for: plot_script_candidates). Why matplotlib: it is
/// what HEP plots are made with, it writes PNG, PDF and SVG of publication quality, and
/// Debian packages it; a C++ plotting library of that quality is not in Debian.

#include "hepkit/fit/Kafe2Yaml.hpp"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hepkit::fit {

struct PlotOptions {
    std::string output;         ///< .png, .pdf or .svg
    std::string panel = "none"; ///< residual, ratio, pull
    bool contours = false;      ///< contours: an extra page (.pdf) or <output stem>_contours.<ext>
    bool profiles = false;      ///< profiles: an extra page (.pdf) or <output stem>_profiles.<ext>
    /// Called after each contour line and each profile with (done, total): they can take a while.
    std::function<void(int, int)> progress;
    /// The directory of the running program (the CLI passes its own): where the plot script is
    /// looked for after HEPKIT_PLOT_SCRIPT (plot_script_candidates). Empty: not searched.
    std::filesystem::path program_dir;
};

/// The places the plot script hepkit_fit_plot.py is looked for, in order:
///  1. the HEPKIT_PLOT_SCRIPT environment variable, when set (then the only place: an explicit
///     choice that does not exist is an error, not a fall-through);
///  2. `program_dir`/hepkit_fit_plot.py: next to the hepkit executable (the build tree's copy);
///  3. the installed data directory, <CMAKE_INSTALL_FULL_DATADIR>/hepkit/hepkit_fit_plot.py
///     (when the build defines HEPKIT_DATADIR);
///  4. the source tree's tools/plot/hepkit_fit_plot.py (the build's HEPKIT_PLOT_SCRIPT definition).
std::vector<std::filesystem::path> plot_script_candidates(const std::filesystem::path& program_dir);
/// The first of plot_script_candidates(program_dir) that is a file; throws std::runtime_error
/// naming every place searched when there is none.
std::filesystem::path find_plot_script(const std::filesystem::path& program_dir);

/// Empty if `path` ends in a plot format hepkit writes (.png, .pdf, .svg), else the message
/// saying so — for the command line, which refuses a bad name before any fit runs.
std::string plot_path_problem(const std::string& path);

/// The plot description of one fit. Throws std::runtime_error naming the x values and the
/// parameter values where the model is not finite at a data point (nothing sensible to draw);
/// model curve points that are not finite between or beyond the data are left as gaps (null).
nlohmann::json plot_data(const FitFile& f, const FitResult& r, const PlotOptions& o);
/// Draws the described fits into `output`: a .pdf gets every figure of every fit, one per page;
/// a .png or .svg takes exactly one fit (its contours and profiles go to <stem>_contours.<ext>
/// and <stem>_profiles.<ext>). The description travels in a temporary file that is removed
/// afterwards; nothing else is written. The script is found by find_plot_script(program_dir).
/// Throws std::runtime_error if the script, Python or matplotlib is missing, or the script fails
/// (the message ends with what it wrote on stderr).
void write_plots(const std::vector<nlohmann::json>& fits, const std::string& output,
                 const std::filesystem::path& program_dir = {});
/// plot_data + write_plots for one fit.
void plot_fit(const FitFile& f, const FitResult& r, const PlotOptions& o);

} // namespace hepkit::fit
