#include "hepkit/fit/Fit.hpp"

#include "hepkit/fit/LevenbergMarquardt.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

namespace {
// Regularised lower incomplete gamma P(a, x) by its series, and Q(a, x) by Lentz's continued
// fraction (Numerical Recipes 3rd ed., §6.2).
double gamma_p_series(double a, double x) {
    double sum = 1.0 / a, del = sum, ap = a;
    for (int n = 0; n < 10000; ++n) {
        ap += 1;
        del *= x / ap;
        sum += del;
        if (std::fabs(del) < std::fabs(sum) * 1e-16)
            break;
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}
double gamma_q_fraction(double a, double x) {
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 10000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < 1e-16)
            break;
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}
} // namespace

double chi2_probability(double chi2, int ndf) {
    if (ndf <= 0 || !(chi2 >= 0))
        return std::numeric_limits<double>::quiet_NaN();
    const double a = ndf / 2.0, x = chi2 / 2.0;
    if (x == 0)
        return 1.0;
    return x < a + 1 ? 1.0 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

std::unique_ptr<Problem> Problem::toy(std::span<const double>, std::mt19937_64&) const {
    throw std::invalid_argument(fmt::format("pseudo-experiments are not available for {} fits", type()));
}

Fit Fit::with_problem(std::unique_ptr<Problem> problem) const {
    std::vector<Parameter> params;
    for (const auto& p : params_)
        params.push_back({p.name, p.start});
    Fit f(std::move(problem), params);
    f.params_ = params_;
    f.constraints_ = constraints_;
    f.constraint_terms_ = constraint_terms_;
    f.max_calls_ = max_calls_;
    f.set_thread_pool(pool_);
    return f;
}

void Fit::cost_gradient(std::span<const double> p, std::span<double> g) const {
    if (problem_->gradient(p, g)) {
        for (const auto& k : constraints_) {
            Eigen::VectorXd r(k.value.size());
            for (Eigen::Index i = 0; i < r.size(); ++i)
                r[i] = p[k.index[static_cast<std::size_t>(i)]] - k.value[i];
            const Eigen::VectorXd d = 2.0 * (k.inverse * r);
            for (Eigen::Index i = 0; i < r.size(); ++i)
                g[k.index[static_cast<std::size_t>(i)]] += d[i];
        }
        return;
    }
    std::vector<double> x(p.begin(), p.end());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double h = 1e-6 * std::max(1.0, std::fabs(x[i]));
        x[i] = p[i] + h;
        const double fp = total_cost(x);
        x[i] = p[i] - h;
        const double fm = total_cost(x);
        x[i] = p[i];
        g[i] = (fp - fm) / (2 * h);
    }
}

Fit::Fit(std::unique_ptr<Problem> problem, std::vector<Parameter> parameters) : problem_(std::move(problem)) {
    if (parameters.empty())
        throw std::invalid_argument("the model has no parameter to fit");
    for (const auto& p : parameters) {
        if (!std::isfinite(p.start))
            throw std::invalid_argument(
                fmt::format("parameter '{}': start value {} is not finite", p.name, p.start));
        ParameterSpec s;
        s.name = p.name;
        s.start = p.start;
        params_.push_back(s);
    }
}

std::size_t Fit::index(const std::string& name) const {
    for (std::size_t i = 0; i < params_.size(); ++i)
        if (params_[i].name == name)
            return i;
    std::string names;
    for (const auto& p : params_)
        names += (names.empty() ? "" : ", ") + p.name;
    throw std::invalid_argument(
        fmt::format("'{}' is not a parameter of the model (parameters: {})", name, names));
}

void Fit::fix(const std::string& name, std::optional<double> value) {
    auto& p = params_[index(name)];
    p.fixed = true;
    if (value)
        p.start = *value;
}

void Fit::limit(const std::string& name, std::optional<double> lower, std::optional<double> upper) {
    auto& p = params_[index(name)];
    if (lower && upper && !(*lower < *upper))
        throw std::invalid_argument(
            fmt::format("parameter '{}': limits [{}, {}] need lower < upper", name, *lower, *upper));
    p.lower = lower;
    p.upper = upper;
    if ((lower && p.start < *lower) || (upper && p.start > *upper))
        p.start = lower && upper ? (*lower + *upper) / 2 : (lower ? *lower + 1 : *upper - 1);
}

void Fit::set_start(const std::string& name, double value) {
    params_[index(name)].start = value;
}

