// The HistFactory likelihood (HistFactoryModel.hpp) against closed forms: the interpolation
// codes' formulas, a one-bin counting experiment with one normsys worked by hand, the Fisher
// matrix of the analysis-methods README §2 at the Asimov point, the staterror and shapesys
// constraint terms, and the analytic gradient and Hessian against finite differences.

#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace hepkit::fit::hf {
namespace {

constexpr double kHalfLog2Pi = 0.91893853320467274178;

Modifier normfactor(const std::string& name) {
    return {name, ModifierType::NormFactor, 1, 1, {}, {}, {}, {}};
}
Modifier normsys(const std::string& name, double hi, double lo, std::optional<Interpolation> c = {}) {
    return {name, ModifierType::NormSys, hi, lo, {}, {}, {}, c};
}
Modifier histosys(const std::string& name, std::vector<double> hi, std::vector<double> lo,
                  std::optional<Interpolation> c = {}) {
    return {name, ModifierType::HistoSys, 1, 1, std::move(hi), std::move(lo), {}, c};
}
Modifier perbin(const std::string& name, ModifierType t, std::vector<double> data = {}) {
    return {name, t, 1, 1, {}, {}, std::move(data), {}};
}

Workspace one_channel(std::vector<Sample> samples, std::vector<double> obs,
                      std::vector<ParameterConfig> cfg = {}) {
    Workspace ws;
    ws.channels.push_back({"ch", std::move(samples)});
    ws.observations.push_back({"ch", std::move(obs)});
    ws.measurements.push_back({"meas", "mu", std::move(cfg)});
    return ws;
}

// ---- interpolation codes against their formulas ----

TEST(HistFactoryInterp, CodesAgainstFormulas) {
    // nom 10, hi 13, lo 8: a = ½(13 + 8) − 10 = 0.5, b = ½(13 − 8) = 2.5
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Linear, 0.5, 10, 13, 8).value, 11.5);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Linear, -0.5, 10, 13, 8).value, 9.0);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Linear, 2, 10, 13, 8).value, 16.0);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Exponential, 0.5, 1, 1.2, 0.9).value, std::sqrt(1.2));
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Exponential, -2, 1, 1.2, 0.9).value, 0.81);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Exponential, 1, 10, 13, 8).value, 13);
    // code2 inside: nom + aα² + bα; outside pyhf continues from nom (a jump at ±1)
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Quadratic, 0.5, 10, 13, 8).value, 10 + 0.125 + 1.25);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Quadratic, 2, 10, 13, 8).value, 10 + 3.5 * 1);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Quadratic, -2, 10, 13, 8).value, 10 - 1.5);
    // smooth: from the value at ±1 with slope b ± 2a
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Smooth, 0.5, 10, 13, 8).value, 11.375);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Smooth, 2, 10, 13, 8).value, 13 + 3.5);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Smooth, -2, 10, 13, 8).value, 8 - 1.5);
    // code4p: linear outside, α·S + A(15α² − 10α⁴ + 3α⁶) inside (S = 2.5, A = 1/16)
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::PolynomialLinear, 2, 10, 13, 8).value, 16);
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::PolynomialLinear, -2, 10, 13, 8).value, 6);
    EXPECT_NEAR(interpolate(Interpolation::PolynomialLinear, 0.5, 10, 13, 8).value,
                10 + 0.5 * 2.5 + (15 * 0.25 - 10 * 0.0625 + 3 * 0.015625) / 16, 1e-14);
    // code4: exponential outside
    EXPECT_DOUBLE_EQ(interpolate(Interpolation::Polynomial, 2, 1, 1.2, 0.9).value, 1.44);
    EXPECT_NEAR(interpolate(Interpolation::Polynomial, -1.5, 1, 1.2, 0.9).value, std::pow(0.9, 1.5), 1e-15);
    for (auto c : {Interpolation::Linear, Interpolation::Exponential, Interpolation::Quadratic,
                   Interpolation::Polynomial, Interpolation::PolynomialLinear, Interpolation::Smooth}) {
        EXPECT_DOUBLE_EQ(interpolate(c, 0, 10, 13, 8).value, 10) << interpolation_name(c);
        EXPECT_EQ(parse_interpolation(interpolation_name(c)), c);
    }
    EXPECT_FALSE(parse_interpolation("code3"));
}

