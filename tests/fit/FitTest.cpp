// hepkit::fit against kafe2: the paper's example, every file of the reference kafe2-examples folder
// (skipped where the reference data is absent),
// with the results tabulated in its README, the model-function subset, bad input, toys.

#include "hepkit/core/Error.hpp"
#include "hepkit/fit/HistogramProblem.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/fit/MultiProblem.hpp"
#include "hepkit/fit/PyFunction.hpp"
#include "hepkit/fit/Toys.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include "Reference.hpp"
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>

namespace hepkit::fit {
namespace {

const std::string ref = test::reference("kafe2-examples").string() + "/";
const std::string own_data = std::string(HEPKIT_SOURCE_DIR) + "/tests/fit/data/";

// The kafe2 example files are reference data, not part of the repository.
class Kafe2Examples : public ::testing::Test {
  protected:
    void SetUp() override { HEPKIT_REQUIRE_REFERENCE("kafe2-examples"); }
};

XModel line = [](double x, std::span<const double> p) { return p[0] * x + p[1]; };

ErrorSource simple(ErrorSource::Axis axis, double sigma, bool relative = false) {
    ErrorSource e;
    e.axis = axis;
    e.sigma = {sigma};
    e.relative = relative;
    return e;
}

// kafe2 paper (arXiv:2210.12768, fig. 1): x errors 5% relative, y errors 0.4.
TEST(Kafe2Paper, LineFitWithXErrors) {
    Fit fit(std::make_unique<XYProblem>(std::vector<double>{1, 2, 3, 4},
                                        std::vector<double>{2.3, 4.2, 7.5, 9.4}, line,
                                        std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.4),
                                                                 simple(ErrorSource::Axis::x, 0.05, true)}),
            {{"a", 1.0}, {"b", 0.0}});
    const FitResult r = fit.run(false);
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], 2.437335, 1e-4 * 0.2275);
    EXPECT_NEAR(r.values[1], -0.253059, 1e-4 * 0.5529);
    EXPECT_NEAR(r.errors[0], 0.2275, 0.2275 * 0.002);
    EXPECT_NEAR(r.errors[1], 0.5529, 0.5529 * 0.002);
    EXPECT_NEAR(r.correlation(0, 1), -0.893, 0.001);
    EXPECT_NEAR(*r.chi2, 1.57249, 1e-4);
    EXPECT_EQ(r.ndf, 2);
    EXPECT_NEAR(*r.chi2_probability, 0.456, 0.001);
}

// Same data, y errors only: a linear least-squares problem with exact answers.
TEST(Kafe2Paper, LineFitYErrorsOnly) {
    Fit fit(std::make_unique<XYProblem>(std::vector<double>{1, 2, 3, 4},
                                        std::vector<double>{2.3, 4.2, 7.5, 9.4}, line,
                                        std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.4)}),
            {{"a", 1.0}, {"b", 0.0}});
    const FitResult r = fit.run(true);
    EXPECT_NEAR(r.values[0], 2.46, 1e-5); // minimiser tolerance: 1e-4 sigma
    EXPECT_NEAR(r.values[1], -0.30, 1e-5);
    EXPECT_NEAR(r.errors[0], 0.17889, 1e-5);
    EXPECT_NEAR(r.errors[1], 0.48990, 1e-5);
    EXPECT_NEAR(*r.chi2, 2.45, 1e-6);
    // a linear model: the profile is a parabola, asymmetric errors equal the symmetric ones
    EXPECT_NEAR(*r.error_high[0], 0.17889, 1e-4);
    EXPECT_NEAR(*r.error_low[0], -0.17889, 1e-4);
}

struct Expected {
    std::string name;
    double value, error, low, high;
};

