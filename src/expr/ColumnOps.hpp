#pragma once
// Internal to hepkit::expr: the columns of the columnar evaluator (ColumnEvaluator.cpp) and the
// loops over them.
//
// A node's value over a set of rows is a Col: one value for all rows (literals, constants), one
// value per row (flat), or per-row arrays (jagged: offsets plus content), stored as uint8 0/1,
// int64 or double (the language's bool, int and float). Input columns are borrowed when their
// storage already is one of those and the rows are contiguous, converted otherwise. Every
// operation that finds a row in error throws Fail; the caller falls back to per-event evaluation.
#include "hepkit/expr/Ast.hpp"
#include "hepkit/expr/Value.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace hepkit::expr::columns {

// A row raised an error: the per-event path reports it.
struct Fail {};

enum class Shape : unsigned char { uniform, flat, jagged };

// The value of a node over `rows` rows (see the file comment).
struct Col {
    Type elem = Type::real; ///< boolean: uint8 0/1, integer: int64, real: double
    Shape shape = Shape::uniform;
    std::size_t rows = 0;
    const void* data = nullptr;
    /// jagged: rows+1 offsets; row k's elements are data[off[k] − off[0], off[k+1] − off[0])
    const std::int64_t* off = nullptr;
    std::shared_ptr<const void> keep, keep_off;

    bool uniform() const { return shape == Shape::uniform; }
    bool jagged() const { return shape == Shape::jagged; }
    std::size_t size() const {
        return shape == Shape::uniform ? 1
               : shape == Shape::flat  ? rows
                                       : static_cast<std::size_t>(off[rows] - off[0]);
    }
    std::int64_t length(std::size_t k) const { return off[k + 1] - off[k]; }
    template <class T>
    const T* as() const {
        return static_cast<const T*>(data);
    }
};

// Buffers of the columnar pass, reused across the nodes and calls of one thread: fresh pages
// from the kernel (a fault and a clear per 4 KiB) cost more than the loops that fill them — a
// third of the time of a 5-node jet expression over 10^5 events. Buffers come in power-of-two
// size classes (64 B · 2^k: a batch's columns vary in length, a class holds them all), each with a
// free list, so that get() is a pop, not a search — after selective filters an expression step
// evaluates a few hundred rows and its ~10 nodes' allocations were a third of its cost (a best-fit
// scan over 64 buffers and a control block from malloc per buffer). The shared_ptrs' control
// blocks are recycled per thread too. Keeps at most 16 buffers per class and 128 MiB per thread;
// every buffer is back before evaluate_columns returns (no Col outlives it: a GatherCache keeps
// copies in storage of its own).
class BufferPool {
  public:
    /// An uninitialised buffer of at least `bytes` bytes, back in the pool when released.
    std::shared_ptr<void> get(std::size_t bytes);
    /// This thread's pool.
    static BufferPool& pool();

  private:
    static constexpr std::size_t kClasses = 48;
    static constexpr std::size_t kPerClass = 16;
    void put(std::byte* p, std::size_t size_class);
    std::array<std::vector<std::unique_ptr<std::byte[]>>, kClasses> free_;
    std::size_t cached_ = 0;
};

template <class T>
T* allocate(Col& c, std::size_t n) {
    std::shared_ptr<void> p = BufferPool::pool().get(sizeof(T) * (n == 0 ? 1 : n)); // uninitialised
    T* raw = static_cast<T*>(p.get());
    c.keep = std::move(p);
    c.data = raw;
    return raw;
}

/// Offsets (rows+1) of a jagged column built here.
std::int64_t* allocate_offsets(Col& c, std::size_t rows);

// The canonical storage of a language type.
template <class T>
constexpr Type type_of() {
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return Type::boolean;
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return Type::integer;
    else
        return Type::real;
}

template <class F>
decltype(auto) with_storage(Type elem, F&& f) {
    switch (elem) {
    case Type::boolean:
        return f(std::uint8_t{});
    case Type::integer:
        return f(std::int64_t{});
    default:
        return f(double{});
    }
}

