#pragma once
/// @file
/// Plots of fits. hepkit computes everything (data, model curve, error band, contours,
/// profiles) and hands a JSON description to a small matplotlib script shipped with the CLI
/// (tools/plot/hepkit_fit_plot.py, run with Debian's /usr/bin/python3). Why matplotlib: it is
/// what HEP plots are made with, it writes PNG, PDF and SVG of publication quality, and
/// Debian packages it; a C++ plotting library of that quality is not in Debian.

#include "hepkit/fit/Kafe2Yaml.hpp"

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
};

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
/// afterwards; nothing else is written. Throws std::runtime_error if Python/matplotlib is
/// missing or the script fails.
void write_plots(const std::vector<nlohmann::json>& fits, const std::string& output);
/// plot_data + write_plots for one fit.
void plot_fit(const FitFile& f, const FitResult& r, const PlotOptions& o);
/// Writes JSON atomically.
void write_json_file(const std::string& path, const nlohmann::json& doc);

} // namespace hepkit::fit
