// Contours against the analytic ellipses of linear fits; the bound on cost evaluations of a
// runaway fit (an outlier of 1e15), counted in evaluations, never in seconds; the messages of
// fits that fail (the outlier named, the x where the model is not finite); no "nan" in reports.

#include "hepkit/fit/Report.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace hepkit::fit {
namespace {

ErrorSource error_source(ErrorSource::Axis axis, double sigma) {
    ErrorSource e;
    e.axis = axis;
    e.sigma = {sigma};
    return e;
}

// Δcost of the 2-D region with the coverage of a 1-D sigma interval (χ²(2) quantile).
double level(double sigma) {
    return -2 * std::log(1 - std::erf(sigma / std::sqrt(2.0)));
}

// Largest turning angle (degrees) of a closed polygon at its points, drawn in units of sx, sy.
double max_turn_degrees(const std::vector<std::pair<double, double>>& pts, double sx, double sy) {
    const std::size_t n = pts.size() - 1; // the last point repeats the first
    double worst = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const auto& u = pts[(k + n - 1) % n];
        const auto& v = pts[k];
        const auto& w = pts[(k + 1) % n];
        const double ax = (v.first - u.first) / sx, ay = (v.second - u.second) / sy;
        const double bx = (w.first - v.first) / sx, by = (w.second - v.second) / sy;
        worst = std::max(worst, std::fabs(std::atan2(ax * by - ay * bx, ax * bx + ay * by)) * 180 / M_PI);
    }
    return worst;
}

// Polynomial y = Σ p_k x^k with y errors only: the cost is exactly quadratic, so the profiled
// contour of two coefficients is the ellipse Δqᵀ C_ab⁻¹ Δq = level, C = F⁻¹ with the Fisher
// matrix F = Σ φ(x)φ(x)ᵀ / σ² computed here, independently of the fit.
struct Polynomial {
    std::vector<double> x, y;
    double sigma = 0.3;
    int degree = 1;
    Eigen::MatrixXd F() const {
        const int P = degree + 1;
        Eigen::MatrixXd f = Eigen::MatrixXd::Zero(P, P);
        for (double xi : x) {
            Eigen::VectorXd phi(P);
            for (int k = 0; k < P; ++k)
                phi[k] = std::pow(xi, k);
            f += phi * phi.transpose() / (sigma * sigma);
        }
        return f;
    }
    Eigen::VectorXd best() const { // weighted least squares, normal equations
        const int P = degree + 1;
        Eigen::VectorXd rhs = Eigen::VectorXd::Zero(P);
        for (std::size_t i = 0; i < x.size(); ++i)
            for (int k = 0; k < P; ++k)
                rhs[k] += std::pow(x[i], k) * y[i] / (sigma * sigma);
        return F().ldlt().solve(rhs);
    }
    Fit fit() const {
        XModel m = [](double xv, std::span<const double> p) {
            double s = 0, xp = 1;
            for (double c : p) {
                s += c * xp;
                xp *= xv;
            }
            return s;
        };
        std::vector<Fit::Parameter> params;
        const char* names[] = {"p0", "p1", "p2", "p3"};
        for (int k = 0; k <= degree; ++k)
            params.push_back({names[k], 0.5});
        return Fit(std::make_unique<XYProblem>(
                       x, y, m, std::vector<ErrorSource>{error_source(ErrorSource::Axis::y, sigma)}),
                   params);
    }
};

Polynomial strongly_correlated_line() {
    // x far from 0: intercept and slope correlated at ρ ≈ −0.97, the tips of the ellipse are sharp
    Polynomial p;
    for (int i = 0; i < 8; ++i) {
        p.x.push_back(3 + 0.5 * i);
        p.y.push_back(1.2 + 0.8 * (3 + 0.5 * i) + 0.2 * std::sin(3.0 * i));
    }
    return p;
}

