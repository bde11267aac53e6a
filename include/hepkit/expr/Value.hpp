#pragma once
/// @file
/// Values of the selection language, with Python's types: bool, int (64-bit), float (double),
/// and per-event arrays of them (a muon's pT for every muon of the event). Arrays are borrowed
/// views of the caller's memory (ArrayView); no value owns event data.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hepkit::expr {

/// Static type of an expression or a bound name.
enum class Type : unsigned char { boolean, integer, real, bool_array, int_array, real_array };

bool is_array(Type t);
/// The element type of an array type (the type itself for a scalar).
Type element_of(Type t);
/// The array type with elements of scalar type `t`.
Type array_of(Type t);
/// "bool", "int", "float", "array of float", ...
const char* type_name(Type t);
/// Python's numeric promotion: bool < int < float.
Type promote(Type a, Type b);

/// A scalar value. Booleans and ints convert to float where arithmetic mixes them (Python's
/// rules); truth() is Python's bool(): nonzero is True, NaN too.
struct Value {
    Type type = Type::real;
    union {
        bool b;
        std::int64_t i;
        double r;
    };
    Value() : r(0) {}
    static Value boolean(bool v);
    static Value integer(std::int64_t v);
    static Value real(double v);
    /// The value as a float (True = 1.0).
    double as_real() const;
    /// The value as an int (bool and int only; a float is truncated — callers check types).
    std::int64_t as_int() const;
    bool truth() const;
    friend bool operator==(const Value& a, const Value& b);
};

/// Storage type of an array's elements in the caller's memory: every numeric type a ROOT
/// column has. Integers of any width are the language's int (int64); `uint8` is a number
/// (UChar_t), `uint8_bool` a truth value (Bool_t). A uint64 element above INT64_MAX has no int:
/// reading it is an InputError naming the value (event numbers, the usual ULong64_t column,
/// stay far below 2^63).
enum class Element : unsigned char {
    float64,
    float32,
    int64,
    int32,
    uint8_bool,
    int8,
    uint8,
    int16,
    uint16,
    uint32,
    uint64
};

/// Bytes per element of `e`.
std::size_t element_width(Element e);

/// A borrowed, read-only array of one event (or a whole column): pointer, length, element type.
class ArrayView {
  public:
    ArrayView() = default;
    ArrayView(std::span<const double> v) : element_(Element::float64), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const float> v) : element_(Element::float32), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::int64_t> v) : element_(Element::int64), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::int32_t> v) : element_(Element::int32), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::int16_t> v) : element_(Element::int16), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::int8_t> v) : element_(Element::int8), data_(v.data()), size_(v.size()) {}
    /// Unsigned bytes are numbers (UChar_t), not truth values: bools are std::span<const bool>.
    ArrayView(std::span<const std::uint8_t> v) : element_(Element::uint8), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::uint16_t> v)
        : element_(Element::uint16), data_(v.data()), size_(v.size()) {}
    ArrayView(std::span<const std::uint32_t> v)
        : element_(Element::uint32), data_(v.data()), size_(v.size()) {}
    /// Elements above INT64_MAX are an InputError when read (operator[]).
    ArrayView(std::span<const std::uint64_t> v)
        : element_(Element::uint64), data_(v.data()), size_(v.size()) {}
    /// Booleans stored one per byte (0 or 1), as ROOT's Bool_t and numpy's bool_.
    ArrayView(std::span<const bool> v) : element_(Element::uint8_bool), data_(v.data()), size_(v.size()) {}
    /// Booleans stored as uint8_t 0/1 (hepkit::io's Bool columns): a truth value, not a number.
    static ArrayView booleans(std::span<const std::uint8_t> v) {
        ArrayView a;
        a.element_ = Element::uint8_bool;
        a.data_ = v.data();
        a.size_ = v.size();
        return a;
    }
    ArrayView(const std::vector<double>& v) : ArrayView(std::span<const double>(v)) {}
    ArrayView(const std::vector<float>& v) : ArrayView(std::span<const float>(v)) {}
    ArrayView(const std::vector<std::int64_t>& v) : ArrayView(std::span<const std::int64_t>(v)) {}
    ArrayView(const std::vector<std::int32_t>& v) : ArrayView(std::span<const std::int32_t>(v)) {}
    ArrayView(const std::vector<std::int16_t>& v) : ArrayView(std::span<const std::int16_t>(v)) {}
    ArrayView(const std::vector<std::int8_t>& v) : ArrayView(std::span<const std::int8_t>(v)) {}
    ArrayView(const std::vector<std::uint8_t>& v) : ArrayView(std::span<const std::uint8_t>(v)) {}
    ArrayView(const std::vector<std::uint16_t>& v) : ArrayView(std::span<const std::uint16_t>(v)) {}
    ArrayView(const std::vector<std::uint32_t>& v) : ArrayView(std::span<const std::uint32_t>(v)) {}
    ArrayView(const std::vector<std::uint64_t>& v) : ArrayView(std::span<const std::uint64_t>(v)) {}

    std::size_t size() const { return size_; }
    Element element() const { return element_; }
    /// The expression type of the elements (bool, int or float).
    Type element_type() const;
    /// Element i as a value (no bounds check: callers check). Throws InputError for a uint64
    /// element above INT64_MAX.
    Value operator[](std::size_t i) const;
    /// The first element (the memory the view borrows; for columnar loops).
    const void* data() const { return data_; }
    /// Elements [begin, begin + n) (a jagged column's event).
    ArrayView slice(std::size_t begin, std::size_t n) const;

    /// Throws the InputError of operator[] for a uint64 element above INT64_MAX.
    [[noreturn]] static void throw_uint64_range(std::uint64_t value);

  private:
    Element element_ = Element::float64;
    const void* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace hepkit::expr
