// Parsing and type checking of typed expressions (the evaluation is Evaluator.cpp).
#include "hepkit/expr/Expression.hpp"

#include "hepkit/expr/Parser.hpp"

#include <atomic>
#include <fmt/format.h>

namespace hepkit::expr {

namespace {

std::string known_names(const Bindings& b) {
    std::string s;
    const std::size_t shown = std::min<std::size_t>(b.size(), 20);
    for (std::size_t i = 0; i < shown; ++i)
        s += (i ? ", " : "") + b.names()[i];
    if (b.size() > shown)
        s += fmt::format(", ... ({} more)", b.size() - shown);
    return fmt::format("known: {}{}(and the constants pi, e, inf, tau, True, False)", s,
                       s.empty() ? "" : " ");
}

} // namespace

Expression Expression::parse(const std::string& text, const Bindings& names, const std::string& origin,
                             int line) {
    static std::atomic<std::uint64_t> parsed{0};
    Expression e;
    e.serial_ = ++parsed;
    e.origin_ = Origin{origin, line > 0 ? line : 1, text, true};
    if (origin.empty())
        e.origin_.first_line = 0;
    e.root_ = Parser(Dialect::selection, e.origin_).parse_expression(text, e.nodes_);
    e.types_.assign(e.nodes_.size(), Type::real);
    e.slots_.assign(e.nodes_.size(), -1);
    e.names_ = names.names();
    for (std::size_t s = 0; s < names.size(); ++s)
        e.name_types_.push_back(names.type(s));
    // nodes are in post-order: operands are typed before the nodes that use them
    for (int i = 0; i < static_cast<int>(e.nodes_.size()); ++i)
        e.check(i, names);
    return e;
}

void Expression::check(int id, const Bindings& names) {
    const Node& n = nodes_[static_cast<std::size_t>(id)];
    Type& t = types_[static_cast<std::size_t>(id)];
    auto arg = [&](std::size_t k) { return types_[static_cast<std::size_t>(n.args[k])]; };
    auto fail = [&](const std::string& what, const std::string& hint = "") {
        origin_.fail(1, n.column, what, hint);
    };
    switch (n.kind) {
    case NodeKind::number:
        if (n.literal == Literal::integer && !n.fits)
            fail(fmt::format("integer '{}' is out of range (64-bit: beyond +-9.2e18)", n.text),
                 "write it as a float, e.g. 1e19");
        t = n.literal == Literal::boolean   ? Type::boolean
            : n.literal == Literal::integer ? Type::integer
                                            : Type::real;
        return;
    case NodeKind::name: {
        if (n.text.find('.') == std::string::npos)
            if (const auto slot = names.find(n.text)) {
                slots_[static_cast<std::size_t>(id)] = static_cast<int>(*slot);
                t = names.type(*slot);
                return;
            }
        if (find_constant(bare_name(n.text))) {
            t = Type::real;
            return;
        }
        fail(fmt::format("unknown name '{}'", n.text), known_names(names));
        return;
    }
    case NodeKind::unary:
        if (n.op == Op::not_) {
            if (is_array(arg(0)))
                fail(fmt::format("'not' of an {}", type_name(arg(0))),
                     "an array has no single truth value: use any(...) or all(...)");
            t = Type::boolean;
            return;
        }
        // -True is -1: signs make bools ints
        t = element_of(arg(0)) == Type::boolean ? Type::integer : element_of(arg(0));
        if (is_array(arg(0)))
            t = array_of(t);
        return;
    case NodeKind::binary: {
        Type e = promote(arg(0), arg(1));
        if (n.op == Op::div)
            e = Type::real;
        else if (e == Type::boolean) // True + True is 2
            e = Type::integer;
        if (n.op == Op::pow && e == Type::integer) {
            // int ** int is an int only for a literal exponent >= 0 (2 ** -1 is 0.5 in Python;
            // a variable exponent's sign is unknown when the type is fixed)
            const Node& b = nodes_[static_cast<std::size_t>(n.args[1])];
            if (b.kind != NodeKind::number || b.integer < 0)
                e = Type::real;
        }
        t = is_array(arg(0)) || is_array(arg(1)) ? array_of(e) : e;
        return;
    }
    case NodeKind::compare:
        t = Type::boolean;
        for (std::size_t k = 0; k < n.args.size(); ++k)
            if (is_array(arg(k)))
                t = Type::bool_array;
        return;
    case NodeKind::logical:
        for (std::size_t k = 0; k < 2; ++k)
            if (is_array(arg(k)))
                fail(fmt::format("'{}' of an {}", op_text(n.op), type_name(arg(k))),
                     "an array has no single truth value: use any(...) or all(...)");
        t = Type::boolean;
        return;
    case NodeKind::call1:
        t = n.fn1->id == vecmath::Fn1::abs && element_of(arg(0)) != Type::real ? Type::integer : Type::real;
        if (is_array(arg(0)))
            t = array_of(t);
        return;
    case NodeKind::call2: {
        const bool minmax = n.fn2->id == vecmath::Fn2::min || n.fn2->id == vecmath::Fn2::max;
        Type e = minmax ? promote(arg(0), arg(1)) : Type::real;
        if (e == Type::boolean)
            e = Type::integer;
        t = is_array(arg(0)) || is_array(arg(1)) ? array_of(e) : e;
        return;
    }
    case NodeKind::special:
        if (n.special == Special::where) {
            const Type e = promote(arg(1), arg(2));
            t = is_array(arg(0)) || is_array(arg(1)) || is_array(arg(2)) ? array_of(e) : e;
            return;
        }
        if (!is_array(arg(0)))
            fail(fmt::format("{}() needs an array, not a {}", special_name(n.special), type_name(arg(0))),
                 n.special == Special::max || n.special == Special::min
                     ? fmt::format("{}(a, b) compares two numbers", special_name(n.special))
                     : "pass a per-event array, e.g. " + std::string(special_name(n.special)) + "(Muon_pt)");
        switch (n.special) {
        case Special::sum:
            t = element_of(arg(0)) == Type::real ? Type::real : Type::integer;
            return;
        case Special::max:
        case Special::min:
            t = element_of(arg(0));
            return;
        case Special::len:
            t = Type::integer;
            return;
        default:
            t = Type::boolean;
            return;
        }
    case NodeKind::index:
        if (!is_array(arg(0)))
            fail(fmt::format("indexing a {}", type_name(arg(0))), "only per-event arrays can be indexed");
        if (is_array(arg(1)) || arg(1) == Type::real)
            fail(fmt::format("index of type {}", type_name(arg(1))),
                 "an index is an int (negative counts from the end)");
        t = element_of(arg(0));
        return;
    }
}

} // namespace hepkit::expr
