#include "hepkit/expr/Value.hpp"

#include <cmath>

namespace hepkit::expr {

bool is_array(Type t) {
    return t == Type::bool_array || t == Type::int_array || t == Type::real_array;
}

Type element_of(Type t) {
    switch (t) {
    case Type::bool_array:
        return Type::boolean;
    case Type::int_array:
        return Type::integer;
    case Type::real_array:
        return Type::real;
    default:
        return t;
    }
}

Type array_of(Type t) {
    switch (element_of(t)) {
    case Type::boolean:
        return Type::bool_array;
    case Type::integer:
        return Type::int_array;
    default:
        return Type::real_array;
    }
}

const char* type_name(Type t) {
    switch (t) {
    case Type::boolean:
        return "bool";
    case Type::integer:
        return "int";
    case Type::real:
        return "float";
    case Type::bool_array:
        return "array of bool";
    case Type::int_array:
        return "array of int";
    case Type::real_array:
        return "array of float";
    }
    return "?";
}

Type promote(Type a, Type b) {
    const Type x = element_of(a), y = element_of(b);
    if (x == Type::real || y == Type::real)
        return Type::real;
    if (x == Type::integer || y == Type::integer)
        return Type::integer;
    return Type::boolean;
}

Value Value::boolean(bool v) {
    Value x;
    x.type = Type::boolean;
    x.i = 0;
    x.b = v;
    return x;
}
Value Value::integer(std::int64_t v) {
    Value x;
    x.type = Type::integer;
    x.i = v;
    return x;
}
Value Value::real(double v) {
    Value x;
    x.type = Type::real;
    x.r = v;
    return x;
}

double Value::as_real() const {
    switch (type) {
    case Type::boolean:
        return b ? 1.0 : 0.0;
    case Type::integer:
        return static_cast<double>(i);
    default:
        return r;
    }
}

std::int64_t Value::as_int() const {
    switch (type) {
    case Type::boolean:
        return b ? 1 : 0;
    case Type::integer:
        return i;
    default:
        return static_cast<std::int64_t>(r);
    }
}

bool Value::truth() const {
    switch (type) {
    case Type::boolean:
        return b;
    case Type::integer:
        return i != 0;
    default:
        return r != 0 || std::isnan(r); // Python: bool(nan) is True
    }
}

bool operator==(const Value& a, const Value& b) {
    if (a.type != b.type)
        return false;
    switch (a.type) {
    case Type::boolean:
        return a.b == b.b;
    case Type::integer:
        return a.i == b.i;
    default:
        return a.r == b.r;
    }
}

Type ArrayView::element_type() const {
    switch (element_) {
    case Element::float64:
    case Element::float32:
        return Type::real;
    case Element::int64:
    case Element::int32:
        return Type::integer;
    case Element::uint8_bool:
        return Type::boolean;
    }
    return Type::real;
}

Value ArrayView::operator[](std::size_t k) const {
    switch (element_) {
    case Element::float64:
        return Value::real(static_cast<const double*>(data_)[k]);
    case Element::float32:
        return Value::real(static_cast<const float*>(data_)[k]);
    case Element::int64:
        return Value::integer(static_cast<const std::int64_t*>(data_)[k]);
    case Element::int32:
        return Value::integer(static_cast<const std::int32_t*>(data_)[k]);
    case Element::uint8_bool:
        return Value::boolean(static_cast<const unsigned char*>(data_)[k] != 0);
    }
    return {};
}

ArrayView ArrayView::slice(std::size_t begin, std::size_t n) const {
    ArrayView v = *this;
    std::size_t width = 8;
    if (element_ == Element::float32 || element_ == Element::int32)
        width = 4;
    if (element_ == Element::uint8_bool)
        width = 1;
    v.data_ = static_cast<const unsigned char*>(data_) + begin * width;
    v.size_ = n;
    return v;
}

} // namespace hepkit::expr
