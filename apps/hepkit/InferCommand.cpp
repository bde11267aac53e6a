// `hepkit infer WORKSPACE.json`: the maximum-likelihood fit of a HistFactory workspace in pyhf's
// JSON format (docs/infer.md), with asymptotic CLs, upper limits and a profile-likelihood scan of
// the POI (HistFactoryInference.hpp), pulls and impacts of the nuisances (HistFactoryImpacts.hpp),
// and their plots (InferPlots.hpp).

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "InferPlots.hpp"
#include "ProgramDir.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/fit/HistFactoryImpacts.hpp"
#include "hepkit/fit/HistFactoryInference.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"
#include "hepkit/fit/Report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <stdexcept>

namespace hepkit::app {
namespace {

struct Scan {
    int points = 0;
    std::optional<double> lo, hi;
};

struct Options {
    std::string workspace, measurement, json, report;
    bool asymmetric = false, limit = false, impacts = false;
    std::string plots, plot_format = "png";
    int plot_top = 30;
    std::vector<std::string> fixes;
    std::optional<double> cls;
    double level = 0.05;
    std::string scan, test_stat = "qtilde";
    std::optional<Scan> parsed_scan;
};

// --scan N[,LO,HI]
std::optional<Scan> parse_scan(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    std::vector<std::string> parts;
    for (std::size_t at = 0;;) {
        const auto comma = text.find(',', at);
        parts.push_back(text.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos)
            break;
        at = comma + 1;
    }
    const auto bad = [&](const std::string& why) {
        return UsageError(
            "--scan", fmt::format("'{}': {}; must be N or N,LO,HI (2 <= N <= 10000, LO < HI)", text, why));
    };
    if (parts.size() != 1 && parts.size() != 3)
        throw bad(fmt::format("{} fields", parts.size()));
    const auto number = [&](const std::string& p) {
        try {
            std::size_t used = 0;
            const double v = std::stod(p, &used);
            if (used == p.size() && std::isfinite(v))
                return v;
        } catch (const std::exception&) {
        }
        throw bad(fmt::format("'{}' is not a number", p));
    };
    Scan s;
    const double n = number(parts[0]);
    if (n != std::floor(n) || n < 2 || n > 10000)
        throw bad(fmt::format("N = {}", parts[0]));
    s.points = static_cast<int>(n);
    if (parts.size() == 3) {
        s.lo = number(parts[1]);
        s.hi = number(parts[2]);
        if (!(*s.lo < *s.hi))
            throw bad("LO >= HI");
    }
    return s;
}

// The --cls, --limit and --scan results: text for the report, JSON into `doc`.
std::string run_inference(const fit::hf::Model& model, const Options& o, nlohmann::json& doc) {
    std::string text;
    const std::string poi = model.names()[model.poi()]; // names() returns a copy
    const auto statistic = o.test_stat == "q" ? fit::hf::TestStatistic::Q : fit::hf::TestStatistic::QTilde;
    const auto band = [](const std::array<double, 5>& v, const char* format) {
        std::string out;
        for (double x : v)
            out += fmt::format(fmt::runtime(format), x);
        return out;
    };
    if (o.cls || o.limit) {
        const fit::hf::AsymptoticCalculator calc(model, statistic);
        if (o.cls) {
            const auto& par = model.parameters()[model.poi()];
            if (!(*o.cls >= std::max(0.0, par.lower) && *o.cls <= par.upper))
                throw UsageError("--cls",
                                 fmt::format("{} = {} is outside its bounds [{}, {}] (and must be >= 0)", poi,
                                             *o.cls, par.lower, par.upper));
            const fit::hf::CLsResult c = calc.cls(*o.cls);
            text +=
                fmt::format("  CLs at {} = {:g} ({}): observed {:.6g} (CLs+b {:.6g}, CLb {:.6g})\n"
                            "    expected -2s..+2s:{}\n",
                            poi, c.poi, o.test_stat, c.observed, c.clsb, c.clb, band(c.expected, " {:.6g}"));
            doc["cls"] = {{"poi_value", c.poi},
                          {"test_statistic", o.test_stat},
                          {"observed", c.observed},
                          {"expected", c.expected},
                          {"clsb", c.clsb},
                          {"clb", c.clb},
                          {"q", c.q},
                          {"q_asimov", c.qA}};
        }
        if (o.limit) {
            const fit::hf::UpperLimit u = calc.upper_limit(o.level);
            text += fmt::format("  {:g}% CL upper limit on {} (CLs = {:g}, {}): observed {:.6g}\n"
                                "    expected -2s..+2s:{}\n",
                                100 * (1 - o.level), poi, o.level, o.test_stat, u.observed,
                                band(u.expected, " {:.6g}"));
            doc["limit"] = {{"level", u.level},
                            {"test_statistic", o.test_stat},
                            {"observed", u.observed},
                            {"expected", u.expected}};
        }
    }
    if (o.parsed_scan) {
        const auto& par = model.parameters()[model.poi()];
        std::pair<double, double> range;
        if (!o.parsed_scan->lo)
            range = fit::hf::scan_range(model, 3);
        const double lo = o.parsed_scan->lo.value_or(range.first);
        const double hi = o.parsed_scan->hi.value_or(range.second);
        if (lo < par.lower || hi > par.upper)
            throw UsageError("--scan", fmt::format("[{}, {}] is outside the bounds [{}, {}] of {}", lo, hi,
                                                   par.lower, par.upper, poi));
        const fit::hf::ProfileScan s = fit::hf::profile_scan(model, o.parsed_scan->points, lo, hi);
        const auto end = [](const std::optional<double>& v) {
            return v ? fmt::format("{:.6g}", *v) : "open";
        };
        text +=
            fmt::format("  scan of {}: {} points over [{:g}, {:g}]; -2 Delta ln L <= 1 for {} in [{}, {}]\n",
                        poi, s.values.size(), lo, hi, poi, end(s.lower), end(s.upper));
        nlohmann::json interval = {{"lower", nullptr}, {"upper", nullptr}};
        if (s.lower)
            interval["lower"] = *s.lower;
        if (s.upper)
            interval["upper"] = *s.upper;
        doc["scan"] = {{"parameter", s.poi},   {"best", s.best},           {"nll_min", s.nll_min},
                       {"values", s.values},   {"delta_nll", s.delta_nll}, {"converged", s.converged},
                       {"interval", interval}, {"delta_2nll_level", 1.0}};
    }
    return text;
}

nlohmann::json or_null(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

const char* constraint_name(fit::hf::ModelParameter::Constraint c) {
    using C = fit::hf::ModelParameter::Constraint;
    return c == C::Normal ? "normal" : c == C::Poisson ? "poisson" : "none";
}

// --impacts: pulls and impacts around `best` (the workspace's unconditional fit), text for the
// report, JSON into `doc` under "impacts" (ranked, docs/infer.md).
std::string run_impacts(const fit::hf::Model& model, const fit::FitResult& best, nlohmann::json& doc) {
    if (!best.converged)
        throw std::runtime_error(
            fmt::format("no impacts: the unconditional fit did not converge: {}", best.message));
    ThreadPool pool(ThreadPool::default_size()); // the refits are independent (HEPKIT_THREADS)
    fit::hf::Impacts im;
    try {
        im = fit::hf::compute_impacts(model, best, &pool);
    } catch (const std::invalid_argument& e) { // a singular Hessian: like a fit that failed (exit 3)
        throw std::runtime_error(e.what());
    }
    std::size_t width = 9;
    for (const auto& n : im.nuisances)
        width = std::max(width, n.name.size());
    const auto num = [](const std::optional<double>& v, const char* format) {
        return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
    };
    std::string text = fmt::format(
        "  impacts on {} = {:.6g} +- {:.4g}: {} nuisances ranked by the larger |Delta {}| post-fit\n"
        "    (pull = (value - prefit)/prefit error; Delta {} = refit with the nuisance held at value +- "
        "error\n"
        "    (post) or +- prefit error (pre), minus {}-hat)\n",
        im.poi, im.poi_value, im.poi_error, im.nuisances.size(), im.poi, im.poi, im.poi);
    text += fmt::format("    {:>4}  {:<{}}  {:>11}  {:>19}  {:>16}  {:>10}  {:>10}  {:>10}  {:>10}\n", "rank",
                        "parameter", width, "value", "-error/+error", "pull", "post up", "post down",
                        "pre up", "pre down");
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < im.nuisances.size(); ++i) {
        const auto& n = im.nuisances[i];
        const std::string pull =
            n.pull ? fmt::format("{:+.3f} +- {:.3f}", *n.pull, *n.pull_error) : "- (free)";
        text += fmt::format(
            "    {:>4}  {:<{}}  {:>11.6g}  {:>19}  {:>16}  {:>+10.4g}  {:>+10.4g}  {:>10}  {:>10}\n", i + 1,
            n.name, width, n.value, fmt::format("-{:.4g}/+{:.4g}", n.error_down, n.error_up), pull,
            n.impact_up, n.impact_down, num(n.impact_prefit_up, "{:+.4g}"),
            num(n.impact_prefit_down, "{:+.4g}"));
        list.push_back({{"rank", i + 1},
                        {"name", n.name},
                        {"type", fit::hf::modifier_type_name(n.type)},
                        {"constraint", constraint_name(n.constraint)},
                        {"value", n.value},
                        {"error_down", n.error_down},
                        {"error_up", n.error_up},
                        {"prefit_value", or_null(n.prefit_value)},
                        {"prefit_error", or_null(n.prefit_error)},
                        {"pull", or_null(n.pull)},
                        {"pull_error", or_null(n.pull_error)},
                        {"theta_up", n.theta_up},
                        {"theta_down", n.theta_down},
                        {"impact_up", n.impact_up},
                        {"impact_down", n.impact_down},
                        {"theta_prefit_up", or_null(n.theta_prefit_up)},
                        {"theta_prefit_down", or_null(n.theta_prefit_down)},
                        {"impact_prefit_up", or_null(n.impact_prefit_up)},
                        {"impact_prefit_down", or_null(n.impact_prefit_down)}});
    }
    doc["impacts"] = std::move(list);
    return text;
}

} // namespace

std::function<int()> add_infer_command(CLI::App& app, const GlobalOptions& globals) {
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "infer",
        "Maximum-likelihood fit of a binned likelihood with nuisance parameters: a HistFactory\n"
        "workspace in pyhf's JSON format (channels, samples, normfactor/normsys/histosys/staterror/\n"
        "shapesys/lumi/shapefactor modifiers); prints the parameters, their errors and correlations.\n"
        "With --cls MU, --limit and --scan N[,LO,HI] also asymptotic CLs, CLs upper limits and a\n"
        "profile-likelihood scan of the POI (Cowan et al., arXiv:1007.1727; pyhf's conventions);\n"
        "with --impacts the pulls and impacts of the nuisances, with --plots DIR their plots.\n"
        "Example: hepkit infer examples/infer/simple.json -a --cls 1 --limit --scan 31,0,3 --json fit.json\n"
        "         hepkit infer examples/infer/normsys.json --impacts --scan 31 --plots plots");
    cmd->add_option("workspace", o->workspace,
                    "pyhf JSON workspace, or a YAML description of hepkit events histograms (docs/infer.md)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--measurement", o->measurement, "the measurement to fit (default: the first)");
    cmd->add_flag("-a,--asymmetric", o->asymmetric, "asymmetric errors from the profile likelihood");
    cmd->add_option("--fix", o->fixes,
                    "hold a parameter at a value: NAME=VALUE (repeatable; the fit table only, not\n"
                    "--cls, --limit, --scan)");
    cmd->add_option("--cls", o->cls,
                    "asymptotic CLs at POI = MU: observed and the expected band (-2s, -1s, median,\n"
                    "+1s, +2s of the background-only expectation); JSON key \"cls\"")
        ->type_name("MU");
    cmd->add_flag("--limit", o->limit,
                  "upper limits on the POI: where CLs = --level, observed and the expected band;\n"
                  "JSON key \"limit\"");
    cmd->add_option("--level", o->level, "the CLs level of --limit (default 0.05: 95% CL)")
        ->check(CLI::Range(1e-9, 1 - 1e-9));
    cmd->add_option("--test-stat", o->test_stat,
                    "test statistic of --cls and --limit: qtilde (default, pyhf's; the POI estimate\n"
                    "below 0 replaced by 0) or q")
        ->check(CLI::IsMember({"q", "qtilde"}));
    cmd->add_option("--scan", o->scan,
                    "profile-likelihood scan of the POI at N points over [LO, HI] (default: from the\n"
                    "estimate out to -2 Delta ln L >= 9 or the bounds), the others refitted at each;\n"
                    "prints the interval where -2 Delta ln L <= 1; JSON key \"scan\"")
        ->type_name("N[,LO,HI]");
    cmd->add_flag("--impacts", o->impacts,
                  "pulls and impacts of the nuisances: post-fit value and error, the pull\n"
                  "(value - prefit)/prefit error of constrained ones, and the POI's shift when the\n"
                  "nuisance is held at value +- post-fit error (and +- prefit error), the others\n"
                  "refitted; ranked by the shift; JSON key \"impacts\" (with -a: profile errors)");
    cmd->add_option("--plots", o->plots,
                    "draw plots into this directory (made if missing): impacts.EXT with --impacts (pulls\n"
                    "left, POI shifts right), scan.EXT with --scan (-2 Delta ln L and the interval);\n"
                    "needs /usr/bin/python3 with matplotlib")
        ->type_name("DIR");
    cmd->add_option("--plot-format", o->plot_format, "file type of --plots: png (default), pdf or svg")
        ->check(CLI::IsMember({"png", "pdf", "svg"}));
    cmd->add_option("--plot-top", o->plot_top,
                    "the impacts plot shows the N highest-ranked nuisances (default 30)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option(
        "--json", o->json,
        "write the result as JSON: hepkit fit --report-json's document plus \"poi\",\n"
        "\"measurement\" and \"nll\" (-ln L at the minimum, pyhf's -logpdf), and \"cls\",\n"
        "\"limit\", \"scan\", \"impacts\" when asked. Exit 3 (nothing written) when a fit of --cls/--limit/\n"
        "--scan/--impacts fails or CLs stays above --level up to the POI's upper bound");
    cmd->add_option("--report", o->report, "write the text report to this file");
    return [o, &globals]() {
        const std::filesystem::path program = program_dir(); // where the plot script travels
        if (!o->plots.empty() && !o->impacts && o->scan.empty())
            throw UsageError("--plots",
                             "nothing to plot: give --impacts (the impacts plot) or --scan (the scan plot)");
        const fit::hf::Workspace ws = fit::hf::read_workspace(o->workspace);
        std::unique_ptr<fit::hf::Model> model;
        try {
            model = std::make_unique<fit::hf::Model>(ws, o->measurement);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--measurement", e.what());
        }
        o->parsed_scan = parse_scan(o->scan);
        fit::Fit fit = fit::hf::make_fit(*model);
        for (const auto& f : o->fixes) {
            const auto eq = f.find('=');
            double value = 0;
            try {
                std::size_t used = 0;
                value = std::stod(f.substr(eq == std::string::npos ? f.size() : eq + 1), &used);
                if (eq == std::string::npos || used != f.size() - eq - 1)
                    throw std::invalid_argument("trailing characters");
            } catch (const std::exception&) {
                throw UsageError("--fix", fmt::format("'{}': must be NAME=VALUE with a number", f));
            }
            try {
                fit.fix(f.substr(0, eq), value);
            } catch (const std::invalid_argument& e) {
                throw UsageError("--fix", e.what());
            }
        }
        const fit::FitResult r = fit.run(o->asymmetric);
        const std::string& measurement = ws.measurement(o->measurement).name;
        std::string text =
            fit::report_text(r, fmt::format("{} (measurement '{}')", o->workspace, measurement));
        if (text.rfind("hepkit fit:", 0) == 0) // the shared table's title names the command
            text.replace(0, 11, "hepkit infer:");
        text += fmt::format("  POI              {}\n  -ln L            {:.10g}\n",
                            model->names()[model->poi()], r.cost / 2);
        // A kink of −ln L at the estimate makes its Hessian errors meaningless (HistFactoryImpacts.hpp)
        nlohmann::json kinks = nlohmann::json::array();
        for (const auto& k : fit::hf::find_kinks(*model, r)) {
            std::fprintf(stderr,
                         "hepkit: warning: %s: -ln L has a kink at %s = %.6g (slope %.6g | %.6g, curvature "
                         "%.6g | %.6g): "
                         "the Hessian errors and correlations there describe one side at best; use -a for "
                         "profile-likelihood errors (docs/infer.md, \"Hessian errors at a kink\")\n",
                         o->workspace.c_str(), k.name.c_str(), k.value, k.slope_below, k.slope_above,
                         k.curvature_below, k.curvature_above);
            kinks.push_back({{"name", k.name},
                             {"value", k.value},
                             {"slope_below", k.slope_below},
                             {"slope_above", k.slope_above},
                             {"curvature_below", k.curvature_below},
                             {"curvature_above", k.curvature_above}});
        }
        nlohmann::json inference = nlohmann::json::object();
        try {
            text += run_inference(*model, *o, inference);
            if (o->impacts) // around the workspace's own fit: --fix applies to the table only
                text += run_impacts(
                    *model, o->fixes.empty() ? r : fit::hf::make_fit(*model).run(o->asymmetric), inference);
        } catch (const std::runtime_error& e) {
            if (dynamic_cast<const InputError*>(&e))
                throw;
            if (!globals.quiet)
                std::fputs(text.c_str(), stdout);
            std::fprintf(stderr, "hepkit: %s: %s\n", o->workspace.c_str(), e.what());
            return static_cast<int>(exit_not_converged);
        }
        nlohmann::json doc = fit::report_json(r);
        doc.update(inference);
        doc["poi"] = model->names()[model->poi()];
        doc["measurement"] = measurement;
        doc["nll"] = r.cost / 2;
        doc["kinks"] = kinks;
        if (!globals.quiet)
            std::fputs(text.c_str(), stdout);
        if (!o->json.empty())
            write_json_file(o->json, doc);
        if (!o->report.empty())
            write_file_atomically(o->report, text);
        if (!o->plots.empty())
            for (const auto& path : draw_infer_plots(program, doc, o->plots, o->plot_format, o->plot_top))
                if (!globals.quiet)
                    fmt::print("  plot             {}\n", path);
        if (!r.converged) {
            std::fprintf(stderr, "hepkit: %s: the fit did not converge: %s\n", o->workspace.c_str(),
                         r.message.c_str());
            return static_cast<int>(exit_not_converged);
        }
        return static_cast<int>(exit_ok);
    };
}

} // namespace hepkit::app