// code4 and code4p match value and slope at ±1 (code4 also the curvature: its polynomial solves
// those six conditions); smooth is C¹ there; pyhf's code2 is not continuous at ±1.
TEST(HistFactoryInterp, ContinuityAtPlusMinusOne) {
    const double e = 1e-9;
    for (double x : {1.0, -1.0}) {
        for (auto c : {Interpolation::Polynomial, Interpolation::PolynomialLinear, Interpolation::Smooth}) {
            const auto in = interpolate(c, x * (1 - e), 1, 1.3, 0.75);
            const auto out = interpolate(c, x * (1 + e), 1, 1.3, 0.75);
            EXPECT_NEAR(in.value, out.value, 1e-8) << interpolation_name(c) << " at " << x;
            EXPECT_NEAR(in.d1, out.d1, 1e-7) << interpolation_name(c) << " at " << x;
        }
        const auto in = interpolate(Interpolation::Polynomial, x * (1 - e), 1, 1.3, 0.75);
        const auto out = interpolate(Interpolation::Polynomial, x * (1 + e), 1, 1.3, 0.75);
        EXPECT_NEAR(in.d2, out.d2, 1e-7) << "code4 curvature at " << x;
        EXPECT_NEAR(interpolate(Interpolation::PolynomialLinear, x * (1 - e), 1, 1.3, 0.75).d2, 0, 1e-7);
    }
    EXPECT_GT(std::fabs(interpolate(Interpolation::Quadratic, 1 + 1e-9, 10, 13, 8).value -
                        interpolate(Interpolation::Quadratic, 1 - 1e-9, 10, 13, 8).value),
              2.9); // pyhf's code2 jumps by a + b = δ₊ = 3
}

TEST(HistFactoryInterp, DerivativesAgainstFiniteDifferences) {
    const double h = 1e-5;
    for (auto c : {Interpolation::Linear, Interpolation::Exponential, Interpolation::Quadratic,
                   Interpolation::Polynomial, Interpolation::PolynomialLinear, Interpolation::Smooth})
        for (double a : {-2.3, -0.7, -0.2, 0.3, 0.8, 1.7}) {
            const auto f = interpolate(c, a, 10, 12.5, 8.5);
            const auto fp = interpolate(c, a + h, 10, 12.5, 8.5), fm = interpolate(c, a - h, 10, 12.5, 8.5);
            EXPECT_NEAR(f.d1, (fp.value - fm.value) / (2 * h), 1e-7) << interpolation_name(c) << " α=" << a;
            EXPECT_NEAR(f.d2, (fp.d1 - fm.d1) / (2 * h), 1e-6) << interpolation_name(c) << " α=" << a;
        }
}

// ---- one-bin counting: n = μ s + b·κ^α, κ = 1.1 symmetric (hi 1.1, lo 1/1.1: code1 is b·1.1^α) ----

