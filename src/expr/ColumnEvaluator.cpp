// Columnar evaluation: each node of the checked graph runs as loops over the whole batch.
//
// A node's value over a set of rows is a Col: one value for all rows (literals, constants), one
// value per row (flat), or per-row arrays (jagged: offsets plus content), stored as uint8 0/1,
// int64 or double (the language's bool, int and float). Input columns are borrowed when their
// storage already is one of those and the rows are contiguous, converted otherwise.
//
// Semantics equal Expression::evaluate's on every row, by these rules:
// - the same scalar operations (Arithmetic.hpp, the same libm functions: libmvec's vectorised
//   exp/log/sin/... differ from libm by up to 4 ulp, which would move events across a cut; sqrt
//   and abs are exactly rounded in both and use the vecmath loops);
// - reductions run over each row's elements in order (a float sum adds left to right);
// - what the per-event evaluator evaluates lazily is evaluated only on the rows that need it:
//   the right side of `and`/`or`, the later links of a scalar comparison chain, the branch a
//   scalar `where` condition picks;
// - an error (index out of range, empty max/min, int overflow or division by zero, arrays of
//   different lengths, an unreadable uint64) stops the columnar pass; evaluate_columns then
//   runs the per-event evaluator over the rows, which raises the first error in event order with
//   its exact message. The columnar pass may stop where the per-event one would not (it converts
//   whole columns): then the per-event result stands, so results never differ.
#include "ColumnEvaluator.hpp"
#include "Arithmetic.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace hepkit::expr {

namespace {

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
// third of the time of a 5-node jet expression over 10^5 events. Keeps at most 64 buffers and
// 128 MiB per thread; every buffer is back before evaluate_columns returns (no Col outlives it).
class BufferPool {
  public:
    std::shared_ptr<void> get(std::size_t bytes) {
        bytes = std::max<std::size_t>(bytes, 64);
        std::size_t best = free_.size();
        for (std::size_t i = 0; i < free_.size(); ++i) // the smallest that fits
            if (free_[i].bytes >= bytes && (best == free_.size() || free_[i].bytes < free_[best].bytes))
                best = i;
        Buffer b;
        if (best < free_.size() && free_[best].bytes <= 4 * bytes) { // no tiny column in a huge buffer
            b = std::move(free_[best]);
            free_[best] = std::move(free_.back());
            free_.pop_back();
            cached_ -= b.bytes;
        } else {
            b.bytes = bytes + bytes / 4; // a little room: batch sizes vary
            b.data.reset(new std::byte[b.bytes]);
        }
        std::byte* raw = b.data.release();
        return std::shared_ptr<void>(
            raw, [size = b.bytes](void* p) { pool().put(static_cast<std::byte*>(p), size); });
    }

    static BufferPool& pool() {
        thread_local BufferPool p;
        return p;
    }

