// Expression::thresholds: whether an expression reads an input only through comparisons with
// constants, and which — what a shift uses to recompute a cut only where its outcome changes.
// Hand-written cases: each use of the input that is not such a comparison must give nullopt.
#include "hepkit/expr/Expression.hpp"

#include <gtest/gtest.h>

using namespace hepkit::expr;

namespace {

Bindings names() {
    Bindings b;
    b.declare("pt", array_of(Type::real));
    b.declare("eta", array_of(Type::real));
    b.declare("met", Type::real);
    b.declare("n", Type::integer);
    return b;
}

// "op value; op value" for the slot of `name`, or "none".
std::string of(const std::string& text, const std::string& name) {
    const Bindings b = names();
    const auto e = Expression::parse(text, b);
    const auto t = e.thresholds(*b.find(name));
    if (!t)
        return "none";
    std::string s;
    for (const auto& c : *t)
        s += (s.empty() ? "" : "; ") + std::string(op_text(c.op)) + " " + std::to_string(c.value);
    return s;
}

} // namespace

TEST(ExprThresholds, ComparisonsWithConstants) {
    EXPECT_EQ(of("where(pt > 20, abs(eta) < 2.4, False)", "pt"), "> 20.000000");
    EXPECT_EQ(of("sum(pt > 20) >= 2", "pt"), "> 20.000000");
    EXPECT_EQ(of("60 < met < 120", "met"), "> 60.000000; < 120.000000"); // mirrored: met > 60
    EXPECT_EQ(of("met >= -5.5 or met == 3", "met"), ">= -5.500000; == 3.000000");
    EXPECT_EQ(of("any(pt > 20) and all(pt <= 1e3)", "pt"), "> 20.000000; <= 1000.000000");
    EXPECT_EQ(of("not (met > 20)", "met"), "> 20.000000");
    EXPECT_EQ(of("(pt > 20)[0] or max(pt < 5)", "pt"), "> 20.000000; < 5.000000"); // of outcomes
    EXPECT_EQ(of("20 < met < 30 < met", "met"), "> 20.000000; < 30.000000; > 30.000000");
    EXPECT_EQ(of("met > -0", "met"), "> 0.000000");
    // the other inputs may be read any way: only `pt` is asked about
    EXPECT_EQ(of("where(pt > 20, eta * 2 > 1, False)", "pt"), "> 20.000000");
}

TEST(ExprThresholds, AnyOtherUseIsNone) {
    EXPECT_EQ(of("pt * 1.01", "pt"), "none");                        // arithmetic
    EXPECT_EQ(of("sum(pt) > 20", "pt"), "none");                     // a reduction of the values
    EXPECT_EQ(of("len(pt) > 1", "pt"), "none");                      // its length through a function
    EXPECT_EQ(of("pt[0] > 20", "pt"), "none");                       // an index
    EXPECT_EQ(of("pt > eta", "pt"), "none");                         // compared with another input
    EXPECT_EQ(of("pt > 2 * 10", "pt"), "none");                      // a constant expression (not folded)
    EXPECT_EQ(of("pt > pi", "pt"), "none");                          // a named constant
    EXPECT_EQ(of("pt > True", "pt"), "none");                        // a bool
    EXPECT_EQ(of("any(pt > 20) and any(pt * 2 > 1)", "pt"), "none"); // one use of two: arithmetic
    EXPECT_EQ(of("0 < pt < eta", "pt"), "none");                     // a chain with an input neighbour
    EXPECT_EQ(of("met", "met"), "none");                             // the value itself
    EXPECT_EQ(of("eta > 1", "pt"), "none");                          // not read at all
    EXPECT_EQ(of("n > 2", "n"), "none"); // an int: compared as an int, not covered
}
