// Asymptotic CLs, upper limits and profile-likelihood scans of HistFactory models
// (HistFactoryInference.hpp; formulas from Cowan, Cranmer, Gross, Vitells, arXiv:1007.1727).

#include "hepkit/fit/HistFactoryInference.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit::hf {
namespace {

// Upper tail 1 − Φ(x), through erfc so that far tails keep their relative precision.
double upper_tail(double x) {
    return 0.5 * std::erfc(x / std::sqrt(2.0));
}

// Minimum of −ln L with the POI held at `mu` (nullopt: free), started at `start` (empty: inits).
FitResult fit_at(const Model& m, std::optional<double> mu, const std::vector<double>& start = {}) {
    Fit fit = make_fit(m);
    const auto& ps = m.parameters();
    if (!start.empty())
        for (std::size_t i = 0; i < ps.size(); ++i)
            if (!ps[i].fixed)
                fit.set_start(ps[i].name, start[i]);
    if (mu)
        fit.fix(ps[m.poi()].name, *mu);
    return fit.run();
}

FitResult checked(FitResult r, const char* what) {
    if (!r.converged)
        throw std::runtime_error(fmt::format("the {} fit did not converge: {}", what, r.message));
    return r;
}

// Brent's method (R. P. Brent, Algorithms for Minimization without Derivatives, 1973, ch. 4) for
// f(x) = 0 with f(a), f(b) of opposite signs; stops at |b − a| ≤ rel·max(1, |x|).
double brent(const std::function<double(double)>& f, double a, double b, double fa, double fb,
             double rel = 1e-10) {
    double c = a, fc = fa, d = b - a, e = d;
    for (int it = 0; it < 200; ++it) {
        if ((fb > 0) == (fc > 0)) {
            c = a;
            fc = fa;
            d = e = b - a;
        }
        if (std::fabs(fc) < std::fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        const double tol = rel * std::max(1.0, std::fabs(b)), m = (c - b) / 2;
        if (std::fabs(m) <= tol || fb == 0)
            return b;
        if (std::fabs(e) >= tol && std::fabs(fa) > std::fabs(fb)) {
            // inverse quadratic interpolation (secant when a == c)
            double p, q;
            const double s = fb / fa;
            if (a == c) {
                p = 2 * m * s;
                q = 1 - s;
            } else {
                const double qa = fa / fc, r = fb / fc;
                p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
                q = (qa - 1) * (r - 1) * (s - 1);
            }
            if (p > 0)
                q = -q;
            p = std::fabs(p);
            if (2 * p < std::min(3 * m * q - std::fabs(tol * q), std::fabs(e * q))) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += std::fabs(d) > tol ? d : (m > 0 ? tol : -tol);
        fb = f(b);
    }
    return b;
}

} // namespace

AsymptoticCalculator::AsymptoticCalculator(const Model& model, TestStatistic statistic)
    : model_(model), statistic_(statistic), free_(checked(fit_at(model, std::nullopt), "unconditional")),
      bonly_(checked(fit_at(model, 0.0, free_.values), "background-only (POI = 0)")),
      asimov_(model.asimov(bonly_.values)) {
    nll_free_ = free_.cost / 2;
    nll_zero_ = bonly_.cost / 2;
    // The Asimov data of the background-only fit are fitted exactly by it: their unconditional
    // minimum is that point (sec. 5 of arXiv:1007.1727).
    nll_asimov_min_ = asimov_.nll(bonly_.values);
}

double AsymptoticCalculator::conditional_nll(const Model& m, double mu,
                                             const std::vector<double>& start) const {
    return checked(fit_at(m, mu, start), "conditional (POI held)").cost / 2;
}

double AsymptoticCalculator::q(double mu) const {
    const double mu_hat = free_.values[model_.poi()];
    if (mu_hat > mu)
        return 0; // eqs. 14 and 16: an excess above μ is no evidence against μ
    const double ref = statistic_ == TestStatistic::QTilde && mu_hat < 0 ? nll_zero_ : nll_free_;
    return std::max(0.0, 2 * (conditional_nll(model_, mu, free_.values) - ref));
}

double AsymptoticCalculator::q_asimov(double mu) const {
    return std::max(0.0, 2 * (conditional_nll(asimov_, mu, bonly_.values) - nll_asimov_min_));
}

namespace {
// CLs+b / CLb with the statistic written as t = √q − √q_A: t ~ N(−√q_A, 1) under μ and N(0, 1)
// under μ' = 0 (eqs. 59, 65–66, the q̃ branch above q_A mapped to the same t).
double cls_of(double t, double sqA) {
    const double pb = upper_tail(t);
    return pb > 0 ? upper_tail(t + sqA) / pb : 0.0;
}
constexpr std::array<double, 5> kBand{2, 1, 0, -1, -2}; // t of the −2σ … +2σ expected CLs
} // namespace

CLsResult AsymptoticCalculator::cls(double mu) const {
    if (!(mu >= 0)) // the statistics test μ against the background-only μ' = 0 from above
        throw std::invalid_argument(
            fmt::format("CLs at {} = {}: must be >= 0", model_.names()[model_.poi()], mu));
    CLsResult r;
    r.poi = mu;
    r.q = q(mu);
    r.qA = q_asimov(mu);
    const double sq = std::sqrt(r.q), sqA = std::sqrt(r.qA);
    const double t = statistic_ == TestStatistic::QTilde && r.q > r.qA ? (r.q - r.qA) / (2 * sqA) : sq - sqA;
    r.clsb = upper_tail(t + sqA);
    r.clb = upper_tail(t);
    r.observed = cls_of(t, sqA);
    for (std::size_t k = 0; k < kBand.size(); ++k)
        r.expected[k] = cls_of(kBand[k], sqA);
    return r;
}

double AsymptoticCalculator::crossing(const std::function<double(double)>& f, const char* what) const {
    const auto& par = model_.parameters()[model_.poi()];
    const double upper = par.upper, lower = std::max(0.0, par.lower);
    // first guess μ̂ + 3σ̂, at least 1e-3 of the bounds' width (σ̂ means nothing at a bound)
    const double err = free_.errors[model_.poi()];
    const double step = std::max(std::isfinite(err) && err > 0 ? 3 * err : 0.0, 1e-3 * (upper - par.lower));
    double hi = std::min(upper, std::max(free_.values[model_.poi()], 0.0) + step);
    double fhi = f(hi);
    double lo = hi, flo = fhi;
    while (fhi > 0) { // grow upward to the bound
        if (hi >= upper)
            throw std::runtime_error(
                fmt::format("the {} CLs stays above the level up to the upper bound {} of "
                            "'{}': widen its bounds in the measurement",
                            what, upper, par.name));
        lo = hi;
        flo = fhi;
        hi = std::min(upper, 2 * hi);
        fhi = f(hi);
    }
    while (flo <= 0) { // shrink toward the lower bound
        hi = lo;
        fhi = flo;
        lo = lower + (lo - lower) / 4;
        if (lo - lower < 1e-9 * std::max(1.0, hi))
            throw std::runtime_error(
                fmt::format("the {} CLs is below the level at every '{}' above {}", what, par.name, lower));
        flo = f(lo);
    }
    return brent(f, lo, hi, flo, fhi);
}

UpperLimit AsymptoticCalculator::upper_limit(double level) const {
    if (!(level > 0 && level < 1))
        throw std::invalid_argument(fmt::format("CLs level {} must be in (0, 1)", level));
    UpperLimit u;
    u.level = level;
    u.observed = crossing([&](double mu) { return cls(mu).observed - level; }, "observed");
    for (std::size_t k = 0; k < kBand.size(); ++k)
        u.expected[k] = crossing([&](double mu) { return cls_of(kBand[k], std::sqrt(q_asimov(mu))) - level; },
                                 "expected");
    return u;
}

ProfileScan profile_scan(const Model& model, int points, double lo, double hi) {
    const auto& par = model.parameters()[model.poi()];
    if (points < 2 || !(lo < hi) || lo < par.lower || hi > par.upper)
        throw std::invalid_argument(fmt::format("scan of '{}': {} points over [{}, {}]: need ≥ 2 points and "
                                                "lo < hi inside the bounds [{}, {}]",
                                                par.name, points, lo, hi, par.lower, par.upper));
    ProfileScan s;
    s.poi = par.name;
    const FitResult best = checked(fit_at(model, std::nullopt), "unconditional");
    s.best = best.values[model.poi()];
    s.nll_min = best.cost / 2;
    std::vector<std::vector<double>> at;
    std::vector<double> start = best.values;
    for (int i = 0; i < points; ++i) {
        const double mu = lo + (hi - lo) * i / (points - 1);
        const FitResult r = fit_at(model, mu, start);
        s.values.push_back(mu);
        s.delta_nll.push_back(r.cost / 2 - s.nll_min);
        s.converged.push_back(r.converged);
        if (r.converged)
            start = r.values;
        at.push_back(r.values);
    }
    // Δ(−2 ln L) = 1 between grid point i (inside) and j (outside), refined by Brent's method to
    // 1e-8 (a handful of fits per end where bisection took about 20; bracketed, so never worse
    // than bisection)
    const auto refine = [&](std::size_t i, std::size_t j) {
        const auto f = [&](double m) {
            return 2 * (checked(fit_at(model, m, at[i]), "scan").cost / 2 - s.nll_min) - 1;
        };
        return brent(f, s.values[i], s.values[j], 2 * s.delta_nll[i] - 1, 2 * s.delta_nll[j] - 1, 1e-8);
    };
    const auto below = [&](std::size_t i) { return 2 * s.delta_nll[i] <= 1; };
    const std::size_t n = s.values.size();
    const std::size_t ib = static_cast<std::size_t>(std::min_element(s.delta_nll.begin(), s.delta_nll.end()) -
                                                    s.delta_nll.begin());
    for (std::size_t i = ib; i > 0; --i)
        if (below(i) && !below(i - 1)) {
            s.lower = refine(i, i - 1);
            break;
        }
    for (std::size_t i = ib; i + 1 < n; ++i)
        if (below(i) && !below(i + 1)) {
            s.upper = refine(i, i + 1);
            break;
        }
    return s;
}

std::pair<double, double> scan_range(const Model& model, double sigmas) {
    const auto& par = model.parameters()[model.poi()];
    const FitResult best = checked(fit_at(model, std::nullopt), "unconditional");
    const double mu = best.values[model.poi()], err = best.errors[model.poi()];
    const double step0 =
        std::max(std::isfinite(err) && err > 0 ? sigmas * err : 0.0, 1e-3 * (par.upper - par.lower));
    const auto side = [&](double dir) {
        const double bound = dir > 0 ? par.upper : par.lower;
        double step = step0;
        for (int it = 0; it < 64; ++it, step *= 2) {
            const double x = mu + dir * step;
            if (dir * (x - bound) >= 0)
                return bound;
            const FitResult r = fit_at(model, x, best.values);
            if (r.converged && r.cost - best.cost >= sigmas * sigmas)
                return x;
        }
        return bound;
    };
    return {side(-1), side(+1)};
}

} // namespace hepkit::fit::hf
