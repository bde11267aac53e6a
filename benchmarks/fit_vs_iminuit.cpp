// hepkit fit against iminuit on the same three problems, timed in one run on one machine
// (docs/fit.md, "Performance"): a 1000-point xy fit with a full covariance matrix, a 100-bin
// Poisson histogram fit and a 10k-event unbinned fit. hepkit: C++ API with lambda models,
// migrad-equivalent + Hessian; iminuit: numpy-vectorised costs (as iminuit users write them),
// migrad() + hesse(). Prints per-fit times and the ratio. Target: hepkit >= 10x faster.
//
// usage: fit_vs_iminuit [SCRIPT_DIR]   (runs /usr/bin/python3 SCRIPT_DIR/fit_iminuit.py)

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/fit/HistogramProblem.hpp"
#include "hepkit/fit/UnbinnedProblem.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

using namespace hepkit::fit;

namespace {
template <typename F>
double per_call(F&& f) {
    int n = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double t = 0;
    do {
        f();
        ++n;
        t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (t < 1.0 && n < 10000);
    return t / n;
}
} // namespace

int main(int argc, char** argv) {
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        const bool help = argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h");
        std::fprintf(help ? stdout : stderr,
                     "usage: fit_vs_iminuit [SCRIPT_DIR]  (the folder of fit_iminuit.py)\n");
        return help ? 0 : 64;
    }
    const std::string script_dir = argc > 1 ? argv[1] : HEPKIT_BENCH_DIR;
    std::mt19937_64 rng(12345);
    std::normal_distribution<double> gauss;
    nlohmann::json data;

    // 1. xy: y = a exp(-x / b) + c, 1000 points, sigma 0.05 plus a 2% fully correlated part.
    std::vector<double> x, y;
    for (int i = 0; i < 1000; ++i) {
        x.push_back(i * 0.01);
        y.push_back(3.0 * std::exp(-x.back() / 2.5) + 0.4);
    }
    const double shift = 0.02 * gauss(rng);
    for (auto& v : y)
        v += 0.05 * gauss(rng) + shift;
    Eigen::MatrixXd V = Eigen::MatrixXd::Constant(1000, 1000, 0.02 * 0.02);
    V.diagonal().array() += 0.05 * 0.05;
    data["xy"] = {{"x", x}, {"y", y}, {"sigma", 0.05}, {"corr", 0.02}};
    XModel expo = [](double t, std::span<const double> p) { return p[0] * std::exp(-t / p[1]) + p[2]; };
    // The problems are set up once (the Cholesky decomposition of V: the iminuit side also
    // factorises once); each timed call is a complete fit, minimisation and Hessian errors.
    ErrorSource cov;
    cov.matrix = V;
    Fit xy(std::make_unique<XYProblem>(x, y, expo, std::vector<ErrorSource>{cov}),
           {{"a", 1}, {"b", 1}, {"c", 0}});
    auto xy_fit = [&] { return xy.run(false); };

