#include "hepkit/fit/BatchFunction.hpp"

#include "hepkit/fit/VecMath.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

namespace hepkit::fit {

bool BatchModel::gradients(std::span<const double>, std::span<const double>, std::span<double>,
                           std::span<double>) const {
    return false;
}

bool BatchModel::hessians(std::span<const double>, std::span<const double>, std::span<double>,
                          std::span<double>, std::span<double>) const {
    return false;
}

namespace {

using vecmath::Fn1;
using vecmath::Fn2;

enum class K : unsigned char { constant, x, param, add, sub, mul, div, neg, call1, call2 };

struct Node {
    K k;
    int a = -1, b = -1;
    unsigned char fn = 0;
    double c = 0;
    bool varying = false; ///< depends on x
};

// Expression graph with constant folding and hash-consing (equal subexpressions are one node).
// A derivative that is identically zero is the index -1, so that it prunes whole subtrees.
class Graph {
  public:
    std::vector<Node> nodes;
    bool differentiable = true;

    int constant(double c) { return add_node({K::constant, -1, -1, 0, c}); }
    int x() { return add_node({K::x}); }
    int param(int k) { return add_node({K::param, -1, -1, 0, static_cast<double>(k)}); }
    bool is(int a, double v) const { return a >= 0 && nodes[a].k == K::constant && nodes[a].c == v; }
    bool is_const(int a) const { return nodes[a].k == K::constant; }

