#include "hepkit/fit/Toys.hpp"

#include <cmath>
#include <random>

namespace hepkit::fit {

ToyStudy run_toys(const Fit& fit, const std::vector<double>& truth, int n, std::uint64_t seed,
                  const ToyProgress& progress) {
    std::mt19937_64 rng(seed);
    ToyStudy study;
    study.toys = n;
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < fit.parameters().size(); ++i)
        if (!fit.parameters()[i].fixed)
            free.push_back(i);
    std::vector<double> sum(free.size()), sum2(free.size()), bias(free.size()), covered(free.size());
    int ok = 0;
    for (int t = 0; t < n; ++t) {
        Fit toy = fit.with_problem(fit.problem().toy(truth, rng));
        for (std::size_t i = 0; i < truth.size(); ++i)
            toy.set_start(fit.parameters()[i].name, truth[i]);
        const FitResult r = toy.run(false);
        if (progress)
            progress(t + 1, n);
        if (!r.converged) {
            ++study.failed;
            continue;
        }
        bool limit = false;
        for (std::size_t i : free) {
            const auto& spec = fit.parameters()[i];
            const double span = spec.lower && spec.upper ? *spec.upper - *spec.lower : 1.0;
            limit = limit || (spec.lower && r.values[i] - *spec.lower < 1e-4 * span) ||
                    (spec.upper && *spec.upper - r.values[i] < 1e-4 * span);
        }
        if (limit) {
            ++study.at_limit;
            continue;
        }
        ++ok;
        for (std::size_t j = 0; j < free.size(); ++j) {
            const std::size_t i = free[j];
            const double pull = (r.values[i] - truth[i]) / r.errors[i];
            sum[j] += pull;
            sum2[j] += pull * pull;
            bias[j] += r.values[i] - truth[i];
            covered[j] += std::fabs(pull) <= 1 ? 1 : 0;
        }
    }
    for (std::size_t j = 0; j < free.size(); ++j) {
        ToyParameter tp;
        tp.name = fit.parameters()[free[j]].name;
        tp.truth = truth[free[j]];
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
