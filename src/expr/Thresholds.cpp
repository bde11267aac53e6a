// Expression::thresholds (Expression.hpp): whether an expression reads an input only through
// comparisons with constants, and which. hepkit::events uses it under a systematic shift: a cut
// `Muon_pt > 20` under a muon momentum scale changes only for the muons whose scaled and nominal
// pT fall on either side of 20 GeV, so the shift computes the cut again for those events only
// (docs/events.md, "Cuts under a shift").
#include "hepkit/expr/Expression.hpp"

namespace hepkit::expr {

namespace {

// The value of a constant operand as the comparison sees it (converted to double): a number
// literal (not a bool, which is rarely compared with a float and not worth the special case),
// or -/+ of one. Other constant expressions (2 * 10, pi) are not recognised: the caller then
// takes the general path, never a wrong one.
std::optional<double> constant_of(const std::vector<Node>& nodes, int id) {
    const Node& n = nodes[static_cast<std::size_t>(id)];
    if (n.kind == NodeKind::number) {
        if (n.literal == Literal::boolean || !n.fits)
            return std::nullopt;
        return n.literal == Literal::integer ? static_cast<double>(n.integer) : n.real;
    }
    if (n.kind == NodeKind::unary && (n.op == Op::neg || n.op == Op::pos)) {
        const auto v = constant_of(nodes, n.args[0]);
        if (!v)
            return std::nullopt;
        return n.op == Op::neg ? -*v : *v;
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

std::optional<std::vector<Threshold>> Expression::thresholds(std::size_t slot) const {
    if (slot >= name_types_.size() || element_of(name_types_[slot]) != Type::real)
        return std::nullopt;
    auto is_input = [&](int id) {
        return nodes_[static_cast<std::size_t>(id)].kind == NodeKind::name &&
               slots_[static_cast<std::size_t>(id)] == static_cast<int>(slot);
    };
    if (is_input(root_))
        return std::nullopt;
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
                out.push_back({mirrored(n.ops[k - 1]), *c});
            }
            if (k + 1 < n.args.size()) { // link k: args[k] ops[k] args[k+1]
                const auto c = constant_of(nodes_, n.args[k + 1]);
                if (!c)
                    return std::nullopt;
                out.push_back({n.ops[k], *c});
            }
        }
    if (!read)
        return std::nullopt;
    return out;
}

} // namespace hepkit::expr
