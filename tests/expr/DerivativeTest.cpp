// Symbolic derivatives of the expression graph w.r.t. a named variable, against closed forms
// and central finite differences.
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Graph.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::expr;

namespace {

// Central difference of node `node` w.r.t. argument k (step relative to the value).
double finite_difference(const SymbolicFunction& s, int node, std::vector<double> args, std::size_t k) {
    const double h = 1e-6 * std::max(1.0, std::abs(args[k]));
    args[k] += h;
    const double up = s.evaluate(node, args);
    args[k] -= 2 * h;
    const double down = s.evaluate(node, args);
    return (up - down) / (2 * h);
}

} // namespace

TEST(ExprDerivatives, ClosedForms) {
    SymbolicFunction s(Function::parse("def f(x, a, b):\n    return a * x ** 3 + b * np.exp(-x)\n"));
    const std::vector<double> p{2.0, 1.5, 0.5};
    EXPECT_DOUBLE_EQ(s.evaluate(s.result(), p), 1.5 * 8 + 0.5 * std::exp(-2.0));
    const int dx = s.derivative(s.result(), "x");
    EXPECT_DOUBLE_EQ(s.evaluate(dx, p), 3 * 1.5 * 4 - 0.5 * std::exp(-2.0));
    const int dxx = s.derivative(dx, "x"); // 6 a x + b e^−x
    EXPECT_DOUBLE_EQ(s.evaluate(dxx, p), 6 * 1.5 * 2 + 0.5 * std::exp(-2.0));
    const int da = s.derivative(s.result(), "a");
    EXPECT_DOUBLE_EQ(s.evaluate(da, p), 8.0);
    EXPECT_EQ(s.derivative(da, "a"), -1); // identically zero: no node at all
    EXPECT_EQ(s.evaluate(-1, p), 0.0);
    EXPECT_EQ(s.to_string(-1), "0");
}

TEST(ExprDerivatives, PrintedForms) {
    SymbolicFunction s(Function::parse("def f(x, a):\n    return a * x\n"));
    EXPECT_EQ(s.to_string(s.derivative(s.result(), "a")), "x");
    EXPECT_EQ(s.to_string(s.derivative(s.result(), "x")), "a");
    SymbolicFunction q(Function::parse("def f(x):\n    return np.sin(x) ** 2\n"));
    EXPECT_EQ(q.to_string(q.derivative(q.result(), "x")), "((cos(x) * sin(x)) + (sin(x) * cos(x)))");
}

TEST(ExprDerivatives, EveryRuleAgainstFiniteDifferences) {
    // one body per rule; arguments chosen inside every domain (asin, acos, log, sqrt)
    const std::vector<std::string> bodies = {"x + y",
                                             "x - y",
                                             "x * y",
                                             "x / y",
                                             "-x",
                                             "x ** y",
                                             "x ** 3",
                                             "y ** x",
                                             "np.exp(x * y)",
                                             "np.log(x + y)",
                                             "np.log10(x)",
                                             "np.log2(y)",
                                             "np.log1p(x)",
                                             "np.expm1(y)",
                                             "np.sqrt(x * y)",
                                             "np.sin(x)",
                                             "np.cos(y)",
                                             "np.tan(x)",
                                             "np.arcsin(x)",
                                             "np.arccos(x)",
                                             "np.arctan(y)",
                                             "np.sinh(x)",
                                             "np.cosh(y)",
                                             "np.tanh(x)",
                                             "np.abs(x - y)",
                                             "erf(x)",
                                             "erfc(y)",
                                             "np.arctan2(x, y)",
                                             "np.hypot(x, y)",
                                             "np.power(x, y)",
                                             "x / (1 + y ** 2) * np.exp(-x * y)"};
    const std::vector<double> p{0.3, 1.7};
    for (const auto& body : bodies) {
        SymbolicFunction s(Function::parse("def f(x, y):\n    return " + body + "\n"));
        for (std::size_t k = 0; k < 2; ++k) {
            const std::string var = k == 0 ? "x" : "y";
            const int d = s.derivative(s.result(), var);
            const double fd = finite_difference(s, s.result(), p, k);
            EXPECT_NEAR(s.evaluate(d, p), fd, 1e-7 * std::max(1.0, std::abs(fd))) << body << " d/d" << var;
        }
    }
}

TEST(ExprDerivatives, SecondDerivativesAgainstDifferencesOfFirst) {
    SymbolicFunction s(
        Function::parse("def f(x, y):\n    t = x * y\n    return np.exp(-t) * np.sin(x) / y\n"));
    const std::vector<double> p{0.8, 1.3};
    const int dx = s.derivative(s.result(), "x");
    const int dxy = s.derivative(dx, "y");
    EXPECT_NEAR(s.evaluate(dxy, p), finite_difference(s, dx, p, 1), 1e-7);
}

TEST(ExprDerivatives, ErrorsNameTheVariable) {
    SymbolicFunction s(Function::parse("def f(x, a):\n    return a * np.gamma(x)\n"));
    try {
        s.derivative(s.result(), "b");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "f: cannot differentiate w.r.t. 'b': not an argument (arguments: x, a)");
    }
    EXPECT_NO_THROW(s.derivative(s.result(), "a")); // gamma(x) is a constant factor here
    try {
        s.derivative(s.result(), "x");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no derivative rule"), std::string::npos);
    }
}
