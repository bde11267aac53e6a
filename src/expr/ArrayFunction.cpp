#include "hepkit/expr/ArrayFunction.hpp"

#include "hepkit/core/ArchClones.hpp"
#include "hepkit/expr/Graph.hpp"
#include "hepkit/expr/VecMath.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hepkit::expr {

namespace {

using vecmath::Fn1;
using vecmath::Fn2;
using K = GraphOp;

constexpr std::size_t block = 256;

// o = a (op) b over m values; a null array operand means the scalar sa / sb. Built for AVX2 as
// well as the x86-64 baseline where the compiler supports it (selected at load time), since
// these loops are most of a batch evaluation besides the elementary functions.
#if HEPKIT_ARCH_CLONES
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
struct ArrayFunction::Program {
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
    std::vector<GraphNode> nodes; // the graph (uniform nodes are read from it)
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
                const GraphNode& nd = nodes[static_cast<std::size_t>(i)];
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
            const GraphNode& nd = nodes[static_cast<std::size_t>(id)];
            if (nd.k == K::x)
                return Operand{Src::x, 0};
            if (!nd.varying)
                return Operand{Src::uniform, id};
            if (output_of[static_cast<std::size_t>(id)] >= 0)
                return Operand{Src::output, output_of[static_cast<std::size_t>(id)]};
            return Operand{Src::slot, slot_of[static_cast<std::size_t>(id)]};
        };
        for (int i = 0; i < n; ++i) {
            const GraphNode& nd = nodes[static_cast<std::size_t>(i)];
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
            const GraphNode& nd = nodes[static_cast<std::size_t>(id)];
            const double a = nd.a >= 0 ? u[static_cast<std::size_t>(nd.a)] : 0;
            const double b = nd.b >= 0 ? u[static_cast<std::size_t>(nd.b)] : 0;
            // uniform nodes never read x (their value at x = 0 is their value)
            u[static_cast<std::size_t>(id)] = node_value(nd, a, b, p, 0);
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

ArrayFunction::ArrayFunction(const Function& f) {
    if (f.arguments().empty())
        throw std::invalid_argument("a batch model needs the variable as its first argument");
    parameters_ = f.arguments().size() - 1;
    Graph g;
    const int result = g.add_function(f, true);
    values_ = std::make_unique<Program>(g, std::vector<int>{result});

    // Forward mode, one parameter at a time over the first n nodes: d[i] = ∂node_i/∂p_k.
    auto sweep = [&g](std::size_t k, int n) { return g.sweep(k, n); };
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

ArrayFunction::~ArrayFunction() = default;
ArrayFunction::ArrayFunction(ArrayFunction&&) noexcept = default;
ArrayFunction& ArrayFunction::operator=(ArrayFunction&&) noexcept = default;

void ArrayFunction::values(std::span<const double> x, std::span<const double> p, std::span<double> f) const {
    values_->run(x, p, f, {}, {});
}

bool ArrayFunction::gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                              std::span<double> grad) const {
    if (!gradients_)
        return false;
    gradients_->run(x, p, f, grad, {});
    return true;
}

bool ArrayFunction::hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                             std::span<double> grad, std::span<double> hess) const {
    if (!hessians_)
        return false;
    hessians_->run(x, p, f, grad, hess);
    return true;
}

std::size_t ArrayFunction::array_operations(int order) const {
    const Program* p = order == 0 ? values_.get() : order == 1 ? gradients_.get() : hessians_.get();
    return p ? p->steps.size() : 0;
}

} // namespace hepkit::expr
