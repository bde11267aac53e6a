#pragma once
/// @file
/// Typed columns: what the ROOT readers (TTree branches, RNTuple fields) produce and the writers
/// (ROOT, HDF5, CSV) consume. A column is one contiguous typed buffer — no per-event objects —
/// in the Apache Arrow / awkward-array layout:
///
/// - flat:   `values` holds one value per entry (`offsets` empty, `width` 1);
/// - fixed:  `values` holds `width` values per entry (a branch `x[3]`), entry i at [i·width, (i+1)·width);
/// - jagged: `offsets` has entries+1 elements, offsets[0] = 0, entry i at [offsets[i], offsets[i+1])
///           (NanoAOD's `Muon_pt[nMuon]`, `std::vector<float>`, an RNTuple collection).
///
/// Booleans are stored as uint8_t 0/1 (std::vector<bool> is not contiguous); strings as one
/// std::string per value.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace hepkit::io {

/// The element type of a column. Float16 and Double32 branches are read into Float32 / Float64.
enum class ColumnType : std::uint8_t {
    Bool,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    String
};

/// `bool`, `int8`, ..., `float32`, `float64`, `string`: the names used in listings and errors.
std::string_view column_type_name(ColumnType type);
/// Size in bytes of one element (0 for String).
std::size_t column_type_size(ColumnType type);

/// One vector per element type, in the order of ColumnType (Bool is uint8_t 0/1).
using ColumnValues =
    std::variant<std::vector<std::uint8_t>, std::vector<std::int8_t>, std::vector<std::uint8_t>,
                 std::vector<std::int16_t>, std::vector<std::uint16_t>, std::vector<std::int32_t>,
                 std::vector<std::uint32_t>, std::vector<std::int64_t>, std::vector<std::uint64_t>,
                 std::vector<float>, std::vector<double>, std::vector<std::string>>;

/// A jagged column's offsets (entries+1 of them, or none), shared by the copies of a column until
/// one of them changes its own (copy on write): a shift's replacement of a collection and a
/// column spliced from the nominal's keep the offsets of the column they were made from, where
/// copying them was 128 KiB per column and batch of 16 384 events (docs/events.md,
/// "Performance"). Read as a const std::vector (size, data, [], front, back, begin, end; a
/// std::span of it); written through mut() — the column's own vector, copied first when shared —
/// or the vector-like changes below, which call it.
class Offsets {
  public:
    Offsets() = default;
    Offsets(std::vector<std::int64_t> v) { set(std::move(v)); } // NOLINT: a vector converts
    Offsets(std::initializer_list<std::int64_t> v) { set(std::vector<std::int64_t>(v)); }
    template <class It>
    Offsets(It first, It last) {
        set(std::vector<std::int64_t>(first, last));
    }
    Offsets& operator=(std::vector<std::int64_t> v) {
        set(std::move(v));
        return *this;
    }
    Offsets& operator=(std::initializer_list<std::int64_t> v) {
        set(std::vector<std::int64_t>(v));
        return *this;
    }

    std::size_t size() const { return p_ ? p_->size() : 0; }
    bool empty() const { return size() == 0; }
    std::size_t capacity() const { return p_ ? p_->capacity() : 0; }
    const std::int64_t* data() const { return p_ ? p_->data() : nullptr; }
    std::int64_t operator[](std::size_t i) const { return (*p_)[i]; }
    std::int64_t front() const { return p_->front(); }
    std::int64_t back() const { return p_->back(); }
    const std::int64_t* begin() const { return data(); }
    const std::int64_t* end() const { return data() + size(); }
    /// As a vector (an empty one when there are none).
    const std::vector<std::int64_t>& vec() const;
    operator const std::vector<std::int64_t>&() const { return vec(); } // NOLINT: reads as one
    /// Whether both hold one vector: copies of one column's offsets, unchanged since.
    bool shared_with(const Offsets& other) const { return p_ && p_ == other.p_; }
    friend bool operator==(const Offsets& a, const Offsets& b) { return a.vec() == b.vec(); }
    friend bool operator==(const Offsets& a, const std::vector<std::int64_t>& b) { return a.vec() == b; }

