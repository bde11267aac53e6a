// The parser: Python's precedence and associativity, literal types, both dialects, and errors
// that name the column (expressions) or the line (model functions).
#include "hepkit/expr/Parser.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Expression.hpp"
#include "hepkit/expr/Function.hpp"

#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::expr;

namespace {

std::vector<Node> parse(const std::string& text, int* root = nullptr) {
    std::vector<Node> nodes;
    const int r = Parser(Dialect::selection, Origin{"", 1, text, true}).parse_expression(text, nodes);
    if (root)
        *root = r;
    return nodes;
}

// The graph written back as fully parenthesised text, to compare shapes by eye.
std::string shape(const std::vector<Node>& n, int id) {
    const Node& x = n[static_cast<std::size_t>(id)];
    switch (x.kind) {
    case NodeKind::number:
    case NodeKind::name:
        return x.text;
    case NodeKind::unary:
        return std::string("(") + op_text(x.op) + (x.op == Op::not_ ? " " : "") + shape(n, x.args[0]) + ")";
    case NodeKind::binary:
    case NodeKind::logical:
        return "(" + shape(n, x.args[0]) + " " + op_text(x.op) + " " + shape(n, x.args[1]) + ")";
    case NodeKind::compare: {
        std::string s = "(" + shape(n, x.args[0]);
        for (std::size_t k = 0; k < x.ops.size(); ++k)
            s += std::string(" ") + op_text(x.ops[k]) + " " + shape(n, x.args[k + 1]);
        return s + ")";
    }
    case NodeKind::index:
        return shape(n, x.args[0]) + "[" + shape(n, x.args[1]) + "]";
    default: {
        std::string s = x.text + "(";
        for (std::size_t k = 0; k < x.args.size(); ++k)
            s += (k ? ", " : "") + shape(n, x.args[k]);
        return s + ")";
    }
    }
}

std::string shape(const std::string& text) {
    int root = 0;
    const auto n = parse(text, &root);
    return shape(n, root);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(ExprParser, PythonPrecedenceAndAssociativity) {
    EXPECT_EQ(shape("1 + 2 * 3 ** 2"), "(1 + (2 * (3 ** 2)))");
    EXPECT_EQ(shape("-x ** 2"), "(-(x ** 2))");         // ** binds tighter than unary minus
    EXPECT_EQ(shape("2 ** 3 ** 2"), "(2 ** (3 ** 2))"); // right associative
    EXPECT_EQ(shape("2 ** -x"), "(2 ** (-x))");
    EXPECT_EQ(shape("a - b - c"), "((a - b) - c)"); // left associative
    EXPECT_EQ(shape("a // b % c * d"), "(((a // b) % c) * d)");
    EXPECT_EQ(shape("not a < b"), "(not (a < b))"); // not is below comparisons
    EXPECT_EQ(shape("a and b or c and not d"), "((a and b) or (c and (not d)))");
    EXPECT_EQ(shape("0 < x <= 1 != y"), "(0 < x <= 1 != y)"); // one chain, not nested
    EXPECT_EQ(shape("Muon_pt[0] + Muon_pt[-1]"), "(Muon_pt[0] + Muon_pt[(-1)])");
    EXPECT_EQ(shape("where(a > 1, np.exp(x), max(v))"), "where((a > 1), np.exp(x), max(v))");
}

TEST(ExprParser, NodesAreInEvaluationOrder) {
    // post-order: every node after its operands, so that passes are loops
    const auto n = parse("a * (b + c)");
    ASSERT_EQ(n.size(), 5u);
    EXPECT_EQ(n[0].text, "a");
    EXPECT_EQ(n[1].text, "b");
    EXPECT_EQ(n[2].text, "c");
    EXPECT_EQ(n[3].op, Op::add);
    EXPECT_EQ(n[4].op, Op::mul);
    for (std::size_t i = 0; i < n.size(); ++i)
        for (int a : n[i].args)
            EXPECT_LT(a, static_cast<int>(i));
}

TEST(ExprParser, LiteralTypesAsPython) {
    const auto n = parse("2 + 2.0 + 1e3 + 0x10 + True");
    EXPECT_EQ(n[0].literal, Literal::integer);
    EXPECT_EQ(n[0].integer, 2);
    EXPECT_EQ(n[1].literal, Literal::real);
    EXPECT_EQ(n[3].literal, Literal::real); // 1e3 is a float
    EXPECT_EQ(n[3].real, 1000.0);
    EXPECT_EQ(n[5].literal, Literal::integer);
    EXPECT_EQ(n[5].integer, 16);
    EXPECT_EQ(n[7].literal, Literal::boolean);
    EXPECT_EQ(n[7].integer, 1);
}

TEST(ExprParser, ColumnsOfOperatorsAndNames) {
    const auto n = parse("Muon_pt[0] + x");
    EXPECT_EQ(n[0].column, 1);  // Muon_pt
    EXPECT_EQ(n[2].column, 8);  // [
    EXPECT_EQ(n[3].column, 14); // x
    EXPECT_EQ(n[4].column, 12); // +
}

TEST(ExprParser, SelectionErrorsNameExpressionColumnAndWhatIsAllowed) {
    Bindings b;
    b.set("Muon_pt", ArrayView(std::vector<double>{1.0}));
    b.set("nMuon", 1);
    EXPECT_EQ(
        error_of([&] { Expression::parse("Muon_pt[0] + x", b); }),
        "Muon_pt[0] + x: unknown name 'x' at column 14; known: Muon_pt, nMuon (and the constants pi, e, "
        "inf, tau, True, False)");
    EXPECT_NE(error_of([&] {
                  Expression::parse("foo(nMuon)", b);
              }).find("unknown function 'foo' at column 1; known: "),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  Expression::parse("nMuon > 1 & nMuon < 3", b);
              }).find("unexpected character '&' at column 11; use 'and', 'or', 'not'"),
              std::string::npos);
    EXPECT_NE(
        error_of([&] { Expression::parse("Muon_pt[0:2]", b); }).find("slices are not supported at column 10"),
        std::string::npos);
    EXPECT_NE(error_of([&] {
                  Expression::parse("max(1, 2, 3)", b);
              }).find("max() takes 2 arguments (two numbers) or 1"),
              std::string::npos);
    EXPECT_NE(error_of([&] { Expression::parse("1 if nMuon else 2", b); }).find("where(condition, a, b)"),
              std::string::npos);
    EXPECT_NE(error_of([&] { Expression::parse("(nMuon", b); }).find("expected ')' but found 'end of line'"),
              std::string::npos);
    EXPECT_NE(error_of([&] { Expression::parse("  ", b); }).find("the expression is empty"),
              std::string::npos);
    EXPECT_NE(
        error_of([&] { Expression::parse("99999999999999999999 > nMuon", b); }).find("out of range (64-bit"),
        std::string::npos);
    // with a file and line (a cut in a configuration file)
    EXPECT_EQ(error_of([&] {
                  Expression::parse("nMuon > y", b, "cuts.yaml", 7);
              }).rfind("cuts.yaml:7: nMuon > y: unknown name 'y' at column 9", 0),
              0u);
}

