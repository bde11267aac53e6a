// Evaluation of typed expressions: a recursive walk of the checked graph (its depth is bounded
// by the parser), with short-circuit `and`/`or`, chained comparisons and `where`.
#include "Arithmetic.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Expression.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace hepkit::expr {

namespace {

// An array during evaluation: a borrowed event array, or values computed elementwise.
struct Array {
    ArrayView view;
    std::vector<Value> own;
    bool owned = false;
    std::size_t size() const { return owned ? own.size() : view.size(); }
    Value at(std::size_t i) const { return owned ? own[i] : view[i]; }
};

struct Result {
    bool is_array = false;
    Value v;
    Array a;
    std::size_t size() const { return a.size(); }
    Value at(std::size_t i) const { return is_array ? a.at(i) : v; } // scalars broadcast
};

Value convert(Value v, Type e) {
    if (v.type == e)
        return v;
    if (e == Type::real)
        return Value::real(v.as_real());
    if (e == Type::integer)
        return Value::integer(v.as_int());
    return Value::boolean(v.truth());
}

bool compare(Op op, Value x, Value y) {
    if (x.type != Type::real && y.type != Type::real)
        return detail::compare_as(op, x.as_int(), y.as_int());
    return detail::compare_as(op, x.as_real(), y.as_real());
}

} // namespace

class Evaluator {
  public:
    Evaluator(const Expression& e, const Bindings& b) : e_(e), b_(b) {}

    Result eval(int id) {
        const Node& n = e_.nodes_[static_cast<std::size_t>(id)];
        const Type t = e_.types_[static_cast<std::size_t>(id)];
        Result r;
        switch (n.kind) {
        case NodeKind::number:
            r.v = t == Type::boolean   ? Value::boolean(n.integer != 0)
                  : t == Type::integer ? Value::integer(n.integer)
                                       : Value::real(n.real);
            return r;
        case NodeKind::name: {
            const int slot = e_.slots_[static_cast<std::size_t>(id)];
            if (slot < 0) {
                r.v = Value::real(*find_constant(bare_name(n.text)));
            } else if (is_array(t)) {
                r.is_array = true;
                r.a.view = b_.array(static_cast<std::size_t>(slot));
            } else {
                r.v = b_.scalar(static_cast<std::size_t>(slot));
            }
            return r;
        }
        case NodeKind::unary: {
            if (n.op == Op::not_) {
                r.v = Value::boolean(!eval(n.args[0]).v.truth());
                return r;
            }
            const Result a = eval(n.args[0]);
            return map1(a, [&](Value x) {
                if (n.op == Op::pos)
                    return convert(x, element_of(t));
                if (element_of(t) == Type::integer) {
                    if (x.as_int() == INT64_MIN)
                        fail(n, "integer overflow in '-'");
                    return Value::integer(-x.as_int());
                }
                return Value::real(-x.as_real());
            });
        }
        case NodeKind::binary: {
            const Result a = eval(n.args[0]);
            const Result b = eval(n.args[1]);
            return map2(n, a, b, [&](Value x, Value y) { return arith(n, x, y, element_of(t)); });
        }
        case NodeKind::compare:
            return compare_chain(n, t);
        case NodeKind::logical: {
            const bool left = eval(n.args[0]).v.truth();
            if (n.op == Op::and_ ? !left : left) {
                r.v = Value::boolean(left);
                return r;
            }
            r.v = Value::boolean(eval(n.args[1]).v.truth());
            return r;
        }
        case NodeKind::call1: {
            const Result a = eval(n.args[0]);
            return map1(a, [&](Value x) {
                if (element_of(t) == Type::integer) { // abs of an int stays an int
                    if (x.as_int() == INT64_MIN)
                        fail(n, "integer overflow in abs()");
                    return Value::integer(std::abs(x.as_int()));
                }
                return Value::real(n.fn1->f(x.as_real()));
            });
        }
        case NodeKind::call2: {
            const Result a = eval(n.args[0]);
            const Result b = eval(n.args[1]);
            return map2(n, a, b, [&](Value x, Value y) {
                if (element_of(t) == Type::integer) {
                    const std::int64_t p = x.as_int(), q = y.as_int();
                    return Value::integer(n.fn2->id == vecmath::Fn2::min ? std::min(p, q) : std::max(p, q));
                }
                return Value::real(n.fn2->f(x.as_real(), y.as_real()));
            });
        }
        case NodeKind::special:
            return special(n, t);
        case NodeKind::index: {
            const Result a = eval(n.args[0]);
            const std::int64_t i = eval(n.args[1]).v.as_int();
            const auto size = static_cast<std::int64_t>(a.size());
            const std::int64_t k = i < 0 ? i + size : i;
            if (k < 0 || k >= size) {
                const Node& arr = e_.nodes_[static_cast<std::size_t>(n.args[0])];
                const std::string name = arr.kind == NodeKind::name ? arr.text : "the array";
                fail(n, fmt::format("index {} is out of range for {} of length {}", i, name, size),
                     fmt::format("guard it, e.g. len({}) > {} and ...", name, i < 0 ? -i - 1 : i));
            }
            r.v = a.at(static_cast<std::size_t>(k));
            return r;
        }
        }
        return r;
    }