void Fit::add_constraint(const std::string& name, double value, double sigma, bool relative) {
    const double s = relative ? sigma * std::fabs(value) : sigma;
    if (!(s > 0) || !std::isfinite(s))
        throw std::invalid_argument(fmt::format("constraint on '{}': uncertainty {} must be > 0", name, s));
    Constraint c;
    c.index = {index(name)};
    c.value = Eigen::VectorXd::Constant(1, value);
    c.inverse = Eigen::MatrixXd::Constant(1, 1, 1 / (s * s));
    constraints_.push_back(std::move(c));
    constraint_terms_ += 1;
}

void Fit::add_matrix_constraint(const std::vector<std::string>& names, const std::vector<double>& values,
                                const Eigen::MatrixXd& matrix, const std::vector<double>& sigmas) {
    const auto n = static_cast<Eigen::Index>(names.size());
    if (values.size() != names.size() || matrix.rows() != n || matrix.cols() != n ||
        (!sigmas.empty() && sigmas.size() != names.size()))
        throw std::invalid_argument(fmt::format(
            "matrix constraint: {} names, {} values, a {}x{} matrix{}: sizes must agree", names.size(),
            values.size(), matrix.rows(), matrix.cols(), sigmas.empty() ? "" : " and uncertainties"));
    Eigen::MatrixXd V = matrix;
    if (!sigmas.empty()) {
        const Eigen::Map<const Eigen::VectorXd> s(sigmas.data(), n);
        V = s.asDiagonal() * matrix * s.asDiagonal();
    }
    Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        throw std::invalid_argument("matrix constraint: the covariance matrix is not positive definite");
    Constraint c;
    for (const auto& name : names)
        c.index.push_back(index(name));
    c.value = Eigen::Map<const Eigen::VectorXd>(values.data(), n);
    c.inverse = llt.solve(Eigen::MatrixXd::Identity(n, n));
    constraints_.push_back(std::move(c));
    constraint_terms_ += names.size();
}

double Fit::total_cost(std::span<const double> p) const {
    double c = problem_->cost(p);
    for (const auto& k : constraints_) {
        Eigen::VectorXd r(k.value.size());
        for (Eigen::Index i = 0; i < r.size(); ++i)
            r[i] = p[k.index[static_cast<std::size_t>(i)]] - k.value[i];
        c += r.dot(k.inverse * r);
    }
    return c;
}

namespace {
// Whether every limited free parameter lies at least 3 errors (from the Hessian H over all
// parameters) inside its limits.
bool inside_limits(const std::vector<ParameterSpec>& params, const Eigen::MatrixXd& H,
                   const std::vector<std::size_t>& free, const std::vector<double>& values) {
    const auto k = static_cast<Eigen::Index>(free.size());
    Eigen::MatrixXd Hf(k, k);
    for (Eigen::Index a = 0; a < k; ++a)
        for (Eigen::Index b = 0; b < k; ++b)
            Hf(a, b) = H(static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)]),
                         static_cast<Eigen::Index>(free[static_cast<std::size_t>(b)]));
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(Hf);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive())
        return false;
    const Eigen::MatrixXd V = 2.0 * ldlt.solve(Eigen::MatrixXd::Identity(k, k));
    for (Eigen::Index a = 0; a < k; ++a) {
        const auto& spec = params[free[static_cast<std::size_t>(a)]];
        const double x = values[free[static_cast<std::size_t>(a)]], s = std::sqrt(V(a, a));
        if (!std::isfinite(s) || (spec.lower && x - 3 * s < *spec.lower) ||
            (spec.upper && x + 3 * s > *spec.upper))
            return false;
    }
    return true;
}
} // namespace

