#include "hepkit/expr/Graph.hpp"

#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace hepkit::expr {

using vecmath::Fn1;
using vecmath::Fn2;
using K = GraphOp;

int Graph::constant(double c) {
    return add_node({K::constant, -1, -1, 0, c});
}
int Graph::x() {
    return add_node({K::x});
}
int Graph::param(int k) {
    return add_node({K::param, -1, -1, 0, static_cast<double>(k)});
}

int Graph::add(int a, int b) {
    if (is(a, 0))
        return b;
    if (is(b, 0))
        return a;
    if (a == b && nodes[a].varying)
        return mul(constant(2), a);
    return binary(K::add, a, b);
}
int Graph::sub(int a, int b) {
    if (is(b, 0))
        return a;
    return binary(K::sub, a, b);
}
// Products keep one uniform (x-independent) factor on the left and merge chains of them, so
// that u·(v·w(x)) or −(u·w(x)) cost one array operation: the derivative rules produce many.
// (Reassociating changes results by rounding only.)
int Graph::mul(int a, int b) {
    if (is(a, 1))
        return b;
    if (is(b, 1))
        return a;
    if (is(a, -1))
        return neg(b);
    if (is(b, -1))
        return neg(a);
    if (nodes[a].varying && !nodes[b].varying)
        std::swap(a, b);
    if (!nodes[a].varying && nodes[b].varying) {
        const GraphNode nb = nodes[b];
        if (nb.k == K::mul && !nodes[nb.a].varying)
            return mul(mul(a, nb.a), nb.b);
        if (nb.k == K::neg)
            return mul(neg(a), nb.a);
    }
    return binary(K::mul, a, b);
}
int Graph::div(int a, int b) {
    if (is(b, 1))
        return a;
    if (nodes[a].varying && !nodes[b].varying) // by a scalar: a product with its reciprocal
        return mul(div(constant(1), b), a);
    return binary(K::div, a, b);
}
int Graph::neg(int a) {
    if (is_const(a))
        return constant(-nodes[a].c);
    if (nodes[a].k == K::neg)
        return nodes[a].a;
    if (nodes[a].k == K::mul && !nodes[nodes[a].a].varying && nodes[a].varying)
        return mul(neg(nodes[a].a), nodes[a].b);
    return add_node({K::neg, a});
}
int Graph::call1(Fn1 f, int a) {
    if (is_const(a))
        return constant(vecmath::scalar(f, nodes[a].c));
    return add_node({K::call1, a, -1, static_cast<unsigned char>(f)});
}
int Graph::call2(Fn2 f, int a, int b) {
    if (f == Fn2::pow && is_const(b) && !is_const(a)) {
        const double e = nodes[b].c;
        if (e == 1) // as the scalar evaluator, which squares for an exponent of 2
            return a;
        if (e == 2)
            return mul(a, a);
        if (e == 0.5)
            return call1(Fn1::sqrt, a);
    }
    if (is_const(a) && is_const(b))
        return constant(vecmath::scalar(f, nodes[a].c, nodes[b].c));
    return add_node({K::call2, a, b, static_cast<unsigned char>(f)});
}

int Graph::binary(K k, int a, int b) {
    if (is_const(a) && is_const(b)) {
        const double x = nodes[a].c, y = nodes[b].c;
        return constant(k == K::add ? x + y : k == K::sub ? x - y : k == K::mul ? x * y : x / y);
    }
    return add_node({k, a, b});
}

int Graph::add_node(GraphNode n) {
    const auto key = std::make_tuple(static_cast<int>(n.k), n.a, n.b, static_cast<int>(n.fn), n.c);
    if (auto it = memo_.find(key); it != memo_.end())
        return it->second;
    n.varying = n.k == K::x || (n.a >= 0 && nodes[n.a].varying) || (n.b >= 0 && nodes[n.b].varying);
    nodes.push_back(n);
    const int id = static_cast<int>(nodes.size()) - 1;
    memo_.emplace(key, id);
    return id;
}