    int add(int a, int b) {
        if (is(a, 0))
            return b;
        if (is(b, 0))
            return a;
        if (a == b && nodes[a].varying)
            return mul(constant(2), a);
        return binary(K::add, a, b);
    }
    int sub(int a, int b) {
        if (is(b, 0))
            return a;
        return binary(K::sub, a, b);
    }
    // Products keep one uniform (x-independent) factor on the left and merge chains of them, so
    // that u·(v·w(x)) or −(u·w(x)) cost one array operation: the derivative rules produce many.
    // (Reassociating changes results by rounding only.)
    int mul(int a, int b) {
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
            const Node nb = nodes[b];
            if (nb.k == K::mul && !nodes[nb.a].varying)
                return mul(mul(a, nb.a), nb.b);
            if (nb.k == K::neg)
                return mul(neg(a), nb.a);
        }
        return binary(K::mul, a, b);
    }
    int div(int a, int b) {
        if (is(b, 1))
            return a;
        if (nodes[a].varying && !nodes[b].varying) // by a scalar: a product with its reciprocal
            return mul(div(constant(1), b), a);
        return binary(K::div, a, b);
    }
    int neg(int a) {
        if (is_const(a))
            return constant(-nodes[a].c);
        if (nodes[a].k == K::neg)
            return nodes[a].a;
        if (nodes[a].k == K::mul && !nodes[nodes[a].a].varying && nodes[a].varying)
            return mul(neg(nodes[a].a), nodes[a].b);
        return add_node({K::neg, a});
    }
    int call1(Fn1 f, int a) {
        if (is_const(a))
            return constant(vecmath::scalar(f, nodes[a].c));
        return add_node({K::call1, a, -1, static_cast<unsigned char>(f)});
    }
    int call2(Fn2 f, int a, int b) {
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

    // --- derivatives (forward mode): da is the derivative of a, -1 when zero ---------------------
    int dadd(int da, int db) { return da < 0 ? db : db < 0 ? da : add(da, db); }
    int dsub(int da, int db) { return db < 0 ? da : da < 0 ? neg(db) : sub(da, db); }
    int dscale(int m, int d) { return d < 0 ? -1 : mul(m, d); }

    /// Derivative of node r given those of its operands.
    int derivative(int r, int da, int db) {
        const Node n = nodes[r];
        switch (n.k) {
        case K::constant:
        case K::x:
        case K::param:
            return -1; // parameters are seeded by the caller
        case K::add:
            return dadd(da, db);
        case K::sub:
            return dsub(da, db);
        case K::mul:
            return dadd(da < 0 ? -1 : mul(da, n.b), db < 0 ? -1 : mul(n.a, db));
        case K::div: // (a/b)' = (a' − (a/b) b') / b
            if (db < 0)
                return da < 0 ? -1 : div(da, n.b);
            return div(dsub(da, mul(r, db)), n.b);
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

  private:
    std::map<std::tuple<int, int, int, int, double>, int> memo_;

    int binary(K k, int a, int b) {
        if (is_const(a) && is_const(b)) {
            const double x = nodes[a].c, y = nodes[b].c;
            return constant(k == K::add ? x + y : k == K::sub ? x - y : k == K::mul ? x * y : x / y);
        }
        return add_node({k, a, b});
    }
    int add_node(Node n) {
        const auto key = std::make_tuple(static_cast<int>(n.k), n.a, n.b, static_cast<int>(n.fn), n.c);
        if (auto it = memo_.find(key); it != memo_.end())
            return it->second;
        n.varying = n.k == K::x || (n.a >= 0 && nodes[n.a].varying) || (n.b >= 0 && nodes[n.b].varying);
        nodes.push_back(n);
        const int id = static_cast<int>(nodes.size()) - 1;
        memo_.emplace(key, id);
        return id;
    }

    int d_call1(Fn1 f, int r, int a, int da) {
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

    int d_call2(Fn2 f, int r, int a, int b, int da, int db) {
        switch (f) {
        case Fn2::pow:
            if (db < 0) { // b' = 0: b a^(b−1) a'
                if (is_const(b))
                    return mul(mul(b, call2(Fn2::pow, a, constant(nodes[b].c - 1))), da);
                return mul(mul(b, call2(Fn2::pow, a, sub(b, constant(1)))), da);
            } // (a^b)' = a^b (b' ln a + b a'/a)
            return mul(r, dadd(mul(db, call1(Fn1::log, a)), da < 0 ? -1 : div(mul(b, da), a)));
        case Fn2::atan2: // atan2(a, b)' = (b a' − a b') / (a² + b²)
            return div(dsub(dscale(b, da), dscale(a, db)), add(mul(a, a), mul(b, b)));
        case Fn2::hypot:
            return div(dadd(dscale(a, da), dscale(b, db)), r);
        case Fn2::min:
        case Fn2::max:
            break;
        }
        differentiable = false;
        return -1;
    }
};

constexpr std::size_t block = 256;

// o = a (op) b over m values; a null array operand means the scalar sa / sb. Built for AVX2 as
// well as the x86-64 baseline where the compiler supports it (selected at load time), since
// these loops are most of a batch evaluation besides the elementary functions.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void arithmetic(K k, const double* a, double sa, const double* b, double sb, double* o, std::size_t m) {
    switch (k) {
    case K::add:
        if (a && b)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] + b[i];
        else if (a)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] + sb;
        else
            for (std::size_t i = 0; i < m; ++i)
                o[i] = sa + b[i];
        return;
    case K::sub:
        if (a && b)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] - b[i];
        else if (a)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] - sb;
        else
            for (std::size_t i = 0; i < m; ++i)
                o[i] = sa - b[i];
        return;
    case K::mul:
        if (a && b)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] * b[i];
        else if (a)
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] * sb;
        else
            for (std::size_t i = 0; i < m; ++i)
                o[i] = sa * b[i];
        return;
    case K::div:
        if (a && b) {
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] / b[i];
        } else if (a) { // by a scalar: one division, then products (≤ 1 ulp from a[i] / sb)
            const double r = 1 / sb;
            for (std::size_t i = 0; i < m; ++i)
                o[i] = a[i] * r;
        } else {
            for (std::size_t i = 0; i < m; ++i)
                o[i] = sa / b[i];
        }
        return;
    case K::neg:
        for (std::size_t i = 0; i < m; ++i)
            o[i] = -a[i];
        return;
    default:
        return;
    }
}

} // namespace

// A scheduled graph: the parameter-only nodes run once per call as scalars, the x-dependent ones
// over blocks of x values in array slots reused once a value is dead.
struct BatchFunction::Program {
    enum class Src : unsigned char { slot, uniform, x, output };
    struct Operand {
        Src src = Src::uniform;
        int index = 0; // slot or node
    };
    struct Step {
        K k;
        unsigned char fn;
        Operand a, b;
        Operand dst; // a slot, or an output array written in place
    };
    std::vector<Node> nodes;      // the graph (uniform nodes are read from it)
    std::vector<int> uniform;     // node ids evaluated once per call, in order
    std::vector<Step> steps;      // array operations per block
    std::vector<Operand> outputs; // f, then ∂f/∂p_k; index −1 with Src::uniform: identically zero
    int slots = 0;

