#include "hepkit/fit/FitPlot.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/fit/HistogramProblem.hpp"
#include "hepkit/fit/UnbinnedProblem.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include "hepkit/core/Process.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>
#include <unistd.h>

// The source tree's copy of the plot script (a compile definition of the build), and the installed
// data directory <CMAKE_INSTALL_FULL_DATADIR>/hepkit (HEPKIT_DATADIR, where the install rules put it).
#ifndef HEPKIT_PLOT_SCRIPT
#define HEPKIT_PLOT_SCRIPT ""
#endif

namespace hepkit::fit {

namespace {
std::vector<double> grid(double a, double b, int n) {
    std::vector<double> g;
    for (int i = 0; i < n; ++i)
        g.push_back(a + (b - a) * i / (n - 1));
    return g;
}
} // namespace

std::string plot_path_problem(const std::string& path) {
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext == ".png" || ext == ".pdf" || ext == ".svg")
        return {};
    return fmt::format("'{}': a plot file must end in .png, .pdf or .svg{}", path,
                       ext.empty() ? "" : fmt::format(" (not {})", ext));
}

namespace {
// "a = 1, b = 2": the parameter values, for messages about the model.
std::string parameter_list(const FitResult& r) {
    std::string s;
    for (std::size_t i = 0; i < r.names.size(); ++i)
        s += fmt::format("{}{} = {:.6g}", i ? ", " : "", r.names[i], r.values[i]);
    return s;
}

// Up to five of the x values where the model is not finite, and how many there are.
std::string non_finite_at(const std::vector<double>& xs, const std::vector<double>& f) {
    std::string list;
    std::size_t count = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (!std::isfinite(f[i]) && ++count <= 5)
            list += fmt::format("{}{:.6g} (f = {})", count > 1 ? ", " : "", xs[i], f[i]);
    if (count > 5)
        list += ", ...";
    return fmt::format("x = {} ({} of {} data points)", list, count, xs.size());
}

void check_finite_at_data(const std::vector<double>& xs, const std::vector<double>& f, const FitResult& r) {
    if (std::all_of(f.begin(), f.end(), [](double v) { return std::isfinite(v); }))
        return;
    throw std::runtime_error(fmt::format("cannot plot: the model is not finite at {} with {}{}",
                                         non_finite_at(xs, f), parameter_list(r),
                                         r.converged ? "" : " (the fit did not converge)"));
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
    if (r.chi2 && std::isfinite(*r.chi2))
        info.push_back(r.ndf > 0 ? fmt::format("χ²/ndf = {:.4g}/{} = {:.3g}", *r.chi2, r.ndf, *r.chi2 / r.ndf)
                                 : fmt::format("χ² = {:.4g}, ndf = {}", *r.chi2, r.ndf));
    if (r.chi2_probability && std::isfinite(*r.chi2_probability))
        info.push_back(fmt::format("p(χ²) = {:.3g}", *r.chi2_probability));
    if (!r.converged)
        info.push_back("fit did NOT converge");
    d["info"] = info;
    const auto& p = r.values;
    // Non-finite curve values stay NaN: nlohmann::json writes them as null, which the script
    // draws as a gap (a model undefined beyond the data, say).
    if (const auto* xy = dynamic_cast<const XYProblem*>(f.problem)) {
        std::vector<double> at_data;
        for (double x : xy->x())
            at_data.push_back(xy->model(x, p));
        check_finite_at_data(xy->x(), at_data, r);
        d["x"] = xy->x();
        d["y"] = xy->y();
        // kafe2 draws the data's own errors: x errors as horizontal bars, y errors as vertical
        // ones; the fit uses both, the x errors projected onto y with the model's slope (and the
        // residual/pull panel shows that total, so the legend and the panel say so)
        d["x_err"] = xy->x_errors();
        d["y_err"] = xy->y_errors(p);
        d["y_err_total"] = xy->total_errors(p);
        d["x_errors_projected"] = xy->has_x_errors();
        const auto [lo, hi] = std::minmax_element(xy->x().begin(), xy->x().end());
        const double pad = 0.05 * (*hi - *lo + (*hi == *lo ? 1 : 0));
        const auto xs = grid(*lo - pad, *hi + pad, 300);
        std::vector<double> ys;
        for (double x : xs)
            ys.push_back(xy->model(x, p));
        d["curve_x"] = xs;
        d["curve_y"] = ys;
        d["band"] = xy->error_band(xs, r);
        d["model_at_data"] = at_data;
    } else if (const auto* h = dynamic_cast<const HistogramProblem*>(f.problem)) {
        const auto mu = h->expected(p);
        std::vector<double> centres;
        for (std::size_t k = 0; k + 1 < h->edges().size(); ++k)
            centres.push_back(0.5 * (h->edges()[k] + h->edges()[k + 1]));
        check_finite_at_data(centres, mu, r);
        d["edges"] = h->edges();
        d["counts"] = h->counts();
        d["expected"] = mu;
        const auto xs = grid(h->edges().front(), h->edges().back(), 300);
        std::vector<double> ys;
        const double width =
            (h->edges().back() - h->edges().front()) / static_cast<double>(h->counts().size());
        for (double x : xs)
            ys.push_back(h->model(x, p) * (h->density() ? h->entries() * width : width));
        d["curve_x"] = xs;
        d["curve_y"] = ys;
    } else if (const auto* u = dynamic_cast<const UnbinnedProblem*>(f.problem)) {
        std::vector<double> at_data;
        for (double x : u->data())
            at_data.push_back(u->model(x, p));
        check_finite_at_data(u->data(), at_data, r);
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
    // progress: one step per contour line and per profile
    const int pairs = static_cast<int>(free.size() * (free.size() - (free.empty() ? 0 : 1)) / 2);
    const int steps = (o.contours && r.converged ? 2 * pairs : 0) +
                      (o.profiles && r.converged ? static_cast<int>(free.size()) : 0);
    int done = 0;
    auto step = [&] {
        ++done;
        if (o.progress)
            o.progress(done, steps);
    };
    if (o.contours && r.converged)
        for (std::size_t a = 0; a < free.size(); ++a)
            for (std::size_t b = a + 1; b < free.size(); ++b) {
                nlohmann::json c = {{"x", r.names[free[a]]},
                                    {"y", r.names[free[b]]},
                                    {"best", {r.values[free[a]], r.values[free[b]]}}};
                for (int s : {1, 2}) {
                    // closed (first point = last), refined until smooth (Fit::contour)
                    const auto pts = f.fit->contour(r, r.names[free[a]], r.names[free[b]], s);
                    nlohmann::json line = nlohmann::json::array();
                    for (const auto& [x, y] : pts)
                        line.push_back({x, y});
                    c["sigma" + std::to_string(s)] = line;
                    step();
                }
                d["contours"].push_back(c);
            }
    if (o.profiles && r.converged)
        for (std::size_t i : free) {
            nlohmann::json pr = {{"name", r.names[i]}, {"best", r.values[i]}, {"error", r.errors[i]}};
            for (const auto& [t, dc] : f.fit->profile(r, r.names[i], 41, 3))
                pr["points"].push_back({t, dc});
            d["profiles"].push_back(pr);
            step();
        }
    return d;
}

namespace {
// A temporary file that is removed when it goes out of scope, whatever happens.
struct TemporaryFile {
    std::filesystem::path path;
    ~TemporaryFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// The last `max` bytes of `text` without trailing blank lines: the end of a Python traceback.
std::string tail(const std::string& text, std::size_t max) {
    std::string t = text.size() > max ? "..." + text.substr(text.size() - max) : text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
        t.pop_back();
    return t;
}

} // namespace

std::vector<std::filesystem::path> plot_script_candidates(const std::filesystem::path& program_dir) {
    constexpr const char* name = "hepkit_fit_plot.py";
    if (const char* env = std::getenv("HEPKIT_PLOT_SCRIPT"); env && *env)
        return {env}; // the user's explicit choice: nothing else is looked at
    std::vector<std::filesystem::path> places;
    if (!program_dir.empty())
        places.push_back(program_dir / name);
#ifdef HEPKIT_DATADIR
    places.push_back(std::filesystem::path(HEPKIT_DATADIR) / name);
#endif
    if (std::string(HEPKIT_PLOT_SCRIPT).size() > 0)
        places.push_back(HEPKIT_PLOT_SCRIPT);
    return places;
}

std::filesystem::path find_plot_script(const std::filesystem::path& program_dir) {
    const auto places = plot_script_candidates(program_dir);
    std::string searched;
    for (const auto& place : places) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(place, ec))
            return place;
        searched += fmt::format("{}{}", searched.empty() ? "" : ", ", place.string());
    }
    const bool from_env = std::getenv("HEPKIT_PLOT_SCRIPT") && *std::getenv("HEPKIT_PLOT_SCRIPT");
    throw std::runtime_error(fmt::format("the plot script hepkit_fit_plot.py is missing: searched {}{}",
                                         searched.empty() ? "nowhere (no place known)" : searched,
                                         from_env ? " (set by HEPKIT_PLOT_SCRIPT)" : ""));
}

void write_plots(const std::vector<nlohmann::json>& fits, const std::string& output,
                 const std::filesystem::path& program_dir) {
    namespace fs = std::filesystem;
    if (const std::string problem = plot_path_problem(output); !problem.empty())
        throw std::invalid_argument(problem);
    if (fits.empty())
        throw std::runtime_error(fmt::format("plot '{}': no fit to draw", output));
    if (fits.size() > 1 && fs::path(output).extension() != ".pdf")
        throw std::invalid_argument(
            fmt::format("plot '{}': {} fits need a .pdf (one page each)", output, fits.size()));
    const std::string script = find_plot_script(program_dir).string();
    // the description goes to a private temporary file, never beside the plot
    static std::atomic<int> counter = 0;
    TemporaryFile json{fs::temp_directory_path() /
                       fmt::format("hepkit-plot-{}-{}.json", static_cast<long>(getpid()), counter++)};
    write_json_file(json.path, nlohmann::json{{"fits", fits}});
    constexpr const char* python = "/usr/bin/python3";
    ProcessResult run;
    try {
        run = run_process({python, script, json.path.string(), output}, true);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(fmt::format("plot '{}': {}{}", output, e.what(),
                                             fs::exists(python) ? ""
                                                                : " (Debian: apt install python3-matplotlib; "
                                                                  "scripts/install-deps)"));
    }
    if (!run.exited)
        throw std::runtime_error(fmt::format("plot '{}': the plot script {} was killed by signal {}{}{}",
                                             output, script, run.signal, run.errors.empty() ? "" : ": ",
                                             tail(run.errors, 2000)));
    switch (run.exit_code) {
    case 0:
        // what the script says besides the plot (a matplotlib warning) still reaches the user
        std::fputs(run.errors.c_str(), stderr);
        return;
    case 4: // the script's code for a failed import
        throw std::runtime_error(fmt::format("plot '{}': matplotlib or numpy is missing for /usr/bin/python3 "
                                             "(Debian: apt install python3-matplotlib; scripts/install-deps)",
                                             output));
    default:
        throw std::runtime_error(fmt::format("plot '{}': the plot script {} failed (exit {}){}{}", output,
                                             script, run.exit_code, run.errors.empty() ? "" : ": ",
                                             tail(run.errors, 2000)));
    }
}

void plot_fit(const FitFile& f, const FitResult& r, const PlotOptions& o) {
    write_plots({plot_data(f, r, o)}, o.output, o.program_dir);
}

} // namespace hepkit::fit
