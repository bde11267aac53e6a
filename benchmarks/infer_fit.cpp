// hepkit infer's maximum-likelihood fit and profile scan against the same likelihood minimised with
// scipy.optimize (benchmarks/infer_fit_scipy.py, run by /usr/bin/python3), alternating in one run
// (docs/infer.md and docs/performance.md, "HistFactory fits").
//
// The workspace is generated here, deterministically: one channel of 100 bins, a falling and a
// flat background and a Gaussian signal (scaled by the POI mu), 10 normsys (code1, pyhf's default)
// and 10 histosys (code0, pyhf's default) nuisances on the backgrounds — the 20 named nuisances —
// and, unless --no-staterror, a staterror on both (Barlow–Beeston lite: 100 more gammas). The
// observed data are one Poisson draw from the model at mu = 1 and nuisances away from 0. The
// workspace goes to a pyhf JSON file that the Python side reads, so both minimise one likelihood.
//
// Per round, first hepkit (--fits fits, then one scan), then Python (the same): a fit is
// Fit::run (Levenberg–Marquardt / quasi-Newton with the analytic gradient, and the Hessian errors)
// against scipy.optimize.minimize(method="L-BFGS-B") with bounds and finite-difference gradients
// (no jac: what a user writes), without errors; a scan is the POI held at --points values over
// mu-hat ± 3 sigma, the others refitted, each started from the previous point — the grid only (the
// same work on both sides; the library's profile_scan also refines the interval's ends, timed
// separately). Both report −ln L at their minimum; the difference is printed.
//
// usage: bench_infer_fit [--rounds R] [--fits K] [--points P] [--no-staterror] [--script-dir DIR]
//                        [--workspace-out FILE.json]

#include "BaselineRun.hpp"

#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/fit/HistFactoryInference.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace hepkit::fit;

using hepkit::bench::median;
using hepkit::bench::run_capture;

namespace {

constexpr int kBins = 100, kNormsys = 10, kHistosys = 10;

// The benchmark's workspace (see the file comment); the data drawn with a fixed seed.
hf::Workspace make_workspace(bool staterror) {
    std::vector<double> falling(kBins), flat(kBins), sig(kBins);
    for (int i = 0; i < kBins; ++i) {
        falling[i] = 1000 * std::exp(-i / 30.0);
        flat[i] = 40 + 10 * std::cos(M_PI * i / kBins);
        sig[i] = 150 * std::exp(-0.5 * (i - 50) * (i - 50) / 25.0);
    }
    const auto modifier = [](std::string name, hf::ModifierType type) {
        return hf::Modifier{std::move(name), type, 1, 1, {}, {}, {}, {}};
    };
    hf::Sample s{"signal", sig, {modifier("mu", hf::ModifierType::NormFactor)}};
    std::array<hf::Sample, 2> bkg{hf::Sample{"falling", falling, {}}, hf::Sample{"flat", flat, {}}};
    // Every nuisance acts on a background: a normsys on the signal would be degenerate with mu,
    // its minimum on the kink of code1 at 0 (docs/infer.md, "Hessian errors at a kink").
    for (int k = 0; k < kNormsys; ++k) { // five per background, asymmetric
        hf::Modifier m = modifier(fmt::format("norm_{:02d}", k), hf::ModifierType::NormSys);
        m.hi = 1 + 0.02 * (k % 5 + 1);
        m.lo = 1 - 0.018 * (k % 5 + 1);
        bkg[k / 5].modifiers.push_back(m);
    }
    for (int k = 0; k < kHistosys; ++k) { // shape tilts of different frequencies, asymmetric
        hf::Sample& b = bkg[k % 2];
        hf::Modifier m = modifier(fmt::format("shape_{:02d}", k), hf::ModifierType::HistoSys);
        const double eps = 0.02 + 0.005 * k;
        for (int i = 0; i < kBins; ++i) {
            const double w = std::sin(M_PI * (k / 2 + 1) * (i + 0.5) / kBins);
            m.hi_data.push_back(b.data[i] * (1 + eps * w));
            m.lo_data.push_back(b.data[i] * (1 - 0.9 * eps * w));
        }
        b.modifiers.push_back(m);
    }
    if (staterror) // one gamma per bin shared by both backgrounds (Barlow–Beeston lite)
        for (auto& b : bkg) {
            hf::Modifier m = modifier("stat", hf::ModifierType::StatError);
            for (int i = 0; i < kBins; ++i)
                m.data.push_back(0.3 * std::sqrt(b.data[i])); // simulations with ~10× the data's events
            b.modifiers.push_back(m);
        }
    hf::Workspace ws;
    ws.channels.push_back({"sr", {s, bkg[0], bkg[1]}});
    ws.measurements.push_back({"meas", "mu", {}}); // pyhf's defaults: mu in [0, 10] keeps every ν > 0
    ws.observations.push_back({"sr", std::vector<double>(kBins, 1.0)});
    // the truth: mu = 1, the alphas at 0.3 sin(k + 1), the gammas at 1
    const hf::Model model(ws);
    std::vector<double> truth = model.inits();
    for (std::size_t k = 0; k < model.size(); ++k)
        if (model.parameters()[k].type == hf::ModifierType::NormSys ||
            model.parameters()[k].type == hf::ModifierType::HistoSys)
            truth[k] = 0.3 * std::sin(static_cast<double>(k + 1));
    std::mt19937_64 rng(20261202);
    std::vector<double> n = model.expected(truth);
    for (double& x : n)
        x = static_cast<double>(std::poisson_distribution<long long>(x)(rng));
    ws.observations[0].data = n;
    return ws;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv) {
    int rounds = 3, fits = 3, points = 21;
    bool staterror = true;
    std::string script_dir = HEPKIT_BENCH_DIR, keep;
    const char* usage = "usage: bench_infer_fit [--rounds R] [--fits K] [--points P] [--no-staterror] "
                        "[--script-dir DIR] [--workspace-out FILE]\n";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (a == "--no-staterror") {
            staterror = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n%s", a.c_str(), usage);
            return 64;
        }
        const std::string v = argv[++i];
        int* number = a == "--rounds" ? &rounds : a == "--fits" ? &fits : a == "--points" ? &points : nullptr;
        if (number != nullptr) {
            try {
                *number = std::stoi(v);
            } catch (const std::exception&) {
                std::fprintf(stderr, "bad value '%s' for %s\n%s", v.c_str(), a.c_str(), usage);
                return 64;
            }
        } else if (a == "--script-dir")
            script_dir = v;
        else if (a == "--workspace-out")
            keep = v;
        else {
            std::fprintf(stderr, "unknown option %s\n%s", a.c_str(), usage);
            return 64;
        }
    }
    if (rounds < 1 || fits < 1 || points < 2) {
        std::fprintf(stderr, "--rounds, --fits >= 1 and --points >= 2\n");
        return 64;
    }