    // 2. histogram: 100 bins on [0, 10], 5000 entries: 30% Gaussian (5, 0.7) on a flat background.
    std::vector<double> raw;
    std::uniform_real_distribution<double> flat(0, 10);
    for (int i = 0; i < 5000; ++i)
        raw.push_back(i < 1500 ? 5 + 0.7 * gauss(rng) : flat(rng));
    std::vector<double> edges;
    for (int k = 0; k <= 100; ++k)
        edges.push_back(k * 0.1);
    const auto counts = HistogramProblem::bin(raw, edges);
    data["hist"] = {{"edges", edges}, {"counts", counts}};
    XModel mix = [](double t, std::span<const double> p) {
        return p[2] * std::exp(-0.5 * (t - p[0]) * (t - p[0]) / (p[1] * p[1])) /
                   (std::sqrt(2 * M_PI) * p[1]) +
               (1 - p[2]) / 10.0;
    };
    // The model's antiderivative (what the iminuit side integrates with) replaces quadrature.
    auto hist_problem = std::make_unique<HistogramProblem>(edges, counts, mix);
    hist_problem->set_antiderivative([](double t, std::span<const double> p) {
        return p[2] * 0.5 * (1 + std::erf((t - p[0]) / (p[1] * std::sqrt(2.0)))) + (1 - p[2]) * t / 10.0;
    });
    Fit hist(std::move(hist_problem), {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}});
    auto hist_fit = [&] { return hist.run(false); };

    // 3. unbinned: 10k events, Gaussian (5, 0.7) at 30% on an exponential (slope 0.3) in [0, 10].
    std::vector<double> ev;
    std::exponential_distribution<double> ex(0.3);
    while (ev.size() < 10000) {
        const double v = ev.size() % 10 < 3 ? 5 + 0.7 * gauss(rng) : ex(rng);
        if (v >= 0 && v <= 10)
            ev.push_back(v);
    }
    data["unbinned"] = {{"data", ev}};
    XModel pdf = [](double t, std::span<const double> p) {
        const double g =
            std::exp(-0.5 * (t - p[0]) * (t - p[0]) / (p[1] * p[1])) / (std::sqrt(2 * M_PI) * p[1]);
        const double e = p[3] * std::exp(-p[3] * t) / (1 - std::exp(-10 * p[3]));
        return p[2] * g + (1 - p[2]) * e;
    };
    Fit unbinned(std::make_unique<UnbinnedProblem>(ev, pdf),
                 {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}, {"lambda", 0.5}});
    unbinned.limit("fs", 0, 1);
    auto unbinned_fit = [&] { return unbinned.run(false); };
    // The same pdf as a kafe2-style Python model (what `hepkit fit` reads from YAML), compiled to a
    // batch evaluator with symbolic derivatives.
    const auto code = PyFunction::parse(R"(def pdf(x, mu=4.5, sigma=1.0, fs=0.2, lam=0.5):
    g = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    e = lam * np.exp(-lam * x) / (1 - np.exp(-10 * lam))
    return fs * g + (1 - fs) * e
)");
    Fit batch(std::make_unique<UnbinnedProblem>(ev, std::make_shared<BatchFunction>(code)),
              {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}, {"lambda", 0.5}});
    batch.limit("fs", 0, 1);
    // every core, as `hepkit fit` uses by default; then one thread for the comparison
    hepkit::ThreadPool all_threads(hepkit::ThreadPool::default_size()), one_thread(1);
    batch.set_thread_pool(&all_threads);
    auto batch_fit = [&] { return batch.run(false); };

    struct Row {
        const char* name;
        double hepkit;
        FitResult r;
    };
    std::vector<Row> rows = {{"xy 1000 points, full covariance", per_call(xy_fit), xy_fit()},
                             {"histogram 100 bins (Poisson)", per_call(hist_fit), hist_fit()},
                             {"unbinned 10k, scalar C++ lambda", per_call(unbinned_fit), unbinned_fit()},
                             {"unbinned 10k, compiled batch model", per_call(batch_fit), batch_fit()}};
    batch.set_thread_pool(&one_thread);
    rows.push_back({"unbinned 10k, batch model, 1 thread", per_call(batch_fit), batch_fit()});
    const auto tmp =
        std::filesystem::temp_directory_path() / ("hepkit-fit-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    hepkit::write_json_file(tmp / "data.json", data, -1);
    const std::string cmd = "/usr/bin/python3 " + script_dir + "/fit_iminuit.py " +
                            (tmp / "data.json").string() + " > " + (tmp / "iminuit.json").string();
    const int rc = std::system(cmd.c_str());
    nlohmann::json im;
    if (rc == 0)
        im = nlohmann::json::parse(std::ifstream((tmp / "iminuit.json").string()));
    std::printf("%-38s %14s %14s %9s\n", "problem", "hepkit / fit", "iminuit / fit", "ratio");
    const char* keys[] = {"xy", "hist", "unbinned", "unbinned", "unbinned"};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double t_im = im.contains(keys[i]) ? im[keys[i]]["seconds"].get<double>() : NAN;
        std::printf("%-38s %12.3f ms %12.3f ms %8.1fx   (hepkit converged: %s; values", rows[i].name,
                    1e3 * rows[i].hepkit, 1e3 * t_im, t_im / rows[i].hepkit,
                    rows[i].r.converged ? "yes" : "NO");
        for (std::size_t k = 0; k < rows[i].r.values.size(); ++k) {
            const double v_im = im.contains(keys[i]) ? im[keys[i]]["values"][k].get<double>() : NAN;
            std::printf(" %.5g/%.5g", rows[i].r.values[k], v_im);
        }
        std::printf("; errors");
        for (std::size_t k = 0; k < rows[i].r.errors.size(); ++k) {
            const double e_im = im.contains(keys[i]) ? im[keys[i]]["errors"][k].get<double>() : NAN;
            std::printf(" %.4g/%.4g", rows[i].r.errors[k], e_im);
        }
        std::printf("; passes %d", rows[i].r.evaluations);
        std::printf(")\n");
    }
    if (rc != 0)
        std::printf("iminuit not available (python3-iminuit): hepkit times only\n");
    std::filesystem::remove_all(tmp);
    return 0;
}