  private:
    struct Buffer {
        std::size_t bytes = 0;
        std::unique_ptr<std::byte[]> data;
    };
    void put(std::byte* p, std::size_t bytes) {
        std::unique_ptr<std::byte[]> owned(p);
        if (free_.size() >= 64 || cached_ + bytes > (std::size_t{128} << 20))
            return;
        cached_ += bytes;
        free_.push_back({bytes, std::move(owned)});
    }
    std::vector<Buffer> free_;
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

std::int64_t* allocate_offsets(Col& c, std::size_t rows) {
    std::shared_ptr<void> p = BufferPool::pool().get(sizeof(std::int64_t) * (rows + 1));
    auto* raw = static_cast<std::int64_t*>(p.get());
    c.keep_off = std::move(p);
    c.off = raw;
    return raw;
}

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
Picked pick_rows(const RowSet& r, const std::uint8_t* mask, bool want) {
    Picked p;
    p.rows.resize(r.size());
    p.positions.resize(r.size());
    const std::uint32_t* idx = r.idx();
    std::size_t j = 0;
    for (std::size_t k = 0; k < r.size(); ++k) {
        p.rows[j] = idx[k];
        p.positions[j] = static_cast<std::uint32_t>(k);
        j += (mask[k] != 0) == want;
    }
    p.rows.resize(j);
    p.positions.resize(j);
    return p;
}

// ---- conversions between shapes and storage ------------------------------------------------

Col uniform_col(Type elem, std::size_t rows) {
    Col c;
    c.elem = elem;
    c.shape = Shape::uniform;
    c.rows = rows;
    return c;
}

// A column of the same shape with element type `elem`, by Value's conversions (as_real,
// as_int, truth).
Col convert(const Col& a, Type elem) {
    if (a.elem == elem)
        return a;
    Col out = a;
    const std::size_t n = a.size();
    with_storage(a.elem, [&](auto in_tag) {
        using I = decltype(in_tag);
        const I* in = a.as<I>();
        with_storage(elem, [&](auto out_tag) {
            using O = decltype(out_tag);
            O* o = allocate<O>(out, n);
            for (std::size_t i = 0; i < n; ++i) {
                if constexpr (std::is_same_v<O, std::uint8_t>)
                    o[i] = in[i] != 0; // Python's bool(): NaN is True, and NaN != 0
                else
                    o[i] = static_cast<O>(in[i]);
            }
        });
    });
    out.elem = elem;
    return out;
}

// Truth values (uint8 0/1), same shape.
Col truth(const Col& a) {
    return convert(a, Type::boolean);
}

// Flat or uniform `a` repeated over the elements of jagged `like`'s rows.
Col expand(const Col& a, const Col& like) {
    Col out = like;
    out.elem = a.elem;
    const std::size_t n = like.size();
    with_storage(a.elem, [&](auto tag) {
        using T = decltype(tag);
        const T* in = a.as<T>();
        T* o = allocate<T>(out, n);
        if (a.uniform()) {
            std::fill(o, o + n, in[0]);
            return;
        }
        const std::int64_t base = like.off[0];
        for (std::size_t k = 0; k < like.rows; ++k)
            std::fill(o + (like.off[k] - base), o + (like.off[k + 1] - base), in[k]);
    });
    return out;
}

// Whether two jagged columns have the same length in every row.
bool same_lengths(const Col& a, const Col& b) {
    if (a.off == b.off)
        return true;
    bool same = true;
    for (std::size_t k = 0; k < a.rows; ++k)
        same &= a.length(k) == b.length(k);
    return same;
}

// The common shape of operands: the jagged one's layout (lengths checked), flat, or uniform;
// flat operands of a jagged result are expanded.
Col layout(Col& a, Col& b) {
    Col out;
    out.rows = a.rows;
    if (a.jagged() || b.jagged()) {
        const Col& j = a.jagged() ? a : b;
        if (a.jagged() && b.jagged() && !same_lengths(a, b))
            throw Fail{};
        out.shape = Shape::jagged;
        out.off = j.off;
        out.keep_off = j.keep_off;
        if (a.shape == Shape::flat)
            a = expand(a, j);
        if (b.shape == Shape::flat)
            b = expand(b, j);
        return out;
    }
    out.shape = a.uniform() && b.uniform() ? Shape::uniform : Shape::flat;
    return out;
}

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

// Python's comparison: exact on ints (and bools), in double as soon as one side is a float.
Col compare(Op op, const Col& a, const Col& b) {
    auto run = [&](auto tag) {
        using T = decltype(tag);
        const Type e = type_of<T>();
        const Col x = convert(a, e), y = convert(b, e);
        switch (op) {
        case Op::lt:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p < q; });
        case Op::le:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p <= q; });
        case Op::gt:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p > q; });
        case Op::ge:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p >= q; });
        case Op::eq:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p == q; });
        default:
            return map2<std::uint8_t, T>(x, y, [](T p, T q) -> std::uint8_t { return p != q; });
        }
    };
    if (a.elem == Type::real || b.elem == Type::real)
        return run(double{});
    return run(std::int64_t{});
}

