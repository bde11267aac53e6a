#include "hepkit/fit/PyFunction.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/fit/VecMath.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>

namespace hepkit::fit {

namespace {

struct Token {
    enum Kind { number, name, op, end } kind;
    std::string text;
    double value = 0;
    int line = 0;
};

double d_abs(double x) {
    return std::fabs(x);
}
double d_exp(double x) {
    return std::exp(x);
}
double d_log(double x) {
    return std::log(x);
}
double d_log10(double x) {
    return std::log10(x);
}
double d_log2(double x) {
    return std::log2(x);
}
double d_log1p(double x) {
    return std::log1p(x);
}
double d_expm1(double x) {
    return std::expm1(x);
}
double d_sqrt(double x) {
    return std::sqrt(x);
}
double d_sin(double x) {
    return std::sin(x);
}
double d_cos(double x) {
    return std::cos(x);
}
double d_tan(double x) {
    return std::tan(x);
}
double d_asin(double x) {
    return std::asin(x);
}
double d_acos(double x) {
    return std::acos(x);
}
double d_atan(double x) {
    return std::atan(x);
}
double d_sinh(double x) {
    return std::sinh(x);
}
double d_cosh(double x) {
    return std::cosh(x);
}
double d_tanh(double x) {
    return std::tanh(x);
}
double d_erf(double x) {
    return std::erf(x);
}
double d_erfc(double x) {
    return std::erfc(x);
}
double d_gamma(double x) {
    return std::tgamma(x);
}
double d_lgamma(double x) {
    return std::lgamma(x);
}
double d_atan2(double y, double x) {
    return std::atan2(y, x);
}
double d_pow(double a, double b) {
    return std::pow(a, b);
}
double d_hypot(double a, double b) {
    return std::hypot(a, b);
}
double d_min(double a, double b) {
    return std::fmin(a, b);
}
double d_max(double a, double b) {
    return std::fmax(a, b);
}

struct Function1 {
    double (*f)(double);
    vecmath::Fn1 id;
};
struct Function2 {
    double (*f)(double, double);
    vecmath::Fn2 id;
};
const std::map<std::string, Function1>& functions1() {
    static const std::map<std::string, Function1> f = {
        {"exp", {d_exp, vecmath::Fn1::exp}},          {"log", {d_log, vecmath::Fn1::log}},
        {"log10", {d_log10, vecmath::Fn1::log10}},    {"log2", {d_log2, vecmath::Fn1::log2}},
        {"log1p", {d_log1p, vecmath::Fn1::log1p}},    {"expm1", {d_expm1, vecmath::Fn1::expm1}},
        {"sqrt", {d_sqrt, vecmath::Fn1::sqrt}},       {"sin", {d_sin, vecmath::Fn1::sin}},
        {"cos", {d_cos, vecmath::Fn1::cos}},          {"tan", {d_tan, vecmath::Fn1::tan}},
        {"arcsin", {d_asin, vecmath::Fn1::asin}},     {"asin", {d_asin, vecmath::Fn1::asin}},
        {"arccos", {d_acos, vecmath::Fn1::acos}},     {"acos", {d_acos, vecmath::Fn1::acos}},
        {"arctan", {d_atan, vecmath::Fn1::atan}},     {"atan", {d_atan, vecmath::Fn1::atan}},
        {"sinh", {d_sinh, vecmath::Fn1::sinh}},       {"cosh", {d_cosh, vecmath::Fn1::cosh}},
        {"tanh", {d_tanh, vecmath::Fn1::tanh}},       {"abs", {d_abs, vecmath::Fn1::abs}},
        {"fabs", {d_abs, vecmath::Fn1::abs}},         {"absolute", {d_abs, vecmath::Fn1::abs}},
        {"erf", {d_erf, vecmath::Fn1::erf}},          {"erfc", {d_erfc, vecmath::Fn1::erfc}},
        {"gamma", {d_gamma, vecmath::Fn1::tgamma}},   {"lgamma", {d_lgamma, vecmath::Fn1::lgamma}},
        {"gammaln", {d_lgamma, vecmath::Fn1::lgamma}}};
    return f;
}
const std::map<std::string, Function2>& functions2() {
    static const std::map<std::string, Function2> f = {
        {"arctan2", {d_atan2, vecmath::Fn2::atan2}}, {"atan2", {d_atan2, vecmath::Fn2::atan2}},
        {"power", {d_pow, vecmath::Fn2::pow}},       {"pow", {d_pow, vecmath::Fn2::pow}},
        {"hypot", {d_hypot, vecmath::Fn2::hypot}},   {"minimum", {d_min, vecmath::Fn2::min}},
        {"maximum", {d_max, vecmath::Fn2::max}},     {"min", {d_min, vecmath::Fn2::min}},
        {"max", {d_max, vecmath::Fn2::max}},         {"fmin", {d_min, vecmath::Fn2::min}},
        {"fmax", {d_max, vecmath::Fn2::max}}};
    return f;
}
const std::map<std::string, double>& constants() {
    static const std::map<std::string, double> c = {
        {"pi", M_PI}, {"e", M_E}, {"inf", INFINITY}, {"Inf", INFINITY}, {"tau", 2 * M_PI}};
    return c;
}
bool is_module(const std::string& s) {
    return s == "np" || s == "numpy" || s == "math" || s == "scipy.special" || s == "sp" || s == "special";
}

} // namespace

class PyCompiler {
  public:
    PyCompiler(std::string origin, int first_line) : origin_(std::move(origin)), first_line_(first_line) {}

