#include "hepkit/fit/Fit.hpp"

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
    std::optional<MinimizerResult> lm = levenberg_marquardt(budget);
    bool analytic = false;
    if (!lm) { // BFGS, with the problem's gradient where it has one
        std::vector<double> probe(params_.size()), gprobe(params_.size());
        for (std::size_t i = 0; i < params_.size(); ++i)
            probe[i] = params_[i].start;
        analytic = problem_->gradient(probe, gprobe);
    }
    // The Levenberg–Marquardt attempt counts against the bound too (levenberg_marquardt()
    // counts what it spent in last_lm_calls_).
    used = lm ? 0 : last_lm_calls_;
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

long long Fit::max_calls() const {
    std::size_t free = 0;
    for (const auto& p : params_)
        free += p.fixed ? 0 : 1;
    return max_calls_ > 0 ? max_calls_ : default_max_calls(free);
}

std::optional<MinimizerResult> Fit::levenberg_marquardt(long long max_calls) const {
    last_lm_calls_ = 0;
    const std::size_t P = params_.size();
    std::vector<double> x(P);
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < P; ++i) {
        x[i] = params_[i].start;
        if (!params_[i].fixed)
            free.push_back(i);
    }
    const auto n = static_cast<Eigen::Index>(free.size());
    double c = 0;
    Eigen::VectorXd g;
    Eigen::MatrixXd A;
    MinimizerResult res;
    // cost, gradient and approximate Hessian including the constraints (exact: quadratic)
    auto structure = [&](const std::vector<double>& at, double& cost, Eigen::VectorXd& gf,
                         Eigen::MatrixXd& Af) {
        Eigen::VectorXd gp = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(P));
        Eigen::MatrixXd Ap =
            Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P));
        ++res.evaluations;
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
        gf.resize(n);
        Af.resize(n, n);
        for (Eigen::Index a = 0; a < n; ++a) {
            gf[a] = gp[static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)])];
            for (Eigen::Index b = 0; b < n; ++b)
                Af(a, b) = Ap(static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)]),
                              static_cast<Eigen::Index>(free[static_cast<std::size_t>(b)]));
        }
        return gf.allFinite() && Af.allFinite();
    };
    if (n == 0 || !structure(x, c, g, A))
        return std::nullopt;
    double lambda = 1e-3;
    bool done = false;
    // One structure pass costs about a cost evaluation per parameter when the problem
    // differences its model (not cheap_newton): count it so against the bound.
    const long long per_pass = problem_->cheap_newton() ? 1 : static_cast<long long>(n) + 1;
    auto spent = [&] { return static_cast<long long>(res.evaluations) * per_pass; };
    for (int it = 0; it < 200 && !done && spent() < max_calls / 2; ++it) {
        if (progress_)
            progress_(spent(), max_calls, c);
        // EDM with the approximate Hessian, as MIGRAD's criterion
        const Eigen::LDLT<Eigen::MatrixXd> ldlt(A);
        const double edm = ldlt.info() == Eigen::Success ? 0.5 * g.dot(ldlt.solve(g)) : INFINITY;
        if (std::isfinite(edm) && edm >= 0 && edm < 1e-9) {
            res.converged = true;
            res.edm = edm;
            break;
        }
        bool stepped = false;
        for (int tries = 0; tries < 30 && !stepped; ++tries) {
            Eigen::MatrixXd D = A;
            for (Eigen::Index a = 0; a < n; ++a)
                D(a, a) += lambda * std::max(A(a, a), 1e-12);
            const Eigen::VectorXd step = D.ldlt().solve(-g);
            std::vector<double> trial = x;
            for (Eigen::Index a = 0; a < n; ++a) {
                const std::size_t i = free[static_cast<std::size_t>(a)];
                double v = x[i] + step[a];
                if (params_[i].lower)
                    v = std::max(v, *params_[i].lower);
                if (params_[i].upper)
                    v = std::min(v, *params_[i].upper);
                trial[i] = v;
            }
            // Where the structure costs about a cost evaluation (batch models), it decides
            // acceptance itself: one pass per step. Elsewhere (finite-difference Jacobians) a cheap
            // cost evaluation screens the trial first, as rejected steps are common early on.
            double cn = 0;
            Eigen::VectorXd gn;
            Eigen::MatrixXd An;
            const bool screen = !problem_->cheap_newton();
            if (screen) {
                ++res.evaluations;
                const double ct = total_cost(trial);
                if (!(std::isfinite(ct) && ct < c)) {
                    lambda *= 10;
                    continue;
                }
            }
            if (structure(trial, cn, gn, An) && cn < c) {
                x = trial;
                c = cn;
                g = gn;
                A = An;
                lambda = std::max(lambda / 10, 1e-12);
                stepped = true;
            } else {
                lambda *= 10;
            }
        }
        if (!stepped)
            done = true; // no decrease possible: BFGS decides below
    }
    last_lm_calls_ = spent();
    if (!res.converged)
        return std::nullopt;
    res.values = x;
    res.cost = c;
    res.curvature.assign(P, 0.0);
    for (Eigen::Index a = 0; a < n; ++a)
        res.curvature[free[static_cast<std::size_t>(a)]] = A(a, a);
    return res;
}

