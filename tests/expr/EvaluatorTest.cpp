// Scalar evaluation: the model functions' stack machine, and the typed evaluator with Python's
// rules for bool, int and float (each expected value worked out by hand, as Python prints it).
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Expression.hpp"
#include "hepkit/expr/Function.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::expr;

namespace {

Value eval(const std::string& text) {
    const Bindings none;
    return Expression::parse(text, none).evaluate(none);
}

std::string eval_error(const std::string& text) {
    try {
        eval(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(ExprFunction, ModelWithLocalsDefaultsAndModules) {
    const Function f = Function::parse("def f(x, a=2., b=-1e-1):\n"
                                       "    \"\"\"doc\"\"\"\n"
                                       "    s = a * x  # comment\n"
                                       "    t = (s +\n"
                                       "         b)\n"
                                       "    return -t ** 2 + np.exp(0) + math.sqrt(4) + 2 ** 3 ** 2 / 512\n");
    EXPECT_EQ(f.name(), "f");
    ASSERT_EQ(f.arguments().size(), 3u);
    EXPECT_EQ(*f.defaults()[2], -0.1);
    EXPECT_EQ(f.slots(), 5u); // x, a, b, s, t
    const double args[] = {3.0, 2.0, -0.1};
    // t = 6 - 0.1 = 5.9; -(5.9²) + 1 + 2 + 1
    EXPECT_NEAR(f(args), -34.81 + 4, 1e-12);
}

TEST(ExprFunction, SquaringAsTheFitAlwaysDid) {
    // x ** 2 is x * x (exact), pow(x, 2) calls std::pow: both kept as before the module existed
    const Function f = Function::parse("def f(x):\n    return x ** 2 - pow(x, 2)\n");
    const double x[] = {1.1};
    EXPECT_EQ(f(x), 1.1 * 1.1 - std::pow(1.1, 2.0));
}

TEST(ExprEvaluator, FloatSquaresAreExactProducts) {
    // x ** 2 is x * x, exactly rounded, as numpy's x**2; glibc's pow(2.759, 2) is one ulp below
    EXPECT_EQ(eval("2.759 ** 2"), Value::real(2.759 * 2.759));
    EXPECT_NE(2.759 * 2.759, std::pow(2.759, eval("2.0").as_real()));
    EXPECT_EQ(eval("2.759 ** 3"), Value::real(std::pow(2.759, 3.0))); // other exponents: pow
}

TEST(ExprEvaluator, IntegerArithmeticAsPython) {
    EXPECT_EQ(eval("7 // 2"), Value::integer(3));
    EXPECT_EQ(eval("-7 // 2"), Value::integer(-4)); // floors, unlike C++
    EXPECT_EQ(eval("-7 % 3"), Value::integer(2));   // sign of the divisor
    EXPECT_EQ(eval("7 % -3"), Value::integer(-2));
    EXPECT_EQ(eval("2 ** 10"), Value::integer(1024));
    EXPECT_EQ(eval("2 ** -1"), Value::real(0.5));
    EXPECT_EQ(eval("1 / 2"), Value::real(0.5)); // true division
    EXPECT_EQ(eval("3 * 4 - 5"), Value::integer(7));
    EXPECT_EQ(eval("3 * 1.5"), Value::real(4.5));
    EXPECT_EQ(eval("9223372036854775807 - 1"), Value::integer(9223372036854775806));
}

TEST(ExprEvaluator, FloatFloorDivisionAndModuloAsPython) {
    EXPECT_EQ(eval("7.5 // 2"), Value::real(3.0));
    EXPECT_EQ(eval("-7.5 // 2"), Value::real(-4.0));
    EXPECT_EQ(eval("-7.5 % 2"), Value::real(0.5));
    EXPECT_EQ(eval("7.5 % -2"), Value::real(-0.5));
    EXPECT_EQ(eval("1.0 / 0"), Value::real(INFINITY)); // IEEE, as numpy (Python would raise)
}

TEST(ExprEvaluator, BoolsAreIntsInArithmetic) {
    EXPECT_EQ(eval("True + True"), Value::integer(2));
    EXPECT_EQ(eval("-True"), Value::integer(-1));
    EXPECT_EQ(eval("True * 2.5"), Value::real(2.5));
    EXPECT_EQ(eval("True"), Value::boolean(true));
    EXPECT_EQ(eval("not 0"), Value::boolean(true));
    EXPECT_EQ(eval("not 0.5"), Value::boolean(false));
}

TEST(ExprEvaluator, ComparisonsChain) {
    EXPECT_EQ(eval("1 < 2 < 3"), Value::boolean(true));
    EXPECT_EQ(eval("1 < 3 < 2"), Value::boolean(false));
    EXPECT_EQ(eval("2 == 2.0"), Value::boolean(true));
    EXPECT_EQ(eval("1 != 1"), Value::boolean(false));
    EXPECT_EQ(eval("3 >= 3 > 2 <= 2"), Value::boolean(true));
    EXPECT_EQ(eval("9007199254740993 > 9007199254740992"), Value::boolean(true)); // exact for ints
}

TEST(ExprEvaluator, LogicalOperatorsGiveBoolsAndShortCircuit) {
    EXPECT_EQ(eval("1 and 0"), Value::boolean(false));
    EXPECT_EQ(eval("0 or 5"), Value::boolean(true)); // a bool, not 5 (docs/expressions.md)
    // the right operand is not evaluated: no division by zero
    EXPECT_EQ(eval("0 and 1 // 0 == 1"), Value::boolean(false));
    EXPECT_EQ(eval("1 or 1 // 0 == 1"), Value::boolean(true));
    EXPECT_EQ(eval("2 > 3 > 1 // 0"), Value::boolean(false)); // a chain stops at its first false link
}

TEST(ExprEvaluator, WhereEvaluatesOnlyTheChosenBranch) {
    EXPECT_EQ(eval("where(1 < 2, 1 // 1, 1 // 0)"), Value::integer(1));
    EXPECT_EQ(eval("where(False, 1, 2.5)"), Value::real(2.5));
    EXPECT_EQ(eval("where(True, 1, 2.5)"), Value::real(1.0)); // one type: the promoted one
}

TEST(ExprEvaluator, FunctionsAndConstants) {
    EXPECT_EQ(eval("abs(-3)"), Value::integer(3));
    EXPECT_EQ(eval("abs(-2.5)"), Value::real(2.5));
    EXPECT_EQ(eval("max(2, 3)"), Value::integer(3));
    EXPECT_EQ(eval("np.maximum(2, 3.5)"), Value::real(3.5));
    EXPECT_EQ(eval("sqrt(16)"), Value::real(4.0));
    EXPECT_EQ(eval("np.pi"), Value::real(M_PI));
    EXPECT_EQ(eval("math.hypot(3, 4)"), Value::real(5.0));
}

TEST(ExprEvaluator, IntegerErrorsNameTheColumn) {
    EXPECT_EQ(eval_error("1 + 5 // 0"),
              "1 + 5 // 0: integer division by zero at column 7; guard the divisor, or divide "
              "floats (x / y gives inf)");
    EXPECT_NE(eval_error("9223372036854775807 + 1")
                  .find("integer overflow in '+' (9223372036854775807 + 1) at column 21"),
              std::string::npos);
    EXPECT_NE(eval_error("3 ** 41").find("integer overflow in '**'"), std::string::npos);
    EXPECT_EQ(eval("3 ** 39"), Value::integer(4052555153018976267));
}

TEST(ExprEvaluator, ScalarBindings) {
    Bindings b;
    b.set("x", 2.5);
    b.set("n", 3);
    b.set("ok", true);
    const Expression e = Expression::parse("where(ok, n * x, -1.0)", b);
    EXPECT_EQ(e.type(), Type::real);
    EXPECT_EQ(e.evaluate(b), Value::real(7.5));
    b.set("ok", false);
    EXPECT_EQ(e.evaluate(b), Value::real(-1.0));
    b.set("x", 4); // an int into a float slot is converted
    b.set("ok", true);
    EXPECT_EQ(e.evaluate(b), Value::real(12.0));
    EXPECT_THROW(b.set("n", 1.5), std::invalid_argument); // a float cannot become an int
    EXPECT_EQ(Expression::parse("n // 2", b).type(), Type::integer);
    EXPECT_EQ(Expression::parse("n ** 2", b).type(), Type::integer);
    EXPECT_EQ(Expression::parse("2 ** n", b).type(), Type::real); // exponent's sign unknown
}