    Program(const Graph& g, const std::vector<int>& outs) : nodes(g.nodes) {
        const int n = static_cast<int>(nodes.size());
        std::vector<char> needed(static_cast<std::size_t>(n), 0);
        for (int o : outs)
            if (o >= 0)
                needed[static_cast<std::size_t>(o)] = 1;
        for (int i = n - 1; i >= 0; --i)
            if (needed[static_cast<std::size_t>(i)]) {
                const Node& nd = nodes[static_cast<std::size_t>(i)];
                if (nd.a >= 0)
                    needed[static_cast<std::size_t>(nd.a)] = 1;
                if (nd.b >= 0)
                    needed[static_cast<std::size_t>(nd.b)] = 1;
            }
        // last use of every varying node (outputs live to the end of the block)
        std::vector<int> last(static_cast<std::size_t>(n), -1);
        for (int i = 0; i < n; ++i)
            if (needed[static_cast<std::size_t>(i)] && nodes[static_cast<std::size_t>(i)].varying)
                for (int op : {nodes[static_cast<std::size_t>(i)].a, nodes[static_cast<std::size_t>(i)].b})
                    if (op >= 0)
                        last[static_cast<std::size_t>(op)] = i;
        for (int o : outs)
            if (o >= 0)
                last[static_cast<std::size_t>(o)] = n;
        std::vector<int> slot_of(static_cast<std::size_t>(n), -1), free_slots;
        // varying outputs are computed straight into the caller's arrays (first occurrence)
        std::vector<int> output_of(static_cast<std::size_t>(n), -1);
        for (std::size_t k = 0; k < outs.size(); ++k)
            if (outs[k] >= 0 && nodes[static_cast<std::size_t>(outs[k])].varying &&
                nodes[static_cast<std::size_t>(outs[k])].k != K::x &&
                output_of[static_cast<std::size_t>(outs[k])] < 0)
                output_of[static_cast<std::size_t>(outs[k])] = static_cast<int>(k);
        auto operand = [&](int id) {
            const Node& nd = nodes[static_cast<std::size_t>(id)];
            if (nd.k == K::x)
                return Operand{Src::x, 0};
            if (!nd.varying)
                return Operand{Src::uniform, id};
            if (output_of[static_cast<std::size_t>(id)] >= 0)
                return Operand{Src::output, output_of[static_cast<std::size_t>(id)]};
            return Operand{Src::slot, slot_of[static_cast<std::size_t>(id)]};
        };
        for (int i = 0; i < n; ++i) {
            const Node& nd = nodes[static_cast<std::size_t>(i)];
            if (!needed[static_cast<std::size_t>(i)] || nd.k == K::x)
                continue;
            if (!nd.varying) {
                uniform.push_back(i);
                continue;
            }
            Step s{nd.k, nd.fn, operand(nd.a), nd.b >= 0 ? operand(nd.b) : Operand{}, {}};
            // operands whose last use is this step give their slot back first (in-place update)
            for (int op : {nd.a, nd.b})
                if (op >= 0 && nodes[static_cast<std::size_t>(op)].varying &&
                    nodes[static_cast<std::size_t>(op)].k != K::x &&
                    last[static_cast<std::size_t>(op)] == i && slot_of[static_cast<std::size_t>(op)] >= 0) {
                    free_slots.push_back(slot_of[static_cast<std::size_t>(op)]);
                    slot_of[static_cast<std::size_t>(op)] = -2; // released once
                }
            if (output_of[static_cast<std::size_t>(i)] >= 0) {
                s.dst = Operand{Src::output, output_of[static_cast<std::size_t>(i)]};
            } else {
                if (free_slots.empty())
                    free_slots.push_back(slots++);
                s.dst = Operand{Src::slot, free_slots.back()};
                free_slots.pop_back();
                slot_of[static_cast<std::size_t>(i)] = s.dst.index;
            }
            steps.push_back(s);
        }
        for (int o : outs)
            outputs.push_back(o < 0 ? Operand{Src::uniform, -1} : operand(o));
        // an output at its own index is already in place; a repeated one is copied from the first
        slots += 1; // scratch for broadcasting a uniform operand of a two-argument function
    }

