#include "hepkit/expr/Parser.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace hepkit::expr {

std::string bare_name(const std::string& text) {
    const auto dot = text.rfind('.');
    return dot == std::string::npos ? text : text.substr(dot + 1);
}

const char* op_text(Op op) {
    switch (op) {
    case Op::add:
        return "+";
    case Op::sub:
        return "-";
    case Op::mul:
        return "*";
    case Op::div:
        return "/";
    case Op::floordiv:
        return "//";
    case Op::mod:
        return "%";
    case Op::pow:
        return "**";
    case Op::neg:
        return "-";
    case Op::pos:
        return "+";
    case Op::not_:
        return "not";
    case Op::and_:
        return "and";
    case Op::or_:
        return "or";
    case Op::lt:
        return "<";
    case Op::le:
        return "<=";
    case Op::gt:
        return ">";
    case Op::ge:
        return ">=";
    case Op::eq:
        return "==";
    case Op::ne:
        return "!=";
    }
    return "?";
}

namespace {
const char* const model_hint = "allowed in a model function: + - * / ** and parentheses";
Node make_node(NodeKind kind, Op op = Op::add) {
    Node n;
    n.kind = kind;
    n.op = op;
    return n;
}
} // namespace

// Bounds the recursion of the descent (see max_nesting).
struct Parser::Nesting {
    Parser& p;
    Nesting(Parser& parser, const Token& t) : p(parser) {
        if (++p.nesting_ > max_nesting)
            p.fail_at(t, fmt::format("expression too deeply nested (more than {} levels)", max_nesting));
    }
    ~Nesting() { --p.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
};

void Parser::fail_at(const Token& t, const std::string& what, const std::string& hint) const {
    origin_.fail(t.line, t.column, what, hint);
}

void Parser::next() {
    if (pos_ + 1 < toks_.size())
        ++pos_;
}
bool Parser::is_op(const char* op) const {
    return tok().kind == Token::op && tok().text == op;
}
bool Parser::is_name(const char* n) const {
    return tok().kind == Token::name && tok().text == n;
}
void Parser::expect_op(const char* op) {
    if (!is_op(op))
        fail_at(tok(), fmt::format("expected '{}' but found '{}'", op,
                                   tok().kind == Token::end ? "end of line" : tok().text));
    next();
}
std::string Parser::take_name(const char* what) {
    if (tok().kind != Token::name)
        fail_at(tok(), fmt::format("expected {}", what));
    std::string n = tok().text;
    next();
    return n;
}
void Parser::expect_end() {
    if (tok().kind == Token::end)
        return;
    if (dialect_ == Dialect::model)
        fail_at(tok(),
                fmt::format("unexpected '{}' (operators allowed: + - * / ** and parentheses)", tok().text));
    if (is_name("if"))
        fail_at(tok(), "unexpected 'if'", "write where(condition, a, b) for a conditional value");
    fail_at(tok(), fmt::format("unexpected '{}'", tok().text),
            "expected an operator or the end of the expression");
}
void Parser::not_in_models(const Token& t, const std::string& what) const {
    if (dialect_ == Dialect::model)
        fail_at(t, fmt::format("{} is not supported in a model function ({})", what, model_hint));
}

int Parser::add(Node n) {
    for (int a : n.args)
        n.depth = std::max(n.depth, (*nodes_)[static_cast<std::size_t>(a)].depth + 1);
    // selections are evaluated by recursion over the graph: bound its depth as the descent's
    if (dialect_ == Dialect::selection && n.depth > max_nesting)
        origin_.fail(n.line, n.column,
                     fmt::format("expression too deeply nested (more than {} levels)", max_nesting),
                     "split long chains with parentheses");
    nodes_->push_back(std::move(n));
    return static_cast<int>(nodes_->size()) - 1;
}

int Parser::parse_expression(const std::string& text, std::vector<Node>& nodes) {
    nodes_ = &nodes;
    toks_ = tokenize(text, 1, origin_);
    pos_ = 0;
    if (tok().kind == Token::end)
        fail_at(tok(), "the expression is empty");
    const int root = expression();
    expect_end();
    return root;
}

// Python precedence, lowest first.
int Parser::expression() {
    const Nesting guard(*this, tok());
    return or_test();
}

int Parser::or_test() {
    int a = and_test();
    while (is_name("or")) {
        const Token t = tok();
        not_in_models(t, "'or'");
        next();
        const int b = and_test();
        Node n = make_node(NodeKind::logical, Op::or_);
        n.args = {a, b};
        n.line = t.line;
        n.column = t.column;
        a = add(std::move(n));
    }
    return a;
}

int Parser::and_test() {
    int a = not_test();
    while (is_name("and")) {
        const Token t = tok();
        not_in_models(t, "'and'");
        next();
        const int b = not_test();
        Node n = make_node(NodeKind::logical, Op::and_);
        n.args = {a, b};
        n.line = t.line;
        n.column = t.column;
        a = add(std::move(n));
    }
    return a;
}

int Parser::not_test() {
    if (!is_name("not"))
        return comparison();
    const Token t = tok();
    not_in_models(t, "'not'");
    const Nesting guard(*this, t);
    next();
    Node n = make_node(NodeKind::unary, Op::not_);
    n.args = {not_test()};
    n.line = t.line;
    n.column = t.column;
    return add(std::move(n));
}

int Parser::comparison() {
    const int a = arith();
    Node n = make_node(NodeKind::compare);
    n.args = {a};
    for (;;) {
        const Token t = tok();
        Op op;
        if (is_op("<"))
            op = Op::lt;
        else if (is_op("<="))
            op = Op::le;
        else if (is_op(">"))
            op = Op::gt;
        else if (is_op(">="))
            op = Op::ge;
        else if (is_op("=="))
            op = Op::eq;
        else if (is_op("!="))
            op = Op::ne;
        else
            break;
        not_in_models(t, fmt::format("comparison '{}'", t.text));
        if (n.ops.empty()) {
            n.line = t.line;
            n.column = t.column;
        }
        next();
        n.ops.push_back(op);
        n.args.push_back(arith());
    }
    if (n.ops.empty())
        return a;
    return add(std::move(n));
}

int Parser::arith() {
    int a = term();
    while (is_op("+") || is_op("-")) {
        const Token t = tok();
        next();
        const int b = term();
        Node n = make_node(NodeKind::binary, t.text == "+" ? Op::add : Op::sub);
        n.args = {a, b};
        n.line = t.line;
        n.column = t.column;
        a = add(std::move(n));
    }
    return a;
}

int Parser::term() {
    int a = factor();
    for (;;) {
        const Token t = tok();
        Op op;
        if (is_op("*"))
            op = Op::mul;
        else if (is_op("/"))
            op = Op::div;
        else if (is_op("//"))
            op = Op::floordiv;
        else if (is_op("%"))
            op = Op::mod;
        else
            break;
        if (op == Op::floordiv || op == Op::mod)
            not_in_models(t, fmt::format("operator '{}'", t.text));
        next();
        const int b = factor();
        Node n = make_node(NodeKind::binary, op);
        n.args = {a, b};
        n.line = t.line;
        n.column = t.column;
        a = add(std::move(n));
    }
    return a;
}

int Parser::factor() {
    const Token t = tok();
    const Nesting guard(*this, t);
    if (is_op("-") || is_op("+")) {
        next();
        Node n = make_node(NodeKind::unary, t.text == "-" ? Op::neg : Op::pos);
        n.args = {factor()};
        n.line = t.line;
        n.column = t.column;
        return add(std::move(n));
    }
    return power();
}

int Parser::power() {
    const int a = postfix();
    if (!is_op("**"))
        return a;
    const Token t = tok();
    next();
    const int b = factor(); // right associative; -x**-2 = -(x**(-2))
    Node n = make_node(NodeKind::binary, Op::pow);
    n.args = {a, b};
    n.line = t.line;
    n.column = t.column;
    return add(std::move(n));
}

int Parser::postfix() {
    int a = atom();
    while (is_op("[")) {
        const Token t = tok();
        not_in_models(t, "indexing '[...]'");
        next();
        const int i = expression();
        if (is_op(":"))
            fail_at(tok(), "slices are not supported", "index one element, e.g. Muon_pt[0] or Muon_pt[-1]");
        expect_op("]");
        Node n = make_node(NodeKind::index);
        n.args = {a, i};
        n.line = t.line;
        n.column = t.column;
        a = add(std::move(n));
    }
    return a;
}

int Parser::atom() {
    const Token t = tok();
    if (t.kind == Token::number) {
        next();
        Node n = make_node(NodeKind::number);
        n.real = t.value;
        if (t.integer) {
            n.literal = Literal::integer;
            n.integer = t.int_value;
            n.fits = t.fits;
        }
        n.line = t.line;
        n.column = t.column;
        n.text = t.text;
        return add(std::move(n));
    }
    if (is_op("(")) {
        next();
        const int e = expression();
        expect_op(")");
        return e;
    }
    if (t.kind != Token::name || t.text == "and" || t.text == "or" || t.text == "not" || t.text == "if" ||
        t.text == "else")
        fail_at(t, fmt::format("expected a number, a name or '(' but found '{}'",
                               t.kind == Token::end ? "end of line" : t.text));
    next();
    if (dialect_ == Dialect::selection && (t.text == "True" || t.text == "False")) {
        Node n = make_node(NodeKind::number);
        n.literal = Literal::boolean;
        n.integer = t.text == "True";
        n.real = static_cast<double>(n.integer);
        n.line = t.line;
        n.column = t.column;
        n.text = t.text;
        return add(std::move(n));
    }
    // module prefix: np.exp, numpy.pi, math.sqrt, scipy.special.erf
    std::string name = t.text;
    if (const auto dot = name.rfind('.'); dot != std::string::npos) {
        if (!is_module(std::string_view(name).substr(0, dot)))
            fail_at(t, fmt::format("'{}': only numpy (np), math and scipy.special are supported", t.text));
        name = name.substr(dot + 1);
    }
    if (is_op("("))
        return call(t, name);
    Node n = make_node(NodeKind::name);
    n.text = t.text;
    n.line = t.line;
    n.column = t.column;
    return add(std::move(n));
}

int Parser::call(const Token& t, const std::string& name) {
    next(); // '('
    std::vector<int> args;
    if (!is_op(")"))
        for (;;) {
            args.push_back(expression());
            if (!is_op(","))
                break;
            next();
            if (is_op(")"))
                break;
        }
    const Function1* f1 = find_function1(name);
    const Function2* f2 = find_function2(name);
    // (a plain pointer-like flag, not std::optional: GCC 12 warns of a false maybe-uninitialized)
    const std::optional<Special> found = find_special(name);
    const bool special = dialect_ == Dialect::selection && found.has_value();
    const Special which = found.value_or(Special::where);
    Node n;
    n.text = t.text;
    n.line = t.line;
    n.column = t.column;
    n.args = args;
    if (f1 && args.size() == 1) {
        n.kind = NodeKind::call1;
        n.fn1 = f1;
    } else if (f2 && args.size() == 2) {
        n.kind = NodeKind::call2;
        n.fn2 = f2;
    } else if (special && (which == Special::where ? args.size() == 3 : args.size() == 1)) {
        n.kind = NodeKind::special;
        n.special = which;
    } else if (f1 || f2 || special) {
        const std::size_t want = f1 ? 1 : f2 ? 2 : which == Special::where ? 3 : 1;
        if (f2 && special) // min, max: two numbers, or one array
            fail_at(t, fmt::format("{}() takes 2 arguments (two numbers) or 1 (an array), not {}", t.text,
                                   args.size()));
        fail_at(t, fmt::format("{}() takes {} argument{}, not {}", t.text, want, want == 1 ? "" : "s",
                               args.size()));
    } else {
        if (dialect_ == Dialect::model)
            fail_at(t,
                    fmt::format("unknown function '{}' (supported: exp, log, sqrt, sin, cos, tan, arctan2, "
                                "power, erf, ... with or without np./math.)",
                                t.text));
        std::string known;
        for (const auto& f : function_names(true))
            known += (known.empty() ? "" : ", ") + f;
        fail_at(t, fmt::format("unknown function '{}'", t.text), "known: " + known);
    }
    expect_op(")");
    return add(std::move(n));
}

// Physical lines joined while brackets are open or a line ends in '\'; comments, blank lines
// and a leading docstring removed. Returns (line number of the start, text).
std::vector<std::pair<int, std::string>> Parser::logical_lines(const std::string& code) {
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
        origin_.fail(start, 0, "unbalanced parentheses");
    return out;
}

FunctionSyntax Parser::parse_function(const std::string& code,
                                      const std::function<void(const FunctionSyntax&)>& on_statement) {
    FunctionSyntax f;
    nodes_ = &f.nodes;
    const auto lines = logical_lines(code);
    if (lines.empty())
        origin_.fail(1, 0, "the model function is empty; expected 'def name(x, a=1.0, ...):' and a 'return'");
    // the def line
    toks_ = tokenize(lines[0].second, lines[0].first, origin_);
    pos_ = 0;
    if (!is_name("def"))
        fail_at(tok(), "expected 'def'");
    next();
    f.name = take_name("a function name after 'def'");
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
                    fail_at(tok(), fmt::format("default of '{}' must be a number", arg));
                def = sign * tok().value;
                next();
            }
            if (std::find(f.args.begin(), f.args.end(), arg) != f.args.end())
                fail_at(tok(), fmt::format("argument '{}' appears twice", arg));
            f.args.push_back(arg);
            f.defaults.push_back(def);
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
    if (tok().kind != Token::end)
        fail_at(tok(),
                fmt::format("unexpected '{}' (operators allowed: + - * / ** and parentheses)", tok().text));
    bool returned = false;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto& [line, text] = lines[i];
        if (returned)
            origin_.fail(line, 0, "statements after 'return' are not supported");
        toks_ = tokenize(text, line, origin_);
        pos_ = 0;
        Statement s;
        s.line = line;
        s.first = static_cast<int>(f.nodes.size());
        if (is_name("return")) {
            next();
            s.root = expression();
            expect_end();
            returned = true;
        } else if (tok().kind == Token::name && toks_.size() > 1 && toks_[1].kind == Token::op &&
                   toks_[1].text == "=") {
            s.target = tok().text;
            if (find_function1(s.target) || is_module(s.target))
                fail_at(tok(), fmt::format("cannot assign to '{}'", s.target));
            next();
            next();
            s.root = expression();
            expect_end();
        } else {
            origin_.fail(
                line, 0,
                fmt::format("'{}' is outside the supported subset (local assignments 'name = expression' "
                            "and one 'return expression' with arithmetic, ** and numpy/math functions)",
                            text.substr(text.find_first_not_of(" \t"))));
        }
        f.body.push_back(std::move(s));
        if (on_statement)
            on_statement(f);
    }
    if (!returned)
        origin_.fail(lines.back().first, 0, "the function has no 'return'");
    return f;
}

} // namespace hepkit::expr