    PyFunction compile(const std::string& code) {
        lines_ = logical_lines(code);
        if (lines_.empty())
            fail(1, "the model function is empty; expected 'def name(x, a=1.0, ...):' and a 'return'");
        // def line
        tokenize(lines_[0].second, lines_[0].first);
        expect_name("def");
        PyFunction f;
        f.name_ = take_name("a function name after 'def'");
        expect_op("(");
        if (!is_op(")"))
            for (;;) {
                const std::string arg = take_name("an argument name");
                std::optional<double> def;
                if (is_op("=")) {
                    next();
                    double sign = 1;
                    while (is_op("-") || is_op("+")) {
                        if (tok().text == "-")
                            sign = -sign;
                        next();
                    }
                    if (tok().kind != Token::number)
                        fail(tok().line, fmt::format("default of '{}' must be a number", arg));
                    def = sign * tok().value;
                    next();
                }
                for (const auto& a : f.args_)
                    if (a == arg)
                        fail(tok().line, fmt::format("argument '{}' appears twice", arg));
                f.args_.push_back(arg);
                f.defaults_.push_back(def);
                if (is_op(",")) {
                    next();
                    if (is_op(")"))
                        break;
                    continue;
                }
                break;
            }
        expect_op(")");
        if (is_op("->")) { // a return annotation
            next();
            take_name("a type");
        }
        expect_op(":");
        expect_end();
        slots_ = f.args_;
        bool returned = false;
        for (std::size_t i = 1; i < lines_.size(); ++i) {
            if (returned)
                fail(lines_[i].first, "statements after 'return' are not supported");
            tokenize(lines_[i].second, lines_[i].first);
            if (tok().kind == Token::name && tok().text == "return") {
                next();
                expression(f);
                expect_end();
                returned = true;
                continue;
            }
            if (tok().kind == Token::name && toks_.size() > 1 && toks_[1].kind == Token::op &&
                toks_[1].text == "=") {
                const std::string target = tok().text;
                if (functions1().count(target) || is_module(target))
                    fail(tok().line, fmt::format("cannot assign to '{}'", target));
                next();
                next();
                expression(f);
                expect_end();
                std::size_t slot = 0;
                while (slot < slots_.size() && slots_[slot] != target)
                    ++slot;
                if (slot == slots_.size())
                    slots_.push_back(target);
                f.code_.push_back({PyFunction::Op::store, static_cast<unsigned short>(slot)});
                continue;
            }
            fail(
                lines_[i].first,
                fmt::format("'{}' is outside the supported subset (local assignments 'name = expression' and "
                            "one 'return expression' with arithmetic, ** and numpy/math functions)",
                            lines_[i].second.substr(lines_[i].second.find_first_not_of(" \t"))));
        }
        if (!returned)
            fail(lines_.back().first, "the function has no 'return'");
        f.slots_ = slots_.size();
        check_stack(f);
        return f;
    }

