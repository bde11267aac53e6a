// The hepkit::expr parser's post-order nodes turned into a list of libtorch operations
// (ExprTorch.hpp). The parser does the syntax and its errors; here the names are resolved and the
// functions mapped to aten operators with derivatives.

#include "ExprTorch.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace hepkit::nn {

namespace {

constexpr std::array<std::string_view, 15> kFunctions1 = {"exp",   "log",  "log10", "log2", "log1p",
                                                          "expm1", "sqrt", "sin",   "cos",  "tan",
                                                          "sinh",  "cosh", "tanh",  "abs",  "erf"};
constexpr std::array<std::string_view, 4> kFunctions2 = {"pow", "atan2", "min", "max"};

torch::Tensor apply1(int f, const torch::Tensor& a) {
    switch (f) {
    case 0:
        return a.exp();
    case 1:
        return a.log();
    case 2:
        return a.log10();
    case 3:
        return a.log2();
    case 4:
        return a.log1p();
    case 5:
        return a.expm1();
    case 6:
        return a.sqrt();
    case 7:
        return a.sin();
    case 8:
        return a.cos();
    case 9:
        return a.tan();
    case 10:
        return a.sinh();
    case 11:
        return a.cosh();
    case 12:
        return a.tanh();
    case 13:
        return a.abs();
    default:
        return a.erf();
    }
}

torch::Tensor apply2(int f, const torch::Tensor& a, const torch::Tensor& b) {
    switch (f) {
    case 0:
        return torch::pow(a, b);
    case 1:
        return torch::atan2(a, b);
    case 2:
        return torch::minimum(a, b);
    default:
        return torch::maximum(a, b);
    }
}

} // namespace

TorchExpression::TorchExpression(const std::string& text, const std::vector<std::string>& names,
                                 const std::string& key)
    : text_(text), uses_(names.size(), false) {
    std::vector<expr::Node> nodes;
    expr::Parser(expr::Dialect::model, expr::Origin{"", 0, key, true}).parse_expression(text, nodes);
    const auto fail = [&](const std::string& what) {
        throw InputError("", 0, key, fmt::format("'{}': {}", text, what));
    };
    for (const auto& n : nodes) {
        Step s;
        if (!n.args.empty())
            s.a = n.args[0];
        if (n.args.size() > 1)
            s.b = n.args[1];
        switch (n.kind) {
        case expr::NodeKind::number:
            s.kind = 0;
            s.number = n.real;
            break;
        case expr::NodeKind::name: {
            const std::string bare = expr::bare_name(n.text);
            const auto it = std::find(names.begin(), names.end(), n.text);
            if (it != names.end()) {
                s.kind = 1;
                s.name = static_cast<std::size_t>(it - names.begin());
                uses_[s.name] = true;
            } else if (const auto c = expr::find_constant(bare)) {
                s.kind = 0;
                s.number = *c;
            } else {
                fail(fmt::format("unknown name '{}' (allowed: {})", n.text, fmt::join(names, ", ")));
            }
            break;
        }
        case expr::NodeKind::unary:
            s.kind = n.op == expr::Op::neg ? 2 : 6; // 6: unary plus, the operand itself
            break;
        case expr::NodeKind::binary:
            s.kind = 3;
            switch (n.op) {
            case expr::Op::add:
                s.op = 0;
                break;
            case expr::Op::sub:
                s.op = 1;
                break;
            case expr::Op::mul:
                s.op = 2;
                break;
            case expr::Op::div:
                s.op = 3;
                break;
            case expr::Op::pow:
                s.op = 4;
                break;
            default:
                fail(fmt::format("the operator '{}' has no derivative", expr::op_text(n.op)));
            }
            break;
        case expr::NodeKind::call1:
        case expr::NodeKind::call2: {
            const std::string f = expr::bare_name(n.text);
            const bool one = n.kind == expr::NodeKind::call1;
            if (one) {
                const auto it = std::find(kFunctions1.begin(), kFunctions1.end(), f);
                if (it == kFunctions1.end())
                    fail(fmt::format("the function '{}' is not available here (allowed: {}, {})", f,
                                     fmt::join(kFunctions1, ", "), fmt::join(kFunctions2, ", ")));
                s.kind = 4;
                s.op = static_cast<int>(it - kFunctions1.begin());
            } else {
                const auto it = std::find(kFunctions2.begin(), kFunctions2.end(), f);
                if (it == kFunctions2.end())
                    fail(fmt::format("the function '{}' is not available here (allowed: {}, {})", f,
                                     fmt::join(kFunctions1, ", "), fmt::join(kFunctions2, ", ")));
                s.kind = 5;
                s.op = static_cast<int>(it - kFunctions2.begin());
            }
            break;
        }
        default:
            fail("only arithmetic, ** and functions are allowed here");
        }
        steps_.push_back(s);
    }
}

torch::Tensor TorchExpression::eval(const std::vector<torch::Tensor>& values) const {
    std::vector<torch::Tensor> v(steps_.size());
    // the dtype of the first value: a literal must not promote float32 features to float64
    const auto dtype = values.empty() ? torch::kFloat64 : values.front().scalar_type();
    for (std::size_t i = 0; i < steps_.size(); ++i) {
        const Step& s = steps_[i];
        const auto a = [&] { return v[static_cast<std::size_t>(s.a)]; };
        const auto b = [&] { return v[static_cast<std::size_t>(s.b)]; };
        switch (s.kind) {
        case 0:
            v[i] = torch::scalar_tensor(s.number, torch::TensorOptions().dtype(dtype));
            break;
        case 1:
            v[i] = values.at(s.name);
            break;
        case 2:
            v[i] = -a();
            break;
        case 3:
            switch (s.op) {
            case 0:
                v[i] = a() + b();
                break;
            case 1:
                v[i] = a() - b();
                break;
            case 2:
                v[i] = a() * b();
                break;
            case 3:
                v[i] = a() / b();
                break;
            default:
                v[i] = torch::pow(a(), b());
                break;
            }
            break;
        case 4:
            v[i] = apply1(s.op, a());
            break;
        case 5:
            v[i] = apply2(s.op, a(), b());
            break;
        default:
            v[i] = a();
            break;
        }
    }
    return v.back();
}

} // namespace hepkit::nn
