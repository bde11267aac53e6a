// Profile likelihoods: asymmetric (MINOS-like) errors, 1-D profiles and 2-D contours, each point
// a minimisation of the cost with one or two parameters held.

#include "hepkit/fit/Fit.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

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
    // The steps grow quadratically, then (when the Hessian error s was far too small, as for a
    // parameter fitted at its bound, where the cost is not a parabola) geometrically, so that the
    // crossing is bracketed whatever the scale of s.
    for (int k = 0; k < 90 && fb < 0; ++k) {
        a = b;
        fa = fb;
        b = x0 + side * s * (k < 30 ? 1.6 * (k + 2) / 2.0 + k * k * 0.5 : 451.0 * std::ldexp(1.0, k - 29));
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