FitResult Fit::run(bool asymmetric) {
    FitResult r;
    r.type = problem_->type();
    const CostFunction cost = [this](std::span<const double> p) { return total_cost(p); };
    // One quasi-Newton run to EDM < 1e-9 (values within ~1e-4 sigma); a second start from its end
    // only if it stopped without converging (a restart with a fresh Hessian often finishes).
    const GradientFunction grad = [this](std::span<const double> p, std::span<double> g) {
        cost_gradient(p, g);
    };
    const long long budget = max_calls();
    long long used = 0; // evaluations of the earlier stages, for the progress callback
    MinimizerOptions options;
    options.tolerance = 1e-9;
    if (progress_)
        options.progress = [this, &used, budget](long long calls, double lowest) {
            progress_(used + calls, budget, lowest);
        };
    long long lm_calls = 0;
    std::optional<MinimizerResult> lm = levenberg_marquardt(budget, lm_calls);
    bool analytic = false;
    if (!lm) { // BFGS, with the problem's gradient where it has one
        std::vector<double> probe(params_.size()), gprobe(params_.size());
        for (std::size_t i = 0; i < params_.size(); ++i)
            probe[i] = params_[i].start;
        analytic = problem_->gradient(probe, gprobe);
    }
    // The Levenberg–Marquardt attempt counts against the bound too (levenberg_marquardt()
    // says what it spent in lm_calls).
    used = lm ? 0 : lm_calls;
    options.max_calls = std::max(1LL, budget - used);
    MinimizerResult m = lm ? *lm : minimize(cost, params_, options, analytic ? &grad : nullptr);
    m.evaluations += static_cast<int>(used);
    if (!m.converged && std::isfinite(m.cost) && !m.calls_exhausted && m.evaluations < budget) {
        auto again = params_;
        for (std::size_t i = 0; i < again.size(); ++i)
            again[i].start = m.values[i];
        used = m.evaluations;
        options.max_calls = budget - used;
        MinimizerResult m2 = minimize(cost, again, options, analytic ? &grad : nullptr);
        m2.evaluations += m.evaluations;
        m = m2;
    }
    if (m.calls_exhausted)
        m.message = fmt::format("stopped after {} cost evaluations, the bound ({}; hepkit fit --max-calls "
                                "raises it), without converging",
                                m.evaluations, budget);
    r.evaluations = m.evaluations;
    r.converged = m.converged;
    r.message = m.message;
    r.values = m.values;
    r.cost = m.cost;
    const std::size_t n = params_.size();
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < n; ++i) {
        r.names.push_back(params_[i].name);
        r.fixed.push_back(params_[i].fixed);
        if (!params_[i].fixed)
            free.push_back(i);
    }
    r.errors.assign(n, 0.0);
    r.error_low.assign(n, std::nullopt);
    r.error_high.assign(n, std::nullopt);
    r.covariance = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    r.correlation = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    if (!free.empty() && std::isfinite(r.cost)) {
        // As MINUIT's HESSE: the Hessian in the internal variables of limited parameters, then
        // V_ext = J V_int J with J = dx/du, so that errors agree with iminuit/kafe2.
        std::vector<LimitTransform> tr;
        std::vector<double> u0 = r.values;
        for (std::size_t i = 0; i < n; ++i) {
            tr.push_back({params_[i].lower, params_[i].upper});
            u0[i] = tr[i].to_internal(r.values[i]);
        }
        const CostFunction internal = [&](std::span<const double> u) {
            std::vector<double> x(u.begin(), u.end());
            for (std::size_t i = 0; i < x.size(); ++i)
                x[i] = tr[i].to_external(u[i]);
            return total_cost(x);
        };
        std::vector<double> H;
        Eigen::MatrixXd exact;
        bool limited = false;
        for (std::size_t i : free)
            limited = limited || params_[i].lower || params_[i].upper;
        // The problem's exact Hessian also serves limited parameters that lie ≥ 3σ inside their
        // limits: there the internal-variable Hessian, transformed back, is the same to O(g) (the
        // gradient vanishes at the minimum); nearer a limit MINUIT's internal route is kept.
        const bool has_exact = problem_->hessian(r.values, exact);
        if (has_exact && limited)
            limited = !inside_limits(params_, exact, free, r.values);
        const bool external = has_exact && !limited; // H in the parameters themselves
        if (external) {
            // exact Hessian from the problem, plus the constraints' 2 C⁻¹ blocks
            for (const auto& k : constraints_)
                for (std::size_t a = 0; a < k.index.size(); ++a)
                    for (std::size_t b = 0; b < k.index.size(); ++b)
                        exact(static_cast<Eigen::Index>(k.index[a]), static_cast<Eigen::Index>(k.index[b])) +=
                            2 * k.inverse(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
            for (std::size_t a : free)
                for (std::size_t b : free)
                    H.push_back(exact(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)));
            ++r.evaluations;
        } else {
            // steps from the minimiser's curvature where the parameter is not transformed
            std::vector<double> curv = m.curvature;
            for (std::size_t i = 0; i < curv.size(); ++i)
                if (params_[i].lower || params_[i].upper)
                    curv[i] = 0;
            H = hessian(internal, u0, free, &r.evaluations, curv.empty() ? nullptr : &curv);
        }
        const auto k = static_cast<Eigen::Index>(free.size());
        const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> Hm(
            H.data(), k, k);
        Eigen::LDLT<Eigen::MatrixXd> ldlt(Hm);
        Eigen::MatrixXd V;
        bool ok = ldlt.info() == Eigen::Success && ldlt.isPositive() && (ldlt.vectorD().array() > 0).all();
        if (ok) {
            V = 2.0 * ldlt.solve(Eigen::MatrixXd::Identity(k, k));
            Eigen::VectorXd J(k);
            for (Eigen::Index a = 0; a < k; ++a)
                J[a] = external ? 1.0
                                : tr[free[static_cast<std::size_t>(a)]].derivative(
                                      u0[free[static_cast<std::size_t>(a)]]);
            V = J.asDiagonal() * V * J.asDiagonal();
            ok = V.allFinite() && (V.diagonal().array() > 0).all();
        }
        if (!ok) {
            r.converged = false;
            r.message = r.message.empty()
                            ? "the Hessian at the minimum is not positive definite (no error estimate)"
                            : r.message;
        } else {
            for (Eigen::Index a = 0; a < k; ++a)
                for (Eigen::Index b = 0; b < k; ++b)
                    r.covariance(static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)]),
                                 static_cast<Eigen::Index>(free[static_cast<std::size_t>(b)])) = V(a, b);
            for (std::size_t i : free)
                r.errors[i] =
                    std::sqrt(r.covariance(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)));
            for (std::size_t i : free)
                for (std::size_t j : free)
                    r.correlation(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                        r.covariance(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) /
                        (r.errors[i] * r.errors[j]);
        }
    }
    r.ndf = static_cast<int>(problem_->data_size()) + static_cast<int>(constraint_terms_) -
            static_cast<int>(free.size());
    r.chi2 = problem_->goodness(r.values);
    if (r.chi2 && std::isfinite(*r.chi2) && r.ndf > 0)
        r.chi2_probability = chi2_probability(*r.chi2, r.ndf);
    if (asymmetric && r.converged)
        for (std::size_t i : free) {
            r.error_low[i] = minos(r, i, -1);
            r.error_high[i] = minos(r, i, +1);
        }
    if (!r.converged) { // say why, as far as the problem can tell, and where it stopped
        if (const std::string why = problem_->diagnose(r.values); !why.empty())
            r.message += "; " + why;
        std::string at;
        for (std::size_t i = 0; i < n; ++i)
            at += fmt::format("{}{} = {:.6g}", i ? ", " : "", r.names[i], r.values[i]);
        r.message += fmt::format("; stopped at {} (cost {:.4g})", at, r.cost);
    }
    return r;
}

