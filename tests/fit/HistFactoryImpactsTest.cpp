// Pulls and impacts (HistFactoryImpacts.hpp) on models whose answers are closed forms.
//
// 1. One bin, n = μs + b·Π κ_k^α_k (normsys, code1) with unit Gaussian constraints: μ absorbs the
//    one bin exactly for any α, so the profile of the α's is their constraints alone: α̂ = 0 and
//    (Schur complement of μ in the Hessian Σ∂ν∂νᵀ/n + diag(0, 1, ...)) σ̂_α = 1. Holding α_k at
//    ±1 gives μ̂ = (n − b·κ_k^{±1})/s: Δμ₊ = b(1 − hi_k)/s, Δμ₋ = b(1 − lo_k)/s, pre- = post-fit.
// 2. A histosys α (code0, symmetric: ν linear in α) shared by a signal region, where μ absorbs its
//    effect again, and a control region n_c ~ Pois(b_c + αδ_c): dL/dα = 0 is the quadratic
//    δ_c α² + (δ_c² + b_c) α + δ_c (b_c − n_c) = 0; σ̂ = (1 + n_c δ_c²/ν_c²)^(−1/2); holding α at
//    α̂ ± σ gives μ̂ = (n_s − b_s − αδ_s)/s, Δμ = ∓σ δ_s/s.
// 3. A Poisson-constrained shapesys γ in a control bin n ~ Pois(bγ), aux τ ~ Pois(γτ):
//    γ̂ = (n + τ)/(b + τ), σ̂ = γ̂/√(n + τ), pull (γ̂ − 1)√τ; a staterror γ' (Normal(1 | γ', δ)) in
//    another: γ'²/δ² + γ'(b − 1/δ²) − n = 0, σ̂ = (n/γ'² + 1/δ²)^(−1/2). Neither touches μ: Δμ = 0.

#include "hepkit/fit/HistFactoryImpacts.hpp"
#include "hepkit/core/ThreadPool.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hepkit::fit::hf {
namespace {

Model model_of(const std::string& text) {
    return Model(parse_workspace(nlohmann::json::parse(text), "impacts.json"));
}

const NuisanceImpact& find(const Impacts& im, const std::string& name) {
    for (const auto& n : im.nuisances)
        if (n.name == name)
            return n;
    throw std::invalid_argument(name);
}

// s = 10, b = 50, n = 70: μ̂ = 2; three normsys with hi/lo 1.10/0.85, 1.02/0.97, 1.05/0.93
const char* kNormsys = R"({
  "channels": [{"name": "sr", "samples": [
    {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
    {"name": "bkg", "data": [50.0], "modifiers": [
      {"name": "big", "type": "normsys", "data": {"hi": 1.10, "lo": 0.85}},
      {"name": "small", "type": "normsys", "data": {"hi": 1.02, "lo": 0.97}},
      {"name": "medium", "type": "normsys", "data": {"hi": 1.05, "lo": 0.93}}]}]}],
  "observations": [{"name": "sr", "data": [70.0]}],
  "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [{"name": "mu", "bounds": [[-10, 20]]}]}}],
  "version": "1.0.0"})";

TEST(HistFactoryImpacts, CountingNormsysImpactsAreClosedFormAndRanked) {
    const Model model = model_of(kNormsys);
    Fit fit = make_fit(model);
    const FitResult best = fit.run();
    ASSERT_TRUE(best.converged) << best.message;
    const Impacts im = compute_impacts(model, best);
    EXPECT_EQ(im.poi, "mu");
    EXPECT_NEAR(im.poi_value, 2.0, 1e-6);
    ASSERT_EQ(im.nuisances.size(), 3u);
    // ranked by max(|Δμ₊|, |Δμ₋|) = 50·max(hi − 1, 1 − lo)/10: big 0.75, medium 0.35, small 0.15
    EXPECT_EQ(im.nuisances[0].name, "big");
    EXPECT_EQ(im.nuisances[1].name, "medium");
    EXPECT_EQ(im.nuisances[2].name, "small");
    const double s = 10, b = 50;
    for (const auto& [name, hi, lo] :
         {std::tuple{"big", 1.10, 0.85}, std::tuple{"medium", 1.05, 0.93}, std::tuple{"small", 1.02, 0.97}}) {
        const NuisanceImpact& n = find(im, name);
        EXPECT_NEAR(n.value, 0.0, 1e-5) << name;
        EXPECT_NEAR(n.error_up, 1.0, 1e-5) << name;
        EXPECT_NEAR(n.error_down, 1.0, 1e-5) << name;
        ASSERT_TRUE(n.pull && n.pull_error && n.prefit_error && n.prefit_value) << name;
        EXPECT_EQ(*n.prefit_value, 0.0);
        EXPECT_EQ(*n.prefit_error, 1.0);
        EXPECT_NEAR(*n.pull, 0.0, 1e-5) << name;
        EXPECT_NEAR(*n.pull_error, 1.0, 1e-5) << name;
        EXPECT_NEAR(n.impact_up, b * (1 - hi) / s, 1e-5) << name;
        EXPECT_NEAR(n.impact_down, b * (1 - lo) / s, 1e-5) << name;
        ASSERT_TRUE(n.impact_prefit_up && n.impact_prefit_down);
        EXPECT_NEAR(*n.impact_prefit_up, b * (1 - hi) / s, 1e-5) << name;
        EXPECT_NEAR(*n.impact_prefit_down, b * (1 - lo) / s, 1e-5) << name;
        EXPECT_NEAR(n.theta_up, 1.0, 1e-5);
        EXPECT_NEAR(n.theta_down, -1.0, 1e-5);
    }
}