// Python's arithmetic in element type `e` (Evaluator::arith).
Col arith(Op op, const Col& a0, const Col& b0, Type e) {
    const Col a = convert(a0, e), b = convert(b0, e);
    if (e == Type::integer) {
        using I = std::int64_t;
        bool bad = false;
        Col out;
        switch (op) {
        case Op::add:
            out = map2<I, I>(a, b, [&](I p, I q) {
                I r;
                bad |= __builtin_add_overflow(p, q, &r);
                return r;
            });
            break;
        case Op::sub:
            out = map2<I, I>(a, b, [&](I p, I q) {
                I r;
                bad |= __builtin_sub_overflow(p, q, &r);
                return r;
            });
            break;
        case Op::mul:
            out = map2<I, I>(a, b, [&](I p, I q) {
                I r;
                bad |= __builtin_mul_overflow(p, q, &r);
                return r;
            });
            break;
        case Op::floordiv:
        case Op::mod: {
            const bool mod = op == Op::mod;
            out = map2<I, I>(a, b, [&](I p, I q) -> I {
                if (q == 0) {
                    bad = true;
                    return 0;
                }
                I d = 0, m = 0;
                bad |= detail::int_divmod(p, q, d, m) && !mod;
                return mod ? m : d;
            });
            break;
        }
        default: // pow: a literal exponent >= 0
            out = map2<I, I>(a, b, [&](I p, I q) {
                I r = 0;
                bad |= detail::int_pow(p, q, r);
                return r;
            });
            break;
        }
        if (bad)
            throw Fail{};
        return out;
    }
    using R = double;
    switch (op) {
    case Op::add:
        return map2<R, R>(a, b, [](R p, R q) { return p + q; });
    case Op::sub:
        return map2<R, R>(a, b, [](R p, R q) { return p - q; });
    case Op::mul:
        return map2<R, R>(a, b, [](R p, R q) { return p * q; });
    case Op::div:
        return map2<R, R>(a, b, [](R p, R q) { return p / q; });
    case Op::pow:
        return map2<R, R>(a, b, [](R p, R q) { return std::pow(p, q); });
    case Op::floordiv:
        return map2<R, R>(a, b, [](R p, R q) {
            R d, m;
            detail::float_divmod(p, q, d, m);
            return d;
        });
    default:
        return map2<R, R>(a, b, [](R p, R q) {
            R d, m;
            detail::float_divmod(p, q, d, m);
            return m;
        });
    }
}

// Gathers the values of flat or uniform `a` at the positions where mask is set.
Col keep_where(const Col& a, const std::uint8_t* mask, std::size_t kept) {
    if (a.uniform()) {
        Col out = a;
        out.rows = kept;
        return out;
    }
    Col out = a;
    out.rows = kept;
    with_storage(a.elem, [&](auto tag) {
        using T = decltype(tag);
        const T* in = a.as<T>();
        T* o = allocate<T>(out, kept);
        std::size_t j = 0;
        for (std::size_t k = 0; k < a.rows; ++k)
            if (mask[k])
                o[j++] = in[k];
    });
    return out;
}

// One value per row: uniform columns become flat.
Col flatten(const Col& a) {
    if (!a.uniform())
        return a;
    Col out = a;
    out.shape = Shape::flat;
    with_storage(a.elem, [&](auto tag) {
        using T = decltype(tag);
        const T v = a.as<T>()[0];
        T* o = allocate<T>(out, a.rows);
        std::fill(o, o + a.rows, v);
    });
    return out;
}

// Merges per-row values: row k takes the next value of `yes` where pick[k], of `no` elsewhere.
// Both are flat/uniform scalars or both jagged, of element type `elem`, over their own rows,
// which are at `at_yes` and `at_no` among the `rows`.
Col merge(const std::uint8_t* pick, std::size_t rows, const Col& yes, const Col& no, Type elem,
          const std::vector<std::uint32_t>& at_yes, const std::vector<std::uint32_t>& at_no) {
    Col out;
    out.elem = elem;
    out.rows = rows;
    with_storage(elem, [&](auto tag) {
        using T = decltype(tag);
        const T* y = yes.as<T>();
        const T* n = no.as<T>();
        if (!yes.jagged()) {
            out.shape = Shape::flat;
            T* o = allocate<T>(out, rows);
            for (std::size_t j = 0; j < at_yes.size(); ++j)
                o[at_yes[j]] = y[yes.uniform() ? 0 : j];
            for (std::size_t j = 0; j < at_no.size(); ++j)
                o[at_no[j]] = n[no.uniform() ? 0 : j];
            return;
        }
        out.shape = Shape::jagged;
        std::int64_t* off = allocate_offsets(out, rows);
        off[0] = 0;
        std::size_t iy = 0, in = 0;
        for (std::size_t k = 0; k < rows; ++k)
            off[k + 1] = off[k] + (pick[k] ? yes.length(iy++) : no.length(in++));
        T* o = allocate<T>(out, static_cast<std::size_t>(off[rows]));
        iy = in = 0;
        const T* ybase = y;
        const T* nbase = n;
        for (std::size_t k = 0; k < rows; ++k) {
            const Col& src = pick[k] ? yes : no;
            std::size_t& i = pick[k] ? iy : in;
            const T* base = pick[k] ? ybase : nbase;
            const std::int64_t b = src.off[i] - src.off[0], e = src.off[i + 1] - src.off[0];
            std::copy(base + b, base + e, o + off[k]);
            ++i;
        }
    });
    return out;
}