TEST(HistFactoryModel, CountingWithOneNormsysByHand) {
    const double s = 10, b = 50, n = 65, k = 1.1;
    // μ's bounds far away (μ̂ ± 3σ inside them): the fit takes the problem's exact Hessian
    ParameterConfig wide;
    wide.name = "mu";
    wide.bounds = std::vector<std::pair<double, double>>{{-20, 20}};
    const Workspace ws = one_channel(
        {{"sig", {s}, {normfactor("mu")}}, {"bkg", {b}, {normsys("syst", k, 1 / k)}}}, {n}, {wide});
    const Model m(ws);
    ASSERT_EQ(m.names(), (std::vector<std::string>{"mu", "syst"}));
    EXPECT_EQ(m.poi(), 0u);
    const auto nll = [&](double mu, double a) {
        const double nu = mu * s + b * std::pow(k, a);
        return nu - n * std::log(nu) + std::lgamma(n + 1) + 0.5 * a * a + kHalfLog2Pi;
    };
    for (auto [mu, a] : {std::pair{1.0, 0.5}, {1.5, 0.0}, {0.3, -1.2}}) {
        const std::vector<double> p{mu, a};
        EXPECT_NEAR(m.nll(p), nll(mu, a), 1e-12 * std::fabs(nll(mu, a)));
    }
    // MLE: ν̂ = n with α̂ = 0 (the constraint's minimum): μ̂ = (n − b)/s = 1.5
    Fit fit = make_fit(m);
    const FitResult r = fit.run();
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_NEAR(r.values[0], 1.5, 1e-5);
    EXPECT_NEAR(r.values[1], 0.0, 1e-5);
    EXPECT_NEAR(r.cost, 2 * nll(1.5, 0), 1e-9);
    // errors from the Hessian at the minimum (n = ν): H = [[s²/n, s b ln k/n], [., (b ln k)²/n + 1]]
    const double L = std::log(k), Hmm = s * s / n, Hma = s * b * L / n, Haa = b * b * L * L / n + 1;
    EXPECT_NEAR(r.errors[0], std::sqrt(Haa / (Hmm * Haa - Hma * Hma)), 1e-6);
    EXPECT_NEAR(r.errors[1], std::sqrt(Hmm / (Hmm * Haa - Hma * Hma)),
                1e-6); // = 1: α is fixed by its constraint
    // the exact Hessian of −ln L at the minimum, element by element
    const Eigen::MatrixXd H = m.hessian(std::vector<double>{1.5, 0.0});
    EXPECT_NEAR(H(0, 0), Hmm, 1e-12 * Hmm);
    EXPECT_NEAR(H(0, 1), Hma, 1e-12 * Hma);
    EXPECT_NEAR(H(1, 1), Haa, 1e-12 * Haa);
}

// ---- README §2: the Hessian at the Asimov point is the Fisher matrix ----

TEST(HistFactoryModel, FisherMatrixAtAsimovPoint) {
    const std::vector<double> s{3, 8, 15, 6}, b{40, 25, 12, 30}, d{2.5, -1.5, 0.8, 3.2};
    std::vector<double> hi, lo, n;
    for (std::size_t i = 0; i < s.size(); ++i) {
        hi.push_back(b[i] + d[i]);
        lo.push_back(b[i] - d[i]); // symmetric Δ: smooth = linear inside |θ| ≤ 1, no kink
        n.push_back(s[i] + b[i]);
    }
    double Imm = 0, Imt = 0, Itt = 1;
    for (std::size_t i = 0; i < s.size(); ++i) {
        Imm += s[i] * s[i] / n[i];
        Imt += s[i] * d[i] / n[i];
        Itt += d[i] * d[i] / n[i];
    }
    for (auto code : {Interpolation::Smooth, Interpolation::Linear, Interpolation::PolynomialLinear}) {
        const Workspace ws =
            one_channel({{"sig", s, {normfactor("mu")}}, {"bkg", b, {histosys("theta", hi, lo, code)}}}, n);
        const Model m(ws);
        const std::vector<double> at{1.0, 0.0}; // (mu, theta)
        const Eigen::MatrixXd H = m.hessian(at);
        EXPECT_NEAR(H(0, 0), Imm, 1e-12 * Imm) << interpolation_name(code);
        EXPECT_NEAR(H(0, 1), Imt, 1e-12 * std::fabs(Imt)) << interpolation_name(code);
        EXPECT_NEAR(H(1, 0), Imt, 1e-12 * std::fabs(Imt)) << interpolation_name(code);
        EXPECT_NEAR(H(1, 1), Itt, 1e-12 * Itt) << interpolation_name(code);
        const double var = Itt / (Imm * Itt - Imt * Imt);
        EXPECT_NEAR(H.inverse()(0, 0), var, 1e-12 * var) << interpolation_name(code);
        // the fit's error on μ on these (Asimov) data is the same σ_μ
        const FitResult r = make_fit(m).run();
        ASSERT_TRUE(r.converged) << r.message;
        EXPECT_NEAR(r.values[0], 1.0, 1e-6);
        EXPECT_NEAR(r.errors[0], std::sqrt(var), 1e-6 * std::sqrt(var));
    }
}