  private:
    [[noreturn]] void fail(int line, const std::string& msg) const {
        throw InputError(origin_, static_cast<std::size_t>(first_line_ + line - 1), "model_function", msg);
    }

    // Physical lines joined while brackets are open or a line ends in '\'; comments, blank lines
    // and a leading docstring removed. Returns (line number of the start, text).
    std::vector<std::pair<int, std::string>> logical_lines(const std::string& code) {
        std::vector<std::pair<int, std::string>> out;
        std::string cur;
        int start = 0, depth = 0, line = 0;
        bool in_doc = false;
        std::string doc_quote;
        std::size_t pos = 0;
        while (pos <= code.size()) {
            const auto nl = code.find('\n', pos);
            std::string l = code.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            pos = nl == std::string::npos ? code.size() + 1 : nl + 1;
            ++line;
            if (!l.empty() && l.back() == '\r')
                l.pop_back();
            if (in_doc) {
                if (l.find(doc_quote) != std::string::npos)
                    in_doc = false;
                continue;
            }
            const auto first = l.find_first_not_of(" \t");
            if (depth == 0 && first != std::string::npos &&
                (l.compare(first, 3, "\"\"\"") == 0 || l.compare(first, 3, "'''") == 0)) {
                doc_quote = l.substr(first, 3);
                if (l.find(doc_quote, first + 3) == std::string::npos)
                    in_doc = true;
                continue;
            }
            // strip a comment (no strings are allowed elsewhere, so '#' always starts one)
            if (const auto hash = l.find('#'); hash != std::string::npos)
                l = l.substr(0, hash);
            if (l.find_first_not_of(" \t") == std::string::npos && depth == 0)
                continue;
            if (cur.empty())
                start = line;
            bool cont = false;
            if (!l.empty() && l.back() == '\\') {
                l.pop_back();
                cont = true;
            }
            for (char c : l) {
                if (c == '(' || c == '[')
                    ++depth;
                if (c == ')' || c == ']')
                    --depth;
            }
            cur += " " + l;
            if (depth <= 0 && !cont) {
                out.emplace_back(start, cur);
                cur.clear();
                depth = 0;
            }
        }
        if (!cur.empty())
            fail(start, "unbalanced parentheses");
        return out;
    }

    void tokenize(const std::string& s, int line) {
        toks_.clear();
        pos_ = 0;
        std::size_t i = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == ' ' || c == '\t') {
                ++i;
                continue;
            }
            if (std::isdigit(static_cast<unsigned char>(c)) ||
                (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
                // strtod, not stod: a literal beyond double's range (1e400) is an error naming the
                // line, not an escaping std::out_of_range
                const char* begin = s.c_str() + i;
                char* stop = nullptr;
                errno = 0;
                const double v = std::strtod(begin, &stop);
                const auto used = static_cast<std::size_t>(stop - begin);
                if (errno == ERANGE && std::isinf(v))
                    fail(line,
                         fmt::format("number '{}' is out of range (beyond +-1.8e308)", s.substr(i, used)));
                toks_.push_back({Token::number, s.substr(i, used), v, line});
                i += used;
                continue;
            }
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t j = i;
                while (j < s.size() &&
                       (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.'))
                    ++j;
                toks_.push_back({Token::name, s.substr(i, j - i), 0, line});
                i = j;
                continue;
            }
            for (const char* op : {"**", "->", "==", "!=", "<=", ">=", "//", "+=", "-=", "*=", "/="})
                if (s.compare(i, 2, op) == 0) {
                    toks_.push_back({Token::op, op, 0, line});
                    i += 2;
                    goto next_char;
                }
            if (std::string("+-*/(),=:[]<>%").find(c) != std::string::npos) {
                toks_.push_back({Token::op, std::string(1, c), 0, line});
                ++i;
                continue;
            }
            fail(line, fmt::format("unexpected character '{}'", c));
        next_char:;
        }
        toks_.push_back({Token::end, "", 0, line});
    }