int Graph::add_function(const Function& f, bool first_is_x) {
    const FunctionSyntax& s = f.syntax();
    std::vector<int> vars(std::max(f.slots(), s.args.size()), -1);
    for (std::size_t k = 0; k < s.args.size(); ++k)
        vars[k] = first_is_x && k == 0 ? x() : param(static_cast<int>(first_is_x ? k - 1 : k));
    // the nodes are in evaluation order: one loop, no recursion (see Ast.hpp)
    std::vector<int> id(s.nodes.size(), -1);
    int result = -1;
    for (std::size_t st = 0; st < s.body.size(); ++st) {
        const Statement& stmt = s.body[st];
        for (int i = stmt.first; i <= stmt.root; ++i) {
            const Node& n = s.nodes[static_cast<std::size_t>(i)];
            auto arg = [&](std::size_t k) { return id[static_cast<std::size_t>(n.args[k])]; };
            int& r = id[static_cast<std::size_t>(i)];
            switch (n.kind) {
            case NodeKind::number:
                r = constant(n.real);
                break;
            case NodeKind::name: {
                const int slot = f.slot_of_node()[static_cast<std::size_t>(i)];
                r = slot >= 0 ? vars[static_cast<std::size_t>(slot)]
                              : constant(*find_constant(bare_name(n.text)));
                break;
            }
            case NodeKind::unary:
                r = n.op == Op::neg ? neg(arg(0)) : arg(0);
                break;
            case NodeKind::binary:
                switch (n.op) {
                case Op::add:
                    r = add(arg(0), arg(1));
                    break;
                case Op::sub:
                    r = sub(arg(0), arg(1));
                    break;
                case Op::mul:
                    r = mul(arg(0), arg(1));
                    break;
                case Op::div:
                    r = div(arg(0), arg(1));
                    break;
                default:
                    r = call2(Fn2::pow, arg(0), arg(1));
                    break;
                }
                break;
            case NodeKind::call1:
                r = call1(n.fn1->id, arg(0));
                break;
            case NodeKind::call2:
                r = call2(n.fn2->id, arg(0), arg(1));
                break;
            default:
                break; // not in the model dialect
            }
        }
        const int slot = f.statement_slots()[st];
        if (slot >= 0)
            vars[static_cast<std::size_t>(slot)] = id[static_cast<std::size_t>(stmt.root)];
        else
            result = id[static_cast<std::size_t>(stmt.root)];
    }
    return result < 0 ? constant(0) : result;
}

// --- derivatives (forward mode): da is the derivative of a, -1 when zero -------------------------
namespace {
struct D {
    Graph& g;
    int add(int da, int db) { return da < 0 ? db : db < 0 ? da : g.add(da, db); }
    int sub(int da, int db) { return db < 0 ? da : da < 0 ? g.neg(db) : g.sub(da, db); }
    int scale(int m, int d) { return d < 0 ? -1 : g.mul(m, d); }
};
} // namespace

int Graph::derivative(int r, int da, int db) {
    D d{*this};
    const GraphNode n = nodes[r];
    switch (n.k) {
    case K::constant:
    case K::x:
    case K::param:
        return -1; // parameters are seeded by the caller
    case K::add:
        return d.add(da, db);
    case K::sub:
        return d.sub(da, db);
    case K::mul:
        return d.add(da < 0 ? -1 : mul(da, n.b), db < 0 ? -1 : mul(n.a, db));
    case K::div: // (a/b)' = (a' − (a/b) b') / b
        if (db < 0)
            return da < 0 ? -1 : div(da, n.b);
        return div(d.sub(da, mul(r, db)), n.b);
    case K::neg:
        return da < 0 ? -1 : neg(da);
    case K::call1:
        return da < 0 ? -1 : d_call1(static_cast<Fn1>(n.fn), r, n.a, da);
    case K::call2:
        if (da < 0 && db < 0)
            return -1;
        return d_call2(static_cast<Fn2>(n.fn), r, n.a, n.b, da, db);
    }
    return -1;
}

