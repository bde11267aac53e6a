#include "hepkit/fit/XYProblem.hpp"

#include "Internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

using detail::as_vector;
using detail::check_values;
using detail::data_outlier;
using detail::inf;
using detail::largest_residual;
using detail::not_finite_at;

XYProblem::XYProblem(std::vector<double> x, std::vector<double> y, XModel model,
                     std::vector<ErrorSource> errors)
    : x_(std::move(x)), y_(std::move(y)), model_(std::move(model)), errors_(std::move(errors)) {
    check_values(x_, "x_data");
    check_values(y_, "y_data");
    if (x_.size() != y_.size())
        throw std::invalid_argument(
            fmt::format("x_data has {} values but y_data has {}", x_.size(), y_.size()));
    const auto n = static_cast<Eigen::Index>(y_.size());
    vy_const_ = Eigen::MatrixXd::Zero(n, n);
    vx_ = Eigen::MatrixXd::Zero(n, n);
    bool any_y = false;
    for (const auto& e : errors_) {
        e.check(y_.size());
        if (e.axis == ErrorSource::Axis::x) {
            vx_ += e.covariance(as_vector(x_));
            has_x_ = true;
        } else if (e.depends_on_model()) {
            model_dependent_ = true;
            any_y = true;
        } else {
            vy_const_ += e.covariance(as_vector(y_));
            any_y = true;
        }
    }
    if (!any_y && !has_x_)
        throw std::invalid_argument("no uncertainties given: an xy fit needs y_errors (or x_errors)");
    if (!parameter_dependent()) {
        fixed_llt_.compute(vy_const_);
        if (fixed_llt_.info() != Eigen::Success)
            throw std::invalid_argument("the y covariance matrix is singular (not positive definite)");
    }
}

Eigen::MatrixXd XYProblem::projected(std::span<const double> p, const Eigen::VectorXd& f) const {
    Eigen::MatrixXd V = vy_const_;
    for (const auto& e : errors_)
        if (e.axis == ErrorSource::Axis::y && e.depends_on_model())
            V += e.covariance(f);
    if (has_x_) {
        // V += (f' f'ᵀ) ∘ V_x with the model's slope at the data x (central differences)
        Eigen::VectorXd d(f.size());
        for (Eigen::Index i = 0; i < f.size(); ++i) {
            const double xi = x_[static_cast<std::size_t>(i)];
            const double h = 1e-6 * std::max(1.0, std::fabs(xi));
            d[i] = (model_(xi + h, p) - model_(xi - h, p)) / (2 * h);
        }
        V += d.asDiagonal() * vx_ * d.asDiagonal();
    }
    return V;
}

double XYProblem::evaluate(std::span<const double> p, double* chi2_only) const {
    const Eigen::VectorXd f = model_values(p);
    const Eigen::VectorXd r = as_vector(y_) - f;
    if (!r.allFinite())
        return inf;
    if (!parameter_dependent()) {
        const double chi2 = fixed_llt_.matrixL().solve(r).squaredNorm();
        if (chi2_only)
            *chi2_only = chi2;
        return chi2;
    }
    const Eigen::MatrixXd V = projected(p, f);
    // Uncorrelated errors (the common case of x errors): V is diagonal and χ² + log det V is a
    // sum, O(n) instead of the O(n³) Cholesky decomposition — which dominated the profile of
    // the 80-point pendulum fit (LLT and its blocked products: a third of the time).
    if ((V.array() != 0).count() == V.rows()) {
        const Eigen::ArrayXd v = V.diagonal().array();
        if (!(v > 0).all())
            return inf;
        const double chi2 = (r.array().square() / v).sum();
        if (chi2_only)
            *chi2_only = chi2;
        return chi2 + v.log().sum();
    }
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        return inf;
    const double chi2 = llt.matrixL().solve(r).squaredNorm();
    if (chi2_only)
        *chi2_only = chi2;
    const double logdet = 2 * llt.matrixLLT().diagonal().array().log().sum();
    return chi2 + logdet;
}

double XYProblem::cost(std::span<const double> p) const {
    return evaluate(p, nullptr);
}

std::optional<double> XYProblem::goodness(std::span<const double> p) const {
    double chi2 = inf;
    evaluate(p, &chi2);
    return chi2;
}

Eigen::VectorXd XYProblem::model_values(std::span<const double> p) const {
    Eigen::VectorXd f(static_cast<Eigen::Index>(x_.size()));
    for (std::size_t i = 0; i < x_.size(); ++i)
        f[static_cast<Eigen::Index>(i)] = model_(x_[i], p);
    return f;
}