// Calls f(const T*) with the caller's storage type of an ArrayView.
template <class F>
void with_element(const ArrayView& v, F&& f) {
    const void* p = v.data();
    switch (v.element()) {
    case Element::float64:
        return f(static_cast<const double*>(p));
    case Element::float32:
        return f(static_cast<const float*>(p));
    case Element::int64:
        return f(static_cast<const std::int64_t*>(p));
    case Element::int32:
        return f(static_cast<const std::int32_t*>(p));
    case Element::uint8_bool:
        return f(static_cast<const bool*>(p)); // read as bytes: any nonzero byte is True
    case Element::int8:
        return f(static_cast<const std::int8_t*>(p));
    case Element::uint8:
        return f(static_cast<const std::uint8_t*>(p));
    case Element::int16:
        return f(static_cast<const std::int16_t*>(p));
    case Element::uint16:
        return f(static_cast<const std::uint16_t*>(p));
    case Element::uint32:
        return f(static_cast<const std::uint32_t*>(p));
    case Element::uint64:
        return f(static_cast<const std::uint64_t*>(p));
    }
}

// Converts n stored elements to canonical storage; false if a uint64 is beyond int64.
template <class S>
bool convert_range(const S* in, std::size_t n, void* out) {
    if constexpr (std::is_same_v<S, bool>) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(in);
        auto* o = static_cast<std::uint8_t*>(out);
        for (std::size_t i = 0; i < n; ++i)
            o[i] = bytes[i] != 0;
        return true;
    } else if constexpr (std::is_floating_point_v<S>) {
        auto* o = static_cast<double*>(out);
        for (std::size_t i = 0; i < n; ++i)
            o[i] = static_cast<double>(in[i]);
        return true;
    } else if constexpr (std::is_same_v<S, std::uint64_t>) {
        auto* o = static_cast<std::int64_t*>(out);
        std::uint64_t high = 0;
        for (std::size_t i = 0; i < n; ++i) {
            high |= in[i];
            o[i] = static_cast<std::int64_t>(in[i]);
        }
        return (high >> 63) == 0;
    } else {
        auto* o = static_cast<std::int64_t*>(out);
        for (std::size_t i = 0; i < n; ++i)
            o[i] = static_cast<std::int64_t>(in[i]);
        return true;
    }
}

template <class S>
using canonical_t = std::conditional_t<std::is_same_v<S, bool>, std::uint8_t,
                                       std::conditional_t<std::is_floating_point_v<S>, double, std::int64_t>>;

// One stored element in canonical storage; false if a uint64 is beyond int64.
template <class S>
bool convert_one(const S* in, std::size_t i, canonical_t<S>& out) {
    if constexpr (std::is_same_v<S, bool>)
        out = reinterpret_cast<const unsigned char*>(in)[i] != 0;
    else if constexpr (std::is_same_v<S, std::uint64_t>) {
        out = static_cast<std::int64_t>(in[i]);
        return in[i] <= static_cast<std::uint64_t>(INT64_MAX);
    } else
        out = static_cast<canonical_t<S>>(in[i]);
    return true;
}

// Rows of the batch to evaluate: increasing event indices.
class RowSet {
  public:
    RowSet(const std::uint32_t* idx, std::size_t n) : ext_(idx), n_(n) { find_run(); }
    explicit RowSet(std::vector<std::uint32_t> own) : own_(std::move(own)), n_(own_.size()) { find_run(); }
    RowSet(const RowSet&) = delete;
    RowSet& operator=(const RowSet&) = delete;
    RowSet(RowSet&&) = default;
    RowSet& operator=(RowSet&&) = default;

    std::size_t size() const { return n_; }
    const std::uint32_t* idx() const { return own_.empty() ? ext_ : own_.data(); }
    std::uint32_t operator[](std::size_t k) const { return idx()[k]; }
    /// idx[k] == first() + k for all k: columns can be borrowed as they are.
    bool contiguous() const { return contiguous_; }
    std::uint32_t first() const { return n_ ? idx()[0] : 0; }