TEST(ExprParser, DeepNestingIsAnErrorNotACrash) {
    Bindings b;
    const std::string deep = std::string(300, '(') + "1" + std::string(300, ')');
    EXPECT_NE(error_of([&] { Expression::parse(deep, b); }).find("too deeply nested"), std::string::npos);
    EXPECT_NE(error_of([&] { Expression::parse(std::string(1000, '-') + "1", b); }).find("too deeply nested"),
              std::string::npos);
    std::string chain = "1";
    for (int i = 0; i < 1000; ++i)
        chain += " + 1"; // a left chain: deep graph, shallow descent
    EXPECT_NE(error_of([&] { Expression::parse(chain, b); }).find("too deeply nested"), std::string::npos);
    EXPECT_NO_THROW(Expression::parse(std::string(150, '(') + "1" + std::string(150, ')'), b));
}

TEST(ExprParser, ModelDialectRejectsSelectionSyntaxNamingTheLine) {
    auto model = [](const std::string& body) {
        return error_of([&] { Function::parse("def f(x, a):\n    return " + body + "\n", "m.yml", 20); });
    };
    EXPECT_NE(
        model("x < a").find("m.yml:21: model_function: comparison '<' is not supported in a model function"),
        std::string::npos);
    EXPECT_NE(model("x and a").find("'and' is not supported in a model function"), std::string::npos);
    EXPECT_NE(model("x // a").find("operator '//' is not supported"), std::string::npos);
    EXPECT_NE(model("x[0]").find("indexing '[...]' is not supported"), std::string::npos);
    EXPECT_NE(model("where(x, a, 1)").find("unknown function 'where'"), std::string::npos);
    EXPECT_NE(model("True * x").find("unknown name 'True'"), std::string::npos);
    // a long left chain is fine in a model: its passes are loops
    std::string chain = "x";
    for (int i = 0; i < 5000; ++i)
        chain += " + a";
    EXPECT_NO_THROW(Function::parse("def f(x, a):\n    return " + chain + "\n"));
}