// kafe2 2.10.0's results (README of the reference). Values within 0.01 sigma, symmetric errors
// within 0.5%, asymmetric errors within 2%.
void check_file(const std::string& file, const std::vector<Expected>& expected, double error_tol = 0.005) {
    FitFile f = read_kafe2go(ref + file);
    const FitResult r = f.fit->run(true);
    ASSERT_TRUE(r.converged) << file << ": " << r.message;
    for (const auto& e : expected) {
        const std::size_t i = f.fit->index(e.name);
        EXPECT_NEAR(r.values[i], e.value, 0.01 * e.error) << file << " " << e.name;
        EXPECT_NEAR(r.errors[i], e.error, error_tol * e.error) << file << " " << e.name;
        ASSERT_TRUE(r.error_low[i] && r.error_high[i]);
        EXPECT_NEAR(*r.error_low[i], e.low, 0.02 * std::fabs(e.low)) << file << " " << e.name;
        EXPECT_NEAR(*r.error_high[i], e.high, 0.02 * e.high) << file << " " << e.name;
    }
}

TEST_F(Kafe2Examples, LineFit) {
    check_file("001_line_fit__line_fit.yml",
               {{"a", 2.43725, 0.2274, -0.2202, 0.2355}, {"b", -0.252915, 0.5528, -0.5624, 0.5442}});
}
TEST_F(Kafe2Examples, ExponentialFit) {
    check_file("002_model_functions__exponential_fit.yml",
               {{"A_0", 1.44018, 0.06731, -0.06656, 0.06806}, {"x_0", 4.33703, 0.1354, -0.1339, 0.137}});
}
TEST_F(Kafe2Examples, Constraints) {
    check_file("004_constraints__constraints.yml", {{"y_0", 0.598829, 0.002258, -0.002258, 0.002259},
                                                    {"l", 10, 0.001, -0.001, 0.0009999},
                                                    {"r", 0.0519996, 0.001, -0.0009996, 0.001},
                                                    {"g", 9.78093, 0.002338, -0.002336, 0.00234},
                                                    {"c", 0.00994225, 0.0001427, -0.0001427, 0.0001428}});
    FitFile f = read_kafe2go(ref + "004_constraints__constraints.yml");
    EXPECT_EQ(f.fit->run(false).ndf, 119); // 121 points + 3 constraints - 5 parameters
}
TEST_F(Kafe2Examples, Histogram) {
    check_file("009_histogram_fit__histogram.yml",
               {{"mu", 0.170019, 0.104, -0.1042, 0.1042}, {"sigma", 0.998916, 0.07655, -0.07246, 0.08109}});
}
// kafe2's symmetric errors of this file are iminuit's MIGRAD estimates (0.4696, 0.1035); iminuit's
// HESSE on the same cost gives 0.4717 and sqrt(cov) 0.1049 (tests/fit/iminuit_crosscheck.py), which
// is what hepkit computes: the symmetric errors are compared with HESSE's, the rest with kafe2.
TEST_F(Kafe2Examples, Unbinned) {
    check_file("010_unbinned_fit__01_unbinned.yml",
               {{"tau", 2.05054, 0.47175, -0.4061, 0.5745}, {"fbg", 0.292978, 0.10491, -0.1165, 0.09907}});
}

// Simpson's rule per bin reproduces kafe2's cost exactly (its default bin evaluation).
TEST_F(Kafe2Examples, HistogramSimpsonCost) {
    FitFile f = read_kafe2go(ref + "009_histogram_fit__histogram.yml");
    auto* h = const_cast<HistogramProblem*>(dynamic_cast<const HistogramProblem*>(f.problem));
    ASSERT_NE(h, nullptr);
    h->set_evaluation(HistogramProblem::Evaluation::simpson);
    EXPECT_NEAR(f.fit->total_cost(std::vector<double>{0.170019, 0.998916}), 29.5828, 1e-4);
}

TEST(PyFunctionSubset, EvaluatesPython) {
    const auto f =
        PyFunction::parse("def f(x, a=2., b=-1e-1):\n"
                          "    \"\"\"doc\"\"\"\n"
                          "    s = a * x  # comment\n"
                          "    t = (s +\n"
                          "         b)\n"
                          "    return -t ** 2 + np.exp(0) + math.sqrt(4) + np.pi * 0 + 2 ** 3 ** 2 / 512\n");
    EXPECT_EQ(f.name(), "f");
    ASSERT_EQ(f.arguments().size(), 3u);
    EXPECT_DOUBLE_EQ(*f.defaults()[1], 2.0);
    EXPECT_DOUBLE_EQ(*f.defaults()[2], -0.1);
    const double args[] = {3.0, 2.0, -0.1};
    EXPECT_NEAR(f(args), -(5.9 * 5.9) + 1 + 2 + 1, 1e-12); // ** binds tighter than unary minus; 2**3**2 = 512
}