    /// Outputs: f, then the P first derivatives into grad, then the second derivatives into hess
    /// (each n values).
    void run(std::span<const double> x, std::span<const double> p, std::span<double> f,
             std::span<double> grad, std::span<double> hess) const {
        std::vector<double> u(nodes.size());
        for (int id : uniform) {
            const Node& nd = nodes[static_cast<std::size_t>(id)];
            const double a = nd.a >= 0 ? u[static_cast<std::size_t>(nd.a)] : 0;
            const double b = nd.b >= 0 ? u[static_cast<std::size_t>(nd.b)] : 0;
            double& r = u[static_cast<std::size_t>(id)];
            switch (nd.k) {
            case K::constant:
                r = nd.c;
                break;
            case K::param:
                r = p[static_cast<std::size_t>(nd.c)];
                break;
            case K::add:
                r = a + b;
                break;
            case K::sub:
                r = a - b;
                break;
            case K::mul:
                r = a * b;
                break;
            case K::div:
                r = a / b;
                break;
            case K::neg:
                r = -a;
                break;
            case K::call1:
                r = vecmath::scalar(static_cast<Fn1>(nd.fn), a);
                break;
            case K::call2:
                r = vecmath::scalar(static_cast<Fn2>(nd.fn), a, b);
                break;
            case K::x:
                break;
            }
        }
        const std::size_t n = x.size();
        std::vector<double> buf(static_cast<std::size_t>(slots) * block);
        const std::size_t P = p.size();
        auto output = [&](std::size_t k) {
            return k == 0 ? f.data() : k <= P ? grad.data() + (k - 1) * n : hess.data() + (k - 1 - P) * n;
        };
        for (std::size_t i0 = 0; i0 < n; i0 += block) {
            const std::size_t m = std::min(block, n - i0);
            auto ptr = [&](const Operand& o) -> double* {
                switch (o.src) {
                case Src::x:
                    return const_cast<double*>(x.data()) + i0; // read only
                case Src::output:
                    return output(static_cast<std::size_t>(o.index)) + i0;
                default:
                    return buf.data() + static_cast<std::size_t>(o.index) * block;
                }
            };
            for (const Step& s : steps)
                step(s, ptr, u, ptr(s.dst), buf.data() + static_cast<std::size_t>(slots - 1) * block, m);
            for (std::size_t k = 0; k < outputs.size(); ++k) {
                double* out = output(k) + i0;
                const Operand& o = outputs[k];
                if (o.src == Src::output && static_cast<std::size_t>(o.index) == k)
                    continue;
                if (o.src == Src::uniform) {
                    std::fill(out, out + m, o.index < 0 ? 0.0 : u[static_cast<std::size_t>(o.index)]);
                } else {
                    const double* v = ptr(o);
                    std::copy(v, v + m, out);
                }
            }
        }
    }

    template <typename Ptr>
    static void step(const Step& s, Ptr&& ptr, const std::vector<double>& u, double* o, double* scratch,
                     std::size_t m) {
        const double* a = s.a.src != Src::uniform ? ptr(s.a) : nullptr;
        const double* b = s.b.src != Src::uniform ? ptr(s.b) : nullptr;
        const double sa = a ? 0 : u[static_cast<std::size_t>(s.a.index)];
        const double sb = b || s.k == K::neg || s.k == K::call1 ? 0 : u[static_cast<std::size_t>(s.b.index)];
        switch (s.k) {
        case K::call1:
            vecmath::apply(static_cast<Fn1>(s.fn), a, o, m);
            return;
        case K::call2:
            if (!a) {
                std::fill(scratch, scratch + m, sa);
                a = scratch;
            } else if (!b) {
                std::fill(scratch, scratch + m, sb);
                b = scratch;
            }
            vecmath::apply(static_cast<Fn2>(s.fn), a, b, o, m);
            return;
        default:
            arithmetic(s.k, a, sa, b, sb, o, m);
        }
    }
};

