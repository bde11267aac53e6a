// Asymptotic CLs, upper limits and profile scans (HistFactoryInference.hpp) on the one-bin counting
// experiment, whose likelihood has closed forms: n observed, ν(μ) = μs + b, no nuisances,
//   −ln L(μ) = ν − n ln ν + const,   μ̂ = (n − b)/s,
//   q_μ = 2[ν − n − n ln(ν/n)] (μ ≥ μ̂),   q_μ,A = 2[ν − b − b ln(ν/b)] (Asimov data n = b),
// and CLs = (1 − Φ(√q)) / Φ(√q_A − √q) (arXiv:1007.1727 eq. 59 for CLs+b and CLb). The limits are
// found here by bisection on these closed forms, without any fit; the library fits the model.
// The hello-world workspace of pyhf checks that CLs at the limits it finds equals the level.

#include "hepkit/fit/HistFactoryInference.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace hepkit::fit::hf {
namespace {

constexpr double kS = 10, kB = 20;

Model counting(double n, double mu_lower = 0) {
    Workspace ws;
    ParameterConfig bounds{"mu", {}, {}, {}, {}, std::vector<std::pair<double, double>>{{mu_lower, 10}}, {}};
    ws.measurements.push_back({"meas", "mu", {bounds}});
    ws.observations.push_back({"ch", {n}});
    ws.channels.push_back(
        {"ch", {{"sig", {kS}, {{"mu", ModifierType::NormFactor, 1, 1, {}, {}, {}, {}}}}, {"bkg", {kB}, {}}}});
    return Model(ws);
}

double Phi(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}
double q_closed(double n, double mu) {
    const double nu = mu * kS + kB;
    return mu * kS + kB >= n ? 2 * (nu - n - n * std::log(nu / n)) : 0.0;
}
double qA_closed(double mu) {
    const double nu = mu * kS + kB;
    return 2 * (nu - kB - kB * std::log(nu / kB));
}
double cls_closed(double n, double mu) {
    const double q = q_closed(n, mu), qA = qA_closed(mu);
    return (1 - Phi(std::sqrt(q))) / Phi(std::sqrt(qA) - std::sqrt(q));
}
// Expected CLs at N standard deviations of the background-only expectation (median: N = 0).
double cls_expected_closed(double mu, double N) {
    const double sqA = std::sqrt(qA_closed(mu));
    return (1 - Phi(sqA - N)) / Phi(N);
}
// Root of a decreasing f on [lo, hi] by plain bisection.
template <class F>
double bisect(F f, double lo, double hi) {
    for (int i = 0; i < 200; ++i) {
        const double m = (lo + hi) / 2;
        (f(m) > 0 ? lo : hi) = m;
    }
    return (lo + hi) / 2;
}

TEST(HistFactoryInference, CountingCLsMatchesClosedForm) {
    const double n = 25;
    const AsymptoticCalculator calc(counting(n), TestStatistic::Q);
    EXPECT_NEAR(calc.unconditional().values[0], (n - kB) / kS, 1e-6);
    for (double mu : {0.8, 1.5, 2.5}) {
        const CLsResult r = calc.cls(mu);
        EXPECT_NEAR(r.q, q_closed(n, mu), 1e-7) << mu;
        EXPECT_NEAR(r.qA, qA_closed(mu), 1e-7) << mu;
        EXPECT_NEAR(r.observed, cls_closed(n, mu), 1e-7) << mu;
        EXPECT_NEAR(r.clsb, 1 - Phi(std::sqrt(q_closed(n, mu))), 1e-7) << mu;
        for (int k = 0; k < 5; ++k)
            EXPECT_NEAR(r.expected[k], cls_expected_closed(mu, k - 2), 1e-7) << mu << " band " << k;
    }
    // below μ̂ the statistic is zero: no exclusion
    EXPECT_EQ(calc.q(0.3), 0.0);
    EXPECT_DOUBLE_EQ(calc.cls(0).observed, 1.0);
    EXPECT_THROW(calc.cls(-0.5), std::invalid_argument);
}

TEST(HistFactoryInference, CountingUpperLimitsMatchClosedForm) {
    const double n = 25;
    const AsymptoticCalculator calc(counting(n), TestStatistic::Q);
    const UpperLimit u = calc.upper_limit(0.05);
    const double obs = bisect([&](double mu) { return cls_closed(n, mu) - 0.05; }, (n - kB) / kS, 10);
    EXPECT_NEAR(u.observed, obs, 1e-6);
    for (int k = 0; k < 5; ++k) {
        const double exp = bisect([&](double mu) { return cls_expected_closed(mu, k - 2) - 0.05; }, 1e-9, 10);
        EXPECT_NEAR(u.expected[k], exp, 1e-6) << "band " << k;
    }
    EXPECT_LT(u.expected[0], u.expected[2]);
    EXPECT_LT(u.expected[2], u.expected[4]);
    // a 90 % CL limit is lower
    EXPECT_LT(calc.upper_limit(0.10).observed, u.observed);
    EXPECT_THROW(calc.upper_limit(1.5), std::invalid_argument);
}

// q̃_μ where μ̂ < 0 (n below the background, μ allowed negative): the reference is μ = 0 (eq. 16),
// q̃ = 2[ν − b − n ln(ν/b)], and above q_A the CLs+b and CLb of eq. 66 (arXiv:1007.1727):
// 1 − Φ((q̃ + q_A)/(2√q_A)) and 1 − Φ((q̃ − q_A)/(2√q_A)); q_μ instead keeps μ̂ as reference.
TEST(HistFactoryInference, QTildeBelowZeroMatchesClosedForm) {
    const double n = 15;
    const Model m = counting(n, -1.5);
    const AsymptoticCalculator tilde(m, TestStatistic::QTilde), plain(m, TestStatistic::Q);
    EXPECT_NEAR(tilde.unconditional().values[0], -0.5, 1e-6);
    for (double mu : {0.3, 1.0, 2.0}) {
        const double nu = mu * kS + kB, qA = qA_closed(mu);
        const double qt = 2 * (nu - kB - n * std::log(nu / kB));
        const CLsResult r = tilde.cls(mu);
        EXPECT_NEAR(r.q, qt, 1e-7) << mu;
        EXPECT_NEAR(plain.q(mu), 2 * (nu - n - n * std::log(nu / n)), 1e-7) << mu;
        double clsb, clb;
        if (qt > qA) {
            clsb = 1 - Phi((qt + qA) / (2 * std::sqrt(qA)));
            clb = 1 - Phi((qt - qA) / (2 * std::sqrt(qA)));
        } else {
            clsb = 1 - Phi(std::sqrt(qt));
            clb = Phi(std::sqrt(qA) - std::sqrt(qt));
        }
        EXPECT_NEAR(r.clsb, clsb, 1e-8) << mu;
        EXPECT_NEAR(r.clb, clb, 1e-8) << mu;
        EXPECT_NEAR(r.observed, clsb / clb, 1e-7) << mu;
    }
    // μ̂ ≥ 0 and q ≤ q_A: q̃ and its CLs are q_μ's (n = 25, μ = 0.8: q = 0.33, q_A = 2.54)
    const AsymptoticCalculator above(counting(25), TestStatistic::QTilde);
    EXPECT_NEAR(above.cls(0.8).observed, cls_closed(25, 0.8), 1e-7);
    EXPECT_LT(q_closed(25, 0.8), qA_closed(0.8));
}

TEST(HistFactoryInference, UpperLimitOutsideBoundsThrows) {
    // 200 events over a background of 20: CLs stays above 0.05 up to μ = 10
    const AsymptoticCalculator calc(counting(200), TestStatistic::QTilde);
    EXPECT_THROW(calc.upper_limit(0.05), std::runtime_error);
}

TEST(HistFactoryInference, HelloWorldLimitsHaveCLsAtTheLevel) {
    Workspace ws;
    ws.measurements.push_back({"meas", "mu", {}});
    ws.observations.push_back({"singlechannel", {51, 48}});
    ws.channels.push_back({"singlechannel",
                           {{"signal", {12, 11}, {{"mu", ModifierType::NormFactor, 1, 1, {}, {}, {}, {}}}},
                            {"background",
                             {50, 52},
                             {{"uncorr_bkguncrt", ModifierType::ShapeSys, 1, 1, {}, {}, {3, 7}, {}}}}}});
    const Model m(ws);
    const AsymptoticCalculator calc(m);
    // pyhf's published CLs at μ = 1 (tests/fit/HistFactoryJsonTest.cpp)
    EXPECT_NEAR(calc.cls(1.0).observed, 0.05251497, 1e-5);
    const UpperLimit u = calc.upper_limit();
    // CLs falls through 0.05 just above μ = 1 (0.0525 there)
    EXPECT_GT(u.observed, 1.0);
    EXPECT_LT(u.observed, 1.2);
    EXPECT_NEAR(calc.cls(u.observed).observed, 0.05, 1e-7);
    for (int k = 0; k < 5; ++k)
        EXPECT_NEAR(calc.cls(u.expected[k]).expected[k], 0.05, 1e-7) << "band " << k;
}

TEST(HistFactoryInference, CountingProfileScanAndInterval) {
    const double n = 25;
    const ProfileScan s = profile_scan(counting(n), 41, 0, 2);
    ASSERT_EQ(s.values.size(), 41u);
    EXPECT_EQ(s.poi, "mu");
    EXPECT_NEAR(s.best, 0.5, 1e-6);
    const auto dnll = [&](double mu) {
        const double nu = mu * kS + kB;
        return nu - n - n * std::log(nu / n); // −ln L(μ) − (−ln L(μ̂)), ν̂ = n
    };
    for (std::size_t i = 0; i < s.values.size(); ++i) {
        EXPECT_TRUE(s.converged[i]);
        EXPECT_NEAR(s.delta_nll[i], dnll(s.values[i]), 1e-7) << s.values[i];
    }
    ASSERT_TRUE(s.lower && s.upper);
    const double lo = bisect([&](double mu) { return 2 * dnll(mu) - 1; }, 0, 0.5);
    const double hi = bisect([&](double mu) { return 1 - 2 * dnll(mu); }, 0.5, 2);
    EXPECT_NEAR(*s.lower, lo, 1e-6);
    EXPECT_NEAR(*s.upper, hi, 1e-6);
    // a grid that stops short of the upper crossing leaves it open
    const ProfileScan part = profile_scan(counting(n), 11, 0, 0.8);
    EXPECT_TRUE(part.lower.has_value());
    EXPECT_FALSE(part.upper.has_value());
    // the default range: past Δ(−2 ln L) = 9 above μ̂ (within a doubling step), the bound 0 below
    // (Δ(−2 ln L) at μ = 0 is 1.16 < 9)
    const auto [rlo, rhi] = scan_range(counting(n), 3);
    EXPECT_EQ(rlo, 0.0);
    EXPECT_GE(2 * dnll(rhi), 9 - 1e-6);
    EXPECT_LT(2 * dnll(0.5 + (rhi - 0.5) / 2), 9);
    EXPECT_THROW(profile_scan(counting(n), 1, 0, 2), std::invalid_argument);
    EXPECT_THROW(profile_scan(counting(n), 11, -1, 2), std::invalid_argument);
}

} // namespace
} // namespace hepkit::fit::hf
