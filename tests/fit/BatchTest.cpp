// The batch path of large fits: vectorised elementary functions against libm, compiled Python
// models (values and symbolic derivatives) against the scalar evaluator and finite differences,
// unbinned fits through batch models against the scalar route, and the fork–join pool.

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/fit/BatchFunction.hpp"
#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/UnbinnedProblem.hpp"
#include "hepkit/fit/VecMath.hpp"

#include <atomic>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <stdexcept>
#include <thread>

namespace hepkit::fit {
namespace {

using vecmath::Fn1;
using vecmath::Fn2;

// Relative difference with an absolute floor (values near zero).
double rel(double a, double b) {
    return std::fabs(a - b) / std::max(1e-300, std::max(std::fabs(b), 1e-12));
}

TEST(VecMath, ArraysMatchScalarFunctions) {
    const std::string_view isa = vecmath::isa();
    EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "sse2" || isa == "scalar") << isa;
    // lengths around every vector width, so that the scalar tails run too
    for (std::size_t n : {1u, 3u, 7u, 8u, 9u, 17u, 257u}) {
        std::vector<double> a(n), b(n), out(n);
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = 0.05 +
                   0.9 * static_cast<double>(i + 1) / static_cast<double>(n + 1); // in (0, 1): every domain
            b[i] = 1.5 - a[i];
        }
        for (int f = 0; f <= static_cast<int>(Fn1::sign); ++f) {
            vecmath::apply(static_cast<Fn1>(f), a.data(), out.data(), n);
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_LT(rel(out[i], vecmath::scalar(static_cast<Fn1>(f), a[i])), 1e-14)
                    << "function " << f << " n " << n << " i " << i;
        }
        for (int f = 0; f <= static_cast<int>(Fn2::max); ++f) {
            vecmath::apply(static_cast<Fn2>(f), a.data(), b.data(), out.data(), n);
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_LT(rel(out[i], vecmath::scalar(static_cast<Fn2>(f), a[i], b[i])), 1e-14)
                    << "function " << f << " n " << n;
        }
    }
    // dot products against the plain sum, every tail length
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
        std::vector<double> a(n), b(n);
        double plain = 0;
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = std::sin(static_cast<double>(i));
            b[i] = 1.0 / static_cast<double>(i + 1);
            plain += a[i] * b[i];
        }
        EXPECT_NEAR(vecmath::dot(a.data(), b.data(), n), plain, 1e-14 * static_cast<double>(n + 1)) << n;
    }
    // in place, and special values pass through as libm's
    std::vector<double> v = {0.0, -1.0, INFINITY, 1e-320};
    vecmath::apply(Fn1::log, v.data(), v.data(), v.size());
    EXPECT_EQ(v[0], -INFINITY);
    EXPECT_TRUE(std::isnan(v[1]));
    EXPECT_EQ(v[2], INFINITY);
    EXPECT_NEAR(v[3], std::log(1e-320), 1e-12);
}

// Every function of the subset, in values and (where there is a rule) derivatives.
struct Case {
    const char* code;
    std::vector<double> p;
    bool differentiable;
};

const std::vector<Case> cases = {
    {"def f(x, a=1.0, b=0.5):\n    return a * np.exp(-x / b) + np.log(b + x) - np.log10(a + x) + np.log2(1 + "
     "a * x)",
     {1.3, 0.7},
     true},
    {"def f(x, a=1.0, b=0.5):\n    s = np.sin(a * x) * np.cos(b * x)\n    return s + np.tan(0.3 * a * x) - "
     "np.sqrt(b + x ** 2)",
     {0.8, 0.4},
     true},
    {"def f(x, a=0.5, b=0.2):\n    return np.arcsin(a * x) + np.arccos(b * x) + np.arctan(a * x / b) + "
     "np.arctan2(a, x + b)",
     {0.5, 0.2},
     true},
    {"def f(x, a=0.5, b=0.2):\n    return np.sinh(a * x) + np.cosh(b * x) + np.tanh(a - x) + np.expm1(b * x) "
     "+ np.log1p(a * x)",
     {0.5, 0.2},
     true},
    {"def f(x, mu=0.3, s=0.6):\n    return 0.5 * (1 + erf((x - mu) / (s * np.sqrt(2)))) + erfc(x * s) + "
     "abs(x - mu)",
     {0.3, 0.6},
     true},
    {"def f(x, a=2.0, b=1.5):\n    return x ** b + a ** x + np.power(x + a, 3) + np.hypot(a * x, b) + x ** "
     "0.5 - 1 / (a + x)",
     {2.0, 1.5},
     true},
    {"def f(x, a=2.0, b=1.0):\n    return gamma(a + x) + b", {2.0, 1.0}, false},
    {"def f(x, a=2.0, b=1.0):\n    return np.minimum(a * x, b) + np.maximum(x, a)", {0.5, 0.3}, false},
};