// ---- the evaluator -------------------------------------------------------------------------

class Columnar {
  public:
    Columnar(const std::vector<Node>& nodes, const std::vector<Type>& types, const std::vector<int>& slots,
             std::span<const ColumnView> columns)
        : nodes_(nodes), types_(types), slots_(slots), columns_(columns) {}

    Col eval(int id, const RowSet& rows) {
        const Node& n = nodes_[static_cast<std::size_t>(id)];
        const Type t = types_[static_cast<std::size_t>(id)];
        if (rows.size() == 0)
            return empty(t);
        switch (n.kind) {
        case NodeKind::number:
            return literal(n, t, rows.size());
        case NodeKind::name:
            return name(id, t, rows);
        case NodeKind::unary:
            return unary(n, t, rows);
        case NodeKind::binary:
            return arith(n.op, eval(n.args[0], rows), eval(n.args[1], rows), element_of(t));
        case NodeKind::compare:
            return compare_chain(n, t, rows);
        case NodeKind::logical:
            return logical(n, rows);
        case NodeKind::call1:
            return call1(n, t, eval(n.args[0], rows));
        case NodeKind::call2:
            return call2(n, t, eval(n.args[0], rows), eval(n.args[1], rows));
        case NodeKind::special:
            return n.special == Special::where ? where(n, t, rows) : reduce(n, t, rows);
        case NodeKind::index:
            return index(n, rows);
        }
        throw Fail{};
    }

  private:
    Type type(int id) const { return types_[static_cast<std::size_t>(id)]; }
    const Node& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
    // The input column of a name node, or nullptr (a constant, or not a name).
    const ColumnView* column_of(int id) const {
        if (node(id).kind != NodeKind::name || slots_[static_cast<std::size_t>(id)] < 0)
            return nullptr;
        return &columns_[static_cast<std::size_t>(slots_[static_cast<std::size_t>(id)])];
    }

    static Col empty(Type t) {
        static const std::int64_t zero = 0;
        Col c;
        c.elem = element_of(t);
        c.shape = is_array(t) ? Shape::jagged : Shape::flat;
        c.off = &zero;
        return c;
    }

    static Col literal(const Node& n, Type t, std::size_t rows) {
        Col c = uniform_col(t, rows);
        if (t == Type::boolean)
            *allocate<std::uint8_t>(c, 1) = n.integer != 0;
        else if (t == Type::integer)
            *allocate<std::int64_t>(c, 1) = n.integer;
        else
            *allocate<double>(c, 1) = n.real;
        return c;
    }

