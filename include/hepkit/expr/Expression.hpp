#pragma once
/// @file
/// A selection (or any typed) expression: parsed, its names resolved against a Bindings' names
/// and every node type-checked once, then evaluated per event or over an EventBatch.
///
///     Muon_pt[0] > 25 and abs(Muon_eta[0]) < 2.4      cut on the leading muon
///     len(Jet_pt) >= 4 and sum(Jet_pt > 30) >= 2      counts
///     where(nMuon > 0, max(Muon_pt), -1.0)            a value with a guard
///
/// Python's rules for types (bool < int < float, `/` is always float, `//` and `%` floor, int
/// overflow is an error), comparisons chain (`0 < x <= 1`), `and`/`or` short-circuit (so
/// `len(a) > 0 and a[0] > 1` never indexes an empty array), `where` evaluates only the branch a
/// scalar condition picks. Arrays: elementwise arithmetic, comparisons and functions (numpy),
/// indexing with negative indices from the end; an index out of range is an error (Python's
/// IndexError) — a quiet default would let events without the object pass or fail a cut
/// unnoticed. Full grammar: docs/expressions.md.

#include "hepkit/expr/Ast.hpp"
#include "hepkit/expr/Bindings.hpp"
#include "hepkit/expr/Lexer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::expr {

/// A comparison of a float input with a constant, the input on the left: `x > 20` (and `20 < x`)
/// is {gt, 20}. holds() compares as the evaluators do: both converted to double.
struct Threshold {
    Op op = Op::gt;
    double value = 0;
    bool holds(double x) const;
};

/// An expression that is one arithmetic operation of a float input with a constant: `x * 1.01`,
/// `x - 0.5`, `2 * x`, `x / 3` (Expression::scaled_input). Its value is, element by element,
/// `double(x) op constant` (or `constant op double(x)`), as both evaluators compute it.
struct ScaledInput {
    std::size_t slot = 0; ///< the binding slot of x (a float, or an array of floats)
    Op op = Op::mul;      ///< add, sub, mul or div
    double constant = 1;
    bool constant_first = false; ///< `constant op x`
};

class Expression {
  public:
    /// Parses `text` and checks it against the names and types in `names`. `origin` (a file or
    /// option) and `line` prefix error messages; errors name the column and what is allowed.
    /// Throws hepkit::InputError.
    static Expression parse(const std::string& text, const Bindings& names, const std::string& origin = "",
                            int line = 0);

    const std::string& text() const { return origin_.key; }
    /// Static type of the result.
    Type type() const { return types_[static_cast<std::size_t>(root_)]; }

    /// Value for one event. `event` must have the names the expression was parsed against (same
    /// slots and types). Throws InputError for an index out of range, a reduction of an empty
    /// array (max, min) or an integer division by zero, naming the expression and column.
    Value evaluate(const Bindings& event) const;
    /// Python's bool() of evaluate(): whether the event passes a cut.
    bool passes(const Bindings& event) const { return evaluate(event).truth(); }
    /// Value for one event of an expression of any type (a derived per-object column such as
    /// `Muon_pt * 1.01`): for an array type the event's elements are appended to `elements`
    /// (and the returned value is meaningless); for a scalar type the value is returned.
    Value evaluate(const Bindings& event, std::vector<Value>& elements) const;

    /// The binding slots the expression reads, increasing: the columns a caller must provide.
    std::vector<std::size_t> slots_used() const;
    /// How the expression reads binding `slot` when it reads it only through comparisons with
    /// constants (`x > 20`, `60 < x < 120`, `where(x > 20, ...)`) and the slot is a float or an
    /// array of floats: the comparisons. Then the expression's value for an event depends on
    /// that input only through the comparisons' outcomes (for an array: element by element, and
    /// on its length): two events whose values give the same outcomes — and whose other inputs
    /// are equal — have the same value. std::nullopt when the slot is read any other way
    /// (arithmetic, a function, an index, len) or not at all. What a systematic shift of a
    /// product uses to find the few events whose cut outcome it changes (hepkit::events).
    std::optional<std::vector<Threshold>> thresholds(std::size_t slot) const;
    /// The whole expression as one +, -, * or / of a float input and a number literal (a scale
    /// shift's replacement, `Muon_pt * 1.01`), or std::nullopt. What lets hepkit::events compute
    /// such a product in one pass over the input, in the product's own type.
    std::optional<ScaledInput> scaled_input() const;
    /// The names and types of the bindings it was parsed against, by slot.
    const std::vector<std::string>& binding_names() const { return names_; }
    const std::vector<Type>& binding_types() const { return name_types_; }

    /// One value per event of `batch` (parsed against batch.schema()). Errors name the event.
    std::vector<Value> evaluate(const EventBatch& batch) const;
    /// The values as floats (True = 1), e.g. a derived column.
    std::vector<double> evaluate_real(const EventBatch& batch) const;
    /// 1 where the event passes, 0 where not.
    std::vector<unsigned char> select(const EventBatch& batch) const;

  private:
    friend class Evaluator;
    friend class ColumnEvaluator; // Columns.cpp
    void check_bindings(const Bindings& event) const;
    void check(int id, const Bindings& names);
    Origin origin_;
    std::vector<Node> nodes_;
    std::vector<Type> types_;        ///< per node
    std::vector<int> slots_;         ///< name nodes: binding slot, −1: a constant
    std::vector<std::string> names_; ///< the bindings' names at parse time
    std::vector<Type> name_types_;
    int root_ = 0;
    /// Unique per parse (copies share it: the same nodes): what values kept for an expression are
    /// tied to (KeptValues), never an address a later expression may reuse. 0: none.
    std::uint64_t serial_ = 0;
};

} // namespace hepkit::expr