TEST(BatchFunction, ValuesMatchScalarEvaluator) {
    for (const auto& c : cases) {
        const PyFunction f = PyFunction::parse(c.code);
        const BatchFunction b(f);
        EXPECT_EQ(b.differentiable(), c.differentiable) << c.code;
        for (std::size_t n : {1u, 255u, 256u, 257u, 700u}) {
            std::vector<double> x(n), out(n);
            for (std::size_t i = 0; i < n; ++i)
                x[i] = 0.1 + 0.8 * static_cast<double>(i) / static_cast<double>(n);
            b.values(x, c.p, out);
            for (std::size_t i = 0; i < n; ++i) {
                const double args[3] = {x[i], c.p[0], c.p[1]};
                ASSERT_LT(rel(out[i], f(args)), 1e-13) << c.code << " at x = " << x[i];
            }
        }
    }
}

TEST(BatchFunction, GradientsMatchFiniteDifferences) {
    for (const auto& c : cases) {
        const PyFunction f = PyFunction::parse(c.code);
        const BatchFunction b(f);
        const std::size_t n = 300;
        std::vector<double> x(n), out(n), grad(2 * n);
        for (std::size_t i = 0; i < n; ++i)
            x[i] = 0.1 + 0.8 * static_cast<double>(i) / static_cast<double>(n) + 1e-3; // off the kinks
        if (!c.differentiable) {
            EXPECT_FALSE(b.gradients(x, c.p, out, grad)) << c.code;
            continue;
        }
        ASSERT_TRUE(b.gradients(x, c.p, out, grad)) << c.code;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < 2; ++k) {
                const double h = 1e-6;
                double up[3] = {x[i], c.p[0], c.p[1]}, down[3] = {x[i], c.p[0], c.p[1]};
                up[k + 1] += h;
                down[k + 1] -= h;
                const double numeric = (f(up) - f(down)) / (2 * h);
                ASSERT_NEAR(grad[k * n + i], numeric, 1e-6 * std::max(1.0, std::fabs(numeric)))
                    << c.code << " d/dp" << k << " at x = " << x[i];
            }
    }
}

TEST(BatchFunction, SecondDerivativesMatchDifferencesOfGradients) {
    for (const auto& c : cases) {
        if (!c.differentiable)
            continue;
        const BatchFunction b(PyFunction::parse(c.code));
        const std::size_t n = 200;
        std::vector<double> x(n), f(n), g(2 * n), h(3 * n), gu(2 * n), gd(2 * n);
        for (std::size_t i = 0; i < n; ++i)
            x[i] = 0.1 + 0.8 * static_cast<double>(i) / static_cast<double>(n) + 1e-3;
        ASSERT_TRUE(b.hessians(x, c.p, f, g, h)) << c.code;
        for (std::size_t k = 0; k < 2; ++k) {
            const double step = 1e-6;
            std::vector<double> up = c.p, down = c.p;
            up[k] += step;
            down[k] -= step;
            ASSERT_TRUE(b.gradients(x, up, f, gu));
            ASSERT_TRUE(b.gradients(x, down, f, gd));
            for (std::size_t j = 0; j <= k; ++j) // packed (j ≤ k): ∂/∂p_k of ∂f/∂p_j
                for (std::size_t i = 0; i < n; ++i) {
                    const double numeric = (gu[j * n + i] - gd[j * n + i]) / (2 * step);
                    ASSERT_NEAR(h[(k * (k + 1) / 2 + j) * n + i], numeric,
                                1e-5 * std::max(1.0, std::fabs(numeric)))
                        << c.code << " d2/dp" << j << "dp" << k << " at x = " << x[i];
                }
        }
    }
}