TEST(PyFunctionSubset, ErrorsNameTheLine) {
    auto message = [](const std::string& code) {
        try {
            PyFunction::parse(code, "model.yml", 10);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("def f(x, a):\n    if x > 0:\n        return a\n").find("model.yml:11"),
              std::string::npos);
    EXPECT_NE(message("def f(x, a):\n    return a * foo(x)\n").find("unknown function 'foo'"),
              std::string::npos);
    EXPECT_NE(message("def f(x, a):\n    return a * y\n").find("unknown name 'y'"), std::string::npos);
    EXPECT_NE(message("def f(x, a):\n    return (a * x\n").find("unbalanced"), std::string::npos);
    EXPECT_NE(message("def f(x, a):\n    b = a\n").find("no 'return'"), std::string::npos);
    EXPECT_NE(message("f = lambda x: x").find("expected 'def'"), std::string::npos);
    EXPECT_NE(message("def f(x, a):\n    return scipy.stats.norm(x)\n").find("only numpy"),
              std::string::npos);
}

TEST(FitBadInput, ClearErrors) {
    auto err = [](auto&& make) {
        try {
            make();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const auto y = std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.1)};
    EXPECT_NE(err([&] { XYProblem({}, {}, line, y); }).find("empty"), std::string::npos);
    EXPECT_NE(err([&] {
                  XYProblem({1, 2}, {1}, line, y);
              }).find("x_data has 2 values but y_data has 1"),
              std::string::npos);
    EXPECT_NE(err([&] {
                  XYProblem({1, NAN}, {1, 2}, line, y);
              }).find("not a finite number"),
              std::string::npos);
    EXPECT_NE(err([&] {
                  XYProblem({1, 2}, {1, 2}, line, {simple(ErrorSource::Axis::y, -1)});
              }).find("must be > 0"),
              std::string::npos);
    ErrorSource singular;
    singular.matrix = Eigen::MatrixXd::Ones(2, 2);
    EXPECT_NE(err([&] { XYProblem({1, 2}, {1, 2}, line, {singular}); }).find("singular"), std::string::npos);
    EXPECT_NE(err([&] { XYProblem({1, 2}, {1, 2}, line, {}); }).find("no uncertainties"), std::string::npos);
}

// A fit that cannot converge says so, it does not crash.
TEST(FitBadInput, NonConvergenceIsReported) {
    XModel flat = [](double, std::span<const double> p) {
        return std::exp(p[0]) * 0 + p[1] * 0 + 1 / (p[0] - p[0]);
    };
    Fit fit(std::make_unique<XYProblem>(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}, flat,
                                        std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.1)}),
            {{"a", 1.0}, {"b", 1.0}});
    const FitResult r = fit.run(true);
    EXPECT_FALSE(r.converged);
    EXPECT_FALSE(r.message.empty());
}

