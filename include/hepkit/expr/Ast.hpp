#pragma once
/// @file
/// The expression graph the parser builds: nodes in an array, each created after its operands
/// (post-order), so that passes over a model function are loops, not recursion — a sum of 10⁵
/// terms must not overflow the stack — and the order of the nodes is the order in which a stack
/// machine evaluates them.

#include "hepkit/expr/Builtins.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::expr {

enum class NodeKind : unsigned char {
    number,  ///< literal: `real` always set; `integer`/`boolean` literals are flagged in `literal`
    name,    ///< a variable, argument, local or constant: `text`
    unary,   ///< `op` applied to args[0]
    binary,  ///< args[0] `op` args[1]
    compare, ///< a chain a < b <= c: args, and ops[k] between args[k] and args[k+1]
    logical, ///< `op` (and_ / or_) over args[0], args[1], short-circuit
    call1,   ///< fn1(args[0])
    call2,   ///< fn2(args[0], args[1])
    special, ///< where / reductions over args
    index    ///< args[0][args[1]]
};

enum class Op : unsigned char {
    add,
    sub,
    mul,
    div,
    floordiv,
    mod,
    pow,
    neg,
    pos,
    not_,
    and_,
    or_,
    lt,
    le,
    gt,
    ge,
    eq,
    ne
};

/// Literal types as Python writes them: 2 is an int, 2.0 a float, True a bool.
enum class Literal : unsigned char { real, integer, boolean };

struct Node {
    NodeKind kind = NodeKind::number;
    Op op = Op::add;
    Literal literal = Literal::real;
    double real = 0;          ///< number: value as a double
    std::int64_t integer = 0; ///< number: integer and boolean literals
    bool fits = true;         ///< integer literal fits into int64
    const Function1* fn1 = nullptr;
    const Function2* fn2 = nullptr;
    Special special = Special::where;
    std::string text;      ///< name: as written (np.pi); call: the function as written (np.exp)
    std::vector<int> args; ///< operands (indices of earlier nodes)
    std::vector<Op> ops;   ///< compare: the comparison operators
    int line = 0;
    int column = 0; ///< of the operator or the name (1-based, in the parsed text)
    int depth = 1;  ///< nesting depth of the subtree (1 for a leaf)
};

/// A name as written without its module prefix (np.pi -> pi).
std::string bare_name(const std::string& text);

/// Spelling of an operator in messages ("+", "//", "and", "<=").
const char* op_text(Op op);

} // namespace hepkit::expr