    Col name(int id, Type t, const RowSet& rows) {
        const ColumnView* cv = column_of(id);
        if (!cv) { // pi, e, inf, tau
            Col c = uniform_col(Type::real, rows.size());
            *allocate<double>(c, 1) = *find_constant(bare_name(node(id).text));
            return c;
        }
        Col c;
        c.elem = element_of(t);
        c.rows = rows.size();
        const bool canonical =
            cv->values.element() == Element::float64 || cv->values.element() == Element::int64;
        if (!cv->jagged()) {
            c.shape = Shape::flat;
            if (canonical && rows.contiguous()) {
                c.data = static_cast<const unsigned char*>(cv->values.data()) + 8 * rows.first();
                return c;
            }
            with_element(cv->values, [&](auto in) {
                using S = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
                using C = canonical_t<S>;
                C* o = allocate<C>(c, rows.size());
                bool ok = true;
                if (rows.contiguous()) {
                    ok = convert_range(in + rows.first(), rows.size(), o);
                } else {
                    for (std::size_t k = 0; k < rows.size(); ++k)
                        ok &= convert_one(in, rows[k], o[k]);
                }
                if (!ok)
                    throw Fail{};
            });
            return c;
        }
        c.shape = Shape::jagged;
        const std::int64_t* off = cv->offsets.data();
        if (rows.contiguous()) {
            c.off = off + rows.first();
            const auto begin = static_cast<std::size_t>(c.off[0]);
            const auto count = static_cast<std::size_t>(c.off[rows.size()] - c.off[0]);
            if (canonical) {
                c.data = static_cast<const unsigned char*>(cv->values.data()) + 8 * begin;
                return c;
            }
            with_element(cv->values, [&](auto in) {
                using S = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
                if (!convert_range(in + begin, count, allocate<canonical_t<S>>(c, count)))
                    throw Fail{};
            });
            return c;
        }
        std::int64_t* o = allocate_offsets(c, rows.size());
        o[0] = 0;
        for (std::size_t k = 0; k < rows.size(); ++k)
            o[k + 1] = o[k] + (off[rows[k] + 1] - off[rows[k]]);
        with_element(cv->values, [&](auto in) {
            using S = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
            using C = canonical_t<S>;
            C* out = allocate<C>(c, static_cast<std::size_t>(o[rows.size()]));
            bool ok = true;
            for (std::size_t k = 0; k < rows.size(); ++k) {
                const std::int64_t b = off[rows[k]];
                ok &= convert_range(in + b, static_cast<std::size_t>(off[rows[k] + 1] - b), out + o[k]);
            }
            if (!ok)
                throw Fail{};
        });
        return c;
    }

    Col unary(const Node& n, Type t, const RowSet& rows) {
        const Col a = eval(n.args[0], rows);
        if (n.op == Op::not_)
            return map1<std::uint8_t, std::uint8_t>(truth(a),
                                                    [](std::uint8_t x) -> std::uint8_t { return !x; });
        const Type e = element_of(t);
        const Col x = convert(a, e);
        if (n.op == Op::pos)
            return x;
        if (e == Type::integer) {
            bool bad = false;
            Col out = map1<std::int64_t, std::int64_t>(x, [&](std::int64_t v) {
                bad |= v == INT64_MIN;
                return -v;
            });
            if (bad)
                throw Fail{};
            return out;
        }
        return map1<double, double>(x, [](double v) { return -v; });
    }

    static Col call1(const Node& n, Type t, const Col& a) {
        if (element_of(t) == Type::integer) { // abs of an int stays an int
            bool bad = false;
            Col out = map1<std::int64_t, std::int64_t>(convert(a, Type::integer), [&](std::int64_t v) {
                bad |= v == INT64_MIN;
                return v < 0 ? -v : v;
            });
            if (bad)
                throw Fail{};
            return out;
        }
        const Col x = convert(a, Type::real);
        if (n.fn1->id == vecmath::Fn1::sqrt || n.fn1->id == vecmath::Fn1::abs) {
            // exactly rounded everywhere: the vecmath loop gives libm's bits
            Col out = x;
            double* o = allocate<double>(out, x.size());
            vecmath::apply(n.fn1->id, x.as<double>(), o, x.size());
            return out;
        }
        double (*f)(double) = n.fn1->f;
        return map1<double, double>(x, [f](double v) { return f(v); });
    }

    static Col call2(const Node& n, Type t, const Col& a, const Col& b) {
        if (element_of(t) == Type::integer) {
            using I = std::int64_t;
            const Col x = convert(a, Type::integer), y = convert(b, Type::integer);
            if (n.fn2->id == vecmath::Fn2::min)
                return map2<I, I>(x, y, [](I p, I q) { return std::min(p, q); });
            return map2<I, I>(x, y, [](I p, I q) { return std::max(p, q); });
        }
        double (*f)(double, double) = n.fn2->f;
        return map2<double, double>(convert(a, Type::real), convert(b, Type::real),
                                    [f](double p, double q) { return f(p, q); });
    }