  private:
    [[noreturn]] void fail(const Node& n, const std::string& what, const std::string& hint = "") const {
        e_.origin_.fail(1, n.column, what, hint);
    }

    template <typename F>
    Result map1(const Result& a, F&& f) {
        Result r;
        if (!a.is_array) {
            r.v = f(a.v);
            return r;
        }
        r.is_array = true;
        r.a.owned = true;
        r.a.own.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            r.a.own.push_back(f(a.at(i)));
        return r;
    }

    template <typename F>
    Result map2(const Node& n, const Result& a, const Result& b, F&& f) {
        Result r;
        if (!a.is_array && !b.is_array) {
            r.v = f(a.v, b.v);
            return r;
        }
        const std::size_t size = a.is_array ? a.size() : b.size();
        if (a.is_array && b.is_array && a.size() != b.size())
            fail(n,
                 fmt::format("arrays of different lengths ({} and {}) in '{}'", a.size(), b.size(),
                             n.kind == NodeKind::compare ? op_text(n.ops[0])
                             : n.text.empty()            ? op_text(n.op)
                                                         : n.text),
                 "elementwise operations need arrays of the same event collection");
        r.is_array = true;
        r.a.owned = true;
        r.a.own.reserve(size);
        for (std::size_t i = 0; i < size; ++i)
            r.a.own.push_back(f(a.at(i), b.at(i)));
        return r;
    }

    Value arith(const Node& n, Value x, Value y, Type e) {
        if (e == Type::integer) {
            const std::int64_t a = x.as_int(), b = y.as_int();
            std::int64_t out = 0;
            bool overflow = false;
            switch (n.op) {
            case Op::add:
                overflow = __builtin_add_overflow(a, b, &out);
                break;
            case Op::sub:
                overflow = __builtin_sub_overflow(a, b, &out);
                break;
            case Op::mul:
                overflow = __builtin_mul_overflow(a, b, &out);
                break;
            case Op::floordiv:
            case Op::mod: {
                if (b == 0)
                    fail(n, fmt::format("integer {} by zero", n.op == Op::mod ? "modulo" : "division"),
                         "guard the divisor, or divide floats (x / y gives inf)");
                std::int64_t q = 0, m = 0;
                overflow = detail::int_divmod(a, b, q, m) && n.op == Op::floordiv;
                out = n.op == Op::mod ? m : q;
                break;
            }
            case Op::pow: // exponent is a literal >= 0 (Expression::check)
                overflow = detail::int_pow(a, b, out);
                break;
            default:
                break;
            }
            if (overflow)
                fail(n,
                     fmt::format("integer overflow in '{}' ({} {} {})", op_text(n.op), a, op_text(n.op), b),
                     "ints are 64-bit here; use floats (e.g. 2.0 ** 70) for larger values");
            return Value::integer(out);
        }
        const double a = x.as_real(), b = y.as_real();
        switch (n.op) {
        case Op::add:
            return Value::real(a + b);
        case Op::sub:
            return Value::real(a - b);
        case Op::mul:
            return Value::real(a * b);
        case Op::div:
            return Value::real(a / b);
        case Op::pow:
            return Value::real(detail::real_pow(a, b));
        default: {
            double q = 0, m = 0;
            detail::float_divmod(a, b, q, m);
            return Value::real(n.op == Op::mod ? m : q);
        }
        }
    }

