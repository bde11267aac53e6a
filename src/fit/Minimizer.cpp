#include "hepkit/fit/Minimizer.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>

namespace hepkit::fit {
namespace {} // namespace

double LimitTransform::to_external(double u) const {
    if (lo && hi)
        return *lo + (*hi - *lo) * (std::sin(u) + 1) / 2;
    if (lo)
        return *lo - 1 + std::sqrt(u * u + 1);
    if (hi)
        return *hi + 1 - std::sqrt(u * u + 1);
    return u;
}

double LimitTransform::to_internal(double x) const {
    if (lo && hi)
        return std::asin(std::clamp(2 * (x - *lo) / (*hi - *lo) - 1, -1.0, 1.0));
    if (lo) {
        const double t = std::max(x - *lo + 1, 1.0);
        return std::sqrt(t * t - 1);
    }
    if (hi) {
        const double t = std::max(*hi - x + 1, 1.0);
        return std::sqrt(t * t - 1);
    }
    return x;
}

double LimitTransform::derivative(double u) const {
    if (lo && hi)
        return (*hi - *lo) / 2 * std::cos(u);
    if (lo)
        return u / std::sqrt(u * u + 1);
    if (hi)
        return -u / std::sqrt(u * u + 1);
    return 1.0;
}

long long default_max_calls(std::size_t n) {
    const auto k = static_cast<long long>(n);
    return 10 * (200 + 100 * k + 5 * k * k);
}

MinimizerResult minimize(const CostFunction& cost, const std::vector<ParameterSpec>& params,
                         const MinimizerOptions& opt, const GradientFunction* analytic) {
    MinimizerResult res;
    std::vector<std::size_t> free;
    std::vector<LimitTransform> tr;
    std::vector<double> x(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        x[i] = params[i].start;
        if (!params[i].fixed) {
            free.push_back(i);
            tr.push_back({params[i].lower, params[i].upper});
        }
    }
    const std::size_t n = free.size();
    const long long max_calls = opt.max_calls > 0 ? opt.max_calls : default_max_calls(n);
    double lowest = std::numeric_limits<double>::infinity();
    auto eval = [&](const Eigen::VectorXd& u) {
        for (std::size_t k = 0; k < n; ++k)
            x[free[k]] = tr[k].to_external(u[static_cast<Eigen::Index>(k)]);
        ++res.evaluations;
        const double c = cost(x);
        lowest = std::min(lowest, std::isfinite(c) ? c : lowest);
        if (opt.progress)
            opt.progress(res.evaluations, lowest);
        return std::isfinite(c) ? c : std::numeric_limits<double>::infinity();
    };
    auto over_budget = [&] { return res.evaluations >= max_calls; };
    Eigen::VectorXd u(static_cast<Eigen::Index>(n));
    for (std::size_t k = 0; k < n; ++k)
        u[static_cast<Eigen::Index>(k)] = tr[k].to_internal(x[free[k]]);
    if (n == 0) {
        res.values = x;
        res.cost = cost(x);
        res.converged = std::isfinite(res.cost);
        res.evaluations = 1;
        return res;
    }
    double f = eval(u);
    if (!std::isfinite(f)) {
        res.values = x;
        res.cost = f;
        res.message = "the cost is not finite at the start values";
        return res;
    }
    // steps: relative to the value, never below an absolute floor
    auto step = [&](Eigen::Index k) { return 1e-5 * std::max(1.0, std::fabs(u[k])) + 1e-9; };
    std::vector<double> gx(params.size());
    auto gradient = [&](const Eigen::VectorXd& at) {
        Eigen::VectorXd g(at.size());
        if (analytic) { // chain rule through the limit transformations
            for (std::size_t k = 0; k < n; ++k)
                x[free[k]] = tr[k].to_external(at[static_cast<Eigen::Index>(k)]);
            ++res.evaluations;
            (*analytic)(x, gx);
            for (std::size_t k = 0; k < n; ++k)
                g[static_cast<Eigen::Index>(k)] =
                    gx[free[k]] * tr[k].derivative(at[static_cast<Eigen::Index>(k)]);
            return g;
        }
        Eigen::VectorXd v = at;
        for (Eigen::Index k = 0; k < at.size(); ++k) {
            const double h = 1e-5 * std::max(1.0, std::fabs(at[k])) * 0.1 + 1e-9;
            v[k] = at[k] + h;
            const double fp = eval(v);
            v[k] = at[k] - h;
            const double fm = eval(v);
            v[k] = at[k];
            g[k] = (fp - fm) / (2 * h);
        }
        return g;
    };
    (void)step;
    // Initial inverse Hessian from the diagonal curvature (as MIGRAD seeds it); where the cost
    // is not convex along a parameter, a step of 10% of its value (at least 0.001) instead of a
    // Newton step, which there points the wrong way or far off.
    Eigen::MatrixXd B = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    Eigen::VectorXd g = gradient(u);
    {
        Eigen::VectorXd v = u;
        for (Eigen::Index k = 0; k < u.size(); ++k) {
            const double h = 1e-3 * std::max(1.0, std::fabs(u[k]));
            v[k] = u[k] + h;
            const double fp = eval(v);
            v[k] = u[k] - h;
            const double fm = eval(v);
            v[k] = u[k];
            const double d2 = (fp - 2 * f + fm) / (h * h);
            B(k, k) = d2 > 1e-12 && std::isfinite(d2)
                          ? 1.0 / d2
                          : 0.1 * std::max(std::fabs(u[k]), 0.01) / std::max(std::fabs(g[k]), 1e-300);
        }
    }
    int restarts = 0;
    for (int it = 0; it < opt.max_iterations; ++it) {
        res.edm = 0.5 * g.dot(B * g);
        if (res.edm < opt.tolerance && std::isfinite(res.edm)) {
            res.converged = true;
            break;
        }
        if (over_budget()) {
            res.message = fmt::format("stopped after {} cost evaluations, the bound (EDM {:.3g})",
                                      res.evaluations, res.edm);
            res.calls_exhausted = true;
            break;
        }
        Eigen::VectorXd d = -B * g;
        double slope = g.dot(d);
        if (!(slope < 0)) { // not a descent direction: restart from the diagonal
            B = Eigen::MatrixXd::Identity(B.rows(), B.cols());
            d = -g;
            slope = g.dot(d);
            if (++restarts > 20) {
                res.message = "no descent direction";
                break;
            }
        }
        // backtracking line search with quadratic interpolation (Armijo condition), from a step
        // that moves no parameter by more than 10 x max(|value|, its current error estimate)
        double alpha = 1.0, fnew = 0;
        for (Eigen::Index k = 0; k < d.size(); ++k) {
            const double scale = 10 * std::max(std::fabs(u[k]), std::sqrt(std::fabs(2 * B(k, k))) + 1e-12);
            if (std::fabs(d[k]) * alpha > scale)
                alpha = scale / std::fabs(d[k]);
        }
        Eigen::VectorXd unew;
        bool ok = false;
        for (int ls = 0; ls < 40; ++ls) {
            unew = u + alpha * d;
            fnew = eval(unew);
            if (std::isfinite(fnew) && fnew <= f + 1e-4 * alpha * slope) {
                ok = true;
                break;
            }
            const double a2 =
                std::isfinite(fnew) ? -slope * alpha * alpha / (2 * (fnew - f - slope * alpha)) : alpha / 10;
            alpha = std::clamp(a2, alpha / 10, alpha / 2);
        }
        if (!ok) {
            if (++restarts > 20) {
                res.message = "the line search failed to lower the cost";
                break;
            }
            B = Eigen::MatrixXd::Identity(B.rows(), B.cols()) *
                std::max(1e-12, B.diagonal().cwiseAbs().mean());
            g = gradient(u);
            continue;
        }
        const Eigen::VectorXd s = unew - u;
        const Eigen::VectorXd gnew = gradient(unew);
        const Eigen::VectorXd y = gnew - g;
        const double sy = s.dot(y);
        if (sy > 1e-14 * s.norm() * y.norm()) { // BFGS update of the inverse Hessian
            const double rho = 1.0 / sy;
            const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(B.rows(), B.cols());
            B = (I - rho * s * y.transpose()) * B * (I - rho * y * s.transpose()) + rho * s * s.transpose();
        }
        u = unew;
        f = fnew;
        g = gnew;
        if (it + 1 == opt.max_iterations)
            res.message = fmt::format("stopped after {} iterations, the bound (EDM {:.3g})", it + 1, res.edm);
    }
    eval(u);
    res.values = x;
    res.cost = f;
    if (!res.converged && res.message.empty())
        res.message = "did not converge";
    return res;
}

std::vector<double> hessian(const CostFunction& cost, const std::vector<double>& x0,
                            const std::vector<std::size_t>& free, int* evaluations,
                            const std::vector<double>* curvature) {
    const std::size_t n = free.size();
    std::vector<double> x = x0;
    int evals = 0;
    auto f = [&](const std::vector<double>& v) {
        ++evals;
        return cost(v);
    };
    const double f0 = f(x);
    // Step per parameter: first a generic one, then 0.05 sigma of the curvature it shows, so that
    // the truncation error stays far below 0.1% of the errors.
    std::vector<double> h(n);
    for (std::size_t k = 0; k < n; ++k) {
        double hk = 1e-4 * std::max(std::fabs(x[free[k]]), 1e-2);
        if (curvature && (*curvature)[free[k]] > 0) {
            h[k] = 0.05 * std::sqrt(2.0 / (*curvature)[free[k]]);
            continue;
        }
        for (int pass = 0; pass < 3; ++pass) {
            x[free[k]] = x0[free[k]] + hk;
            const double fp = f(x);
            x[free[k]] = x0[free[k]] - hk;
            const double fm = f(x);
            x[free[k]] = x0[free[k]];
            const double d2 = (fp - 2 * f0 + fm) / (hk * hk);
            if (!(d2 > 0) || !std::isfinite(d2))
                break;
            const double sigma = std::sqrt(2.0 / d2);
            const double want = 0.05 * sigma;
            if (std::fabs(want / hk - 1) < 0.5)
                break;
            hk = want;
        }
        h[k] = hk;
    }
    std::vector<double> H(n * n);
    for (std::size_t a = 0; a < n; ++a) {
        x[free[a]] = x0[free[a]] + h[a];
        const double fp = f(x);
        x[free[a]] = x0[free[a]] - h[a];
        const double fm = f(x);
        x[free[a]] = x0[free[a]];
        H[a * n + a] = (fp - 2 * f0 + fm) / (h[a] * h[a]);
        for (std::size_t b = 0; b < a; ++b) {
            double s = 0;
            for (int sa : {1, -1})
                for (int sb : {1, -1}) {
                    x[free[a]] = x0[free[a]] + sa * h[a];
                    x[free[b]] = x0[free[b]] + sb * h[b];
                    s += sa * sb * f(x);
                }
            x[free[a]] = x0[free[a]];
            x[free[b]] = x0[free[b]];
            H[a * n + b] = H[b * n + a] = s / (4 * h[a] * h[b]);
        }
    }
    if (evaluations)
        *evaluations += evals;
    return H;
}

} // namespace hepkit::fit
