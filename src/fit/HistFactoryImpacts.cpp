// Pulls and impacts of HistFactory nuisances (HistFactoryImpacts.hpp): per nuisance the model is
// refitted with it held at its post-fit (and pre-fit) ±1σ values; the POI's shift is the impact.
#include "hepkit/fit/HistFactoryImpacts.hpp"

#include "hepkit/core/ThreadPool.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::fit::hf {

double NuisanceImpact::rank_key() const {
    return std::max(std::fabs(impact_up), std::fabs(impact_down));
}

namespace {

// One refit: parameter k held at `value`, the others started at the best fit.
struct Refit {
    std::size_t nuisance = 0; // index into Impacts::nuisances
    std::size_t k = 0;        // model parameter
    double value = 0;
    double poi = 0; // the result: μ̂ with θ_k held
};

double clamp_to(const ModelParameter& p, double v) {
    return std::min(std::max(v, p.lower), p.upper);
}

} // namespace

Impacts compute_impacts(const Model& model, const FitResult& best, ThreadPool* pool) {
    const auto& params = model.parameters();
    const std::size_t poi = model.poi();
    if (best.values.size() != params.size() || best.errors.size() != params.size() ||
        best.names != model.names())
        throw std::invalid_argument(
            fmt::format("impacts: the fit result has {} parameters, the model {} (or other names): "
                        "give the model's own fit",
                        best.values.size(), params.size()));
    if (!best.converged)
        throw std::invalid_argument(
            fmt::format("impacts: the unconditional fit did not converge: {}", best.message));
    if (best.fixed[poi])
        throw std::invalid_argument(fmt::format(
            "impacts: the POI '{}' is fixed; impacts are shifts of its estimate", params[poi].name));

    Impacts out;
    out.poi = params[poi].name;
    out.poi_value = best.values[poi];
    out.poi_error = best.errors[poi];
    std::vector<Refit> refits;
    const std::vector<double> aux = model.auxdata();
    for (std::size_t k = 0; k < params.size(); ++k) {
        const ModelParameter& p = params[k];
        if (k == poi || best.fixed[k])
            continue;
        NuisanceImpact n;
        n.name = p.name;
        n.type = p.type;
        n.constraint = p.constraint;
        n.value = best.values[k];
        const double hessian = best.errors[k];
        if (!(std::isfinite(hessian) && hessian > 0))
            throw std::invalid_argument(fmt::format(
                "impacts: '{}' has no positive post-fit error ({}): the fit's Hessian is singular "
                "in it",
                p.name, hessian));
        // profile errors where the fit has them (-a), else the Hessian's, on both sides
        n.error_down = best.error_low[k] ? std::fabs(*best.error_low[k]) : hessian;
        n.error_up = best.error_high[k] ? std::fabs(*best.error_high[k]) : hessian;
        if (p.constraint == ModelParameter::Constraint::Normal) {
            n.prefit_value = aux[k];
            n.prefit_error = p.sigma;
        } else if (p.constraint == ModelParameter::Constraint::Poisson) {
            // Poisson(aux | γτ): the auxiliary measurement alone gives γ = aux/τ with the width
            // √(γτ)/τ, 1/√τ at γ = 1 (pyhf's width of a Poisson-constrained parameter)
            n.prefit_value = aux[k] / p.tau;
            n.prefit_error = 1 / std::sqrt(p.tau);
        }
        if (n.prefit_error) {
            n.pull = (n.value - *n.prefit_value) / *n.prefit_error;
            n.pull_error = 0.5 * (n.error_down + n.error_up) / *n.prefit_error;
        }
        n.theta_up = clamp_to(p, n.value + n.error_up);
        n.theta_down = clamp_to(p, n.value - n.error_down);
        const std::size_t i = out.nuisances.size();
        refits.push_back({i, k, n.theta_up});
        refits.push_back({i, k, n.theta_down});
        if (n.prefit_error) {
            n.theta_prefit_up = clamp_to(p, n.value + *n.prefit_error);
            n.theta_prefit_down = clamp_to(p, n.value - *n.prefit_error);
            refits.push_back({i, k, *n.theta_prefit_up});
            refits.push_back({i, k, *n.theta_prefit_down});
        }
        out.nuisances.push_back(std::move(n));
    }

    // The refits are independent: each builds its own Fit (a copy of the model), so they run on
    // any thread; an exception is rethrown by parallel_for.
    const auto run_one = [&](std::size_t r) {
        Refit& f = refits[r];
        Fit fit = make_fit(model);
        for (std::size_t k = 0; k < params.size(); ++k)
            if (!best.fixed[k] && k != f.k)
                fit.set_start(params[k].name, best.values[k]);
        fit.fix(params[f.k].name, f.value);
        const FitResult res = fit.run(false);
        if (!res.converged)
            throw std::runtime_error(fmt::format("impacts: the fit with '{}' held at {} did not converge: {}",
                                                 params[f.k].name, f.value, res.message));
        f.poi = res.values[poi];
    };
    if (pool)
        pool->parallel_for(refits.size(), run_one);
    else
        for (std::size_t r = 0; r < refits.size(); ++r)
            run_one(r);

    for (std::size_t r = 0; r < refits.size();) {
        NuisanceImpact& n = out.nuisances[refits[r].nuisance];
        n.impact_up = refits[r++].poi - out.poi_value;
        n.impact_down = refits[r++].poi - out.poi_value;
        if (n.prefit_error) {
            n.impact_prefit_up = refits[r++].poi - out.poi_value;
            n.impact_prefit_down = refits[r++].poi - out.poi_value;
        }
    }
    std::stable_sort(out.nuisances.begin(), out.nuisances.end(),
                     [](const NuisanceImpact& a, const NuisanceImpact& b) {
                         const double ka = a.rank_key(), kb = b.rank_key();
                         return ka != kb ? ka > kb : a.name < b.name;
                     });
    return out;
}