TEST(HistFactoryImpacts, ThreadsGiveTheSameNumbers) {
    const Model model = model_of(kNormsys);
    const FitResult best = make_fit(model).run();
    const Impacts one = compute_impacts(model, best);
    ThreadPool pool(2);
    const Impacts two = compute_impacts(model, best, &pool);
    ASSERT_EQ(one.nuisances.size(), two.nuisances.size());
    for (std::size_t i = 0; i < one.nuisances.size(); ++i) {
        EXPECT_EQ(one.nuisances[i].name, two.nuisances[i].name);
        EXPECT_EQ(one.nuisances[i].impact_up, two.nuisances[i].impact_up);
        EXPECT_EQ(one.nuisances[i].impact_prefit_down, two.nuisances[i].impact_prefit_down);
    }
}

// sr: s = 10, b_s = 40 ± δ_s = 4, n_s = 65; cr: b_c = 100 ± δ_c = 10, n_c = 112
const char* kHistosys = R"({
  "channels": [
    {"name": "sr", "samples": [
      {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
      {"name": "bkg", "data": [40.0], "modifiers": [
        {"name": "alpha", "type": "histosys", "data": {"hi_data": [44.0], "lo_data": [36.0]}}]}]},
    {"name": "cr", "samples": [
      {"name": "bkg", "data": [100.0], "modifiers": [
        {"name": "alpha", "type": "histosys", "data": {"hi_data": [110.0], "lo_data": [90.0]}}]}]}],
  "observations": [{"name": "sr", "data": [65.0]}, {"name": "cr", "data": [112.0]}],
  "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [{"name": "mu", "bounds": [[-10, 20]]}]}}],
  "version": "1.0.0"})";

TEST(HistFactoryImpacts, PullOfAControlRegionHistosysIsTheQuadraticsRoot) {
    const Model model = model_of(kHistosys);
    const double s = 10, bs = 40, ds = 4, ns = 65, bc = 100, dc = 10, nc = 112;
    const double qa = dc, qb = dc * dc + bc, qc = dc * (bc - nc);
    const double alpha = (-qb + std::sqrt(qb * qb - 4 * qa * qc)) / (2 * qa); // 0.58300524...
    const double nu = bc + alpha * dc;
    const double sigma = 1 / std::sqrt(1 + nc * dc * dc / (nu * nu));
    Fit fit = make_fit(model);
    const FitResult best = fit.run(/*asymmetric=*/true);
    ASSERT_TRUE(best.converged) << best.message;
    const Impacts im = compute_impacts(model, best);
    // the minimiser stops at EDM < 1e-7 (in −2 ln L): estimates agree to a few 1e-5 here
    EXPECT_NEAR(im.poi_value, (ns - bs - alpha * ds) / s, 5e-5);
    ASSERT_EQ(im.nuisances.size(), 1u);
    const NuisanceImpact& n = im.nuisances[0];
    EXPECT_NEAR(n.value, alpha, 5e-5);
    EXPECT_NEAR(*n.pull, alpha, 5e-5); // θ₀ = 0, σ_prefit = 1
    // with -a the profile errors are used: the profile in α is not a parabola, so they differ a
    // little from the Hessian's σ; θ is held at α̂ + error_high and α̂ − |error_low|
    const std::size_t a = model.index("alpha");
    ASSERT_TRUE(best.error_high[a] && best.error_low[a]);
    EXPECT_DOUBLE_EQ(n.theta_up, n.value + *best.error_high[a]);
    EXPECT_DOUBLE_EQ(n.theta_down, n.value - std::fabs(*best.error_low[a]));
    EXPECT_NEAR(best.errors[a], sigma, 1e-5);
    EXPECT_NEAR(n.error_up, sigma, 0.02);
    EXPECT_NEAR(n.impact_up, -n.error_up * ds / s, 1e-5);
    EXPECT_NEAR(n.impact_down, n.error_down * ds / s, 1e-5);
    EXPECT_NEAR(*n.impact_prefit_up, -ds / s, 1e-5);
    EXPECT_NEAR(*n.impact_prefit_down, ds / s, 1e-5);

    // with Hessian errors, the closed-form σ on both sides
    Fit plain = make_fit(model);
    const Impacts h = compute_impacts(model, plain.run());
    EXPECT_NEAR(h.nuisances[0].error_up, sigma, 1e-5);
    EXPECT_NEAR(h.nuisances[0].error_down, sigma, 1e-5);
    EXPECT_NEAR(*h.nuisances[0].pull_error, sigma, 1e-5);
    EXPECT_NEAR(h.nuisances[0].impact_up, -sigma * ds / s, 1e-5);
}