    /// This column's own vector to change: copied first where another column shares it.
    std::vector<std::int64_t>& mut() {
        if (p_ && p_.use_count() == 1) {
            // the last holder: what other threads read before they let go comes before our writes
            std::atomic_thread_fence(std::memory_order_acquire);
            return *p_;
        }
        return mut_shared();
    }
    void push_back(std::int64_t v) { mut().push_back(v); }
    void resize(std::size_t n, std::int64_t v = 0) { mut().resize(n, v); }
    void assign(std::size_t n, std::int64_t v) { mut().assign(n, v); }
    template <class It>
    void assign(It first, It last) {
        mut().assign(first, last);
    }
    void reserve(std::size_t n) { mut().reserve(n); }
    void clear() { p_.reset(); }
    /// Inserts [first, last) at `at` (a position of begin()…end()).
    template <class It>
    void insert(const std::int64_t* at, It first, It last) {
        const auto i = at - data();
        auto& v = mut();
        v.insert(v.begin() + i, first, last);
    }

  private:
    std::vector<std::int64_t>& mut_shared(); ///< mut() where none or another column holds them
    void set(std::vector<std::int64_t> v);
    std::shared_ptr<std::vector<std::int64_t>> p_;
};

/// A named, typed column of `entries()` entries (see the file comment for the three layouts).
struct Column {
    std::string name;
    ColumnType type = ColumnType::Float64;
    ColumnValues values;
    Offsets offsets;       ///< jagged: entries+1 offsets into values; empty otherwise
    std::size_t width = 1; ///< values per entry of a flat or fixed-size column

    /// An empty column of `type` (values holds the vector alternative of that type).
    static Column make(std::string name, ColumnType type);

    bool jagged() const { return !offsets.empty(); }
    /// Number of entries (events): offsets.size()−1 when jagged, else values / width.
    std::size_t entries() const;
    /// Total number of values (all elements of all entries).
    std::size_t size() const;
    /// The values as a typed span; throws std::logic_error when T is not the column's type
    /// (use uint8_t for Bool).
    template <class T>
    std::span<const T> as() const;
    template <class T>
    std::vector<T>& mut();
    /// Value k (of all values) converted to double (0/1 for Bool); strings throw std::logic_error.
    double value_as_double(std::size_t k) const;
};

/// A fixed-size array column (`x[3]`, width 3) made jagged: offsets of `width` values per entry,
/// the layout hepkit::events' products and hepkit::nn's expressions take. Flat and jagged columns
/// are left as they are.
void fixed_to_jagged(Column& column);

namespace detail {
/// Variant index of std::vector<T> in ColumnValues; uint8_t is ambiguous (Bool and UInt8) and
/// resolved by the column's type.
template <class T>
constexpr std::size_t values_index(ColumnType type) {
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return type == ColumnType::Bool ? 0 : 2;
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return 1;
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return 3;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return 4;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return 5;
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return 6;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return 7;
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return 8;
    else if constexpr (std::is_same_v<T, float>)
        return 9;
    else if constexpr (std::is_same_v<T, double>)
        return 10;
    else if constexpr (std::is_same_v<T, std::string>)
        return 11;
    else
        static_assert(sizeof(T) == 0, "not a column element type");
}
[[noreturn]] void wrong_column_type(const Column& column);
/// The column's vector when it holds T (index I), else nullptr.
template <class T, std::size_t I, class V>
auto* values_at(V& values) {
    return values.index() == I ? &std::get<I>(values) : nullptr;
}
template <class T, class V>
auto* values_if(V& values, ColumnType type) {
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        return type == ColumnType::Bool ? values_at<T, 0>(values) : values_at<T, 2>(values);
    } else {
        return values_at<T, values_index<T>(ColumnType::Float64)>(values);
    }
}
} // namespace detail

template <class T>
std::span<const T> Column::as() const {
    if (const auto* v = detail::values_if<T>(values, type))
        return {v->data(), v->size()};
    detail::wrong_column_type(*this);
}

template <class T>
std::vector<T>& Column::mut() {
    if (auto* v = detail::values_if<T>(values, type))
        return *v;
    detail::wrong_column_type(*this);
}

} // namespace hepkit::io