// ---- staterror (Gaussian, combined relative width) and shapesys (Poisson, τ = (nom/σ)²) ----

TEST(HistFactoryModel, StaterrorConstraint) {
    // bin 0: samples 20 ± 3 and 30 ± 4 → δ = 5/50 = 0.1; bin 1: no uncertainty → γ fixed at 1
    const Workspace ws = one_channel({{"sig", {5, 5}, {normfactor("mu")}},
                                      {"a", {20, 10}, {perbin("stat", ModifierType::StatError, {3, 0})}},
                                      {"b", {30, 10}, {perbin("stat", ModifierType::StatError, {4, 0})}}},
                                     {57, 24});
    const Model m(ws);
    ASSERT_EQ(m.names(), (std::vector<std::string>{"mu", "stat[0]", "stat[1]"}));
    const auto& q = m.parameters();
    EXPECT_EQ(q[1].constraint, ModelParameter::Constraint::Normal);
    EXPECT_DOUBLE_EQ(q[1].sigma, 0.1);
    EXPECT_TRUE(q[2].fixed);
    EXPECT_EQ(q[2].constraint, ModelParameter::Constraint::None);
    const std::vector<double> p{1.2, 1.05, 1.0};
    const double nu0 = 1.2 * 5 + 1.05 * 50, nu1 = 1.2 * 5 + 20;
    const double z = 0.05 / 0.1;
    const double want = nu0 - 57 * std::log(nu0) + std::lgamma(58) + nu1 - 24 * std::log(nu1) +
                        std::lgamma(25) + 0.5 * z * z + std::log(0.1) + kHalfLog2Pi;
    EXPECT_NEAR(m.nll(p), want, 1e-12 * want);
}

TEST(HistFactoryModel, ShapesysConstraint) {
    // τ = (50/5)² = 100 in bin 0; bin 1 has σ = 0: fixed, unconstrained
    const Workspace ws = one_channel({{"sig", {5, 5}, {normfactor("mu")}},
                                      {"bkg", {50, 10}, {perbin("sh", ModifierType::ShapeSys, {5, 0})}}},
                                     {58, 14});
    const Model m(ws);
    const auto& q = m.parameters();
    EXPECT_EQ(q[1].constraint, ModelParameter::Constraint::Poisson);
    EXPECT_DOUBLE_EQ(q[1].tau, 100);
    EXPECT_DOUBLE_EQ(m.auxdata()[1], 100);
    EXPECT_TRUE(q[2].fixed);
    const std::vector<double> p{0.8, 1.1, 1.0};
    const double nu0 = 4 + 55, nu1 = 4 + 10, lam = 110;
    const double want = nu0 - 58 * std::log(nu0) + std::lgamma(59) + nu1 - 14 * std::log(nu1) +
                        std::lgamma(15) + lam - 100 * std::log(lam) + std::lgamma(101);
    EXPECT_NEAR(m.nll(p), want, 1e-12 * want);
    // Asimov at p: aux = γτ
    EXPECT_DOUBLE_EQ(m.asimov(p).auxdata()[1], 110);
}

// ---- gradient and Hessian against finite differences, two channels, every modifier type ----

