// Pseudo-experiments of HistFactory models (HistFactoryProblem::toy) through hepkit's run_toys.

#include "hepkit/fit/HistFactoryModel.hpp"
#include "hepkit/fit/Toys.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

namespace hepkit::fit::hf {
namespace {

Modifier toy_normfactor(const std::string& name) {
    return {name, ModifierType::NormFactor, 1, 1, {}, {}, {}, {}};
}
Modifier toy_normsys(const std::string& name, double hi, double lo) {
    return {name, ModifierType::NormSys, hi, lo, {}, {}, {}, {}};
}
Modifier staterror(const std::string& name, std::vector<double> data) {
    return {name, ModifierType::StatError, 1, 1, {}, {}, std::move(data), {}};
}

// Pseudo-experiments: the toys' data average to the model at the truth, and the fits of 400 toys
// of a two-bin normsys + staterror model give pulls of mean 0 and width 1 (within 4 statistical
// errors) and ±1σ coverage near 68 %.
TEST(HistFactoryModel, PseudoExperiments) {
    Workspace ws;
    ws.measurements.push_back({"meas", "mu", {}});
    ws.observations.push_back({"ch", {125, 118}});
    ws.channels.push_back({"ch",
                           {{"sig", {20, 40}, {toy_normfactor("mu")}},
                            {"bkg", {100, 80}, {toy_normsys("norm", 1.1, 0.92), staterror("st", {5, 4})}}}});
    const Model m(ws);
    const std::vector<double> truth{1.0, 0.2, 1.02, 0.97}; // mu, norm, st[0], st[1]
    ASSERT_EQ(m.names(), (std::vector<std::string>{"mu", "norm", "st[0]", "st[1]"}));
    const HistFactoryProblem problem(m);
    std::mt19937_64 rng(7);
    const std::vector<double> nu = m.expected(truth);
    std::vector<double> mean(2, 0.0), aux_mean(4, 0.0);
    const int N = 4000;
    for (int t = 0; t < N; ++t) {
        const auto toy = problem.toy(truth, rng);
        const Model& tm = dynamic_cast<const HistFactoryProblem&>(*toy).model();
        for (std::size_t i = 0; i < 2; ++i)
            mean[i] += tm.observed()[i] / N;
        for (std::size_t k = 0; k < 4; ++k)
            aux_mean[k] += tm.auxdata()[k] / N;
    }
    for (std::size_t i = 0; i < 2; ++i)
        EXPECT_NEAR(mean[i], nu[i], 4 * std::sqrt(nu[i] / N)) << "bin " << i;
    EXPECT_NEAR(aux_mean[1], 0.2, 4 / std::sqrt(N));                                    // N(0.2, 1)
    EXPECT_NEAR(aux_mean[2], 1.02, 4 * m.parameters()[2].sigma / std::sqrt(double(N))); // N(1.02, δ)
    const ToyStudy s = run_toys(make_fit(m), truth, 400, 11);
    EXPECT_LE(s.failed, 4);
    EXPECT_EQ(s.toys, 400);
    ASSERT_EQ(s.parameters.size(), 4u);
    EXPECT_LE(s.at_limit, 4);
    for (const auto& p : s.parameters) {
        EXPECT_NEAR(p.pull_mean, 0, 4 * p.pull_mean_error + 0.05) << p.name;
        EXPECT_NEAR(p.pull_width, 1, 4 * p.pull_width_error + 0.05) << p.name;
        EXPECT_NEAR(p.coverage, 0.683, 0.08) << p.name;
    }
}

} // namespace
} // namespace hepkit::fit::hf
