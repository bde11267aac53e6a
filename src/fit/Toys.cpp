#include "hepkit/fit/Toys.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

namespace hepkit::fit {

ToyStudy run_toys(const XYProblem& problem, const XModel& model, const std::vector<Fit::Parameter>& truth,
                  int n, std::uint64_t seed) {
    if (problem.parameter_dependent())
        throw std::invalid_argument(
            "toys need parameter-independent errors (no x errors, none relative to the model)");
    std::vector<double> p;
    for (const auto& t : truth)
        p.push_back(t.start);
    const Eigen::MatrixXd V = problem.covariance(p);
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    const Eigen::MatrixXd L = llt.matrixL();
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> gauss;
    const auto m = static_cast<Eigen::Index>(problem.x().size());
    ToyStudy study;
    study.toys = n;
    const std::size_t k = truth.size();
    std::vector<double> sum(k), sum2(k), bias(k), covered(k);
    int ok = 0;
    for (int t = 0; t < n; ++t) {
        Eigen::VectorXd z(m);
        for (Eigen::Index i = 0; i < m; ++i)
            z[i] = gauss(rng);
        const Eigen::VectorXd noise = L * z;
        std::vector<double> y(static_cast<std::size_t>(m));
        for (Eigen::Index i = 0; i < m; ++i)
            y[static_cast<std::size_t>(i)] = model(problem.x()[static_cast<std::size_t>(i)], p) + noise[i];
        ErrorSource cov;
        cov.matrix = V;
        Fit fit(std::make_unique<XYProblem>(problem.x(), y, model, std::vector<ErrorSource>{cov}), truth);
        const FitResult r = fit.run(false);
        if (!r.converged) {
            ++study.failed;
            continue;
        }
        ++ok;
        for (std::size_t j = 0; j < k; ++j) {
            const double pull = (r.values[j] - p[j]) / r.errors[j];
            sum[j] += pull;
            sum2[j] += pull * pull;
            bias[j] += r.values[j] - p[j];
            covered[j] += std::fabs(pull) <= 1 ? 1 : 0;
        }
    }
    for (std::size_t j = 0; j < k; ++j) {
        ToyParameter tp;
        tp.name = truth[j].name;
        tp.truth = p[j];
        if (ok > 1) {
            tp.pull_mean = sum[j] / ok;
            tp.pull_width =
                std::sqrt(std::max(0.0, sum2[j] / ok - tp.pull_mean * tp.pull_mean) * ok / (ok - 1));
            tp.bias = bias[j] / ok;
            tp.coverage = covered[j] / ok;
            tp.pull_mean_error = 1 / std::sqrt(static_cast<double>(ok));
            tp.pull_width_error = 1 / std::sqrt(2.0 * ok);
        }
        study.parameters.push_back(tp);
    }
    return study;
}

} // namespace hepkit::fit