void Fit::set_thread_pool(ThreadPool* pool) {
    pool_ = pool;
    problem_->set_thread_pool(pool);
}

std::optional<MinimizerResult> Fit::levenberg_marquardt(long long max_calls, long long& spent) const {
    // the problem's structure plus the constraints' (exact: they are quadratic)
    const NewtonFunction newton = [this](std::span<const double> at, double& cost, Eigen::VectorXd& gp,
                                         Eigen::MatrixXd& Ap) {
        if (!problem_->newton(at, cost, gp, Ap) || !std::isfinite(cost))
            return false;
        for (const auto& k : constraints_) {
            Eigen::VectorXd r(k.value.size());
            for (Eigen::Index i = 0; i < r.size(); ++i)
                r[i] = at[k.index[static_cast<std::size_t>(i)]] - k.value[i];
            const Eigen::VectorXd d = k.inverse * r;
            cost += r.dot(d);
            for (Eigen::Index a = 0; a < r.size(); ++a) {
                gp[static_cast<Eigen::Index>(k.index[static_cast<std::size_t>(a)])] += 2 * d[a];
                for (Eigen::Index b = 0; b < r.size(); ++b)
                    Ap(static_cast<Eigen::Index>(k.index[static_cast<std::size_t>(a)]),
                       static_cast<Eigen::Index>(k.index[static_cast<std::size_t>(b)])) +=
                        2 * k.inverse(a, b);
            }
        }
        return true;
    };
    const CostFunction cost = [this](std::span<const double> p) { return total_cost(p); };
    LevenbergMarquardtOptions options;
    options.max_calls = max_calls;
    options.cheap_newton = problem_->cheap_newton();
    options.progress = progress_;
    return fit::levenberg_marquardt(newton, cost, params_, options, spent);
}

long long Fit::max_calls() const {
    std::size_t free = 0;
    for (const auto& p : params_)
        free += p.fixed ? 0 : 1;
    return max_calls_ > 0 ? max_calls_ : default_max_calls(free);
}

} // namespace hepkit::fit