    const hf::Workspace ws = make_workspace(staterror);
    const hf::Model model(ws);
    const auto tmp =
        std::filesystem::temp_directory_path() / fmt::format("hepkit-infer-bench-{}", ::getpid());
    std::filesystem::create_directories(tmp);
    const auto ws_path = (tmp / "workspace.json").string();
    hf::write_workspace(ws, ws_path);
    if (!keep.empty()) // for `hepkit infer` on the same workspace
        hf::write_workspace(ws, keep);

    const FitResult best = hf::make_fit(model).run();
    const std::size_t poi = model.poi();
    const double mu_hat = best.values[poi], sigma = best.errors[poi];
    std::vector<double> grid;
    for (int i = 0; i < points; ++i)
        grid.push_back(mu_hat - 3 * sigma + 6 * sigma * i / (points - 1));
    {
        std::ofstream cfg((tmp / "grid.json").string());
        cfg << nlohmann::json{{"grid", grid}, {"fits", fits}}.dump();
    }
    fmt::print("hepkit infer vs scipy.optimize: {} bins, {} normsys + {} histosys{}: {} parameters; "
               "{} rounds of {} fits and a {}-point scan each, alternating\n",
               kBins, kNormsys, kHistosys, staterror ? " + staterror (100 gammas)" : "", model.size(), rounds,
               fits, points);
    fmt::print("  hepkit fit: converged {}, mu-hat {:.6f} +- {:.6f}, -ln L {:.10f}, {} evaluations\n",
               best.converged ? "yes" : "NO", mu_hat, sigma, best.cost / 2, best.evaluations);