std::pair<double, std::vector<double>>
Fit::profile_min(const std::vector<double>& start,
                 const std::vector<std::pair<std::size_t, double>>& held) const {
    auto specs = params_;
    for (std::size_t i = 0; i < specs.size(); ++i)
        specs[i].start = start[i];
    for (const auto& [i, v] : held) {
        specs[i].fixed = true;
        specs[i].start = v;
    }
    const CostFunction cost = [this](std::span<const double> p) { return total_cost(p); };
    MinimizerOptions options;
    options.tolerance = 1e-9;
    options.max_calls = max_calls_;
    const MinimizerResult m = minimize(cost, specs, options);
    return {m.cost, m.values};
}

double Fit::minos(const FitResult& r, std::size_t i, int side) const {
    // Find t where the profiled cost rises by 1 above the minimum: bracket, then regula falsi
    // (Illinois variant). Each evaluation minimises over the other parameters.
    const double x0 = r.values[i], s = r.errors[i];
    const auto& spec = params_[i];
    std::vector<double> start = r.values;
    auto delta = [&](double t) {
        auto [c, v] = profile_min(start, {{i, t}});
        if (std::isfinite(c))
            start = v;
        return c - r.cost - 1.0;
    };
    double a = x0, fa = -1.0;
    double b = x0 + side * s, fb = delta(b);
    for (int k = 0; k < 30 && fb < 0; ++k) {
        a = b;
        fa = fb;
        b = x0 + side * s * (1.6 * (k + 2) / 2.0 + k * k * 0.5);
        if (spec.lower && b < *spec.lower)
            b = *spec.lower;
        if (spec.upper && b > *spec.upper)
            b = *spec.upper;
        fb = delta(b);
        if (b == a) // at a limit
            return b - x0;
    }
    if (!(fb >= 0))
        return b - x0;
    int last = 0;
    for (int it = 0; it < 60; ++it) {
        double t = (a * fb - b * fa) / (fb - fa);
        if (!std::isfinite(t))
            t = (a + b) / 2;
        const double ft = delta(t);
        if (std::fabs(ft) < 1e-6 || std::fabs(b - a) < 1e-9 * s)
            return t - x0;
        if ((ft < 0) == (fa < 0)) {
            a = t;
            fa = ft;
            if (last == -1)
                fb /= 2;
            last = -1;
        } else {
            b = t;
            fb = ft;
            if (last == 1)
                fa /= 2;
            last = 1;
        }
    }
    return (a + b) / 2 - x0;
}

