#pragma once
/// @file
/// Plots of fits. hepkit computes everything (data, model curve, error band, contours,
/// profiles) and hands a JSON description to a small matplotlib script shipped with the CLI
/// (tools/plot/hepkit_fit_plot.py, run with Debian's /usr/bin/python3). Why matplotlib: it is
/// what HEP plots are made with, it writes PNG, PDF and SVG of publication quality, and
/// Debian packages it; a C++ plotting library of that quality is not in Debian.

#include "hepkit/fit/Kafe2Yaml.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace hepkit::fit {

struct PlotOptions {
    std::string output;         ///< .png, .pdf or .svg
    std::string panel = "none"; ///< residual, ratio, pull
    bool contours = false;      ///< also <output stem>_contours.<ext>
    bool profiles = false;      ///< also <output stem>_profiles.<ext>
};

/// The plot description (also written next to the plot as <stem>.plot.json).
nlohmann::json plot_data(const FitFile& f, const FitResult& r, const PlotOptions& o);
/// Writes the plot(s); throws std::runtime_error if Python/matplotlib is missing or fails.
void plot_fit(const FitFile& f, const FitResult& r, const PlotOptions& o);
/// Writes JSON atomically.
void write_json_file(const std::string& path, const nlohmann::json& doc);

} // namespace hepkit::fit