TEST(BatchFunction, UniformPartsAreHoistedAndFactorsMerged) {
    // Gaussian plus exponential (the benchmark's pdf): the normalisations depend on the parameters
    // only and run once per call; the derivative rules' scalar factors are merged into single
    // products. Pinned as upper bounds: more array operations would be a regression.
    const BatchFunction b(PyFunction::parse(R"(def pdf(x, mu=4.5, sigma=1.0, fs=0.2, lam=0.5):
    g = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    e = lam * np.exp(-lam * x) / (1 - np.exp(-10 * lam))
    return fs * g + (1 - fs) * e
)"));
    EXPECT_LE(b.array_operations(0), 10u);
    EXPECT_LE(b.array_operations(1), 30u);
    // a model that does not depend on x is all uniform
    const BatchFunction flat(PyFunction::parse("def f(x, a=1.0):\n    return a * 2"));
    std::vector<double> x = {1, 2, 3}, out(3), g(3);
    ASSERT_TRUE(flat.gradients(x, std::vector<double>{1.5}, out, g));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(out[static_cast<std::size_t>(i)], 3.0);
        EXPECT_EQ(g[static_cast<std::size_t>(i)], 2.0);
    }
}

// --- unbinned fits through batch models ------------------------------------------------------------

std::vector<double> sample(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> gauss;
    std::exponential_distribution<double> ex(0.3);
    std::vector<double> ev;
    while (ev.size() < n) {
        const double v = ev.size() % 10 < 3 ? 5 + 0.7 * gauss(rng) : ex(rng);
        if (v >= 0 && v <= 10)
            ev.push_back(v);
    }
    return ev;
}

const char* mixture = R"(def pdf(x, mu=4.5, sigma=1.0, fs=0.2, lam=0.5):
    g = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    e = lam * np.exp(-lam * x) / (1 - np.exp(-10 * lam))
    return fs * g + (1 - fs) * e
)";

XModel scalar_of(const PyFunction& f) {
    return [f](double x, std::span<const double> p) {
        std::array<double, 8> a{};
        a[0] = x;
        std::copy(p.begin(), p.end(), a.begin() + 1);
        return f(std::span<const double>(a.data(), p.size() + 1));
    };
}

void expect_same_fit(const FitResult& batch, const FitResult& scalar) {
    ASSERT_TRUE(batch.converged) << batch.message;
    ASSERT_TRUE(scalar.converged) << scalar.message;
    EXPECT_NEAR(batch.cost, scalar.cost, 1e-6);
    for (std::size_t k = 0; k < batch.values.size(); ++k) {
        EXPECT_NEAR(batch.values[k], scalar.values[k], 1e-3 * scalar.errors[k]) << batch.names[k];
        EXPECT_NEAR(batch.errors[k], scalar.errors[k], 2e-3 * scalar.errors[k]) << batch.names[k];
    }
}

TEST(UnbinnedBatch, SameFitAsScalarModel) {
    const auto ev = sample(20000, 7);
    const PyFunction f = PyFunction::parse(mixture);
    const std::vector<Fit::Parameter> start = {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}, {"lam", 0.5}};
    Fit batch(std::make_unique<UnbinnedProblem>(ev, std::make_shared<BatchFunction>(f)), start);
    Fit scalar(std::make_unique<UnbinnedProblem>(ev, scalar_of(f)), start);
    batch.limit("fs", 0, 1);
    scalar.limit("fs", 0, 1);
    const FitResult rb = batch.run(false), rs = scalar.run(false);
    expect_same_fit(rb, rs);
    EXPECT_NEAR(rb.values[0], 5.0, 5 * rb.errors[0]);
    EXPECT_NEAR(rb.values[2], 0.3, 5 * rb.errors[2]);
}