    Result compare_chain(const Node& n, Type t) {
        Result r;
        if (t == Type::boolean) { // Python: a < b < c is (a < b) and (b < c), b once, lazily
            Value left = eval(n.args[0]).v;
            for (std::size_t k = 0; k < n.ops.size(); ++k) {
                const Value right = eval(n.args[k + 1]).v;
                if (!compare(n.ops[k], left, right)) {
                    r.v = Value::boolean(false);
                    return r;
                }
                left = right;
            }
            r.v = Value::boolean(true);
            return r;
        }
        // elementwise (numpy): every link evaluated, the results combined with 'and'
        Result left = eval(n.args[0]);
        Result acc;
        for (std::size_t k = 0; k < n.ops.size(); ++k) {
            Result right = eval(n.args[k + 1]);
            Result link = map2(n, left, right,
                               [&](Value x, Value y) { return Value::boolean(compare(n.ops[k], x, y)); });
            acc = k == 0 ? std::move(link)
                         : map2(n, acc, link, [](Value x, Value y) { return Value::boolean(x.b && y.b); });
            left = std::move(right);
        }
        if (!acc.is_array) { // all links scalar cannot happen for an array type; keep it total
            acc.is_array = true;
            acc.a.owned = true;
            acc.a.own = {acc.v};
        }
        return acc;
    }

    Result special(const Node& n, Type t) {
        Result r;
        if (n.special == Special::where) {
            const Type e = element_of(t);
            if (!is_array(e_.types_[static_cast<std::size_t>(n.args[0])])) {
                const bool c = eval(n.args[0]).v.truth();
                Result chosen = eval(n.args[c ? 1 : 2]);
                if (!is_array(t)) {
                    r.v = convert(chosen.v, e);
                    return r;
                }
                // an array result: a scalar branch takes the other branch's length (numpy)
                const Result other = chosen.is_array ? Result{} : eval(n.args[c ? 2 : 1]);
                const std::size_t size = chosen.is_array ? chosen.size() : other.size();
                r.is_array = true;
                r.a.owned = true;
                for (std::size_t i = 0; i < size; ++i)
                    r.a.own.push_back(convert(chosen.at(i), e));
                return r;
            }
            const Result c = eval(n.args[0]);
            const Result a = eval(n.args[1]);
            const Result b = eval(n.args[2]);
            for (const Result* x : {&a, &b})
                if (x->is_array && x->size() != c.size())
                    fail(n,
                         fmt::format("arrays of different lengths ({} and {}) in where()", c.size(),
                                     x->size()),
                         "the condition and the values must be arrays of the same collection");
            r.is_array = true;
            r.a.owned = true;
            for (std::size_t i = 0; i < c.size(); ++i)
                r.a.own.push_back(convert(c.at(i).truth() ? a.at(i) : b.at(i), e));
            return r;
        }
        const Result a = eval(n.args[0]);
        const std::size_t size = a.size();
        switch (n.special) {
        case Special::len:
            r.v = Value::integer(static_cast<std::int64_t>(size));
            return r;
        case Special::any:
        case Special::all: {
            const bool want = n.special == Special::any;
            for (std::size_t i = 0; i < size; ++i)
                if (a.at(i).truth() == want) {
                    r.v = Value::boolean(want);
                    return r;
                }
            r.v = Value::boolean(!want);
            return r;
        }
        case Special::sum:
            if (t == Type::integer) {
                std::int64_t s = 0;
                for (std::size_t i = 0; i < size; ++i)
                    if (__builtin_add_overflow(s, a.at(i).as_int(), &s))
                        fail(n, "integer overflow in sum()");
                r.v = Value::integer(s);
            } else {
                double s = 0;
                for (std::size_t i = 0; i < size; ++i)
                    s += a.at(i).as_real();
                r.v = Value::real(s);
            }
            return r;
        default: { // max, min: Python raises for an empty sequence
            const Node& arr = e_.nodes_[static_cast<std::size_t>(n.args[0])];
            const std::string name = arr.kind == NodeKind::name ? arr.text : "the array";
            if (size == 0)
                fail(n, fmt::format("{}() of an empty array ({})", special_name(n.special), name),
                     fmt::format("guard it, e.g. where(len({0}) > 0, {1}({0}), -1)", name,
                                 special_name(n.special)));
            Value best = a.at(0);
            for (std::size_t i = 1; i < size; ++i) {
                const Value x = a.at(i);
                if (n.special == Special::max ? compare(Op::gt, x, best) : compare(Op::lt, x, best))
                    best = x;
            }
            r.v = best;
            return r;
        }
        }
    }

