// Fit::minos for a parameter fitted at its bound: the Hessian error there is no guide to the
// scale of the profile (the cost is not a parabola), and the bracketing must still find the
// crossing Δ(−2 ln L) = 1 (Profiles.cpp). A one-bin counting experiment with fewer events than
// the background: μ̂ = 0 at its lower bound, and the upper error solves
// 2[(μs + b) − n ln(μs + b)] − 2[b − n ln b] = 1 in closed form, here by bisection.

#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

TEST(MinosBound, AParameterAtItsBoundGetsTheProfileCrossing) {
    const double s = 10, b = 50, n = 45;
    const auto doc = nlohmann::json::parse(R"({
      "channels": [{"name": "c", "samples": [
        {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
        {"name": "bkg", "data": [50.0], "modifiers": []}]}],
      "observations": [{"name": "c", "data": [45.0]}],
      "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [
        {"name": "mu", "bounds": [[0.0, 10.0]]}]}}],
      "version": "1.0.0"})");
    const hepkit::fit::hf::Model model(hepkit::fit::hf::parse_workspace(doc, "bound.json"));
    hepkit::fit::Fit fit = hepkit::fit::hf::make_fit(model);
    const hepkit::fit::FitResult r = fit.run(/*asymmetric=*/true);
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_NEAR(r.values[0], 0.0, 1e-6);
    auto delta = [&](double mu) {
        const double nu = mu * s + b;
        return 2 * (nu - n * std::log(nu)) - 2 * (b - n * std::log(b)) - 1;
    };
    double lo = 0, hi = 10;
    for (int k = 0; k < 200; ++k)
        (delta((lo + hi) / 2) < 0 ? lo : hi) = (lo + hi) / 2;
    ASSERT_TRUE(r.error_high[0].has_value());
    EXPECT_NEAR(*r.error_high[0], lo, 1e-4) << "Hessian error " << r.errors[0];
}