    // Python's a < b < c: (a < b) and (b < c), with c evaluated only on the rows where a < b.
    // Elementwise chains (numpy) evaluate every link on every row and combine them with 'and'.
    Col compare_chain(const Node& n, Type t, const RowSet& rows) {
        Col left = eval(n.args[0], rows);
        if (is_array(t)) {
            Col acc;
            for (std::size_t k = 0; k < n.ops.size(); ++k) {
                Col right = eval(n.args[k + 1], rows);
                Col link = compare(n.ops[k], left, right);
                acc = k == 0 ? std::move(link)
                             : map2<std::uint8_t, std::uint8_t>(
                                   acc, link,
                                   [](std::uint8_t p, std::uint8_t q) -> std::uint8_t { return p & q; });
                left = std::move(right);
            }
            return acc;
        }
        if (n.ops.size() == 1)
            return compare(n.ops[0], left, eval(n.args[1], rows));
        // result[k] for the positions of `rows`; `alive` maps the current rows to them
        std::vector<std::uint8_t> result(rows.size(), 1);
        std::vector<std::uint32_t> alive(rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k)
            alive[k] = static_cast<std::uint32_t>(k);
        RowSet current(rows.idx(), rows.size());
        for (std::size_t k = 0; k < n.ops.size(); ++k) {
            Col right = eval(n.args[k + 1], current);
            const Col link = flatten(compare(n.ops[k], left, right));
            const std::uint8_t* pass = link.as<std::uint8_t>();
            std::size_t kept = 0;
            for (std::size_t j = 0; j < current.size(); ++j) {
                if (!pass[j])
                    result[alive[j]] = 0;
                else
                    alive[kept++] = alive[j];
            }
            if (kept == 0 || k + 1 == n.ops.size())
                break;
            alive.resize(kept);
            if (kept != current.size()) {
                left = keep_where(right, pass, kept);
                current = RowSet(pick_rows(current, pass, true).rows);
            } else {
                left = std::move(right);
            }
        }
        Col out = uniform_col(Type::boolean, rows.size());
        out.shape = Shape::flat;
        std::uint8_t* o = allocate<std::uint8_t>(out, rows.size());
        std::copy(result.begin(), result.end(), o);
        return out;
    }

    // `a and b`: b only on the rows where a is true (`or`: where a is false).
    Col logical(const Node& n, const RowSet& rows) {
        const Col left = flatten(truth(eval(n.args[0], rows)));
        const std::uint8_t* l = left.as<std::uint8_t>();
        const bool want = n.op == Op::and_; // the left value that makes the right side matter
        std::size_t count = 0;
        for (std::size_t k = 0; k < rows.size(); ++k)
            count += (l[k] != 0) == want;
        if (count == 0)
            return left;
        Col right;
        if (count == rows.size()) {
            right = flatten(truth(eval(n.args[1], rows)));
            return right;
        }
        Picked picked = pick_rows(rows, l, want);
        const RowSet sub(std::move(picked.rows));
        right = truth(eval(n.args[1], sub));
        Col out = left; // the left value where it decides, the right one elsewhere
        std::uint8_t* o = allocate<std::uint8_t>(out, rows.size());
        std::copy(l, l + rows.size(), o);
        const std::uint8_t* r = right.as<std::uint8_t>();
        const bool ru = right.uniform();
        for (std::size_t j = 0; j < picked.positions.size(); ++j)
            o[picked.positions[j]] = r[ru ? 0 : j];
        return out;
    }

