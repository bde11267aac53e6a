// `hepkit fit FILE.yml`: kafe2go-compatible fits from YAML (docs/fit.md).

#include "Commands.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ForkJoin.hpp"
#include "hepkit/fit/FitPlot.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/fit/Report.hpp"
#include "hepkit/fit/Toys.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_fit_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> files;
        bool asymmetric = false, contours = false, profiles = false;
        std::string report_json, report, plot, panel = "none";
        bool plot_requested = false;
        int toys = 0;
        long long seed = 1;
        int threads = 0;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "fit",
        "Fit a model to data from a kafe2go YAML file (xy, indexed, histogram, unbinned): errors in x\n"
        "and y, correlated and relative errors, constraints, fixed and limited parameters; prints the\n"
        "parameters, their errors and correlations, chi2/ndf and its p-value.\n"
        "Example: hepkit fit examples/fit/line.yml -a -c --plot line.png");
    cmd->add_option("files", o->files, "kafe2go YAML files")->required()->check(CLI::ExistingFile);
    cmd->add_flag("-a,--asymmetric", o->asymmetric,
                  "asymmetric (MINOS-like) errors from the profile likelihood");
    cmd->add_flag("-c,--contours", o->contours,
                  "1 and 2 sigma contours of every parameter pair (plotted with --plot)");
    cmd->add_flag("--profile", o->profiles, "profile likelihood of every parameter (plotted with --plot)");
    cmd->add_option("--toys", o->toys,
                    "run N pseudo-experiments at the fitted values: bias, pull mean and width, coverage")
        ->check(CLI::Range(2, 1000000));
    cmd->add_option("--seed", o->seed, "seed of the pseudo-experiments (default 1)")
        ->check(CLI::Range(0LL, 1LL << 62));
    cmd->add_option("--report-json", o->report_json, "write the result as JSON");
    cmd->add_option("--report", o->report, "write the text report to this file");
    cmd->add_option(
        "-p,--plot", o->plot,
        "save the plot (.png, .pdf or .svg; contours and profiles go to _contours/_profiles files)");
    cmd->add_option("--panel", o->panel, "extra panel under the plot: none, residual, ratio or pull")
        ->check(CLI::IsMember({"none", "residual", "ratio", "pull"}));
    cmd->add_option("--threads", o->threads,
                    "threads for the passes over large unbinned samples (default: every core, or the\n"
                    "HEPKIT_THREADS environment variable; results do not depend on it beyond rounding)")
        ->check(CLI::Range(1, 1024));
    return [o, &globals]() {
        if (o->threads > 0)
            set_fork_join_limit(static_cast<std::size_t>(o->threads));
        int status = 0;
        for (const auto& path : o->files) {
            fit::FitFile f = fit::read_kafe2go(path);
            fit::FitResult r = f.fit->run(o->asymmetric);
            std::string text = fit::report_text(r, path);
            nlohmann::json toys_json;
            if (o->toys > 0 && r.converged) {
                fit::ToyStudy s;
                try {
                    // a progress line on stderr for ensembles that take more than a couple of seconds
                    const auto t0 = std::chrono::steady_clock::now();
                    double next_report = 2.0;
                    bool reported = false;
                    auto progress = [&](int done, int total) {
                        const double t =
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                        if (globals.quiet || (t < next_report && !(reported && done == total)))
                            return;
                        next_report = t + 1.0;
                        reported = true;
                        std::fprintf(stderr, "\r  pseudo-experiments: %d / %d (%.3g fits/s)   ", done, total,
                                     done / std::max(t, 1e-9));
                    };
                    s = fit::run_toys(*f.fit, r.values, o->toys, static_cast<std::uint64_t>(o->seed),
                                      progress);
                    if (reported)
                        std::fprintf(stderr, "\n");
                } catch (const std::invalid_argument& e) {
                    throw InputError(path, 0, "--toys", e.what());
                }
                text += fmt::format("  pseudo-experiments: {} ({} failed, {} at a parameter limit), truth = "
                                    "the fitted values\n",
                                    s.toys, s.failed, s.at_limit);
                text += fmt::format("  {:<16} {:>12} {:>18} {:>18} {:>9}\n", "parameter", "bias", "pull mean",
                                    "pull width", "coverage");
                for (const auto& p : s.parameters) {
                    text += fmt::format(
                        "  {:<16} {:>12.4g} {:>9.3f} ± {:<6.3f} {:>9.3f} ± {:<6.3f} {:>9.3f}\n", p.name,
                        p.bias, p.pull_mean, p.pull_mean_error, p.pull_width, p.pull_width_error, p.coverage);
                    toys_json[p.name] = {{"bias", p.bias},
                                         {"pull_mean", p.pull_mean},
                                         {"pull_width", p.pull_width},
                                         {"coverage", p.coverage},
                                         {"pull_mean_error", p.pull_mean_error},
                                         {"pull_width_error", p.pull_width_error}};
                }
            }
            if (!globals.quiet)
                std::fputs(text.c_str(), stdout);
            if (!r.converged)
                status = 3;
            auto target = [&](const std::string& base, const std::string& suffix) {
                if (o->files.size() == 1)
                    return base;
                const std::filesystem::path b(base);
                return (b.parent_path() /
                        (b.stem().string() + "_" + std::filesystem::path(path).stem().string() + suffix +
                         b.extension().string()))
                    .string();
            };
            if (!o->report_json.empty()) {
                nlohmann::json doc = fit::report_json(r);
                if (!toys_json.is_null())
                    doc["toys"] = toys_json;
                fit::write_json_file(target(o->report_json, ""), doc);
            }
            if (!o->report.empty()) {
                AtomicFile file(target(o->report, ""));
                file.stream() << text;
                file.commit();
            }
            if (!o->plot.empty()) {
                fit::PlotOptions po;
                po.output = target(o->plot, "");
                po.panel = o->panel;
                po.contours = o->contours;
                po.profiles = o->profiles;
                // exit-code table: a plot that cannot be made is an output error (4), a bad file
                // name a usage error (64)
                try {
                    fit::plot_fit(f, r, po);
                } catch (const std::invalid_argument& e) {
                    throw UsageError("--plot", e.what());
                } catch (const std::runtime_error& e) {
                    if (dynamic_cast<const InputError*>(&e))
                        throw;
                    throw OutputError(po.output, 0, "", e.what());
                }
                if (!globals.quiet)
                    fmt::print("  plot                {}\n", po.output);
            }
        }
        return status;
    };
}

} // namespace hepkit::app