// A multi fit of two xy data sets sharing the slope, with a 5% normalisation error correlated
// across both, equals one xy fit of the concatenated data with that error over all points.
TEST(MultiFit, SharedParametersAndCorrelatedErrorsAcrossFits) {
    const std::vector<double> x1 = {1, 2, 3, 4}, y1 = {2.1, 3.9, 6.2, 7.8};
    const std::vector<double> x2 = {1, 2, 3}, y2 = {3.2, 5.1, 6.8};
    XModel offset_line = [](double x, std::span<const double> p) { return p[0] * x + p[1]; };
    ErrorSource norm = simple(ErrorSource::Axis::y, 0.05, true);
    norm.correlation = 1.0;
    std::vector<std::unique_ptr<Problem>> parts;
    parts.push_back(std::make_unique<XYProblem>(x1, y1, offset_line,
                                                std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.2)}));
    parts.push_back(std::make_unique<XYProblem>(x2, y2, offset_line,
                                                std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.2)}));
    // parameters: slope, offset1, offset2; part k uses (slope, offset_k)
    Fit multi(std::make_unique<MultiProblem>(std::move(parts),
                                             std::vector<std::vector<std::size_t>>{{0, 1}, {0, 2}},
                                             std::vector<ErrorSource>{norm}),
              {{"slope", 1}, {"o1", 0}, {"o2", 0}});
    const FitResult m = multi.run(false);
    // the same as one problem: x concatenated, an indicator selects the offset
    std::vector<double> x, y;
    for (double v : x1)
        x.push_back(v);
    for (double v : x2)
        x.push_back(v + 100); // second set shifted: the model subtracts the shift
    y = y1;
    y.insert(y.end(), y2.begin(), y2.end());
    XModel joint = [](double t, std::span<const double> p) {
        return t < 50 ? p[0] * t + p[1] : p[0] * (t - 100) + p[2];
    };
    Fit single(std::make_unique<XYProblem>(x, y, joint,
                                           std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.2), norm}),
               {{"slope", 1}, {"o1", 0}, {"o2", 0}});
    const FitResult s1 = single.run(false);
    ASSERT_TRUE(m.converged && s1.converged);
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(m.values[i], s1.values[i], 1e-4 * s1.errors[i]);
        EXPECT_NEAR(m.errors[i], s1.errors[i], 1e-3 * s1.errors[i]);
    }
    EXPECT_NEAR(*m.chi2, *s1.chi2, 1e-6);
    EXPECT_EQ(m.ndf, 7 - 3);
}

// Pulls of well-posed fits: mean 0 and width 1 within 3 statistical errors; 68% coverage.
void check_pulls(const ToyStudy& s, int n) {
    EXPECT_EQ(s.failed, 0);
    for (const auto& p : s.parameters) {
        EXPECT_NEAR(p.pull_mean, 0, 3 * p.pull_mean_error) << p.name;
        EXPECT_NEAR(p.pull_width, 1, 3 * p.pull_width_error) << p.name;
        EXPECT_NEAR(p.coverage, 0.683, 3 * std::sqrt(0.683 * 0.317 / n)) << p.name;
    }
}

TEST(FitToys, LinePullsAreStandardNormal) {
    std::vector<double> x;
    for (int i = 0; i < 10; ++i)
        x.push_back(i);
    Fit fit(std::make_unique<XYProblem>(x, std::vector<double>(x.size(), 0.0), line,
                                        std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.5)}),
            {{"a", 1.5}, {"b", -2.0}});
    check_pulls(run_toys(fit, {1.5, -2.0}, 400, 7), 400);
}

// A histogram fit (hepkit's own file, 400 entries): Poisson toys, well-posed.
TEST(FitToys, HistogramPulls) {
    FitFile f = read_kafe2go(own_data + "histogram_normal.yml");
    check_pulls(run_toys(*f.fit, {0.2, 1.1}, 200, 11), 200);
}

// Analytic model gradients give the same fit as numerical ones.
TEST(FitGradient, AnalyticMatchesNumerical) {
    std::vector<double> x = {0, 1, 2, 3, 4, 5}, y = {3.1, 2.0, 1.4, 0.9, 0.65, 0.4};
    XModel expo = [](double t, std::span<const double> p) { return p[0] * std::exp(-t / p[1]); };
    auto problem =
        std::make_unique<XYProblem>(x, y, expo, std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.1)});
    problem->set_model_gradient([](double t, std::span<const double> p, std::span<double> g) {
        g[0] = std::exp(-t / p[1]);
        g[1] = p[0] * std::exp(-t / p[1]) * t / (p[1] * p[1]);
    });
    Fit analytic(std::move(problem), {{"A", 1}, {"tau", 1}});
    Fit numeric(
        std::make_unique<XYProblem>(x, y, expo, std::vector<ErrorSource>{simple(ErrorSource::Axis::y, 0.1)}),
        {{"A", 1}, {"tau", 1}});
    const FitResult a = analytic.run(false), b = numeric.run(false);
    ASSERT_TRUE(a.converged && b.converged);
    for (int i = 0; i < 2; ++i) {
        EXPECT_NEAR(a.values[i], b.values[i], 1e-4 * b.errors[i]);
        EXPECT_NEAR(a.errors[i], b.errors[i], 1e-4 * b.errors[i]);
    }
    EXPECT_LE(a.evaluations, b.evaluations);
}

} // namespace
} // namespace hepkit::fit