std::vector<std::pair<double, double>> Fit::profile(const FitResult& r, const std::string& name, int points,
                                                    double sigmas) const {
    const std::size_t i = index(name);
    std::vector<std::pair<double, double>> out;
    const double s = r.errors[i] > 0 ? r.errors[i] : 1.0;
    for (int k = 0; k < points; ++k) {
        double t = r.values[i] + sigmas * s * (2.0 * k / std::max(1, points - 1) - 1);
        if (params_[i].lower)
            t = std::max(t, *params_[i].lower);
        if (params_[i].upper)
            t = std::min(t, *params_[i].upper);
        out.emplace_back(t, profile_min(r.values, {{i, t}}).first - r.cost);
    }
    return out;
}

std::vector<std::pair<double, double>> Fit::contour(const FitResult& r, const std::string& an,
                                                    const std::string& bn, double sigma, int points) const {
    const std::size_t ia = index(an), ib = index(bn);
    if (ia == ib || params_[ia].fixed || params_[ib].fixed)
        throw std::invalid_argument(
            fmt::format("contour of '{}' and '{}': two different free parameters needed", an, bn));
    // Δcost of a 2-D region with the coverage of a 1-D `sigma` interval: the χ²(2) quantile
    // −2 ln(1 − p) with p = erf(sigma / √2).
    const double p = std::erf(sigma / std::sqrt(2.0));
    const double level = -2 * std::log(1 - p);
    // Rays from the minimum along q(θ) = L (cos θ, sin θ), L the Cholesky factor of the pair's
    // 2×2 covariance: in these whitened coordinates the contour of a linear fit is the circle of
    // radius √level, so the rays meet it at evenly spaced points and the root finder starts at
    // the answer; for other fits the contour is a deformed circle and the start is close.
    const auto ea = static_cast<Eigen::Index>(ia), eb = static_cast<Eigen::Index>(ib);
    double caa = r.covariance(ea, ea), cbb = r.covariance(eb, eb), cab = r.covariance(ea, eb);
    if (!(caa > 0) || !(cbb > 0)) {
        caa = std::pow(r.errors[ia] > 0 ? r.errors[ia] : 1.0, 2);
        cbb = std::pow(r.errors[ib] > 0 ? r.errors[ib] : 1.0, 2);
        cab = 0;
    }
    const double l11 = std::sqrt(caa), l21 = cab / l11,
                 l22 = std::sqrt(std::max(cbb - l21 * l21, 1e-12 * cbb));
    // where the profiled cost crosses the level along the ray of angle th: (t, profiled values)
    struct Ray {
        double th, t;
        std::vector<double> values;
    };
    auto solve = [&](double th, const std::vector<double>& warm, double guess) {
        const double da = l11 * std::cos(th), db = l21 * std::cos(th) + l22 * std::sin(th);
        std::vector<double> start = warm;
        auto delta = [&](double t) {
            auto [c, v] = profile_min(start, {{ia, r.values[ia] + t * da}, {ib, r.values[ib] + t * db}});
            if (std::isfinite(c))
                start = v;
            return std::isfinite(c) ? c - r.cost - level : std::numeric_limits<double>::infinity();
        };
        // Near a quadratic minimum Δcost(t) ≈ level·(t/t*)², so t ← t·√(level/Δcost) lands on the
        // crossing in one or two steps from a close guess (the neighbouring ray's t); the
        // bracketing below is the fallback where that does not settle.
        {
            double t = guess, ft = delta(t);
            for (int it = 0; it < 8 && std::isfinite(ft) && std::fabs(ft) >= 1e-7; ++it) {
                if (!(ft + level > 0))
                    break;
                t *= std::clamp(std::sqrt(level / (ft + level)), 0.5, 2.0);
                ft = delta(t);
            }
            if (std::isfinite(ft) && std::fabs(ft) < 1e-7)
                return Ray{th, t, start};
            start = warm;
        }
        // bracket [a, b] around the crossing, starting at the linear answer √level
        double a = 0, fa = -level, b = std::sqrt(level), fb = delta(b);
        if (fb < 0) {
            for (int g = 0; g < 40 && fb < 0; ++g) {
                a = b;
                fa = fb;
                b *= 1.5;
                fb = delta(b);
            }
        } else if (std::fabs(fb) > 1e-9) {
            const double lo = 0.9 * b, flo = delta(lo);
            if (flo < 0) {
                a = lo;
                fa = flo;
            }
        }
        // Illinois regula falsi to |Δcost − level| < 1e-7 (points within ~1e-8 σ of the contour)
        double t = b;
        int side = 0;
        for (int it = 0; it < 60 && fb > 1e-9 && std::isfinite(fb); ++it) {
            t = (a * fb - b * fa) / (fb - fa);
            if (!(t > a && t < b))
                t = (a + b) / 2;
            const double ft = delta(t);
            if (std::fabs(ft) < 1e-7)
                break;
            if (ft < 0) {
                a = t;
                fa = ft;
                if (side == -1)
                    fb /= 2;
                side = -1;
            } else {
                b = t;
                fb = ft;
                if (side == 1)
                    fa /= 2;
                side = 1;
            }
        }
        if (!std::isfinite(fb))
            t = a; // the cost is undefined beyond: the last point where it was defined
        return Ray{th, t, start};
    };
    // a ray's point in units of the errors (the plot's scale), for the smoothness test
    auto white = [&](const Ray& ray) {
        const double da = l11 * std::cos(ray.th), db = l21 * std::cos(ray.th) + l22 * std::sin(ray.th);
        return std::pair{ray.t * da / std::sqrt(caa), ray.t * db / std::sqrt(cbb)};
    };
    auto turn = [&](const Ray& u, const Ray& v, const Ray& w) { // angle between segments uv and vw
        const auto [ux, uy] = white(u);
        const auto [vx, vy] = white(v);
        const auto [wx, wy] = white(w);
        const double ax = vx - ux, ay = vy - uy, bx = wx - vx, by = wy - vy;
        return std::fabs(std::atan2(ax * by - ay * bx, ax * bx + ay * by));
    };
    const int n0 = std::max(points, 8);
    std::vector<Ray> rays;
    std::vector<double> warm = r.values;
    for (int k = 0; k < n0; ++k) {
        rays.push_back(solve(2 * M_PI * k / n0, warm, rays.empty() ? std::sqrt(level) : rays.back().t));
        warm = rays.back().values; // the neighbour's profiled values and t: a close start
    }
    // Refine: halve the angular step wherever the polygon, drawn in units of the errors, turns
    // by more than 4° at a point (the tips of a strongly correlated ellipse), so that the drawn
    // curve has no visible kinks; up to 16× the starting density.
    constexpr double max_turn = 4.0 * M_PI / 180;
    const std::size_t cap = static_cast<std::size_t>(n0) * 16;
    for (int pass = 0; pass < 6 && rays.size() < cap; ++pass) {
        std::vector<Ray> next;
        bool refined = false;
        const std::size_t n = rays.size();
        for (std::size_t k = 0; k < n; ++k) {
            const Ray& prev = rays[(k + n - 1) % n];
            const Ray& here = rays[k];
            const Ray& after = rays[(k + 1) % n];
            next.push_back(here);
            // split the interval after `here` if either of its ends is a kink
            const Ray& after2 = rays[(k + 2) % n];
            if ((turn(prev, here, after) > max_turn || turn(here, after, after2) > max_turn) &&
                next.size() + (n - k) < cap) {
                const double th1 = k + 1 == n ? after.th + 2 * M_PI : after.th;
                next.push_back(solve((here.th + th1) / 2, here.values, (here.t + after.t) / 2));
                refined = true;
            }
        }
        rays = std::move(next);
        if (!refined)
            break;
    }
    std::vector<std::pair<double, double>> out;
    for (const Ray& ray : rays) {
        const double da = l11 * std::cos(ray.th), db = l21 * std::cos(ray.th) + l22 * std::sin(ray.th);
        out.emplace_back(r.values[ia] + ray.t * da, r.values[ib] + ray.t * db);
    }
    out.push_back(out.front()); // closed
    return out;
}

} // namespace hepkit::fit