    const Expression& e_;
    const Bindings& b_;
};

void Expression::check_bindings(const Bindings& event) const {
    if (event.size() < names_.size())
        throw std::invalid_argument(fmt::format("'{}' was parsed against {} names, evaluated with {}", text(),
                                                names_.size(), event.size()));
    for (std::size_t s = 0; s < names_.size(); ++s)
        if (event.type(s) != name_types_[s] || event.names()[s] != names_[s])
            throw std::invalid_argument(fmt::format(
                "'{}': binding {} is '{}' ({}), was '{}' ({}) when parsed", text(), s, event.names()[s],
                type_name(event.type(s)), names_[s], type_name(name_types_[s])));
}

namespace {

// An element that cannot be read (a uint64 above INT64_MAX) throws without knowing the
// expression: name it here, as every other evaluation error does.
template <typename F>
auto naming_expression(const Origin& origin, F&& f) {
    try {
        return f();
    } catch (const InputError& e) {
        if (!e.key().empty())
            throw;
        throw InputError(origin.file, origin.file.empty() ? 0 : origin.first_line, origin.key, e.message());
    }
}

} // namespace

Value Expression::evaluate(const Bindings& event) const {
    check_bindings(event);
    Result r = naming_expression(origin_, [&] { return Evaluator(*this, event).eval(root_); });
    if (r.is_array)
        throw std::invalid_argument(
            fmt::format("'{}' is an {}: evaluate() returns one value per event; reduce it "
                        "(sum, max, min, len, any, all) or index it",
                        text(), type_name(type())));
    return r.v;
}

Value Expression::evaluate(const Bindings& event, std::vector<Value>& elements) const {
    check_bindings(event);
    Result r = naming_expression(origin_, [&] { return Evaluator(*this, event).eval(root_); });
    if (!r.is_array)
        return r.v;
    for (std::size_t i = 0; i < r.size(); ++i)
        elements.push_back(naming_expression(origin_, [&] { return r.at(i); }));
    return {};
}

std::vector<std::size_t> Expression::slots_used() const {
    std::vector<std::size_t> out;
    for (int s : slots_)
        if (s >= 0)
            out.push_back(static_cast<std::size_t>(s));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<Value> Expression::evaluate(const EventBatch& batch) const {
    if (is_array(type()))
        origin_.fail(1, 1, fmt::format("the expression is an {}, not one value per event", type_name(type())),
                     "reduce it (sum, max, min, len, any, all) or index it");
    Bindings event = batch.schema();
    std::vector<Value> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            naming_expression(origin_, [&] { batch.fill(i, event); }); // a uint64 beyond int
            out.push_back(evaluate(event));
        } catch (const InputError& e) {
            throw InputError(e.file(), e.line(), e.key(), fmt::format("{} (event {})", e.message(), i));
        }
    }
    return out;
}

std::vector<double> Expression::evaluate_real(const EventBatch& batch) const {
    std::vector<double> out;
    for (const Value& v : evaluate(batch))
        out.push_back(v.as_real());
    return out;
}

std::vector<unsigned char> Expression::select(const EventBatch& batch) const {
    std::vector<unsigned char> out;
    for (const Value& v : evaluate(batch))
        out.push_back(v.truth() ? 1 : 0);
    return out;
}

} // namespace hepkit::expr
