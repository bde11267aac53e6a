#include "hepkit/expr/Function.hpp"

#include <array>
#include <cmath>
#include <fmt/format.h>

namespace hepkit::expr {

// Resolves the names of each statement as it is parsed and appends its stack code: the nodes
// are in post-order, so a loop over them emits the code in evaluation order.
class FunctionCompiler {
  public:
    FunctionCompiler(Function& f, const Origin& origin) : f_(f), origin_(origin) {}

    void statement(const FunctionSyntax& syntax) {
        const Statement& s = syntax.body.back();
        if (names_.empty())
            names_ = syntax.args;
        f_.slot_of_node_.resize(syntax.nodes.size(), -1);
        for (int i = s.first; i <= s.root; ++i)
            emit(syntax.nodes[static_cast<std::size_t>(i)], i);
        int slot = -1;
        if (!s.target.empty()) {
            std::size_t k = 0;
            while (k < names_.size() && names_[k] != s.target)
                ++k;
            if (k == names_.size())
                names_.push_back(s.target);
            slot = static_cast<int>(k);
            f_.code_.push_back({Function::Code::store, static_cast<unsigned short>(slot)});
        }
        f_.statement_slots_.push_back(slot);
        line_ = s.line;
    }

    void finish() {
        if (names_.empty())
            names_ = f_.syntax_.args;
        f_.slots_ = names_.size();
        int depth = 0, max = 0;
        for (const auto& i : f_.code_) {
            switch (i.op) {
            case Function::Code::constant:
            case Function::Code::load:
                ++depth;
                break;
            case Function::Code::store:
            case Function::Code::add:
            case Function::Code::sub:
            case Function::Code::mul:
            case Function::Code::div:
            case Function::Code::pow:
            case Function::Code::call2:
                --depth;
                break;
            default:
                break;
            }
            max = std::max(max, depth);
        }
        // the evaluator's fixed 64-entry stack and variable arrays (no allocation per call)
        if (max > 60)
            origin_.fail(line_, 0, "expression too deeply nested");
        if (f_.slots_ > 60)
            origin_.fail(line_, 0, "too many arguments and locals (at most 60)");
    }

  private:
    void emit(const Node& n, int id) {
        using C = Function::Code;
        switch (n.kind) {
        case NodeKind::number:
            f_.code_.push_back({C::constant, 0, n.real});
            return;
        case NodeKind::name: {
            const std::string name = bare_name(n.text);
            if (name.size() == n.text.size()) // a module prefix names a constant, never a variable
                for (std::size_t s = 0; s < names_.size(); ++s)
                    if (names_[s] == name) {
                        f_.code_.push_back({C::load, static_cast<unsigned short>(s)});
                        f_.slot_of_node_[static_cast<std::size_t>(id)] = static_cast<int>(s);
                        return;
                    }
            if (const auto c = find_constant(name)) {
                f_.code_.push_back({C::constant, 0, *c});
                return;
            }
            origin_.fail(n.line, n.column,
                         fmt::format("unknown name '{}' (not an argument, a local or a constant)", n.text));
        }
        case NodeKind::unary:
            if (n.op == Op::neg)
                f_.code_.push_back({C::neg});
            return; // unary plus: nothing
        case NodeKind::binary:
            f_.code_.push_back({n.op == Op::add   ? C::add
                                : n.op == Op::sub ? C::sub
                                : n.op == Op::mul ? C::mul
                                : n.op == Op::div ? C::div
                                                  : C::pow});
            return;
        case NodeKind::call1:
            f_.code_.push_back({C::call1, 0, 0, n.fn1->f, nullptr});
            return;
        case NodeKind::call2:
            f_.code_.push_back({C::call2, 0, 0, nullptr, n.fn2->f});
            return;
        default: // the model dialect of the parser admits nothing else
            origin_.fail(n.line, n.column, "construct not supported in a model function");
        }
    }

    Function& f_;
    const Origin& origin_;
    std::vector<std::string> names_;
    int line_ = 1;
};

Function Function::parse(const std::string& code, const std::string& origin, int first_line) {
    Origin o{origin, first_line, "model_function", false};
    Function f;
    FunctionCompiler compiler(f, o);
    f.syntax_ = Parser(Dialect::model, o).parse_function(code, [&](const FunctionSyntax& s) {
        compiler.statement(s);
    });
    compiler.finish();
    return f;
}

double Function::operator()(std::span<const double> args) const {
    std::array<double, 64> stack;
    std::array<double, 64> vars;
    for (std::size_t i = 0; i < args.size() && i < syntax_.args.size(); ++i)
        vars[i] = args[i];
    int sp = -1;
    for (const Instr& in : code_) {
        switch (in.op) {
        case Code::constant:
            stack[static_cast<std::size_t>(++sp)] = in.value;
            break;
        case Code::load:
            stack[static_cast<std::size_t>(++sp)] = vars[in.slot];
            break;
        case Code::store:
            vars[in.slot] = stack[static_cast<std::size_t>(sp--)];
            break;
        case Code::add:
            stack[static_cast<std::size_t>(sp - 1)] += stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Code::sub:
            stack[static_cast<std::size_t>(sp - 1)] -= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Code::mul:
            stack[static_cast<std::size_t>(sp - 1)] *= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Code::div:
            stack[static_cast<std::size_t>(sp - 1)] /= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Code::pow: {
            const double b = stack[static_cast<std::size_t>(sp)];
            double& a = stack[static_cast<std::size_t>(sp - 1)];
            a = b == 2.0 ? a * a : std::pow(a, b);
            --sp;
            break;
        }
        case Code::neg:
            stack[static_cast<std::size_t>(sp)] = -stack[static_cast<std::size_t>(sp)];
            break;
        case Code::call1:
            stack[static_cast<std::size_t>(sp)] = in.f1(stack[static_cast<std::size_t>(sp)]);
            break;
        case Code::call2:
            stack[static_cast<std::size_t>(sp - 1)] =
                in.f2(stack[static_cast<std::size_t>(sp - 1)], stack[static_cast<std::size_t>(sp)]);
            --sp;
            break;
        }
    }
    return stack[0];
}

} // namespace hepkit::expr
