#pragma once
/// @file
/// The arithmetic graph behind batch evaluation and symbolic derivatives: hash-consed nodes
/// (equal subexpressions are one node) with constant folding, products that keep one uniform
/// factor on the left, and forward-mode differentiation rules for every function that has one.
/// A derivative that is identically zero is the index −1, so that it prunes whole subtrees.
///
/// Nodes are `varying` when they depend on the batch variable x (the first argument of a batch
/// model); the others are evaluated once per call (ArrayProgram). SymbolicFunction below is the
/// user-facing view: derivatives of a function w.r.t. a named argument.

#include "hepkit/expr/Function.hpp"
#include "hepkit/expr/VecMath.hpp"

#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace hepkit::expr {

enum class GraphOp : unsigned char { constant, x, param, add, sub, mul, div, neg, call1, call2 };

struct GraphNode {
    GraphOp k;
    int a = -1, b = -1;
    unsigned char fn = 0; ///< call1/call2: the vecmath::Fn1 / Fn2
    double c = 0;         ///< constant value; param: the parameter index
    bool varying = false; ///< depends on x
};

/// The value of node `nd` given its operands' values `a`, `b`, the parameters `p` and the batch
/// variable `x`: the one definition of each operation's arithmetic, shared by the scalar sweep
/// (Graph::evaluate) and the uniform part of the batch program (ArrayFunction).
double node_value(const GraphNode& nd, double a, double b, std::span<const double> p, double x);

class Graph {
  public:
    std::vector<GraphNode> nodes;
    /// False once a derivative met a function without a rule (gamma, lgamma, min, max).
    bool differentiable = true;

    int constant(double c);
    int x();
    int param(int k);
    bool is(int a, double v) const { return a >= 0 && nodes[a].k == GraphOp::constant && nodes[a].c == v; }
    bool is_const(int a) const { return nodes[a].k == GraphOp::constant; }

    int add(int a, int b);
    int sub(int a, int b);
    int mul(int a, int b);
    int div(int a, int b);
    int neg(int a);
    int call1(vecmath::Fn1 f, int a);
    int call2(vecmath::Fn2 f, int a, int b);

    /// Adds the nodes of a model function; the first argument is x when `first_is_x`, the
    /// others parameters 0, 1, ... (or all arguments parameters). Returns the result node.
    int add_function(const Function& f, bool first_is_x);

    /// Derivative of node r given those of its operands (−1: zero).
    int derivative(int r, int da, int db);
    /// ∂node_i/∂p_k for the first n nodes (forward mode over the whole prefix).
    std::vector<int> sweep(std::size_t k, int n);

    /// Value of node `id` for parameters p (and x), by evaluating every node up to it.
    double evaluate(int id, std::span<const double> p, double x = 0) const;
    /// The node as Python text, fully parenthesised (for tests and messages); parameter k is
    /// written names[k] where given, else pk.
    std::string to_string(int id, std::span<const std::string> names = {}) const;

  private:
    std::map<std::tuple<int, int, int, int, double>, int> memo_;
    int binary(GraphOp k, int a, int b);
    int add_node(GraphNode n);
    int d_call1(vecmath::Fn1 f, int r, int a, int da);
    int d_call2(vecmath::Fn2 f, int r, int a, int b, int da, int db);
};

/// A model function as a differentiable graph of all its arguments:
///
///     SymbolicFunction s(Function::parse("def f(x, a):\n    return a * x ** 3"));
///     int d = s.derivative(s.result(), "x");   // 3 a x²
///     s.evaluate(d, {{2.0, 1.0}});             // 12
class SymbolicFunction {
  public:
    explicit SymbolicFunction(const Function& f);
    /// The function's value node.
    int result() const { return result_; }
    /// ∂node/∂`variable` (an argument's name) as a new node; −1 when identically zero. Throws
    /// InputError naming the variable and the arguments when it is not one, and when a function
    /// on the way has no derivative rule (gamma, lgamma, min, max).
    int derivative(int node, const std::string& variable);
    /// Value of `node` (−1: 0) for one value per argument.
    double evaluate(int node, std::span<const double> args) const;
    /// The node as text (−1: "0").
    std::string to_string(int node) const;
    const Graph& graph() const { return graph_; }

  private:
    Graph graph_;
    std::vector<std::string> args_;
    std::string name_;
    int result_ = -1;
};

} // namespace hepkit::expr
