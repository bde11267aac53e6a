#include "hepkit/fit/FitPlot.hpp"

#include "hepkit/core/AtomicFile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

#ifndef HEPKIT_PLOT_SCRIPT
#define HEPKIT_PLOT_SCRIPT ""
#endif

namespace hepkit::fit {

void write_json_file(const std::string& path, const nlohmann::json& doc) {
    AtomicFile file(path);
    file.stream() << doc.dump(1) << '\n';
    file.commit();
}

namespace {
std::vector<double> grid(double a, double b, int n) {
    std::vector<double> g;
    for (int i = 0; i < n; ++i)
        g.push_back(a + (b - a) * i / (n - 1));
    return g;
}
} // namespace

nlohmann::json plot_data(const FitFile& f, const FitResult& r, const PlotOptions& o) {
    nlohmann::json d;
    d["type"] = r.type;
    d["title"] = f.label.empty() ? std::filesystem::path(f.path).stem().string() : f.label;
    d["x_label"] =
        f.x_label.empty() ? (f.model.arguments().empty() ? "x" : f.model.arguments()[0]) : f.x_label;
    d["y_label"] = f.y_label.empty() ? (r.type == "histogram"  ? "entries"
                                        : r.type == "unbinned" ? "density"
                                                               : "y")
                                     : f.y_label;
    d["model_label"] = f.model_label.empty() ? f.model.name() : f.model_label;
    d["panel"] = o.panel;
    nlohmann::json info = nlohmann::json::array();
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        std::string line = r.fixed[i]
                               ? fmt::format("{} = {:.4g} (fixed)", r.names[i], r.values[i])
                               : fmt::format("{} = {:.4g} ± {:.2g}", r.names[i], r.values[i], r.errors[i]);
        if (r.error_low[i] && r.error_high[i])
            line = fmt::format("{} = {:.4g} {:+.2g} {:+.2g}", r.names[i], r.values[i], *r.error_low[i],
                               *r.error_high[i]);
        info.push_back(line);
    }
    if (r.chi2)
        info.push_back(
            fmt::format("χ²/ndf = {:.4g}/{} = {:.3g}", *r.chi2, r.ndf, r.ndf > 0 ? *r.chi2 / r.ndf : NAN));
    if (r.chi2_probability)
        info.push_back(fmt::format("p(χ²) = {:.3g}", *r.chi2_probability));
    if (!r.converged)
        info.push_back("fit did NOT converge");
    d["info"] = info;
    const auto& p = r.values;
    if (const auto* xy = dynamic_cast<const XYProblem*>(f.problem)) {
        d["x"] = xy->x();
        d["y"] = xy->y();
        d["y_err"] = xy->total_errors(p);
        const auto [lo, hi] = std::minmax_element(xy->x().begin(), xy->x().end());
        const double pad = 0.05 * (*hi - *lo + (*hi == *lo ? 1 : 0));
        const auto xs = grid(*lo - pad, *hi + pad, 300);
        std::vector<double> ys, at_data;
        for (double x : xs)
            ys.push_back(xy->model(x, p));
        for (double x : xy->x())
            at_data.push_back(xy->model(x, p));
        d["curve_x"] = xs;
        d["curve_y"] = ys;
        d["band"] = xy->error_band(xs, r);
        d["model_at_data"] = at_data;
    } else if (const auto* h = dynamic_cast<const HistogramProblem*>(f.problem)) {
        d["edges"] = h->edges();
        d["counts"] = h->counts();
        d["expected"] = h->expected(p);
        const auto xs = grid(h->edges().front(), h->edges().back(), 300);
        std::vector<double> ys;
        const double width =
            (h->edges().back() - h->edges().front()) / static_cast<double>(h->counts().size());
        for (double x : xs)
            ys.push_back(h->model(x, p) * (h->density() ? h->entries() * width : width));
        d["curve_x"] = xs;
        d["curve_y"] = ys;
    } else if (const auto* u = dynamic_cast<const UnbinnedProblem*>(f.problem)) {
        d["data"] = u->data();
        const auto [lo, hi] = std::minmax_element(u->data().begin(), u->data().end());
        const auto xs = grid(*lo, *hi, 300);
        std::vector<double> ys;
        for (double x : xs)
            ys.push_back(u->model(x, p));
        d["curve_x"] = xs;
        d["curve_y"] = ys;
    }
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < r.names.size(); ++i)
        if (!r.fixed[i])
            free.push_back(i);
    if (o.contours && r.converged)
        for (std::size_t a = 0; a < free.size(); ++a)
            for (std::size_t b = a + 1; b < free.size(); ++b) {
                nlohmann::json c = {{"x", r.names[free[a]]},
                                    {"y", r.names[free[b]]},
                                    {"best", {r.values[free[a]], r.values[free[b]]}}};
                for (int s : {1, 2}) {
                    const auto pts = f.fit->contour(r, r.names[free[a]], r.names[free[b]], s, 48);
                    nlohmann::json line = nlohmann::json::array();
                    for (const auto& [x, y] : pts)
                        line.push_back({x, y});
                    c["sigma" + std::to_string(s)] = line;
                }
                d["contours"].push_back(c);
            }
    if (o.profiles && r.converged)
        for (std::size_t i : free) {
            nlohmann::json pr = {{"name", r.names[i]}, {"best", r.values[i]}, {"error", r.errors[i]}};
            for (const auto& [t, dc] : f.fit->profile(r, r.names[i], 41, 3))
                pr["points"].push_back({t, dc});
            d["profiles"].push_back(pr);
        }
    return d;
}

void plot_fit(const FitFile& f, const FitResult& r, const PlotOptions& o) {
    namespace fs = std::filesystem;
    const fs::path out(o.output);
    const std::string ext = out.extension().string();
    if (ext != ".png" && ext != ".pdf" && ext != ".svg")
        throw std::invalid_argument(
            fmt::format("plot '{}': the file must end in .png, .pdf or .svg", o.output));
    const fs::path json = out.parent_path() / (out.stem().string() + ".plot.json");
    write_json_file(json.string(), plot_data(f, r, o));
    std::string script;
    if (const char* env = std::getenv("HEPKIT_PLOT_SCRIPT"))
        script = env;
    else {
        const fs::path here = fs::canonical("/proc/self/exe").parent_path() / "hepkit_fit_plot.py";
        script = fs::exists(here) ? here.string() : std::string(HEPKIT_PLOT_SCRIPT);
    }
    if (script.empty() || !fs::exists(script))
        throw std::runtime_error(
            "the plot script hepkit_fit_plot.py is missing next to the hepkit executable");
    const std::string cmd = fmt::format("/usr/bin/python3 '{}' '{}' '{}'", script, json.string(), o.output);
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error(fmt::format("plotting failed ({}); is python3-matplotlib installed? "
                                             "(scripts/install-deps installs it)",
                                             cmd));
}

} // namespace hepkit::fit