    Col where(const Node& n, Type t, const RowSet& rows) {
        const Type e = element_of(t);
        if (is_array(type(n.args[0]))) { // numpy's where: elementwise, every argument evaluated
            Col c = truth(eval(n.args[0], rows));
            Col a = convert(eval(n.args[1], rows), e);
            Col b = convert(eval(n.args[2], rows), e);
            for (Col* x : {&a, &b}) {
                if (x->jagged() && !same_lengths(c, *x))
                    throw Fail{};
                if (x->shape == Shape::flat)
                    *x = expand(*x, c);
            }
            Col out = c;
            out.elem = e;
            with_storage(e, [&](auto tag) {
                using T = decltype(tag);
                const std::size_t size = c.size();
                T* o = allocate<T>(out, size);
                const std::uint8_t* p = c.as<std::uint8_t>();
                const T* x = a.as<T>();
                const T* y = b.as<T>();
                // one loop per broadcast case, each a branch-free select (the mask of a cut
                // is unpredictable): both values are loaded, one is kept
                auto select = [&](auto xi, auto yi) {
                    for (std::size_t i = 0; i < size; ++i) {
                        const T u = xi(i), v = yi(i);
                        o[i] = p[i] ? u : v;
                    }
                };
                auto at = [](const T* z) { return [z](std::size_t i) { return z[i]; }; };
                auto one = [](const T* z) { return [v = z[0]](std::size_t) { return v; }; };
                if (a.uniform() && b.uniform())
                    select(one(x), one(y));
                else if (a.uniform())
                    select(one(x), at(y));
                else if (b.uniform())
                    select(at(x), one(y));
                else
                    select(at(x), at(y));
            });
            return out;
        }
        // a scalar condition: each row evaluates only the branch it picks
        const Col c = flatten(truth(eval(n.args[0], rows)));
        const std::uint8_t* p = c.as<std::uint8_t>();
        Picked picked_yes = pick_rows(rows, p, true), picked_no = pick_rows(rows, p, false);
        const RowSet yes(std::move(picked_yes.rows)), no(std::move(picked_no.rows));
        auto branch = [&](const RowSet& r, int chosen, int other) {
            Col v = eval(chosen, r);
            if (is_array(t) && !v.jagged()) // a scalar branch takes the other branch's length
                v = expand(v, eval(other, r));
            return convert(v, e);
        };
        return merge(p, rows.size(), branch(yes, n.args[1], n.args[2]), branch(no, n.args[2], n.args[1]), e,
                     picked_yes.positions, picked_no.positions);
    }

    Col reduce(const Node& n, Type t, const RowSet& rows) {
        Col out;
        out.shape = Shape::flat;
        out.rows = rows.size();
        out.elem = t;
        if (n.special == Special::len) {
            // the lengths only: a name's content is not read
            Col lengths;
            if (const ColumnView* cv = column_of(n.args[0])) {
                lengths.off = cv->offsets.data();
                lengths.rows = cv->offsets.size() - 1;
            } else {
                lengths = eval(n.args[0], rows);
            }
            const bool by_event = column_of(n.args[0]) != nullptr;
            std::int64_t* o = allocate<std::int64_t>(out, rows.size());
            for (std::size_t k = 0; k < rows.size(); ++k)
                o[k] = lengths.length(by_event ? rows[k] : k);
            return out;
        }
        const Col a = eval(n.args[0], rows);
        const std::int64_t base = a.off[0];
        switch (n.special) {
        case Special::any:
        case Special::all: {
            const Col b = truth(a);
            const std::uint8_t* x = b.as<std::uint8_t>();
            std::uint8_t* o = allocate<std::uint8_t>(out, rows.size());
            const bool any = n.special == Special::any;
            for (std::size_t k = 0; k < rows.size(); ++k) {
                std::uint8_t acc = any ? 0 : 1;
                for (std::int64_t i = a.off[k] - base; i < a.off[k + 1] - base; ++i)
                    acc = any ? (acc | x[i]) : (acc & x[i]);
                o[k] = acc;
            }
            return out;
        }
        case Special::sum:
            if (a.elem == Type::boolean) { // a count (sum(Jet_pt > 30)): no overflow, no conversion
                const std::uint8_t* x = a.as<std::uint8_t>();
                std::int64_t* o = allocate<std::int64_t>(out, rows.size());
                for (std::size_t k = 0; k < rows.size(); ++k) {
                    std::int64_t s = 0;
                    for (std::int64_t i = a.off[k] - base; i < a.off[k + 1] - base; ++i)
                        s += x[i];
                    o[k] = s;
                }
            } else if (t == Type::integer) {
                const Col b = convert(a, Type::integer);
                const std::int64_t* x = b.as<std::int64_t>();
                std::int64_t* o = allocate<std::int64_t>(out, rows.size());
                bool bad = false;
                for (std::size_t k = 0; k < rows.size(); ++k) {
                    std::int64_t s = 0;
                    for (std::int64_t i = a.off[k] - base; i < a.off[k + 1] - base; ++i)
                        bad |= __builtin_add_overflow(s, x[i], &s);
                    o[k] = s;
                }
                if (bad)
                    throw Fail{};
            } else {
                const double* x = a.as<double>();
                double* o = allocate<double>(out, rows.size());
                for (std::size_t k = 0; k < rows.size(); ++k) {
                    double s = 0; // left to right, as the per-event loop
                    for (std::int64_t i = a.off[k] - base; i < a.off[k + 1] - base; ++i)
                        s += x[i];
                    o[k] = s;
                }
            }
            return out;
        default: { // max, min: an empty row is an error; NaN never replaces (x > best is false)
            const bool max = n.special == Special::max;
            with_storage(a.elem, [&](auto tag) {
                using T = decltype(tag);
                const T* x = a.as<T>();
                T* o = allocate<T>(out, rows.size());
                for (std::size_t k = 0; k < rows.size(); ++k) {
                    const std::int64_t b = a.off[k] - base, e = a.off[k + 1] - base;
                    if (b == e)
                        throw Fail{};
                    T best = x[b];
                    for (std::int64_t i = b + 1; i < e; ++i)
                        if (max ? x[i] > best : x[i] < best)
                            best = x[i];
                    o[k] = best;
                }
            });
            return out;
        }
        }
    }