Eigen::VectorXd XYProblem::residuals(std::span<const double> p) const {
    return as_vector(y_) - model_values(p);
}

Eigen::MatrixXd XYProblem::covariance(std::span<const double> p) const {
    return projected(p, model_values(p));
}

std::vector<double> XYProblem::total_errors(std::span<const double> p) const {
    const Eigen::MatrixXd V = covariance(p);
    std::vector<double> out;
    for (Eigen::Index i = 0; i < V.rows(); ++i)
        out.push_back(std::sqrt(V(i, i)));
    return out;
}

std::string XYProblem::diagnose(std::span<const double> p) const {
    std::vector<double> f;
    for (double x : x_)
        f.push_back(model_(x, p));
    if (std::string s = not_finite_at(x_, f, "x"); !s.empty())
        return s;
    std::string s = data_outlier(x_, "x", "y_data", y_);
    const std::string r = largest_residual(x_, "x", y_, f, total_errors(p));
    return s.empty() ? r : r.empty() ? s : s + "; " + r;
}

std::vector<double> XYProblem::x_errors() const {
    std::vector<double> out;
    for (Eigen::Index i = 0; i < vx_.rows(); ++i)
        out.push_back(std::sqrt(std::max(0.0, vx_(i, i))));
    return out;
}

std::vector<double> XYProblem::y_errors(std::span<const double> p) const {
    Eigen::VectorXd v = vy_const_.diagonal();
    if (model_dependent_) {
        const Eigen::VectorXd f = model_values(p);
        for (const auto& e : errors_)
            if (e.axis == ErrorSource::Axis::y && e.depends_on_model())
                v += e.covariance(f).diagonal();
    }
    std::vector<double> out;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        out.push_back(std::sqrt(std::max(0.0, v[i])));
    return out;
}

std::vector<double> XYProblem::error_band(const std::vector<double>& xs, const FitResult& r) const {
    const auto n = static_cast<Eigen::Index>(r.values.size());
    std::vector<double> out;
    std::vector<double> p = r.values;
    for (double x : xs) {
        Eigen::VectorXd g = Eigen::VectorXd::Zero(n);
        for (Eigen::Index k = 0; k < n; ++k) {
            if (r.errors[static_cast<std::size_t>(k)] <= 0)
                continue;
            const double h = 1e-3 * r.errors[static_cast<std::size_t>(k)];
            const double v = p[static_cast<std::size_t>(k)];
            p[static_cast<std::size_t>(k)] = v + h;
            const double fp = model_(x, p);
            p[static_cast<std::size_t>(k)] = v - h;
            const double fm = model_(x, p);
            p[static_cast<std::size_t>(k)] = v;
            g[k] = (fp - fm) / (2 * h);
        }
        out.push_back(std::sqrt(std::max(0.0, g.dot(r.covariance * g))));
    }
    return out;
}

bool XYProblem::gradient(std::span<const double> p, std::span<double> g) const {
    if (!model_gradient_ || parameter_dependent())
        return false;
    const auto n = static_cast<Eigen::Index>(y_.size());
    const Eigen::VectorXd r = residuals(p);
    const Eigen::VectorXd w = fixed_llt_.solve(r); // V⁻¹ r by two triangular solves
    std::fill(g.begin(), g.end(), 0.0);
    std::vector<double> d(p.size());
    for (Eigen::Index i = 0; i < n; ++i) {
        model_gradient_(x_[static_cast<std::size_t>(i)], p, d);
        for (std::size_t k = 0; k < p.size(); ++k)
            g[k] -= 2 * w[i] * d[k];
    }
    return true;
}

namespace {
// Jacobian of a vector function by central differences: column k = ∂v/∂p_k.
template <typename F>
Eigen::MatrixXd jacobian(F&& values, std::span<const double> p, Eigen::Index rows) {
    std::vector<double> q(p.begin(), p.end());
    Eigen::MatrixXd J(rows, static_cast<Eigen::Index>(p.size()));
    for (std::size_t k = 0; k < q.size(); ++k) {
        const double h = 1e-6 * std::max(1.0, std::fabs(p[k]));
        q[k] = p[k] + h;
        const Eigen::VectorXd up = values(q);
        q[k] = p[k] - h;
        const Eigen::VectorXd down = values(q);
        q[k] = p[k];
        J.col(static_cast<Eigen::Index>(k)) = (up - down) / (2 * h);
    }
    return J;
}

} // namespace

