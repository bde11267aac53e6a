#include "hepkit/fit/Problems.hpp"

#include "Internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

void detail::check_values(const std::vector<double>& v, const char* what) {
    if (v.empty())
        throw std::invalid_argument(fmt::format("{} is empty", what));
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw std::invalid_argument(fmt::format("{}[{}] = {} is not a finite number", what, i, v[i]));
}

namespace {
using detail::check_values;
using detail::forward_jacobian;
using detail::inf;

Eigen::VectorXd as_vector(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// "the model is not finite at x = 1 (nan), 2 (inf) (2 of 3 data points)": up to five places
// where `bad` holds, or empty if none. `what` names the place (x, index, bin centre, event).
template <typename Bad>
std::string where_not(const std::vector<double>& at, const std::vector<double>& f, const char* what,
                      const char* verb, Bad bad) {
    std::string list;
    std::size_t count = 0;
    for (std::size_t i = 0; i < at.size() && i < f.size(); ++i)
        if (bad(f[i]) && ++count <= 5)
            list += fmt::format("{}{:.6g} ({:.6g})", count > 1 ? ", " : "", at[i], f[i]);
    if (count == 0)
        return {};
    return fmt::format("the model is {} at {} = {}{} ({} of {})", verb, what, list, count > 5 ? ", ..." : "",
                       count, at.size());
}

std::string not_finite_at(const std::vector<double>& at, const std::vector<double>& f, const char* what) {
    return where_not(at, f, what, "not finite", [](double v) { return !std::isfinite(v); });
}

// A data value far outside the others, whatever the model: more than 10⁴ median absolute
// deviations from the median (a typo, a unit error, a sentinel value such as 1e15).
std::string data_outlier(const std::vector<double>& at, const char* what, const char* key,
                         const std::vector<double>& y) {
    if (y.size() < 3)
        return {};
    auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    const double m = median(y);
    std::vector<double> dev;
    for (double v : y)
        dev.push_back(std::fabs(v - m));
    const double mad = median(dev);
    if (!(mad > 0))
        return {};
    const auto worst = static_cast<std::size_t>(std::max_element(dev.begin(), dev.end()) - dev.begin());
    if (dev[worst] < 1e4 * mad)
        return {};
    return fmt::format("{} point {} ({} = {:.6g}) is {:.6g}, {:.3g} median absolute deviations from the "
                       "median of the data ({:.6g}): an outlier?",
                       key, worst + 1, what, at[worst], y[worst], dev[worst] / mad, m);
}

// The data point farthest from the model in units of its uncertainty.
std::string largest_residual(const std::vector<double>& at, const char* what, const std::vector<double>& y,
                             const std::vector<double>& f, const std::vector<double>& sigma) {
    std::size_t worst = 0;
    double pull = -1;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double z = std::fabs(y[i] - f[i]) / sigma[i];
        if (std::isfinite(z) && z > pull) {
            pull = z;
            worst = i;
        }
    }
    if (pull < 0)
        return {};
    return fmt::format("where it stopped, the largest residual is point {} ({} = {:.6g}, data {:.6g}, model "
                       "{:.6g}): {:.3g} σ",
                       worst + 1, what, at[worst], y[worst], f[worst], pull);
}

} // namespace

// --- xy ------------------------------------------------------------------------------------------

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

// --- indexed -------------------------------------------------------------------------------------

IndexedProblem::IndexedProblem(std::vector<double> data, VectorModel model, std::vector<ErrorSource> errors)
    : data_(std::move(data)), model_(std::move(model)), errors_(std::move(errors)) {
    check_values(data_, "data");
    const auto n = static_cast<Eigen::Index>(data_.size());
    v_const_ = Eigen::MatrixXd::Zero(n, n);
    if (errors_.empty())
        throw std::invalid_argument("no uncertainties given: an indexed fit needs errors");
    for (const auto& e : errors_) {
        if (e.axis == ErrorSource::Axis::x)
            throw std::invalid_argument("an indexed fit has no x: give its errors without axis x");
        e.check(data_.size());
        if (e.depends_on_model())
            model_dependent_ = true;
        else
            v_const_ += e.covariance(as_vector(data_));
    }
    if (!model_dependent_) {
        fixed_llt_.compute(v_const_);
        if (fixed_llt_.info() != Eigen::Success)
            throw std::invalid_argument("the covariance matrix is singular (not positive definite)");
    }
}

double IndexedProblem::evaluate(std::span<const double> p, bool chi2_only) const {
    const std::vector<double> m = model_(p);
    if (m.size() != data_.size())
        return inf;
    const Eigen::VectorXd r = as_vector(data_) - as_vector(m);
    if (!r.allFinite())
        return inf;
    if (!model_dependent_)
        return fixed_llt_.matrixL().solve(r).squaredNorm();
    Eigen::MatrixXd V = v_const_;
    for (const auto& e : errors_)
        if (e.depends_on_model())
            V += e.covariance(as_vector(m));
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        return inf;
    const double chi2 = llt.matrixL().solve(r).squaredNorm();
    return chi2_only ? chi2 : chi2 + 2 * llt.matrixLLT().diagonal().array().log().sum();
}