int Graph::d_call1(Fn1 f, int r, int a, int da) {
    switch (f) {
    case Fn1::exp:
        return mul(r, da);
    case Fn1::log:
        return div(da, a);
    case Fn1::log10:
        return div(da, mul(a, constant(std::log(10.0))));
    case Fn1::log2:
        return div(da, mul(a, constant(std::log(2.0))));
    case Fn1::log1p:
        return div(da, add(constant(1), a));
    case Fn1::expm1:
        return mul(add(r, constant(1)), da);
    case Fn1::sqrt:
        return div(mul(constant(0.5), da), r);
    case Fn1::sin:
        return mul(call1(Fn1::cos, a), da);
    case Fn1::cos:
        return neg(mul(call1(Fn1::sin, a), da));
    case Fn1::tan:
        return mul(add(constant(1), mul(r, r)), da);
    case Fn1::asin:
        return div(da, call1(Fn1::sqrt, sub(constant(1), mul(a, a))));
    case Fn1::acos:
        return neg(div(da, call1(Fn1::sqrt, sub(constant(1), mul(a, a)))));
    case Fn1::atan:
        return div(da, add(constant(1), mul(a, a)));
    case Fn1::sinh:
        return mul(call1(Fn1::cosh, a), da);
    case Fn1::cosh:
        return mul(call1(Fn1::sinh, a), da);
    case Fn1::tanh:
        return mul(sub(constant(1), mul(r, r)), da);
    case Fn1::abs:
        return mul(call1(Fn1::sign, a), da);
    case Fn1::erf:
    case Fn1::erfc: { // erf'(a) = 2/√π exp(−a²)
        const int d = mul(mul(constant(2 / std::sqrt(M_PI)), call1(Fn1::exp, neg(mul(a, a)))), da);
        return f == Fn1::erf ? d : neg(d);
    }
    case Fn1::sign:
        return -1; // zero almost everywhere
    case Fn1::tgamma:
    case Fn1::lgamma:
        break; // needs the digamma function, which libm lacks
    }
    differentiable = false;
    return -1;
}

int Graph::d_call2(Fn2 f, int r, int a, int b, int da, int db) {
    D d{*this};
    switch (f) {
    case Fn2::pow:
        if (db < 0) { // b' = 0: b a^(b−1) a'
            if (is_const(b))
                return mul(mul(b, call2(Fn2::pow, a, constant(nodes[b].c - 1))), da);
            return mul(mul(b, call2(Fn2::pow, a, sub(b, constant(1)))), da);
        } // (a^b)' = a^b (b' ln a + b a'/a)
        return mul(r, d.add(mul(db, call1(Fn1::log, a)), da < 0 ? -1 : div(mul(b, da), a)));
    case Fn2::atan2: // atan2(a, b)' = (b a' − a b') / (a² + b²)
        return div(d.sub(d.scale(b, da), d.scale(a, db)), add(mul(a, a), mul(b, b)));
    case Fn2::hypot:
        return div(d.add(d.scale(a, da), d.scale(b, db)), r);
    case Fn2::min:
    case Fn2::max:
        break;
    }
    differentiable = false;
    return -1;
}

std::vector<int> Graph::sweep(std::size_t k, int n) {
    std::vector<int> d(static_cast<std::size_t>(n), -1);
    for (int i = 0; i < n; ++i) {
        const GraphNode nd = nodes[static_cast<std::size_t>(i)];
        if (nd.k == K::param)
            d[static_cast<std::size_t>(i)] = nd.c == static_cast<double>(k) ? constant(1) : -1;
        else
            d[static_cast<std::size_t>(i)] = derivative(i, nd.a >= 0 ? d[static_cast<std::size_t>(nd.a)] : -1,
                                                        nd.b >= 0 ? d[static_cast<std::size_t>(nd.b)] : -1);
    }
    return d;
}

double node_value(const GraphNode& nd, double a, double b, std::span<const double> p, double x) {
    using K = GraphOp;
    switch (nd.k) {
    case K::constant:
        return nd.c;
    case K::x:
        return x;
    case K::param:
        return p[static_cast<std::size_t>(nd.c)];
    case K::add:
        return a + b;
    case K::sub:
        return a - b;
    case K::mul:
        return a * b;
    case K::div:
        return a / b;
    case K::neg:
        return -a;
    case K::call1:
        return vecmath::scalar(static_cast<vecmath::Fn1>(nd.fn), a);
    case K::call2:
        return vecmath::scalar(static_cast<vecmath::Fn2>(nd.fn), a, b);
    }
    return 0;
}

double Graph::evaluate(int id, std::span<const double> p, double xv) const {
    if (id < 0)
        return 0;
    std::vector<double> u(static_cast<std::size_t>(id) + 1);
    for (int i = 0; i <= id; ++i) {
        const GraphNode& nd = nodes[static_cast<std::size_t>(i)];
        const double a = nd.a >= 0 ? u[static_cast<std::size_t>(nd.a)] : 0;
        const double b = nd.b >= 0 ? u[static_cast<std::size_t>(nd.b)] : 0;
        u[static_cast<std::size_t>(i)] = node_value(nd, a, b, p, xv);
    }
    return u[static_cast<std::size_t>(id)];
}