bool XYProblem::newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                       Eigen::MatrixXd& A) const {
    if (parameter_dependent())
        return false;
    const auto n = static_cast<Eigen::Index>(y_.size());
    const auto P = static_cast<Eigen::Index>(p.size());
    auto values = [this](std::span<const double> q) { return model_values(q); };
    Eigen::MatrixXd M(n, P + 1); // [r | J], whitened together by one triangular solve
    M.col(0) = as_vector(y_) - values(p);
    if (model_gradient_) {
        std::vector<double> d(p.size());
        for (Eigen::Index i = 0; i < n; ++i) {
            model_gradient_(x_[static_cast<std::size_t>(i)], p, d);
            for (Eigen::Index k = 0; k < P; ++k)
                M(i, k + 1) = d[static_cast<std::size_t>(k)];
        }
    } else {
        M.rightCols(P) = jacobian(values, p, n);
    }
    if (!M.allFinite())
        return false;
    fixed_llt_.matrixL().solveInPlace(M);
    const auto r = M.col(0);
    const auto J = M.rightCols(P);
    cost = r.squaredNorm();
    g = -2.0 * J.transpose() * r;
    A = 2.0 * J.transpose() * J;
    return true;
}

bool XYProblem::hessian(std::span<const double> p, Eigen::MatrixXd& H) const {
    // H = 2 J̃ᵀJ̃ − 2 Σ_i w_i ∇²f_i with w = V⁻¹ r: one whitening and model evaluations only.
    if (parameter_dependent())
        return false;
    const auto n = static_cast<Eigen::Index>(y_.size());
    const auto P = static_cast<Eigen::Index>(p.size());
    auto values = [this](std::span<const double> q) { return model_values(q); };
    const Eigen::VectorXd f0 = values(p);
    const Eigen::VectorXd w = fixed_llt_.solve(as_vector(y_) - f0);
    const Eigen::MatrixXd Jt = fixed_llt_.matrixL().solve(jacobian(values, p, n));
    H = 2.0 * Jt.transpose() * Jt;
    std::vector<double> q(p.begin(), p.end());
    std::vector<double> h(p.size());
    for (std::size_t k = 0; k < q.size(); ++k)
        h[k] = 1e-4 * std::max(1.0, std::fabs(p[k]));
    for (Eigen::Index a = 0; a < P; ++a)
        for (Eigen::Index b = 0; b <= a; ++b) {
            const auto ia = static_cast<std::size_t>(a), ib = static_cast<std::size_t>(b);
            Eigen::VectorXd d2;
            if (a == b) {
                q[ia] = p[ia] + h[ia];
                const Eigen::VectorXd up = values(q);
                q[ia] = p[ia] - h[ia];
                const Eigen::VectorXd down = values(q);
                q[ia] = p[ia];
                d2 = (up - 2 * f0 + down) / (h[ia] * h[ia]);
            } else {
                Eigen::VectorXd s = Eigen::VectorXd::Zero(n);
                for (int sa : {1, -1})
                    for (int sb : {1, -1}) {
                        q[ia] = p[ia] + sa * h[ia];
                        q[ib] = p[ib] + sb * h[ib];
                        s += sa * sb * values(q);
                    }
                q[ia] = p[ia];
                q[ib] = p[ib];
                d2 = s / (4 * h[ia] * h[ib]);
            }
            const double term = -2.0 * w.dot(d2);
            H(a, b) += term;
            if (a != b)
                H(b, a) += term;
        }
    return H.allFinite();
}

std::unique_ptr<Problem> XYProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    const Eigen::MatrixXd V = covariance(truth);
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        throw std::invalid_argument("toys: the covariance at the true parameters is not positive definite");
    std::normal_distribution<double> gauss;
    Eigen::VectorXd z(V.rows());
    for (Eigen::Index i = 0; i < z.size(); ++i)
        z[i] = gauss(rng);
    const Eigen::VectorXd noise = llt.matrixL() * z;
    std::vector<double> y(y_.size());
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = model_(x_[i], truth) + noise[static_cast<Eigen::Index>(i)];
    // relative-to-data errors keep their size: they become absolute at the original data
    std::vector<ErrorSource> errors = errors_;
    for (auto& e : errors)
        if (e.axis == ErrorSource::Axis::y && e.relative && e.reference == ErrorSource::Reference::data) {
            e.matrix = e.covariance(as_vector(y_));
            e.matrix_is_correlation = false;
            e.relative = false;
            e.sigma.clear();
        }
    auto t = std::make_unique<XYProblem>(x_, y, model_, errors);
    t->model_gradient_ = model_gradient_;
    return t;
}

} // namespace hepkit::fit