TEST(Contour, LinearFitIsTheAnalyticEllipseClosedAndSmooth) {
    const Polynomial poly = strongly_correlated_line();
    Fit fit = poly.fit();
    const FitResult r = fit.run(false);
    ASSERT_TRUE(r.converged);
    const Eigen::VectorXd q0 = poly.best();
    const Eigen::MatrixXd F = poly.F();
    const Eigen::MatrixXd C = F.inverse();
    ASSERT_LT(C(0, 1) / std::sqrt(C(0, 0) * C(1, 1)), -0.95);
    for (double s : {1.0, 2.0}) {
        const auto pts = fit.contour(r, "p0", "p1", s);
        ASSERT_GE(pts.size(), 97u);
        // closed: the last point is the first
        EXPECT_EQ(pts.front(), pts.back());
        for (const auto& [a, b] : pts) {
            const Eigen::Vector2d d(a - q0[0], b - q0[1]);
            EXPECT_NEAR(d.dot(F * d), level(s), 1e-6 * level(s)) << "sigma " << s;
        }
        // smooth as drawn (axes in units of the errors): no point turns by more than 4°
        EXPECT_LT(max_turn_degrees(pts, std::sqrt(C(0, 0)), std::sqrt(C(1, 1))), 4.0 + 1e-9) << "sigma " << s;
    }
}

TEST(Contour, ProfilesTheOtherParametersExactly) {
    // quadratic, contour of (p1, p2) with p0 profiled: the ellipse of the 2×2 block of F⁻¹
    Polynomial poly;
    for (int i = 0; i < 10; ++i) {
        poly.x.push_back(-1 + 0.3 * i);
        poly.y.push_back(0.5 - 0.4 * poly.x.back() + 0.9 * poly.x.back() * poly.x.back() +
                         0.1 * std::cos(5.0 * i));
    }
    poly.degree = 2;
    Fit fit = poly.fit();
    const FitResult r = fit.run(false);
    ASSERT_TRUE(r.converged);
    const Eigen::VectorXd q0 = poly.best();
    const Eigen::MatrixXd C = poly.F().inverse();
    const Eigen::Matrix2d Cab = C.block(1, 1, 2, 2);
    const Eigen::Matrix2d W = Cab.inverse();
    const auto pts = fit.contour(r, "p1", "p2", 1.0);
    EXPECT_EQ(pts.front(), pts.back());
    for (const auto& [a, b] : pts) {
        const Eigen::Vector2d d(a - q0[1], b - q0[2]);
        EXPECT_NEAR(d.dot(W * d), level(1.0), 1e-5 * level(1.0));
    }
    EXPECT_LT(max_turn_degrees(pts, std::sqrt(Cab(0, 0)), std::sqrt(Cab(1, 1))), 4.0 + 1e-9);
}

TEST(Contour, NonLinearFitIsClosedSmoothAndOnTheLevel) {
    // exponential decay: a banana-shaped region; every point has the profiled Δcost of the level
    std::vector<double> x, y;
    for (int i = 0; i < 6; ++i) {
        x.push_back(i);
        y.push_back(3.0 * std::exp(-0.6 * i) + 0.05 * std::sin(2.0 * i));
    }
    XModel m = [](double xv, std::span<const double> p) { return p[0] * std::exp(-p[1] * xv); };
    Fit fit(std::make_unique<XYProblem>(x, y, m,
                                        std::vector<ErrorSource>{error_source(ErrorSource::Axis::y, 0.3)}),
            {{"A", 1.0}, {"k", 0.3}});
    const FitResult r = fit.run(false);
    ASSERT_TRUE(r.converged);
    const auto pts = fit.contour(r, "A", "k", 2.0);
    EXPECT_EQ(pts.front(), pts.back());
    for (const auto& [a, k] : pts) {
        const std::vector<double> p{a, k};
        EXPECT_NEAR(fit.total_cost(p) - r.cost, level(2.0), 1e-5);
    }
    EXPECT_LT(max_turn_degrees(pts, r.errors[0], r.errors[1]), 4.0 + 1e-9);
}