    std::vector<double> hk_fit, hk_scan, py_fit, py_scan, ratio_fit, ratio_scan;
    double hk_scan_nll_max = 0, py_nll = NAN, py_scan_diff = 0, hk_profile_scan = 0;
    std::vector<double> hk_scan_nll;
    bool python = true;
    for (int r = 0; r < rounds; ++r) {
        // hepkit: K complete fits (minimum and Hessian errors), then the grid scan
        auto t0 = std::chrono::steady_clock::now();
        FitResult f;
        for (int k = 0; k < fits; ++k)
            f = hf::make_fit(model).run();
        hk_fit.push_back(seconds_since(t0) / fits);
        t0 = std::chrono::steady_clock::now();
        std::vector<double> start = f.values, nll;
        for (double mu : grid) {
            Fit fit = hf::make_fit(model);
            for (std::size_t k = 0; k < model.size(); ++k)
                if (k != poi && !model.parameters()[k].fixed)
                    fit.set_start(model.parameters()[k].name, start[k]);
            fit.fix(model.parameters()[poi].name, mu);
            const FitResult c = fit.run();
            if (c.converged)
                start = c.values;
            nll.push_back(c.cost / 2);
        }
        hk_scan.push_back(seconds_since(t0));
        hk_scan_nll = nll;
        if (r == 0) { // the library's scan with its interval refinement, once, for the record
            t0 = std::chrono::steady_clock::now();
            (void)hf::profile_scan(model, points, grid.front(), grid.back());
            hk_profile_scan = seconds_since(t0);
        }
        // scipy: the same, in a fresh interpreter (its start-up and imports are not timed)
        if (!python)
            continue;
        const std::string out = run_capture(fmt::format("/usr/bin/python3 '{}/infer_fit_scipy.py' '{}' '{}'",
                                                        script_dir, ws_path, (tmp / "grid.json").string()));
        if (out.empty()) {
            python = false;
            continue;
        }
        const auto doc = nlohmann::json::parse(out);
        py_fit.push_back(doc.at("fit_seconds").get<double>());
        py_scan.push_back(doc.at("scan_seconds").get<double>());
        py_nll = doc.at("nll").get<double>();
        const auto py_grid_nll = doc.at("scan_nll").get<std::vector<double>>();
        for (std::size_t i = 0; i < grid.size(); ++i)
            py_scan_diff = std::max(py_scan_diff, std::fabs(py_grid_nll[i] - hk_scan_nll[i]));
        if (r == 0)
            fmt::print("  scipy: -ln L at the start {:.10f} (hepkit {:.10f}: the same likelihood, difference "
                       "{:.2e})\n",
                       doc.at("nll_init").get<double>(), model.nll(model.inits()),
                       doc.at("nll_init").get<double>() - model.nll(model.inits()));
        ratio_fit.push_back(py_fit.back() / hk_fit.back());
        ratio_scan.push_back(py_scan.back() / hk_scan.back());
        fmt::print("  round {}: fit hepkit {:.2f} ms, scipy {:.1f} ms ({:.0f}x); scan hepkit {:.1f} ms, "
                   "scipy {:.0f} ms "
                   "({:.0f}x)\n",
                   r + 1, 1e3 * hk_fit.back(), 1e3 * py_fit.back(), ratio_fit.back(), 1e3 * hk_scan.back(),
                   1e3 * py_scan.back(), ratio_scan.back());
    }
    for (double v : hk_scan_nll)
        hk_scan_nll_max = std::max(hk_scan_nll_max, v - best.cost / 2);
    fmt::print("hepkit per fit {:.2f} ms, per {}-point scan {:.1f} ms (the library's profile_scan with the "
               "interval refinement: {:.1f} ms); Delta(-ln L) over the grid up to {:.2f}\n",
               1e3 * median(hk_fit), points, 1e3 * median(hk_scan), 1e3 * hk_profile_scan, hk_scan_nll_max);
    if (!python) {
        fmt::print("scipy side not run (/usr/bin/python3 with numpy and scipy needed): hepkit times only\n");
        std::filesystem::remove_all(tmp);
        return 0;
    }
    fmt::print("scipy  per fit {:.1f} ms, per scan {:.0f} ms\n", 1e3 * median(py_fit), 1e3 * median(py_scan));
    fmt::print("ratio scipy / hepkit (median of the rounds): fit {:.0f}x, scan {:.0f}x\n", median(ratio_fit),
               median(ratio_scan));
    fmt::print("minimum -ln L: hepkit {:.10f}, scipy {:.10f}, difference scipy - hepkit {:.2e}; scan points: "
               "largest |difference| {:.2e}\n",
               best.cost / 2, py_nll, py_nll - best.cost / 2, py_scan_diff);
    std::filesystem::remove_all(tmp);
    return 0;
}