    const Token& tok() const { return toks_[pos_]; }
    void next() {
        if (pos_ + 1 < toks_.size())
            ++pos_;
    }
    bool is_op(const char* op) const { return tok().kind == Token::op && tok().text == op; }
    void expect_op(const char* op) {
        if (!is_op(op))
            fail(tok().line, fmt::format("expected '{}' but found '{}'", op,
                                         tok().kind == Token::end ? "end of line" : tok().text));
        next();
    }
    void expect_name(const char* n) {
        if (tok().kind != Token::name || tok().text != n)
            fail(tok().line, fmt::format("expected '{}'", n));
        next();
    }
    std::string take_name(const char* what) {
        if (tok().kind != Token::name)
            fail(tok().line, fmt::format("expected {}", what));
        std::string n = tok().text;
        next();
        return n;
    }
    void expect_end() {
        if (tok().kind != Token::end)
            fail(tok().line,
                 fmt::format("unexpected '{}' (operators allowed: + - * / ** and parentheses)", tok().text));
    }

    // Bounds the recursion of the descent (parentheses, unary signs, right-associative **): a
    // hostile expression must end in an error, not a stack overflow. Far above what
    // check_stack() accepts for the evaluation stack anyway.
    static constexpr int max_nesting = 400;
    struct Nesting {
        PyCompiler& c;
        Nesting(PyCompiler& compiler, int line) : c(compiler) {
            if (++c.nesting_ > max_nesting)
                c.fail(line, fmt::format("expression too deeply nested (more than {} levels)", max_nesting));
        }
        ~Nesting() { --c.nesting_; }
        Nesting(const Nesting&) = delete;
        Nesting& operator=(const Nesting&) = delete;
    };

    // Python precedence: additive < multiplicative < unary < power (right associative).
    void expression(PyFunction& f) {
        const Nesting guard(*this, tok().line);
        term(f);
        while (is_op("+") || is_op("-")) {
            const bool add = tok().text == "+";
            next();
            term(f);
            f.code_.push_back({add ? PyFunction::Op::add : PyFunction::Op::sub});
        }
    }
    void term(PyFunction& f) {
        unary(f);
        while (is_op("*") || is_op("/")) {
            const bool mul = tok().text == "*";
            next();
            unary(f);
            f.code_.push_back({mul ? PyFunction::Op::mul : PyFunction::Op::div});
        }
        if (is_op("//") || is_op("%"))
            fail(tok().line, fmt::format("operator '{}' is not supported", tok().text));
    }
    void unary(PyFunction& f) {
        const Nesting guard(*this, tok().line);
        if (is_op("-")) {
            next();
            unary(f);
            f.code_.push_back({PyFunction::Op::neg});
            return;
        }
        if (is_op("+")) {
            next();
            unary(f);
            return;
        }
        power(f);
    }
    void power(PyFunction& f) {
        atom(f);
        if (is_op("**")) {
            next();
            unary(f); // right associative; -x**-2 = -(x**(-2))
            f.code_.push_back({PyFunction::Op::pow});
        }
    }
    void atom(PyFunction& f) {
        const Token t = tok();
        if (t.kind == Token::number) {
            next();
            f.code_.push_back({PyFunction::Op::constant, 0, t.value});
            return;
        }
        if (is_op("(")) {
            next();
            expression(f);
            expect_op(")");
            return;
        }
        if (t.kind != Token::name)
            fail(t.line, fmt::format("expected a number, a name or '(' but found '{}'",
                                     t.kind == Token::end ? "end of line" : t.text));
        next();
        // module prefix: np.exp, numpy.pi, math.sqrt, scipy.special.erf
        std::string name = t.text, module;
        if (const auto dot = name.rfind('.'); dot != std::string::npos) {
            module = name.substr(0, dot);
            name = name.substr(dot + 1);
            if (!is_module(module))
                fail(t.line,
                     fmt::format("'{}': only numpy (np), math and scipy.special are supported", t.text));
        }
        if (is_op("(")) {
            next();
            if (auto it = functions1().find(name); it != functions1().end()) {
                expression(f);
                if (is_op(",")) {
                    if (auto it2 = functions2().find(name); it2 != functions2().end()) {
                        next();
                        expression(f);
                        expect_op(")");
                        f.code_.push_back({PyFunction::Op::call2, 0, 0, nullptr, it2->second.f,
                                           static_cast<unsigned char>(it2->second.id)});
                        return;
                    }
                    fail(t.line, fmt::format("{}() takes one argument", t.text));
                }
                expect_op(")");
                f.code_.push_back({PyFunction::Op::call1, 0, 0, it->second.f, nullptr,
                                   static_cast<unsigned char>(it->second.id)});
                return;
            }
            if (auto it = functions2().find(name); it != functions2().end()) {
                expression(f);
                expect_op(",");
                expression(f);
                expect_op(")");
                f.code_.push_back({PyFunction::Op::call2, 0, 0, nullptr, it->second.f,
                                   static_cast<unsigned char>(it->second.id)});
                return;
            }
            fail(t.line,
                 fmt::format("unknown function '{}' (supported: exp, log, sqrt, sin, cos, tan, arctan2, "
                             "power, erf, ... with or without np./math.)",
                             t.text));
        }
        if (module.empty())
            for (std::size_t s = 0; s < slots_.size(); ++s)
                if (slots_[s] == name) {
                    f.code_.push_back({PyFunction::Op::load, static_cast<unsigned short>(s)});
                    return;
                }
        if (auto it = constants().find(name); it != constants().end()) {
            f.code_.push_back({PyFunction::Op::constant, 0, it->second});
            return;
        }
        fail(t.line, fmt::format("unknown name '{}' (not an argument, a local or a constant)", t.text));
    }

