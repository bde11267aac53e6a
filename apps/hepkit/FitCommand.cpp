// `hepkit fit FILE.yml`: kafe2go-compatible fits from YAML (docs/fit.md).

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "ProgramDir.hpp"
#include "Progress.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/fit/FitPlot.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/fit/Report.hpp"
#include "hepkit/fit/Toys.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_fit_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> files;
        bool asymmetric = false, contours = false, profiles = false;
        std::string report_json, report, plot, panel = "none", save;
        bool plot_requested = false;
        int toys = 0;
        long long seed = 1;
        int threads = 0;
        long long max_calls = 0;
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
    cmd->add_option("-p,--plot", o->plot,
                    "save the plot: .pdf (every fit of every file, with its contours and profiles, one\n"
                    "page each), .png or .svg (one file per input: with several inputs PLOT_<input>.png;\n"
                    "contours and profiles in PLOT_contours.png and PLOT_profiles.png)")
        ->check(
            CLI::Validator([](std::string& v) { return fit::plot_path_problem(v); }, "FILE.{pdf,png,svg}"));
    cmd->add_option("--max-calls", o->max_calls,
                    "stop a minimisation, not converged (exit 3), after this many cost evaluations\n"
                    "(default 10 x Minuit2's 200 + 100 n + 5 n^2 for n free parameters: 8250 for 5)")
        ->check(CLI::Range(1LL, 1LL << 40));
    cmd->add_option("--panel", o->panel, "extra panel under the plot: none, residual, ratio or pull")
        ->check(CLI::IsMember({"none", "residual", "ratio", "pull"}));
    cmd->add_option("--save", o->save,
                    "write the fit and its result as a kafe2 fit file (kafe2's to_file form: kafe2,\n"
                    "kafe2go and hepkit read it back)");
    cmd->add_option("--threads", o->threads,
                    "threads for the passes over large unbinned samples (default and maximum: every\n"
                    "core, or the HEPKIT_THREADS environment variable; results do not depend on it\n"
                    "beyond rounding)")
        ->check(CLI::Range(1, 1024));
    return [o, &globals]() {
        // one pool for every fit of the command; --threads only lowers the default (more threads
        // than cores would only oversubscribe)
        const std::size_t threads = ThreadPool::default_size();
        ThreadPool pool(o->threads > 0 ? std::min(threads, static_cast<std::size_t>(o->threads)) : threads);
        const std::filesystem::path program = program_dir(); // where the plot script travels
        int status = 0;
        const bool pdf = !o->plot.empty() && std::filesystem::path(o->plot).extension() == ".pdf";
        std::vector<nlohmann::json> pages;
        bool plot_failed = false;
        for (const auto& path : o->files) {
            fit::FitFile f = fit::read_kafe2go(path);
            auto target = [&](const std::string& base, const std::string& suffix) {
                if (o->files.size() == 1 || (pdf && base == o->plot))
                    return base;
                const std::filesystem::path b(base);
                return (b.parent_path() /
                        (b.stem().string() + "_" + std::filesystem::path(path).stem().string() + suffix +
                         b.extension().string()))
                    .string();
            };
            if (f.result_file()) {
                // kafe2's save_state file: numbers without data or model, so nothing to refit or plot
                // (-a shows the stored asymmetric errors, if the file has them)
                if (!o->plot.empty() || o->toys > 0 || !o->save.empty() || o->contours || o->profiles)
                    throw InputError(path, 0, "",
                                     "a result file (kafe2's save_state: parameter values and errors, no "
                                     "data, no model) can only be reported; -c, --profile, --toys, --plot "
                                     "and --save need a fit file");
                const fit::FitResult stored = f.stored->as_fit_result();
                std::string text = fit::report_text(stored, path);
                text.insert(
                    text.find('\n') + 1,
                    std::string("  stored result of a kafe2 result file: reported, not refitted") +
                        (o->asymmetric && !f.stored->asymmetric ? " (it holds no asymmetric errors)" : "") +
                        "\n");
                if (!globals.quiet)
                    std::fputs(text.c_str(), stdout);
                if (!o->report_json.empty())
                    write_json_file(target(o->report_json, ""), fit::report_json(stored));
                if (!o->report.empty())
                    write_file_atomically(target(o->report, ""), text);
                continue;
            }
            if (f.container_only && !globals.quiet)
                fmt::print("hepkit fit: {} holds data only (a kafe2 data container): fitting kafe2's default "
                           "model {}\n",
                           path, f.model.name());
            if (o->max_calls > 0)
                f.fit->set_max_calls(o->max_calls);
            f.fit->set_thread_pool(&pool);
            // a progress line for minimisations longer than ~2 s (runaway fits stop at
            // --max-calls; the line shows how far they are)
            ProgressLine fit_line(globals.quiet, 2.0, 0.5);
            if (fit_line.enabled())
                f.fit->set_progress([&](long long calls, long long bound, double lowest) {
                    if (fit_line.due())
                        fit_line.show(
                            fmt::format("fitting {}: {} / {} cost evaluations, lowest cost {:.4g} ({:.0f} s)",
                                        path, calls, bound, lowest, fit_line.elapsed()));
                });
            fit::FitResult r = f.fit->run(o->asymmetric);
            f.fit->set_progress({}); // the line ends here; its callback must not outlive it
            fit_line.finish();
            std::string text = fit::report_text(r, path);
            nlohmann::json toys_json;
            if (o->toys > 0 && r.converged) {
                fit::ToyStudy s;
                try {
                    // a progress line for ensembles that take more than a couple of seconds
                    ProgressLine toy_line(globals.quiet, 2.0, 1.0);
                    auto progress = [&](int done, int total) {
                        if (toy_line.due() || (done == total && toy_line.shown()))
                            toy_line.show(fmt::format("pseudo-experiments: {} / {} ({:.3g} fits/s)", done,
                                                      total, done / std::max(toy_line.elapsed(), 1e-9)));
                    };
                    s = fit::run_toys(*f.fit, r.values, o->toys, static_cast<std::uint64_t>(o->seed),
                                      progress);
                    toy_line.finish();
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
            if (!r.converged) {
                // on stderr too, so that it shows with -q and in logs of stderr: why it failed
                std::fprintf(stderr, "hepkit: %s: the fit did not converge: %s\n", path.c_str(),
                             r.message.c_str());
                status = static_cast<int>(exit_not_converged);
            }
            if (!o->report_json.empty()) {
                nlohmann::json doc = fit::report_json(r);
                if (!toys_json.is_null())
                    doc["toys"] = toys_json;
                write_json_file(target(o->report_json, ""), doc);
            }
            if (!o->report.empty())
                write_file_atomically(target(o->report, ""), text);
            if (!o->save.empty()) {
                fit::write_kafe2_result(f, r, target(o->save, ""));
                if (!globals.quiet)
                    fmt::print("  saved               {}\n", target(o->save, ""));
            }
            if (!o->plot.empty()) {
                fit::PlotOptions po;
                po.output = target(o->plot, "");
                po.panel = o->panel;
                po.contours = o->contours;
                po.profiles = o->profiles;
                po.program_dir = program;
                // contours and profiles of many parameters take a while: a progress line
                ProgressLine plot_line(globals.quiet, 2.0, 0.5);
                if (plot_line.enabled())
                    po.progress = [&](int done, int total) {
                        if (plot_line.due() || (done == total && plot_line.shown()))
                            plot_line.show(fmt::format("contours and profiles of {}: {} / {} ({:.0f} s)",
                                                       path, done, total, plot_line.elapsed()));
                        if (done == total)
                            plot_line.finish();
                    };
                try {
                    // a .pdf collects every file's figures as pages, written once at the end
                    if (pdf)
                        pages.push_back(fit::plot_data(f, r, po));
                    else {
                        fit::plot_fit(f, r, po);
                        if (!globals.quiet)
                            fmt::print("  plot                {}\n", po.output);
                    }
                } catch (const std::invalid_argument& e) {
                    throw UsageError("--plot", e.what());
                } catch (const std::runtime_error& e) {
                    if (dynamic_cast<const InputError*>(&e))
                        throw;
                    // one fit that cannot be drawn does not cost the others their plots; the
                    // exit code says an output could not be made (4)
                    std::fprintf(stderr, "hepkit: error: %s: %s\n", path.c_str(), e.what());
                    plot_failed = true;
                }
            }
        }
        if (pdf && !pages.empty()) {
            try {
                fit::write_plots(pages, o->plot, program);
            } catch (const std::runtime_error& e) {
                if (dynamic_cast<const InputError*>(&e))
                    throw;
                throw OutputError(o->plot, 0, "", e.what());
            }
            if (!globals.quiet)
                fmt::print("plot                  {} ({} fit{})\n", o->plot, pages.size(),
                           pages.size() == 1 ? "" : "s");
        }
        if (plot_failed)
            return static_cast<int>(exit_output); // the exit-code table: a plot that could not be made
        return status;
    };
}

} // namespace hepkit::app