TEST(HistFactoryImpacts, PoissonAndGaussianGammaPullsAreClosedForm) {
    // sr: μ·10 + 40, n = 60 (no nuisance); cr1: 100·γ (shapesys σ = 10: τ = 100), n = 120;
    // cr2: 100·γ' (staterror σ = 5: δ = 0.05), n = 90
    const Model model = model_of(R"({
      "channels": [
        {"name": "sr", "samples": [
          {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
          {"name": "bkg", "data": [40.0], "modifiers": []}]},
        {"name": "cr1", "samples": [
          {"name": "bkg", "data": [100.0], "modifiers": [{"name": "shape", "type": "shapesys", "data": [10.0]}]}]},
        {"name": "cr2", "samples": [
          {"name": "bkg", "data": [100.0], "modifiers": [{"name": "stat", "type": "staterror", "data": [5.0]}]}]}],
      "observations": [{"name": "sr", "data": [60.0]}, {"name": "cr1", "data": [120.0]},
                       {"name": "cr2", "data": [90.0]}],
      "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}],
      "version": "1.0.0"})");
    const FitResult best = make_fit(model).run();
    ASSERT_TRUE(best.converged) << best.message;
    const Impacts im = compute_impacts(model, best);
    ASSERT_EQ(im.nuisances.size(), 2u);
    const double tau = 100, n1 = 120, b = 100;
    const double g = (n1 + tau) / (b + tau); // 1.1
    const NuisanceImpact& p = find(im, "shape[0]");
    EXPECT_EQ(p.constraint, ModelParameter::Constraint::Poisson);
    EXPECT_NEAR(p.value, g, 1e-6);
    EXPECT_DOUBLE_EQ(*p.prefit_value, 1.0);
    EXPECT_DOUBLE_EQ(*p.prefit_error, 0.1); // 1/√τ
    EXPECT_NEAR(*p.pull, (g - 1) * std::sqrt(tau), 1e-5);
    EXPECT_NEAR(p.error_up, g / std::sqrt(n1 + tau), 1e-6);
    EXPECT_NEAR(*p.pull_error, g / std::sqrt(n1 + tau) * std::sqrt(tau), 1e-5);

    const double d = 0.05, n2 = 90;
    const double qa = 1 / (d * d), qb = b - 1 / (d * d), qc = -n2;
    const double gs = (-qb + std::sqrt(qb * qb - 4 * qa * qc)) / (2 * qa);
    const NuisanceImpact& q = find(im, "stat[0]");
    EXPECT_EQ(q.constraint, ModelParameter::Constraint::Normal);
    EXPECT_NEAR(q.value, gs, 1e-6);
    EXPECT_NEAR(*q.pull, (gs - 1) / d, 1e-4);
    EXPECT_NEAR(q.error_up, 1 / std::sqrt(n2 / (gs * gs) + 1 / (d * d)), 1e-6);
    // neither touches the signal region: the POI does not move
    for (const auto& n : im.nuisances) {
        EXPECT_NEAR(n.impact_up, 0.0, 1e-6) << n.name;
        EXPECT_NEAR(n.impact_down, 0.0, 1e-6) << n.name;
        EXPECT_NEAR(*n.impact_prefit_up, 0.0, 1e-6) << n.name;
    }
    EXPECT_NEAR(im.poi_value, 2.0, 1e-6);
}