Workspace two_channels() {
    Workspace ws;
    ws.channels.push_back(
        {"SR",
         {{"sig",
           {4, 9, 6},
           {normfactor("mu"), perbin("lumi", ModifierType::Lumi),
            normsys("sig_xs", 1.08, 0.9, Interpolation::Polynomial)}},
          {"bkg",
           {30, 22, 15},
           {normsys("jes", 1.05, 0.93), histosys("jes", {32, 21, 16.5}, {28.5, 22.4, 13.9}),
            perbin("stat_SR", ModifierType::StatError, {2, 1.5, 1.2}), perbin("lumi", ModifierType::Lumi)}},
          {"other",
           {5, 4, 3},
           {histosys("shape", {5.5, 4.2, 2.6}, {4.6, 3.7, 3.3}, Interpolation::Smooth),
            perbin("stat_SR", ModifierType::StatError, {0.7, 0.6, 0.5}),
            perbin("unc", ModifierType::ShapeSys, {0.8, 0.5, 0.6})}}}});
    ws.channels.push_back(
        {"CR",
         {{"bkg",
           {80, 60},
           {normsys("jes", 1.03, 0.96, Interpolation::Smooth), perbin("free", ModifierType::ShapeFactor),
            histosys("shape", {82, 57}, {78, 62}, Interpolation::PolynomialLinear)}}}});
    ws.observations = {{"SR", {41, 33, 20}}, {"CR", {85, 57}}};
    ParameterConfig lumi;
    lumi.name = "lumi";
    lumi.auxdata = std::vector<double>{1.0};
    lumi.sigmas = std::vector<double>{0.02};
    lumi.bounds = std::vector<std::pair<double, double>>{{0.9, 1.1}};
    ws.measurements.push_back({"meas", "mu", {lumi}});
    return ws;
}

TEST(HistFactoryModel, GradientAndHessianAgainstFiniteDifferences) {
    const Model m(two_channels());
    EXPECT_EQ(m.names(), (std::vector<std::string>{"free[0]", "free[1]", "jes", "lumi", "mu", "shape",
                                                   "sig_xs", "stat_SR[0]", "stat_SR[1]", "stat_SR[2]",
                                                   "unc[0]", "unc[1]", "unc[2]"}));
    std::vector<double> p = m.inits();
    // a generic point off every kink (α ≠ 0, ±1)
    const std::vector<std::pair<std::string, double>> at{
        {"free[0]", 1.07},    {"free[1]", 0.94},    {"jes", 0.37},    {"lumi", 1.01},
        {"mu", 1.3},          {"shape", -0.62},     {"sig_xs", 0.45}, {"stat_SR[0]", 1.03},
        {"stat_SR[1]", 0.97}, {"stat_SR[2]", 1.02}, {"unc[0]", 0.91}, {"unc[1]", 1.06},
        {"unc[2]", 1.12}};
    for (const auto& [name, v] : at)
        p[m.index(name)] = v;
    std::vector<double> g(p.size());
    m.gradient(p, g);
    const Eigen::MatrixXd H = m.hessian(p);
    for (std::size_t k = 0; k < p.size(); ++k) {
        const double h = 1e-6;
        auto pp = p, pm = p;
        pp[k] += h;
        pm[k] -= h;
        EXPECT_NEAR(g[k], (m.nll(pp) - m.nll(pm)) / (2 * h), 2e-6 * std::max(1.0, std::fabs(g[k])))
            << m.names()[k];
        std::vector<double> gp(p.size()), gm(p.size());
        m.gradient(pp, gp);
        m.gradient(pm, gm);
        for (std::size_t j = 0; j < p.size(); ++j)
            EXPECT_NEAR(
                H(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)), (gp[j] - gm[j]) / (2 * h),
                1e-5 *
                    std::max(1.0, std::fabs(H(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)))))
                << m.names()[j] << ", " << m.names()[k];
    }
    EXPECT_TRUE(H.isApprox(H.transpose(), 1e-14));
    // the per-sample rates add up to the expected counts; by hand for the CR's one sample:
    // 80 · free[0] · (1.03^0.37 normsys, smooth) + the code4p delta of 'shape' at −0.62
    const auto samples = m.expected_samples(p);
    ASSERT_EQ(samples.size(), 4u);
    EXPECT_EQ(samples[3].channel, "CR");
    EXPECT_EQ(samples[3].sample, "bkg");
    EXPECT_EQ(samples[3].offset, 3u);
    const std::vector<double> nu = m.expected(p);
    std::vector<double> sum(nu.size(), 0.0);
    for (const auto& s : samples)
        for (std::size_t i = 0; i < s.rates.size(); ++i)
            sum[s.offset + i] += s.rates[i];
    for (std::size_t i = 0; i < nu.size(); ++i)
        EXPECT_NEAR(sum[i], nu[i], 1e-12 * nu[i]);
    const double jes = interpolate(Interpolation::Smooth, 0.37, 1, 1.03, 0.96).value;
    const double shape = interpolate(Interpolation::PolynomialLinear, -0.62, 80, 82, 78).value;
    EXPECT_NEAR(samples[3].rates[0], shape * 1.07 * jes, 1e-12 * 80);
    EXPECT_NEAR(jes, 1 + (0.5 * (1.03 + 0.96) - 1) * 0.37 * 0.37 + 0.5 * (1.03 - 0.96) * 0.37, 1e-15);
}