std::string IndexedProblem::diagnose(std::span<const double> p) const {
    const std::vector<double> m = model_(p);
    std::vector<double> index(data_.size());
    for (std::size_t i = 0; i < index.size(); ++i)
        index[i] = static_cast<double>(i);
    if (m.size() != data_.size())
        return fmt::format("the model gives {} values for {} data points", m.size(), data_.size());
    if (std::string s = not_finite_at(index, m, "index"); !s.empty())
        return s;
    Eigen::VectorXd v = v_const_.diagonal();
    for (const auto& e : errors_)
        if (e.depends_on_model())
            v += e.covariance(as_vector(m)).diagonal();
    std::vector<double> sigma;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        sigma.push_back(std::sqrt(v[i]));
    std::string s = data_outlier(index, "index", "data", data_);
    const std::string r = largest_residual(index, "index", data_, m, sigma);
    return s.empty() ? r : r.empty() ? s : s + "; " + r;
}

double IndexedProblem::cost(std::span<const double> p) const {
    return evaluate(p, false);
}
std::optional<double> IndexedProblem::goodness(std::span<const double> p) const {
    return evaluate(p, true);
}

std::unique_ptr<Problem> IndexedProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    const std::vector<double> m = model_(truth);
    Eigen::MatrixXd V = v_const_;
    for (const auto& e : errors_)
        if (e.depends_on_model())
            V += e.covariance(as_vector(m));
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    std::normal_distribution<double> gauss;
    Eigen::VectorXd z(V.rows());
    for (Eigen::Index i = 0; i < z.size(); ++i)
        z[i] = gauss(rng);
    const Eigen::VectorXd noise = llt.matrixL() * z;
    std::vector<double> d(m.size());
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = m[i] + noise[static_cast<Eigen::Index>(i)];
    std::vector<ErrorSource> errors = errors_;
    for (auto& e : errors)
        if (e.relative && e.reference == ErrorSource::Reference::data) {
            e.matrix = e.covariance(as_vector(data_));
            e.relative = false;
            e.sigma.clear();
        }
    return std::make_unique<IndexedProblem>(d, model_, errors);
}

// --- histogram -----------------------------------------------------------------------------------

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

// --- multi ---------------------------------------------------------------------------------------

MultiProblem::MultiProblem(std::vector<std::unique_ptr<Problem>> parts,
                           std::vector<std::vector<std::size_t>> maps, std::vector<ErrorSource> shared)
    : parts_(std::move(parts)), maps_(std::move(maps)), shared_(std::move(shared)) {
    if (parts_.empty() || parts_.size() != maps_.size())
        throw std::invalid_argument("a multi fit needs at least one fit and a parameter map per fit");
    if (!shared_.empty()) {
        std::size_t n = 0;
        for (const auto& part : parts_) {
            if (!dynamic_cast<const XYProblem*>(part.get()))
                throw std::invalid_argument("errors shared across fits need xy fits");
            n += part->data_size();
        }
        for (const auto& e : shared_) {
            if (e.axis != ErrorSource::Axis::y || e.depends_on_model())
                throw std::invalid_argument(
                    "errors shared across fits are y errors (absolute or relative to data)");
            e.check(n);
        }
    }
}

std::size_t MultiProblem::data_size() const {
    std::size_t n = 0;
    for (const auto& p : parts_)
        n += p->data_size();
    return n;
}

std::vector<double> MultiProblem::gather(std::size_t k, std::span<const double> p) const {
    std::vector<double> out;
    out.reserve(maps_[k].size());
    for (std::size_t i : maps_[k])
        out.push_back(p[i]);
    return out;
}

double MultiProblem::cost(std::span<const double> p) const {
    if (shared_.empty()) {
        double c = 0;
        for (std::size_t k = 0; k < parts_.size(); ++k)
            c += parts_[k]->cost(gather(k, p));
        return c;
    }
    return joint(p, false);
}

double MultiProblem::joint(std::span<const double> p, bool chi2_only) const {
    // Joint Gaussian: residuals of all parts, block covariance plus the shared sources.
    const auto n = static_cast<Eigen::Index>(data_size());
    Eigen::VectorXd r(n), y(n);
    Eigen::MatrixXd V = Eigen::MatrixXd::Zero(n, n);
    Eigen::Index at = 0;
    bool dependent = false;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        const auto* xy = static_cast<const XYProblem*>(parts_[k].get());
        const auto pk = gather(k, p);
        const auto m = static_cast<Eigen::Index>(xy->data_size());
        r.segment(at, m) = xy->residuals(pk);
        y.segment(at, m) = as_vector(xy->y());
        V.block(at, at, m, m) = xy->covariance(pk);
        dependent = dependent || xy->parameter_dependent();
        at += m;
    }
    for (const auto& e : shared_)
        V += e.covariance(y);
    if (!r.allFinite())
        return inf;
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        return inf;
    const double chi2 = llt.matrixL().solve(r).squaredNorm();
    return dependent && !chi2_only ? chi2 + 2 * llt.matrixLLT().diagonal().array().log().sum() : chi2;
}

std::optional<double> MultiProblem::goodness(std::span<const double> p) const {
    if (!shared_.empty()) // the errors shared across fits correlate their residuals
        return joint(p, true);
    double g = 0;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        const auto v = parts_[k]->goodness(gather(k, p));
        if (!v)
            return std::nullopt;
        g += *v;
    }
    return g;
}

} // namespace hepkit::fit