BatchFunction::BatchFunction(const PyFunction& f) {
    if (f.arguments().empty())
        throw std::invalid_argument("a batch model needs the variable as its first argument");
    parameters_ = f.arguments().size() - 1;
    Graph g;
    std::vector<int> vars(std::max<std::size_t>(f.slots_, f.arguments().size()), -1);
    vars[0] = g.x();
    for (std::size_t k = 0; k < parameters_; ++k)
        vars[k + 1] = g.param(static_cast<int>(k));
    std::vector<int> stack;
    auto pop = [&] {
        const int v = stack.back();
        stack.pop_back();
        return v;
    };
    for (const auto& in : f.code_) {
        switch (in.op) {
        case PyFunction::Op::constant:
            stack.push_back(g.constant(in.value));
            break;
        case PyFunction::Op::load:
            stack.push_back(vars[in.slot]);
            break;
        case PyFunction::Op::store:
            vars[in.slot] = pop();
            break;
        case PyFunction::Op::neg:
            stack.push_back(g.neg(pop()));
            break;
        case PyFunction::Op::call1:
            stack.push_back(g.call1(static_cast<Fn1>(in.fn), pop()));
            break;
        default: {
            const int b = pop(), a = pop();
            switch (in.op) {
            case PyFunction::Op::add:
                stack.push_back(g.add(a, b));
                break;
            case PyFunction::Op::sub:
                stack.push_back(g.sub(a, b));
                break;
            case PyFunction::Op::mul:
                stack.push_back(g.mul(a, b));
                break;
            case PyFunction::Op::div:
                stack.push_back(g.div(a, b));
                break;
            case PyFunction::Op::pow:
                stack.push_back(g.call2(Fn2::pow, a, b));
                break;
            default:
                stack.push_back(g.call2(static_cast<Fn2>(in.fn), a, b));
                break;
            }
        }
        }
    }
    const int result = stack.empty() ? g.constant(0) : stack.front();
    values_ = std::make_unique<Program>(g, std::vector<int>{result});

    // Forward mode, one parameter at a time over the first n nodes: d[i] = ∂node_i/∂p_k.
    auto sweep = [&g](std::size_t k, int n) {
        std::vector<int> d(static_cast<std::size_t>(n), -1);
        for (int i = 0; i < n; ++i) {
            const Node nd = g.nodes[static_cast<std::size_t>(i)];
            if (nd.k == K::param)
                d[static_cast<std::size_t>(i)] = nd.c == static_cast<double>(k) ? g.constant(1) : -1;
            else
                d[static_cast<std::size_t>(i)] =
                    g.derivative(i, nd.a >= 0 ? d[static_cast<std::size_t>(nd.a)] : -1,
                                 nd.b >= 0 ? d[static_cast<std::size_t>(nd.b)] : -1);
        }
        return d;
    };
    const int n0 = static_cast<int>(g.nodes.size());
    std::vector<int> outs{result};
    for (std::size_t k = 0; k < parameters_; ++k)
        outs.push_back(sweep(k, n0)[static_cast<std::size_t>(result)]);
    differentiable_ = g.differentiable;
    if (!differentiable_)
        return;
    gradients_ = std::make_unique<Program>(g, outs);
    // second derivatives: the same sweeps over the first derivatives' nodes, (j, k) for j ≤ k
    const int n1 = static_cast<int>(g.nodes.size());
    std::vector<int> second(parameters_ * (parameters_ + 1) / 2, -1);
    for (std::size_t j = 0; j < parameters_; ++j) {
        const std::vector<int> d = sweep(j, n1);
        for (std::size_t k = j; k < parameters_; ++k) {
            const int first = outs[k + 1];
            second[k * (k + 1) / 2 + j] = first < 0 ? -1 : d[static_cast<std::size_t>(first)];
        }
    }
    if (!g.differentiable)
        return;
    outs.insert(outs.end(), second.begin(), second.end());
    hessians_ = std::make_unique<Program>(g, outs);
}

BatchFunction::~BatchFunction() = default;
BatchFunction::BatchFunction(BatchFunction&&) noexcept = default;
BatchFunction& BatchFunction::operator=(BatchFunction&&) noexcept = default;

void BatchFunction::values(std::span<const double> x, std::span<const double> p, std::span<double> f) const {
    values_->run(x, p, f, {}, {});
}

bool BatchFunction::gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                              std::span<double> grad) const {
    if (!gradients_)
        return false;
    gradients_->run(x, p, f, grad, {});
    return true;
}

bool BatchFunction::hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                             std::span<double> grad, std::span<double> hess) const {
    if (!hessians_)
        return false;
    hessians_->run(x, p, f, grad, hess);
    return true;
}

std::size_t BatchFunction::array_operations(int order) const {
    const Program* p = order == 0 ? values_.get() : order == 1 ? gradients_.get() : hessians_.get();
    return p ? p->steps.size() : 0;
}

} // namespace hepkit::fit