  private:
    void find_run() { contiguous_ = n_ == 0 || idx()[n_ - 1] - idx()[0] + 1 == n_; }
    std::vector<std::uint32_t> own_;
    const std::uint32_t* ext_ = nullptr;
    std::size_t n_ = 0;
    bool contiguous_ = true;
};

// The rows at the positions k where (mask[k] != 0) == want, and those positions. Branch-free:
// a cut's mask is unpredictable, and a mispredicted branch per row cost more than the rest of
// `and` together.
struct Picked {
    std::vector<std::uint32_t> rows, positions;
};
Picked pick_rows(const RowSet& r, const std::uint8_t* mask, bool want);

// ---- conversions and loops --------------------------------------------------------------------

Col uniform_col(Type elem, std::size_t rows);

// A column of the same shape with element type `elem`, by Value's conversions (as_real,
// as_int, truth).
Col convert(const Col& a, Type elem);

// Truth values (uint8 0/1), same shape.
Col truth(const Col& a);

// Flat or uniform `a` repeated over the elements of jagged `like`'s rows.
Col expand(const Col& a, const Col& like);

// Whether two jagged columns have the same length in every row.
bool same_lengths(const Col& a, const Col& b);

// The common shape of operands: the jagged one's layout (lengths checked), flat, or uniform;
// flat operands of a jagged result are expanded.
Col layout(Col& a, Col& b);

// Python's comparison: exact on ints (and bools), in double as soon as one side is a float.
Col compare(Op op, const Col& a, const Col& b);

// Python's arithmetic in element type `e` (Evaluator::arith).
Col arith(Op op, const Col& a0, const Col& b0, Type e);

// Gathers the values of flat or uniform `a` at the positions where mask is set.
Col keep_where(const Col& a, const std::uint8_t* mask, std::size_t kept);

// One value per row: uniform columns become flat.
Col flatten(const Col& a);

// Merges per-row values: row k takes the next value of `yes` where pick[k], of `no` elsewhere.
// Both are flat/uniform scalars or both jagged, of element type `elem`, over their own rows,
// which are at `at_yes` and `at_no` among the `rows`.
Col merge(const std::uint8_t* pick, std::size_t rows, const Col& yes, const Col& no, Type elem,
          const std::vector<std::uint32_t>& at_yes, const std::vector<std::uint32_t>& at_no);

// out[i] = f(a[i], b[i]) over the common layout; uniform operands broadcast. T: the operands'
// storage (already converted), O: the result's.
template <class O, class T, class F>
Col map2(Col a, Col b, F&& f) {
    Col out = layout(a, b);
    out.elem = type_of<O>();
    const std::size_t n = out.size();
    O* o = allocate<O>(out, n);
    const T* x = a.as<T>();
    const T* y = b.as<T>();
    if (!a.uniform() && !b.uniform()) {
        for (std::size_t i = 0; i < n; ++i)
            o[i] = f(x[i], y[i]);
    } else if (a.uniform() && !b.uniform()) {
        const T x0 = x[0];
        for (std::size_t i = 0; i < n; ++i)
            o[i] = f(x0, y[i]);
    } else if (!a.uniform()) {
        const T y0 = y[0];
        for (std::size_t i = 0; i < n; ++i)
            o[i] = f(x[i], y0);
    } else {
        o[0] = f(x[0], y[0]);
    }
    return out;
}

template <class O, class T, class F>
Col map1(const Col& a, F&& f) {
    Col out = a;
    out.elem = type_of<O>();
    const std::size_t n = a.size();
    O* o = allocate<O>(out, n);
    const T* x = a.as<T>();
    for (std::size_t i = 0; i < n; ++i)
        o[i] = f(x[i]);
    return out;
}

} // namespace hepkit::expr::columns