    void check_stack(const PyFunction& f) const {
        int depth = 0, max = 0;
        for (const auto& i : f.code_) {
            switch (i.op) {
            case PyFunction::Op::constant:
            case PyFunction::Op::load:
                ++depth;
                break;
            case PyFunction::Op::store:
            case PyFunction::Op::add:
            case PyFunction::Op::sub:
            case PyFunction::Op::mul:
            case PyFunction::Op::div:
            case PyFunction::Op::pow:
            case PyFunction::Op::call2:
                --depth;
                break;
            default:
                break;
            }
            max = std::max(max, depth);
        }
        if (max > 60)
            fail(lines_.back().first, "expression too deeply nested");
        if (f.slots_ > 60)
            fail(lines_.back().first, "too many arguments and locals (at most 60)");
    }

    std::string origin_;
    int first_line_;
    std::vector<std::pair<int, std::string>> lines_;
    std::vector<Token> toks_;
    std::size_t pos_ = 0;
    int nesting_ = 0;
    std::vector<std::string> slots_;
};

PyFunction PyFunction::parse(const std::string& code, const std::string& origin, int first_line) {
    return PyCompiler(origin, first_line).compile(code);
}

double PyFunction::operator()(std::span<const double> args) const {
    std::array<double, 64> stack;
    std::array<double, 64> vars;
    for (std::size_t i = 0; i < args.size() && i < args_.size(); ++i)
        vars[i] = args[i];
    int sp = -1;
    for (const Instr& in : code_) {
        switch (in.op) {
        case Op::constant:
            stack[static_cast<std::size_t>(++sp)] = in.value;
            break;
        case Op::load:
            stack[static_cast<std::size_t>(++sp)] = vars[in.slot];
            break;
        case Op::store:
            vars[in.slot] = stack[static_cast<std::size_t>(sp--)];
            break;
        case Op::add:
            stack[static_cast<std::size_t>(sp - 1)] += stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Op::sub:
            stack[static_cast<std::size_t>(sp - 1)] -= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Op::mul:
            stack[static_cast<std::size_t>(sp - 1)] *= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Op::div:
            stack[static_cast<std::size_t>(sp - 1)] /= stack[static_cast<std::size_t>(sp)];
            --sp;
            break;
        case Op::pow: {
            const double b = stack[static_cast<std::size_t>(sp)];
            double& a = stack[static_cast<std::size_t>(sp - 1)];
            a = b == 2.0 ? a * a : std::pow(a, b);
            --sp;
            break;
        }
        case Op::neg:
            stack[static_cast<std::size_t>(sp)] = -stack[static_cast<std::size_t>(sp)];
            break;
        case Op::call1:
            stack[static_cast<std::size_t>(sp)] = in.f1(stack[static_cast<std::size_t>(sp)]);
            break;
        case Op::call2:
            stack[static_cast<std::size_t>(sp - 1)] =
                in.f2(stack[static_cast<std::size_t>(sp - 1)], stack[static_cast<std::size_t>(sp)]);
            --sp;
            break;
        }
    }
    return stack[0];
}

} // namespace hepkit::fit
