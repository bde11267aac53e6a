// A bin without observed events whose expectation the interpolation drives below zero (an empty
// nominal with a non-empty variation, under the smooth interpolation): it contributes ν clipped at
// 0 (HistFactoryNll.cpp), so that the fit of Asimov data is not walled in at α = 0 and finds μ = 1,
// α = 0 (before, the minimiser never left its start).

#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

TEST(HistFactoryEmptyBin, AnEmptyBinDrivenNegativeIsClippedAndTheFitConverges) {
    // bin 0: nominal 20 (+2/-2 under the shift); bin 1: nominal 0, up 1, down 0, nothing observed
    const auto doc = nlohmann::json::parse(R"({
      "channels": [{"name": "c", "samples": [
        {"name": "s", "data": [20.0, 0.0], "modifiers": [
          {"name": "mu", "type": "normfactor", "data": null},
          {"name": "shift", "type": "histosys", "data": {"hi_data": [22.0, 1.0], "lo_data": [18.0, 0.0],
                                                           "interpcode": "smooth"}}]}]}],
      "observations": [{"name": "c", "data": [20.0, 0.0]}],
      "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [
        {"name": "mu", "inits": [0.5], "bounds": [[0.0, 5.0]]}]}}],
      "version": "1.0.0"})");
    const hepkit::fit::hf::Model model(hepkit::fit::hf::parse_workspace(doc, "empty.json"));
    // at α = −0.5 the empty bin expects 0.5·(−0.5)² + 0.5·(−0.5) = −0.125: clipped, it adds 0
    const double mu = 1, alpha = -0.5;
    const double nu0 = mu * (20 + 2 * alpha); // bin 0: a = 0, b = 2
    const double expected =
        nu0 - 20 * std::log(nu0) + std::lgamma(21.0) + 0.5 * alpha * alpha + 0.5 * std::log(2 * M_PI);
    EXPECT_NEAR(model.nll(std::vector<double>{mu, alpha}), expected, 1e-10);
    hepkit::fit::Fit fit = hepkit::fit::hf::make_fit(model);
    const auto r = fit.run();
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_NEAR(r.values[0], 1.0, 1e-4);
    EXPECT_NEAR(r.values[1], 0.0, 1e-3);
}