TEST(UnbinnedBatch, ThreadPoolGivesTheSerialFit) {
    // 20000 events are 4 chunks of 5000 on a pool of 4 threads: the sums are split differently
    // from the serial pass, so the fits agree to rounding, not bit for bit.
    const auto ev = sample(20000, 7);
    const PyFunction f = PyFunction::parse(mixture);
    const std::vector<Fit::Parameter> start = {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}, {"lam", 0.5}};
    Fit serial(std::make_unique<UnbinnedProblem>(ev, std::make_shared<BatchFunction>(f)), start);
    Fit pooled(std::make_unique<UnbinnedProblem>(ev, std::make_shared<BatchFunction>(f)), start);
    hepkit::ThreadPool pool(4);
    pooled.set_thread_pool(&pool);
    for (Fit* fit : {&serial, &pooled})
        fit->limit("fs", 0, 1);
    const FitResult rs = serial.run(false), rp = pooled.run(false);
    ASSERT_TRUE(rs.converged && rp.converged);
    EXPECT_NEAR(rp.cost, rs.cost, 1e-8 * std::fabs(rs.cost));
    for (std::size_t k = 0; k < rs.values.size(); ++k) {
        EXPECT_NEAR(rp.values[k], rs.values[k], 1e-5 * rs.errors[k]) << rs.names[k];
        EXPECT_NEAR(rp.errors[k], rs.errors[k], 1e-5 * rs.errors[k]) << rs.names[k];
    }
}

TEST(UnbinnedBatch, RangeNormalisationAndFiniteDifferenceFallback) {
    // an unnormalised model over a range (the integral's gradient from the quadrature's nodes),
    // and a model without a derivative rule (gamma): forward differences of batch values
    const auto ev = sample(5000, 11);
    const PyFunction shape = PyFunction::parse(
        "def f(x, mu=4.0, sigma=1.0, fs=0.2, lam=0.5):\n"
        "    return fs * np.exp(-0.5 * ((x - mu) / sigma) ** 2) + (1 - fs) * np.exp(-lam * x)");
    const PyFunction with_gamma =
        PyFunction::parse("def f(x, mu=4.0, sigma=1.0, fs=0.2, lam=0.5):\n"
                          "    return gamma(2.0 + 0.0 * lam) * (fs * np.exp(-0.5 * ((x - mu) / sigma) ** 2) "
                          "+ (1 - fs) * np.exp(-lam * x))");
    ASSERT_FALSE(BatchFunction(with_gamma).differentiable());
    const std::vector<Fit::Parameter> start = {{"mu", 4.5}, {"sigma", 1}, {"fs", 0.2}, {"lam", 0.5}};
    const std::pair<double, double> range{0.0, 10.0};
    Fit scalar(std::make_unique<UnbinnedProblem>(ev, scalar_of(shape), range), start);
    const FitResult rs = scalar.run(false);
    for (const PyFunction* f : {&shape, &with_gamma}) {
        Fit batch(
            std::make_unique<UnbinnedProblem>(ev, scalar_of(*f), std::make_shared<BatchFunction>(*f), range),
            start);
        expect_same_fit(batch.run(false), rs);
    }
}

TEST(UnbinnedBatch, HessianMatchesSecondDifferencesOfTheCost) {
    const auto ev = sample(5000, 3);
    const UnbinnedProblem problem(ev, std::make_shared<BatchFunction>(PyFunction::parse(mixture)));
    const std::vector<double> p = {4.9, 0.75, 0.28, 0.31};
    Eigen::MatrixXd H;
    ASSERT_TRUE(problem.hessian(p, H));
    const double h[4] = {1e-3, 1e-3, 1e-4, 1e-4};
    for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
            auto c = [&](double da, double db) {
                auto q = p;
                q[static_cast<std::size_t>(a)] += da;
                q[static_cast<std::size_t>(b)] += db;
                return problem.cost(q);
            };
            const double numeric =
                (c(h[a], h[b]) - c(h[a], -h[b]) - c(-h[a], h[b]) + c(-h[a], -h[b])) / (4 * h[a] * h[b]);
            EXPECT_NEAR(H(a, b), numeric, 1e-4 * std::sqrt(std::fabs(H(a, a) * H(b, b)))) << a << "," << b;
        }
    std::vector<double> g(4);
    ASSERT_TRUE(problem.gradient(p, g));
    for (std::size_t k = 0; k < 4; ++k) { // steps of 1e-5: truncation ~1e-6, rounding ~1e-7
        auto q = p;
        q[k] += 1e-5;
        const double up = problem.cost(q);
        q[k] -= 2e-5;
        EXPECT_NEAR(g[k], (up - problem.cost(q)) / 2e-5,
                    1e-5 * std::sqrt(H(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k))));
    }
}