std::vector<Kink> find_kinks(const Model& model, const FitResult& fit) {
    const auto& params = model.parameters();
    if (fit.values.size() != params.size() || fit.fixed.size() != params.size())
        throw std::invalid_argument(fmt::format("find_kinks: the fit result has {} parameters, the model {}",
                                                fit.values.size(), params.size()));
    std::vector<Kink> out;
    std::vector<double> p = fit.values, g(params.size());
    for (std::size_t k = 0; k < params.size(); ++k) {
        // ε: 1e-3 of the Hessian error, wide enough to straddle a kink the minimiser stopped near
        // (it stops at EDM < 1e-7: ~1e-4 standard deviations away), narrow enough that a smooth
        // curvature does not change across it
        const double v = fit.values[k], err = fit.errors.size() == params.size() ? fit.errors[k] : 0.0;
        const double eps =
            std::max(std::isfinite(err) ? 1e-3 * err : 0.0, 1e-7 * std::max(1.0, std::fabs(v)));
        if (fit.fixed[k] || v - 2 * eps < params[k].lower || v + 2 * eps > params[k].upper)
            continue;
        const auto slope = [&](double x) {
            p[k] = x;
            model.gradient(p, g);
            p[k] = v;
            return g[k];
        };
        // one-sided slopes at ∓ε and curvatures from the pairs (−2ε, −ε) and (ε, 2ε)
        const double b2 = slope(v - 2 * eps), b1 = slope(v - eps), a1 = slope(v + eps),
                     a2 = slope(v + 2 * eps);
        const double cb = (b1 - b2) / eps, ca = (a2 - a1) / eps;
        const double h = std::max({std::fabs(cb), std::fabs(ca), 0.0});
        const double jump = std::fabs(a1 - b1);
        // a slope jump beyond the curvature's 2ε (by 10×) and 5 % of the slope's change over one
        // standard deviation (√h), or a curvature that changes by more than 10 % across 3ε
        const bool slope_kink = jump > 1e-6 && jump > 10 * 2 * eps * h && jump > 0.05 * std::sqrt(h);
        const bool curvature_kink = h > 0 && std::fabs(ca - cb) > 0.1 * h;
        if (std::isfinite(jump) && std::isfinite(h) && (slope_kink || curvature_kink))
            out.push_back({params[k].name, v, b1, a1, cb, ca});
    }
    return out;
}

} // namespace hepkit::fit::hf
