// Batch evaluation: a model function over arrays of x (ArrayFunction, the fit's fast path), and
// selections over columns of many events (EventBatch, scalar and jagged columns).
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/ArrayFunction.hpp"
#include "hepkit/expr/Expression.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::expr;

TEST(ExprArrayFunction, ValuesMatchTheScalarEvaluator) {
    const Function f =
        Function::parse("def pdf(x, mu=4.5, sigma=1.0, fs=0.2, lam=0.5):\n"
                        "    g = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)\n"
                        "    return fs * g + (1 - fs) * lam * np.exp(-lam * x)\n");
    const ArrayFunction batch(f);
    ASSERT_EQ(batch.parameters(), 4u);
    EXPECT_TRUE(batch.differentiable());
    std::vector<double> x(1000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = 0.01 * static_cast<double>(i); // spans several blocks of 256
    const std::vector<double> p{4.5, 1.0, 0.2, 0.5};
    std::vector<double> out(x.size());
    batch.values(x, p, out);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double args[] = {x[i], p[0], p[1], p[2], p[3]};
        EXPECT_NEAR(out[i], f(args), 1e-13 * std::abs(f(args))) << x[i]; // libmvec: ≤ 4 ulp
    }
    // the uniform parts (1/(√(2π)σ), (1−fs)·λ, ...) are hoisted out of the array loops
    EXPECT_LE(batch.array_operations(0), 10u);
}

TEST(ExprArrayFunction, GradientsMatchFiniteDifferences) {
    const Function f =
        Function::parse("def f(x, a=1.0, b=2.0):\n    return a * np.sin(b * x) + b ** 2 * x\n");
    const ArrayFunction batch(f);
    const std::vector<double> x{-1.0, 0.0, 0.5, 2.0};
    const std::vector<double> p{1.5, 0.75};
    std::vector<double> v(4), g(8), h(12);
    ASSERT_TRUE(batch.hessians(x, p, v, g, h));
    for (std::size_t i = 0; i < x.size(); ++i) {
        // closed forms: ∂/∂a = sin(bx), ∂/∂b = a x cos(bx) + 2 b x, ∂²/∂a² = 0, ∂²/∂a∂b = x cos(bx),
        // ∂²/∂b² = −a x² sin(bx) + 2x
        const double s = std::sin(p[1] * x[i]), c = std::cos(p[1] * x[i]);
        EXPECT_NEAR(g[i], s, 1e-12);
        EXPECT_NEAR(g[4 + i], p[0] * x[i] * c + 2 * p[1] * x[i], 1e-12);
        EXPECT_NEAR(h[i], 0.0, 1e-12);
        EXPECT_NEAR(h[4 + i], x[i] * c, 1e-12);
        EXPECT_NEAR(h[8 + i], -p[0] * x[i] * x[i] * s + 2 * x[i], 1e-12);
    }
}

TEST(ExprArrayFunction, NoVariableIsAnError) {
    EXPECT_THROW(ArrayFunction(Function::parse("def f():\n    return 1\n")), std::invalid_argument);
}

namespace {

// Four events: muons [45, 12], [], [22.5], [8, 60, 31]; nJet 3, 0, 1, 5.
struct Events {
    std::vector<double> pt{45, 12, 22.5, 8, 60, 31};
    std::vector<std::uint64_t> offsets{0, 2, 2, 3, 6};
    std::vector<std::int64_t> njet{3, 0, 1, 5};
    EventBatch batch{4};
    Events() {
        batch.add_jagged("Muon_pt", offsets, ArrayView(pt));
        batch.add_column("nJet", ArrayView(njet));
    }
};

} // namespace

TEST(ExprEventBatch, SelectionIntoAMask) {
    Events e;
    const Expression cut =
        Expression::parse("len(Muon_pt) > 0 and Muon_pt[0] > 20 or nJet >= 5", e.batch.schema());
    EXPECT_EQ(cut.select(e.batch), (std::vector<unsigned char>{1, 0, 1, 1})); // event 3 by its jets
}

TEST(ExprEventBatch, DerivedColumns) {
    Events e;
    const auto ht = Expression::parse("sum(Muon_pt)", e.batch.schema()).evaluate_real(e.batch);
    EXPECT_EQ(ht, (std::vector<double>{57, 0, 22.5, 99}));
    const auto lead =
        Expression::parse("where(len(Muon_pt) > 0, max(Muon_pt), -1)", e.batch.schema()).evaluate(e.batch);
    EXPECT_EQ(lead,
              (std::vector<Value>{Value::real(45), Value::real(-1), Value::real(22.5), Value::real(60)}));
    const auto counts =
        Expression::parse("sum(Muon_pt > 20) + nJet // 2", e.batch.schema()).evaluate(e.batch);
    EXPECT_EQ(counts, (std::vector<Value>{Value::integer(2), Value::integer(0), Value::integer(1),
                                          Value::integer(4)}));
}

TEST(ExprEventBatch, ErrorsNameTheEvent) {
    Events e;
    const Expression bad = Expression::parse("Muon_pt[0] > 20", e.batch.schema());
    try {
        bad.select(e.batch);
        FAIL() << "no error";
    } catch (const InputError& err) {
        EXPECT_NE(std::string(err.what())
                      .find("index 0 is out of range for Muon_pt of length 0 at column 8; guard "
                            "it, e.g. len(Muon_pt) > 0 and ... (event 1)"),
                  std::string::npos)
            << err.what();
    }
}

TEST(ExprEventBatch, MalformedColumnsAreRefused) {
    const std::vector<double> v{1, 2, 3};
    EventBatch b(2);
    EXPECT_THROW(b.add_column("x", ArrayView(v)), std::invalid_argument); // 3 values for 2 events
    const std::vector<std::uint64_t> decreasing{0, 2, 1};
    EXPECT_THROW(b.add_jagged("y", decreasing, ArrayView(v)), std::invalid_argument);
    const std::vector<std::uint64_t> beyond{0, 2, 4};
    EXPECT_THROW(b.add_jagged("y", beyond, ArrayView(v)), std::invalid_argument);
    const std::vector<std::uint64_t> good{0, 2, 3};
    EXPECT_NO_THROW(b.add_jagged("y", good, ArrayView(v)));
}