TEST(HistFactoryImpacts, FreeParametersHaveImpactsButNoPull) {
    // a free background normalisation k (normfactor) next to the POI, constrained by a control bin
    const Model model = model_of(R"({
      "channels": [
        {"name": "sr", "samples": [
          {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
          {"name": "bkg", "data": [40.0], "modifiers": [{"name": "k", "type": "normfactor", "data": null}]}]},
        {"name": "cr", "samples": [
          {"name": "bkg", "data": [100.0], "modifiers": [{"name": "k", "type": "normfactor", "data": null}]}]}],
      "observations": [{"name": "sr", "data": [64.0]}, {"name": "cr", "data": [110.0]}],
      "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}],
      "version": "1.0.0"})");
    const FitResult best = make_fit(model).run();
    const Impacts im = compute_impacts(model, best);
    ASSERT_EQ(im.nuisances.size(), 1u);
    const NuisanceImpact& k = im.nuisances[0];
    EXPECT_EQ(k.constraint, ModelParameter::Constraint::None);
    EXPECT_FALSE(k.pull || k.pull_error || k.prefit_error || k.impact_prefit_up);
    // k̂ = 1.1 from the control region (each bin fitted exactly), σ̂_k = √110/100 (the signal region
    // is absorbed by μ); μ̂(k) = (64 − 40k)/10: Δμ = ∓4σ̂_k
    EXPECT_NEAR(k.value, 1.1, 1e-6);
    EXPECT_NEAR(k.error_up, std::sqrt(110.0) / 100, 1e-6);
    EXPECT_NEAR(k.impact_up, -4 * std::sqrt(110.0) / 100, 1e-5);
    EXPECT_NEAR(k.impact_down, 4 * std::sqrt(110.0) / 100, 1e-5);
}

TEST(HistFactoryImpacts, RefusesAFitOfAnotherModelOrAFixedPoi) {
    const Model model = model_of(kNormsys);
    FitResult bad = make_fit(model_of(kHistosys)).run();
    EXPECT_THROW(compute_impacts(model, bad), std::invalid_argument);
    Fit fixed = make_fit(model);
    fixed.fix("mu", 1.0);
    EXPECT_THROW(compute_impacts(model, fixed.run()), std::invalid_argument);
}

} // namespace
} // namespace hepkit::fit::hf

namespace hepkit::fit::hf {
namespace {

// An empty nominal bin (n = 0) whose up variation is not empty, under the smooth interpolation:
// ν₁(α) = ½α² + ½α, clipped at 0 below α = 0 (HistFactoryNll.cpp), so the fit of these Asimov
// data sits at α = 0 where ∂(−ln L)/∂α jumps by ν₁'(0) = ½ (from 0 below to ½ above).
TEST(HistFactoryKinks, AnEmptyBinWithAVariationMakesAKinkAtTheAsimovMinimum) {
    const Model model(read_workspace(HEPKIT_SOURCE_DIR "/tests/fit/HistFactoryKink.json"));
    const FitResult r = make_fit(model).run();
    ASSERT_TRUE(r.converged) << r.message;
    const auto kinks = find_kinks(model, r);
    ASSERT_EQ(kinks.size(), 1u);
    EXPECT_EQ(kinks[0].name, "shift");
    // one-sided slopes at α̂ ± ε (ε = 1e-3 σ̂) include the curvature's ±εh: 0.5 to 1e-2
    EXPECT_NEAR(kinks[0].slope_above - kinks[0].slope_below, 0.5, 1e-2);
}

// code1 at α̂ = 0, the bin fitted exactly by μ (ν = n = 70, b = 50): the slope is 0 on both sides,
// but the curvature 1 + b² ln²κ / n (μ held) is not: κ = hi above, lo below. For "big" (1.10, 0.85)
// 1.3245 above and 1.9433 below: flagged; "medium" (1.05, 0.93: 1.085 and 1.188) and "small"
// change by less than the 10 % that find_kinks asks for.
TEST(HistFactoryKinks, Code1AtZeroIsACurvatureKinkAndSmoothMinimaHaveNone) {
    const Model model = model_of(kNormsys);
    const auto kinks = find_kinks(model, make_fit(model).run());
    ASSERT_EQ(kinks.size(), 1u);
    EXPECT_EQ(kinks[0].name, "big");
    EXPECT_NEAR(kinks[0].curvature_above, 1 + 2500 * std::pow(std::log(1.10), 2) / 70, 2e-3);
    EXPECT_NEAR(kinks[0].curvature_below, 1 + 2500 * std::pow(std::log(0.85), 2) / 70, 2e-3);
    // the control-region histosys (code0, symmetric: linear) has its minimum away from any kink
    const Model smooth = model_of(kHistosys);
    EXPECT_TRUE(find_kinks(smooth, make_fit(smooth).run()).empty());
}

} // namespace
} // namespace hepkit::fit::hf