// A damped oscillation with x and y errors and one y value of 1e15 (the newcomer's pendulum
// file): the minimiser used to run 22 s; it must stop at the bound on cost evaluations.
Fit outlier_fit() {
    std::vector<double> x, y;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0, 0.01);
    XModel m = [](double t, std::span<const double> p) {
        const double w0 = std::sqrt(p[3] / (p[1] + p[2]));
        const double wd = std::sqrt(w0 * w0 - p[4] * p[4]);
        return p[0] * std::exp(-p[4] * t) * (std::cos(wd * t) + p[4] / wd * std::sin(wd * t));
    };
    const std::vector<double> truth{0.6, 10.0, 0.052, 9.81, 0.01};
    for (int i = 0; i < 80; ++i) {
        x.push_back(0.5 * i);
        y.push_back(m(x.back(), truth) + noise(rng));
    }
    y[65] = 1e15;
    Fit fit(std::make_unique<XYProblem>(x, y, m,
                                        std::vector<ErrorSource>{error_source(ErrorSource::Axis::y, 0.01),
                                                                 error_source(ErrorSource::Axis::x, 0.001)}),
            {{"y_0", 1.0}, {"l", 1.0}, {"r", 1.0}, {"g", 9.81}, {"c", 0.01}});
    fit.add_constraint("l", 10.0, 0.001);
    fit.add_constraint("r", 0.052, 0.001);
    fit.add_constraint("y_0", 0.6, 0.006, true);
    return fit;
}

TEST(FitBounds, RunawayFitStopsAtTheDefaultBoundAndNamesTheOutlier) {
    Fit fit = outlier_fit();
    EXPECT_EQ(fit.max_calls(), 10 * (200 + 100 * 5 + 5 * 25)); // Minuit2's default for 5 free ×10
    const FitResult r = fit.run(false);
    EXPECT_FALSE(r.converged);
    // the bound holds up to one iteration's line search and gradient (≤ 40 + 2·5 evaluations),
    // plus the Hessian's evaluations after it
    EXPECT_LE(r.evaluations, fit.max_calls() + 50 + 100);
    EXPECT_NE(r.message.find("stopped after"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("--max-calls"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("y_data point 66 (x = 32.5) is 1e+15"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("where it stopped, the largest residual is point"), std::string::npos)
        << r.message;
}

TEST(FitBounds, MaxCallsIsHonouredAndProgressIsReported) {
    Fit fit = outlier_fit();
    fit.set_max_calls(400);
    long long last = 0, bound = 0;
    int reports = 0;
    fit.set_progress([&](long long calls, long long b, double lowest) {
        EXPECT_GE(calls, last);
        EXPECT_TRUE(std::isfinite(lowest));
        last = calls;
        bound = b;
        ++reports;
    });
    const FitResult r = fit.run(false);
    EXPECT_FALSE(r.converged);
    EXPECT_EQ(bound, 400);
    EXPECT_GT(reports, 100);
    EXPECT_LE(last, 400 + 50);
    EXPECT_LE(r.evaluations, 400 + 50 + 100);
    EXPECT_NE(r.message.find("the bound (400;"), std::string::npos) << r.message;
}

TEST(FitBounds, ANormalFitIsFarBelowTheBound) {
    // the bound is not what ends ordinary fits: a line with asymmetric errors stays far below it
    Polynomial poly = strongly_correlated_line();
    Fit fit = poly.fit();
    const FitResult r = fit.run(true);
    ASSERT_TRUE(r.converged);
    EXPECT_LT(r.evaluations, fit.max_calls() / 10);
}

TEST(FitMessages, ModelNotFiniteNamesXAndParametersAndReportHasNoNan) {
    XModel m = [](double x, std::span<const double> p) { return p[0] * x + p[1] / (p[0] - p[0]); };
    Fit fit(std::make_unique<XYProblem>(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}, m,
                                        std::vector<ErrorSource>{error_source(ErrorSource::Axis::y, 0.1)}),
            {{"a", 1.0}, {"b", 1.0}});
    const FitResult r = fit.run(false);
    EXPECT_FALSE(r.converged);
    EXPECT_NE(r.message.find("the model is not finite at x = 1 (inf), 2 (inf), 3 (inf) (3 of 3)"),
              std::string::npos)
        << r.message;
    EXPECT_NE(r.message.find("stopped at a = 1, b = 1"), std::string::npos) << r.message;
    const std::string text = report_text(r, "nonfinite");
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
    EXPECT_NE(text.find("chi2 / ndf       not finite"), std::string::npos) << text;
}

} // namespace
} // namespace hepkit::fit
