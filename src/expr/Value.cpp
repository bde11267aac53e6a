#include "hepkit/expr/Value.hpp"

#include "hepkit/core/Error.hpp"

#include <cmath>
#include <fmt/format.h>

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

std::size_t element_width(Element e) {
    switch (e) {
    case Element::float64:
    case Element::int64:
    case Element::uint64:
        return 8;
    case Element::float32:
    case Element::int32:
    case Element::uint32:
        return 4;
    case Element::int16:
    case Element::uint16:
        return 2;
    case Element::uint8_bool:
    case Element::int8:
    case Element::uint8:
        return 1;
    }
    return 8;
}

Type ArrayView::element_type() const {
    switch (element_) {
    case Element::float64:
    case Element::float32:
        return Type::real;
    case Element::uint8_bool:
        return Type::boolean;
    default:
        return Type::integer;
    }
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
    case Element::int8:
        return Value::integer(static_cast<const std::int8_t*>(data_)[k]);
    case Element::uint8:
        return Value::integer(static_cast<const std::uint8_t*>(data_)[k]);
    case Element::int16:
        return Value::integer(static_cast<const std::int16_t*>(data_)[k]);
    case Element::uint16:
        return Value::integer(static_cast<const std::uint16_t*>(data_)[k]);
    case Element::uint32:
        return Value::integer(static_cast<const std::uint32_t*>(data_)[k]);
    case Element::uint64: {
        const std::uint64_t u = static_cast<const std::uint64_t*>(data_)[k];
        if (u > static_cast<std::uint64_t>(INT64_MAX))
            throw_uint64_range(u);
        return Value::integer(static_cast<std::int64_t>(u));
    }
    }
    return {};
}

// Ints are 64-bit signed (Python's int, bounded): wrapping a large ULong64_t into a negative
// number would make cuts on it silently wrong.
void ArrayView::throw_uint64_range(std::uint64_t u) {
    throw InputError("", 0, "",
                     fmt::format("uint64 value {} is beyond the int range (at most {})", u, INT64_MAX));
}

ArrayView ArrayView::slice(std::size_t begin, std::size_t n) const {
    ArrayView v = *this;
    v.data_ = static_cast<const unsigned char*>(data_) + begin * element_width(element_);
    v.size_ = n;
    return v;
}

} // namespace hepkit::expr
