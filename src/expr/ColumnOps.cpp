// The loops of the columnar evaluator over whole columns (ColumnOps.hpp).
#include "ColumnOps.hpp"
#include "Arithmetic.hpp"

#include <algorithm>
#include <cmath>
#include <new>

namespace hepkit::expr::columns {

// BufferPool: why and how much, ColumnOps.hpp.
namespace {

// Recycles the blocks an allocator of T frees (shared_ptr control blocks: one size per type), per
// thread. A block freed on another thread joins that thread's list: only memory, never shared.
template <class T>
struct Recycling {
    using value_type = T;
    Recycling() = default;
    template <class U>
    Recycling(const Recycling<U>&) noexcept {}
    static std::vector<void*>& blocks() {
        thread_local struct List {
            std::vector<void*> v;
            ~List() {
                for (void* p : v)
                    ::operator delete(p);
            }
        } list;
        return list.v;
    }
    T* allocate(std::size_t n) {
        auto& free = blocks();
        if (n == 1 && !free.empty()) {
            void* p = free.back();
            free.pop_back();
            return static_cast<T*>(p);
        }
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        auto& free = blocks();
        if (n == 1 && free.size() < 256) {
            try {
                free.push_back(p);
                return;
            } catch (...) { // no room for the list: freed instead
            }
        }
        ::operator delete(p);
    }
    template <class U>
    bool operator==(const Recycling<U>&) const noexcept {
        return true;
    }
};

// The smallest class k with 64 · 2^k ≥ bytes; `limit` when there is none below it.
std::size_t size_class(std::size_t bytes, std::size_t limit) {
    std::size_t k = 0;
    while (k < limit && (std::size_t{64} << k) < bytes)
        ++k;
    return k;
}

} // namespace

std::shared_ptr<void> BufferPool::get(std::size_t bytes) {
    const std::size_t k = size_class(bytes, kClasses);
    if (k >= kClasses)
        throw std::bad_alloc();
    std::unique_ptr<std::byte[]> b;
    if (!free_[k].empty()) {
        b = std::move(free_[k].back());
        free_[k].pop_back();
        cached_ -= std::size_t{64} << k;
    } else {
        b.reset(new std::byte[std::size_t{64} << k]);
    }
    std::byte* raw = b.release();
    return std::shared_ptr<void>(
        raw, [k](void* p) { pool().put(static_cast<std::byte*>(p), k); }, Recycling<std::byte>());
}

BufferPool& BufferPool::pool() {
    thread_local BufferPool p;
    return p;
}

void BufferPool::put(std::byte* p, std::size_t size_class) {
    std::unique_ptr<std::byte[]> owned(p);
    const std::size_t bytes = std::size_t{64} << size_class;
    if (free_[size_class].size() >= kPerClass || cached_ + bytes > (std::size_t{128} << 20))
        return;
    try {
        free_[size_class].push_back(std::move(owned));
    } catch (...) { // no room for the list: freed instead (a deleter must not throw)
        return;
    }
    cached_ += bytes;
}

std::int64_t* allocate_offsets(Col& c, std::size_t rows) {
    std::shared_ptr<void> p = BufferPool::pool().get(sizeof(std::int64_t) * (rows + 1));
    auto* raw = static_cast<std::int64_t*>(p.get());
    c.keep_off = std::move(p);
    c.off = raw;
    return raw;
}

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
        return map2<R, R>(a, b, [](R p, R q) { return detail::real_pow(p, q); });
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

} // namespace hepkit::expr::columns