TEST(HistFactoryModel, FitOfTwoChannelsConverges) {
    const Model m(two_channels());
    Fit fit = make_fit(m);
    const FitResult r = fit.run();
    ASSERT_TRUE(r.converged) << r.message;
    // at the minimum the analytic gradient vanishes over the free parameters
    std::vector<double> g(r.values.size());
    m.gradient(r.values, g);
    for (std::size_t k = 0; k < g.size(); ++k)
        if (!r.fixed[k]) {
            EXPECT_NEAR(g[k], 0, 1e-3) << r.names[k];
        }
    EXPECT_GT(r.errors[m.index("mu")], 0);
    EXPECT_EQ(r.names[m.poi()], "mu");
    // NDF: 5 bins + 10 auxiliary data (jes, lumi, shape, sig_xs, 3 staterror, 3 shapesys) − 13 free
    EXPECT_EQ(r.ndf, 2);
}

TEST(HistFactoryModel, InconsistentModifiersAreRefused) {
    const auto refused = [](const Workspace& ws, const std::string& part) {
        try {
            (void)Model(ws);
            ADD_FAILURE() << "accepted; expected a message with '" << part << "'";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    refused(one_channel({{"sig", {1}, {normfactor("mu")}}, {"bkg", {5}, {normsys("mu", 1.1, 0.9)}}}, {6}),
            "one name needs one kind of parameter");
    refused(one_channel({{"sig", {1}, {normfactor("mu")}}, {"bkg", {5}, {normsys("a", 1.1, -0.9)}}}, {6}),
            "needs factors > 0");
    refused(one_channel({{"sig", {1}, {normfactor("x")}}}, {6}), "poi 'mu'");
    refused(one_channel({{"sig", {1}, {normfactor("mu"), perbin("lumi", ModifierType::Lumi)}}}, {6}),
            "needs auxdata and sigmas");
    refused(one_channel({{"sig", {1, 2}, {normfactor("mu"), perbin("st", ModifierType::StatError, {0.1})}}},
                        {6, 7}),
            "the channel has 2 bins");
    // calls with data of the wrong size are refused, not read past their end
    const Model m(one_channel({{"sig", {1, 2}, {normfactor("mu")}}}, {3, 4}));
    const std::vector<double> p{1.0}, n3{1, 2, 3}, aux{0.0};
    EXPECT_THROW((void)m.nll(p, n3, aux), std::invalid_argument);
    EXPECT_THROW((void)m.expected(std::vector<double>{1.0, 2.0}), std::invalid_argument);
    EXPECT_THROW((void)m.with_data({1.0}, {0.0}), std::invalid_argument);
}

} // namespace
} // namespace hepkit::fit::hf