// A user's batch model with first derivatives only: the Hessian then comes from differences of
// the analytic gradient, and must agree with the exact one.
class FirstOrderOnly : public BatchModel {
  public:
    explicit FirstOrderOnly(const PyFunction& f) : f_(f) {}
    std::size_t parameters() const override { return f_.parameters(); }
    void values(std::span<const double> x, std::span<const double> p, std::span<double> out) const override {
        f_.values(x, p, out);
    }
    bool gradients(std::span<const double> x, std::span<const double> p, std::span<double> out,
                   std::span<double> grad) const override {
        return f_.gradients(x, p, out, grad);
    }

  private:
    BatchFunction f_;
};

TEST(UnbinnedBatch, HessianFromGradientDifferencesMatchesExact) {
    const auto ev = sample(5000, 13);
    const PyFunction f = PyFunction::parse(mixture);
    const std::vector<double> p = {5.05, 0.68, 0.31, 0.29};
    for (bool with_range : {false, true}) {
        std::optional<std::pair<double, double>> range;
        if (with_range)
            range = std::pair{0.0, 10.0};
        const UnbinnedProblem exact(ev, scalar_of(f), std::make_shared<BatchFunction>(f), range);
        const UnbinnedProblem differences(ev, scalar_of(f), std::make_shared<FirstOrderOnly>(f), range);
        Eigen::MatrixXd He, Hd;
        ASSERT_TRUE(exact.hessian(p, He));
        ASSERT_TRUE(differences.hessian(p, Hd));
        for (Eigen::Index a = 0; a < 4; ++a)
            for (Eigen::Index b = 0; b < 4; ++b)
                EXPECT_NEAR(He(a, b), Hd(a, b), 1e-5 * std::sqrt(He(a, a) * He(b, b))) << a << "," << b;
    }
}

TEST(UnbinnedBatch, ParameterAtItsLimitKeepsTheInternalRoute) {
    // fs truly 0: the limit matters, the exact Hessian must not be used (MINUIT's internal
    // route, as without a batch model)
    std::mt19937_64 rng(5);
    std::exponential_distribution<double> ex(0.3);
    std::vector<double> ev;
    while (ev.size() < 3000) {
        const double v = ex(rng);
        if (v <= 10)
            ev.push_back(v);
    }
    const PyFunction f = PyFunction::parse(mixture);
    const std::vector<Fit::Parameter> start = {{"mu", 5}, {"sigma", 0.7}, {"fs", 0.1}, {"lam", 0.5}};
    Fit batch(std::make_unique<UnbinnedProblem>(ev, std::make_shared<BatchFunction>(f)), start);
    Fit scalar(std::make_unique<UnbinnedProblem>(ev, scalar_of(f)), start);
    for (Fit* fit : {&batch, &scalar}) {
        fit->limit("fs", 0, 1);
        fit->fix("mu");
        fit->fix("sigma");
    }
    const FitResult rb = batch.run(false), rs = scalar.run(false);
    EXPECT_NEAR(rb.values[2], rs.values[2], 1e-3);
    EXPECT_NEAR(rb.errors[3], rs.errors[3], 0.01 * rs.errors[3]);
    EXPECT_NEAR(rb.errors[2], rs.errors[2], 0.05 * rs.errors[2] + 1e-6);
}

TEST(UnbinnedBatch, NonPositivePdfIsRejectedNotCrashed) {
    const UnbinnedProblem problem(
        std::vector<double>{0.5, 1.5, 2.5},
        std::make_shared<BatchFunction>(PyFunction::parse("def f(x, a=1.0):\n    return a - x")));
    EXPECT_TRUE(std::isinf(problem.cost(std::vector<double>{1.0})));
    std::vector<double> g(1);
    EXPECT_FALSE(problem.gradient(std::vector<double>{1.0}, g));
    EXPECT_TRUE(std::isfinite(problem.cost(std::vector<double>{3.0})));
}

} // namespace
} // namespace hepkit::fit