    // a[i] per row, negative from the end; a name's element is read from its column directly.
    Col index(const Node& n, const RowSet& rows) {
        const Col i = convert(eval(n.args[1], rows), Type::integer);
        const std::int64_t* iv = i.as<std::int64_t>();
        const bool iu = i.uniform();
        Col out;
        out.shape = Shape::flat;
        out.rows = rows.size();
        out.elem = element_of(type(n.args[0]));
        auto position = [&](std::int64_t b, std::int64_t e, std::size_t k) {
            const std::int64_t size = e - b, at = iv[iu ? 0 : k];
            const std::int64_t j = at < 0 ? at + size : at;
            if (j < 0 || j >= size)
                throw Fail{};
            return static_cast<std::size_t>(b + j);
        };
        if (const ColumnView* cv = column_of(n.args[0])) {
            const std::int64_t* off = cv->offsets.data();
            with_element(cv->values, [&](auto in) {
                using S = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
                auto* o = allocate<canonical_t<S>>(out, rows.size());
                for (std::size_t k = 0; k < rows.size(); ++k)
                    if (!convert_one(in, position(off[rows[k]], off[rows[k] + 1], k), o[k]))
                        throw Fail{};
            });
            return out;
        }
        const Col a = eval(n.args[0], rows);
        with_storage(a.elem, [&](auto tag) {
            using T = decltype(tag);
            const T* x = a.as<T>();
            T* o = allocate<T>(out, rows.size());
            const std::int64_t base = a.off[0];
            for (std::size_t k = 0; k < rows.size(); ++k)
                o[k] = x[position(a.off[k] - base, a.off[k + 1] - base, k)];
        });
        return out;
    }

    const std::vector<Node>& nodes_;
    const std::vector<Type>& types_;
    const std::vector<int>& slots_;
    std::span<const ColumnView> columns_;
};

} // namespace

bool ColumnEvaluator::columnar(const Expression& expr, std::span<const ColumnView> columns,
                               std::size_t events, std::span<const std::uint32_t> rows, ColumnResult& out) {
    out = empty_result(expr, events);
    if (rows.empty())
        return true;
    Col c;
    try {
        Columnar run(expr.nodes_, expr.types_, expr.slots_, columns);
        c = run.eval(expr.root_, RowSet(rows.data(), rows.size()));
    } catch (const Fail&) {
        return false;
    }
    const Type t = expr.type();
    c = convert(c, element_of(t));
    with_storage(c.elem, [&](auto tag) {
        using T = decltype(tag);
        std::vector<T>& dest = [&]() -> std::vector<T>& {
            if constexpr (std::is_same_v<T, std::uint8_t>)
                return out.bools;
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return out.ints;
            else
                return out.reals;
        }();
        const T* x = c.as<T>();
        if (!is_array(t)) {
            for (std::size_t k = 0; k < rows.size(); ++k)
                dest[rows[k]] = x[c.uniform() ? 0 : k];
            return;
        }
        // array results: rows not evaluated are empty
        const std::int64_t base = c.off[0];
        dest.assign(x, x + (c.off[rows.size()] - base));
        std::size_t k = 0;
        std::int64_t total = 0;
        for (std::size_t ev = 0; ev < events; ++ev) {
            out.offsets[ev] = total;
            if (k < rows.size() && rows[k] == ev)
                total += c.length(k++);
        }
        out.offsets[events] = total;
    });
    return true;
}

} // namespace hepkit::expr
