// Expression::thresholds (Expression.hpp): whether an expression reads an input only through
// comparisons with constants, and which. hepkit::events uses it under a systematic shift: a cut
// `Muon_pt > 20` under a muon momentum scale changes only for the muons whose scaled and nominal
// pT fall on either side of 20 GeV, so the shift computes the cut again for those events only
// (docs/events.md, "Cuts under a shift"). Expression::scaled_input, what a shift's replacement
// usually is (`Muon_pt * 1.01`), reads constants the same way.
#include "hepkit/expr/Expression.hpp"

#include "Arithmetic.hpp"

#include <cstdint>
#include <limits>

namespace hepkit::expr {

namespace {

// A constant operand: a number literal (not a bool, which is rarely compared with a float and not
// worth the special case), or -/+ of one, with its type: an int is negated as an int (-0 is 0)
// and converted to double by the comparison, as the evaluators do. Other constant expressions
// (2 * 10, pi) are not recognised: the caller then takes the general path, never a wrong one.
struct Constant {
    bool integer = false;
    std::int64_t i = 0;
    double d = 0;
    double as_double() const { return integer ? static_cast<double>(i) : d; }
};

std::optional<Constant> constant_of(const std::vector<Node>& nodes, int id) {
    const Node& n = nodes[static_cast<std::size_t>(id)];
    if (n.kind == NodeKind::number) {
        if (n.literal == Literal::boolean || !n.fits)
            return std::nullopt;
        return n.literal == Literal::integer ? Constant{true, n.integer, 0} : Constant{false, 0, n.real};
    }
    if (n.kind == NodeKind::unary && (n.op == Op::neg || n.op == Op::pos)) {
        auto c = constant_of(nodes, n.args[0]);
        if (!c || n.op == Op::pos)
            return c;
        if (c->integer && c->i == std::numeric_limits<std::int64_t>::min())
            return std::nullopt; // the evaluators' overflow error
        c->i = -c->i;
        c->d = -c->d;
        return c;
    }
    return std::nullopt;
}

// `c op x` as `x op' c`.
Op mirrored(Op op) {
    switch (op) {
    case Op::lt:
        return Op::gt;
    case Op::le:
        return Op::ge;
    case Op::gt:
        return Op::lt;
    case Op::ge:
        return Op::le;
    default:
        return op; // == and != are symmetric
    }
}

} // namespace

bool Threshold::holds(double x) const {
    return detail::compare_as(op, x, value);
}

std::optional<std::vector<Threshold>> Expression::thresholds(std::size_t slot) const {
    if (slot >= name_types_.size() || element_of(name_types_[slot]) != Type::real)
        return std::nullopt;
    auto is_input = [&](int id) {
        return nodes_[static_cast<std::size_t>(id)].kind == NodeKind::name &&
               slots_[static_cast<std::size_t>(id)] == static_cast<int>(slot);
    };
    std::vector<Threshold> out;
    bool read = false;
    // Every use of the input: each must be an operand of a comparison chain whose neighbouring
    // operands are constants. A chain's value (lazy or not) is a function of its links' outcomes.
    for (const Node& n : nodes_)
        for (std::size_t k = 0; k < n.args.size(); ++k) {
            if (!is_input(n.args[k]))
                continue;
            read = true;
            if (n.kind != NodeKind::compare)
                return std::nullopt;
            if (k > 0) { // link k-1: args[k-1] ops[k-1] args[k]
                const auto c = constant_of(nodes_, n.args[k - 1]);
                if (!c)
                    return std::nullopt;
                out.push_back({mirrored(n.ops[k - 1]), c->as_double()});
            }
            if (k + 1 < n.args.size()) { // link k: args[k] ops[k] args[k+1]
                const auto c = constant_of(nodes_, n.args[k + 1]);
                if (!c)
                    return std::nullopt;
                out.push_back({n.ops[k], c->as_double()});
            }
        }
    if (!read)
        return std::nullopt;
    return out;
}

std::optional<ScaledInput> Expression::scaled_input() const {
    const Node& n = nodes_[static_cast<std::size_t>(root_)];
    if (n.kind != NodeKind::binary || element_of(type()) != Type::real ||
        (n.op != Op::add && n.op != Op::sub && n.op != Op::mul && n.op != Op::div))
        return std::nullopt;
    for (std::size_t k = 0; k < 2; ++k) {
        const int x = n.args[k];
        const Node& input = nodes_[static_cast<std::size_t>(x)];
        const int slot = slots_[static_cast<std::size_t>(x)];
        if (input.kind != NodeKind::name || slot < 0 ||
            element_of(name_types_[static_cast<std::size_t>(slot)]) != Type::real)
            continue;
        // A literal or -/+ of one (an int converted to double, as the evaluators do).
        if (const auto c = constant_of(nodes_, n.args[1 - k]))
            return ScaledInput{static_cast<std::size_t>(slot), n.op, c->as_double(), k == 1};
    }
    return std::nullopt;
}

} // namespace hepkit::expr