std::string Graph::to_string(int id, std::span<const std::string> names) const {
    if (id < 0)
        return "0";
    static const char* const f1[] = {"exp", "log", "log10", "log2",  "log1p",  "expm1", "sqrt", "sin",
                                     "cos", "tan", "asin",  "acos",  "atan",   "sinh",  "cosh", "tanh",
                                     "abs", "erf", "erfc",  "gamma", "lgamma", "sign"};
    static const char* const f2[] = {"atan2", "pow", "hypot", "min", "max"};
    // iterative over the prefix: each node's text from its operands'
    std::vector<std::string> t(static_cast<std::size_t>(id) + 1);
    for (int i = 0; i <= id; ++i) {
        const GraphNode& n = nodes[static_cast<std::size_t>(i)];
        const std::string a = n.a >= 0 ? t[static_cast<std::size_t>(n.a)] : "";
        const std::string b = n.b >= 0 ? t[static_cast<std::size_t>(n.b)] : "";
        std::string& s = t[static_cast<std::size_t>(i)];
        switch (n.k) {
        case K::constant:
            s = fmt::format("{}", n.c);
            break;
        case K::x:
            s = fmt::format("{}", "x"); // (GCC 12: a false -Wrestrict on operator=(const char*))
            break;
        case K::param:
            s = static_cast<std::size_t>(n.c) < names.size() ? names[static_cast<std::size_t>(n.c)]
                                                             : fmt::format("p{}", static_cast<int>(n.c));
            break;
        case K::add:
            s = fmt::format("({} + {})", a, b);
            break;
        case K::sub:
            s = fmt::format("({} - {})", a, b);
            break;
        case K::mul:
            s = fmt::format("({} * {})", a, b);
            break;
        case K::div:
            s = fmt::format("({} / {})", a, b);
            break;
        case K::neg:
            s = fmt::format("(-{})", a);
            break;
        case K::call1:
            s = fmt::format("{}({})", f1[n.fn], a);
            break;
        case K::call2:
            s = n.fn == static_cast<unsigned char>(Fn2::pow) ? fmt::format("({} ** {})", a, b)
                                                             : fmt::format("{}({}, {})", f2[n.fn], a, b);
            break;
        }
    }
    return t[static_cast<std::size_t>(id)];
}

SymbolicFunction::SymbolicFunction(const Function& f) : args_(f.arguments()), name_(f.name()) {
    result_ = graph_.add_function(f, false);
}

int SymbolicFunction::derivative(int node, const std::string& variable) {
    const auto it = std::find(args_.begin(), args_.end(), variable);
    if (it == args_.end())
        throw InputError("", 0, name_,
                         fmt::format("cannot differentiate w.r.t. '{}': not an argument (arguments: {})",
                                     variable, fmt::join(args_, ", ")));
    if (node < 0)
        return -1;
    // forward mode over the nodes `node` depends on only: an unused gamma elsewhere is no obstacle
    const auto k = static_cast<double>(it - args_.begin());
    std::vector<char> needed(static_cast<std::size_t>(node) + 1, 0);
    needed[static_cast<std::size_t>(node)] = 1;
    for (int i = node; i >= 0; --i)
        if (needed[static_cast<std::size_t>(i)])
            for (int op :
                 {graph_.nodes[static_cast<std::size_t>(i)].a, graph_.nodes[static_cast<std::size_t>(i)].b})
                if (op >= 0)
                    needed[static_cast<std::size_t>(op)] = 1;
    graph_.differentiable = true;
    std::vector<int> d(static_cast<std::size_t>(node) + 1, -1);
    for (int i = 0; i <= node; ++i) {
        if (!needed[static_cast<std::size_t>(i)])
            continue;
        const GraphNode nd = graph_.nodes[static_cast<std::size_t>(i)];
        d[static_cast<std::size_t>(i)] =
            nd.k == GraphOp::param ? (nd.c == k ? graph_.constant(1) : -1)
                                   : graph_.derivative(i, nd.a >= 0 ? d[static_cast<std::size_t>(nd.a)] : -1,
                                                       nd.b >= 0 ? d[static_cast<std::size_t>(nd.b)] : -1);
    }
    if (!graph_.differentiable)
        throw InputError(
            "", 0, name_,
            fmt::format("cannot differentiate w.r.t. '{}': a function on the way has no derivative "
                        "rule (gamma, lgamma, min, max)",
                        variable));
    return d[static_cast<std::size_t>(node)];
}

double SymbolicFunction::evaluate(int node, std::span<const double> args) const {
    return graph_.evaluate(node, args);
}

std::string SymbolicFunction::to_string(int node) const {
    return graph_.to_string(node, args_);
}

} // namespace hepkit::expr
