#pragma once
/// @file
/// A kafe2 model function — the real-valued Python subset — parsed into an expression graph and
/// compiled to a small stack machine for scalar evaluation:
///
///     def model(x, a=1.0, b=0.0):
///         """docstring"""            # comments and docstrings are skipped
///         s = a * x                  # local assignments
///         return s + b * np.exp(-x / 2) ** 2
///
/// The graph (syntax()) feeds the batch evaluator (ArrayFunction) and the symbolic derivatives
/// (Graph); the stack code is the scalar hot path of every fit. Grammar and errors:
/// docs/expressions.md.

#include "hepkit/expr/Parser.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hepkit::expr {

class Function {
  public:
    /// Parses `code`. `origin` (file) and `first_line` (line of the code's first line in that
    /// file) make error messages point into the user's file. Throws hepkit::InputError.
    static Function parse(const std::string& code, const std::string& origin = "<model>", int first_line = 1);

    const std::string& name() const { return syntax_.name; }
    /// All arguments in order.
    const std::vector<std::string>& arguments() const { return syntax_.args; }
    /// Default values; nullopt where none is given.
    const std::vector<std::optional<double>>& defaults() const { return syntax_.defaults; }
    /// The parsed definition (nodes in evaluation order, statements).
    const FunctionSyntax& syntax() const { return syntax_; }
    /// Variable slot of every name node (arguments first, then locals in order of their first
    /// assignment); −1 for constants and non-name nodes.
    const std::vector<int>& slot_of_node() const { return slot_of_node_; }
    /// Slot assigned by each statement (−1 for the return).
    const std::vector<int>& statement_slots() const { return statement_slots_; }
    /// Arguments plus locals.
    std::size_t slots() const { return slots_; }

    /// Evaluates with one value per argument. Hot path of every fit: no allocation.
    double operator()(std::span<const double> args) const;

  private:
    enum class Code : unsigned char { constant, load, store, add, sub, mul, div, pow, neg, call1, call2 };
    struct Instr {
        Code op;
        unsigned short slot = 0; ///< load/store: variable slot
        double value = 0;        ///< constant
        double (*f1)(double) = nullptr;
        double (*f2)(double, double) = nullptr;
    };
    friend class FunctionCompiler;
    // code_ first: operator() then reaches its members with short displacements and compiles to
    // the very instructions fit's PyFunction had (callgrind: equal counts; measure before changing)
    std::vector<Instr> code_;
    FunctionSyntax syntax_;
    std::vector<int> slot_of_node_;
    std::vector<int> statement_slots_;
    std::size_t slots_ = 0;
};

} // namespace hepkit::expr
