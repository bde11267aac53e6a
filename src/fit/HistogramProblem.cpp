#include "hepkit/fit/HistogramProblem.hpp"

#include "Internal.hpp"
#include "hepkit/fit/Quadrature.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

using detail::as_vector;
using detail::check_values;
using detail::forward_jacobian;
using detail::inf;
using detail::not_finite_at;
using detail::where_not;

HistogramProblem::HistogramProblem(std::vector<double> edges, std::vector<double> counts, XModel model,
                                   bool density, Cost cost)
    : edges_(std::move(edges)), counts_(std::move(counts)), model_(std::move(model)), density_(density),
      cost_(cost) {
    check_values(counts_, "bin contents");
    check_values(edges_, "bin edges");
    if (edges_.size() != counts_.size() + 1)
        throw std::invalid_argument(fmt::format("{} bin edges for {} bins (need one more edge than bins)",
                                                edges_.size(), counts_.size()));
    for (std::size_t i = 1; i < edges_.size(); ++i)
        if (!(edges_[i] > edges_[i - 1]))
            throw std::invalid_argument(
                fmt::format("bin edges must increase: {} then {}", edges_[i - 1], edges_[i]));
    for (double c : counts_) {
        if (c < 0)
            throw std::invalid_argument(fmt::format("bin content {} is negative", c));
        total_ += c;
        log_factorials_ += std::lgamma(c + 1);
    }
    if (!(total_ > 0))
        throw std::invalid_argument("the histogram has no entries");
}

std::vector<double> HistogramProblem::bin(const std::vector<double>& raw, const std::vector<double>& edges) {
    check_values(raw, "raw_data");
    std::vector<double> counts(edges.size() - 1, 0.0);
    for (double v : raw) {
        if (v < edges.front() || v > edges.back())
            continue;
        auto it = std::upper_bound(edges.begin(), edges.end(), v);
        std::size_t k = static_cast<std::size_t>(it - edges.begin()) - 1;
        if (k >= counts.size()) // the last edge belongs to the last bin (numpy)
            k = counts.size() - 1;
        counts[k] += 1;
    }
    return counts;
}

std::vector<double> HistogramProblem::expected(std::span<const double> p) const {
    std::vector<double> mu(counts_.size());
    const double scale = density_ ? total_ : 1.0;
    if (antiderivative_) {
        double lo = antiderivative_(edges_[0], p);
        for (std::size_t k = 0; k < counts_.size(); ++k) {
            const double hi = antiderivative_(edges_[k + 1], p);
            mu[k] = scale * (hi - lo);
            lo = hi;
        }
        return mu;
    }
    for (std::size_t k = 0; k < counts_.size(); ++k) {
        const double a = edges_[k], b = edges_[k + 1];
        mu[k] = scale * (evaluation_ == Evaluation::simpson
                             ? (b - a) / 6 * (model_(a, p) + 4 * model_((a + b) / 2, p) + model_(b, p))
                             : integrate([&](double x) { return model_(x, p); }, a, b));
    }
    return mu;
}

std::string HistogramProblem::diagnose(std::span<const double> p) const {
    const std::vector<double> mu = expected(p);
    std::vector<double> centres;
    for (std::size_t k = 0; k + 1 < edges_.size(); ++k)
        centres.push_back(0.5 * (edges_[k] + edges_[k + 1]));
    if (std::string s = not_finite_at(centres, mu, "bin centre"); !s.empty())
        return s;
    return where_not(centres, mu, "bin centre", "negative (expected entries)",
                     [](double v) { return v < 0; });
}

double HistogramProblem::cost(std::span<const double> p) const {
    const auto mu = expected(p);
    double c = 0;
    for (std::size_t k = 0; k < mu.size(); ++k) {
        const double n = counts_[k], m = mu[k];
        if (!std::isfinite(m))
            return inf;
        switch (cost_) {
        case Cost::poisson:
            if (m <= 0) {
                if (n > 0)
                    return inf;
                continue;
            }
            c += -2 * (n * std::log(m) - m);
            break;
        case Cost::gauss_model:
            if (m <= 0)
                return inf;
            c += (n - m) * (n - m) / m + std::log(m);
            break;
        case Cost::gauss_data:
            c += (n - m) * (n - m) / std::max(n, 1.0);
            break;
        }
    }
    return cost_ == Cost::poisson ? c + 2 * log_factorials_ : c;
}

bool HistogramProblem::newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                              Eigen::MatrixXd& A) const {
    if (cost_ != Cost::poisson)
        return false;
    auto values = [&](std::span<const double> q) {
        const auto mu = expected(q);
        return Eigen::VectorXd(as_vector(mu));
    };
    const Eigen::VectorXd mu = values(p);
    if (!mu.allFinite() || (mu.array() <= 0).any())
        return false;
    const Eigen::MatrixXd J = forward_jacobian(values, p, mu);
    const Eigen::VectorXd n = as_vector(counts_);
    cost = -2 * (n.array() * mu.array().log() - mu.array()).sum() + 2 * log_factorials_;
    g = -2.0 * J.transpose() * (n.array() / mu.array() - 1.0).matrix();
    A = 2.0 * J.transpose() * mu.array().inverse().matrix().asDiagonal() * J; // expected Fisher information
    return g.allFinite() && A.allFinite();
}

void HistogramProblem::set_entries_outside(double n) {
    if (!(n >= 0) || !std::isfinite(n))
        throw std::invalid_argument(fmt::format("{} entries outside the bins: must be >= 0 and finite", n));
    total_ += n - outside_;
    outside_ = n;
}

std::unique_ptr<Problem> HistogramProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    const auto mu = expected(truth);
    std::vector<double> counts(mu.size());
    for (std::size_t k = 0; k < mu.size(); ++k)
        counts[k] = static_cast<double>(std::poisson_distribution<long long>(std::max(mu[k], 1e-300))(rng));
    auto t = std::make_unique<HistogramProblem>(edges_, counts, model_, density_, cost_);
    t->evaluation_ = evaluation_;
    t->set_entries_outside(outside_);
    return t;
}

std::optional<double> HistogramProblem::goodness(std::span<const double> p) const {
    // Poisson: the deviance 2 Σ (μ − n + n ln(n/μ)) (likelihood ratio to the saturated model);
    // Gaussian: the χ² of the cost without its log term.
    const auto mu = expected(p);
    double g = 0;
    for (std::size_t k = 0; k < mu.size(); ++k) {
        const double n = counts_[k], m = mu[k];
        if (cost_ == Cost::poisson)
            g += 2 * (m - n + (n > 0 ? n * std::log(n / m) : 0.0));
        else
            g += (n - m) * (n - m) / (cost_ == Cost::gauss_model ? m : std::max(n, 1.0));
    }
    return g;
}

} // namespace hepkit::fit
