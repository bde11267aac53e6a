// Columnar evaluation: each node of the checked graph runs as loops over the whole batch.
//
// A node's value over a set of rows is a Col (ColumnOps.hpp).
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
//   whole columns): then the per-event result stands, so results never differ;
// - a costly call (a function other than sqrt and abs, with a float result) may be taken from a
//   KeptValues (Kept.hpp): kept by an earlier evaluation of the same expression whose columns
//   were the same for every slot the call's subtree reads — the same values, so the same bits.
#include "ColumnEvaluator.hpp"
#include "ColumnOps.hpp"
#include "Kept.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace hepkit::expr {

using namespace columns;

namespace {

// The value of node `id` over `rows`, from its operands' values over the same rows (or over the
// subsets a lazy node picks). Recursive, as the per-event evaluator: the parser bounds the depth
// (400 levels), and each level costs loops over the batch, not per event.
class Columnar {
  public:
    Columnar(const std::vector<Node>& nodes, const std::vector<Type>& types, const std::vector<int>& slots,
             std::span<const ColumnView> columns)
        : nodes_(nodes), types_(types), slots_(slots), columns_(columns) {}

    /// Keeps costly calls' values in `kept` (record) or takes them from it where every slot the
    /// call reads is `same`.
    // Gathers at `rows` (the evaluation's whole row set) are taken from and kept in `cache`.
    void cache_gathers(GatherCache::Impl* cache, std::span<const std::uint32_t> rows, std::size_t events) {
        gathers_ = cache;
        top_ = rows;
        events_ = events;
    }

    void reuse(KeptValues::Impl* kept, bool record, std::span<const std::uint8_t> same) {
        kept_ = kept;
        record_ = record;
        same_ = same;
        unchanged_.assign(nodes_.size(), -1);
    }

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
            if (costly(n, t))
                return kept(id, rows, [&](const RowSet& r) { return call1(n, t, eval(n.args[0], r)); });
            return call1(n, t, eval(n.args[0], rows));
        case NodeKind::call2:
            if (costly(n, t))
                return kept(id, rows, [&](const RowSet& r) {
                    return call2(n, t, eval(n.args[0], r), eval(n.args[1], r));
                });
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

    // A call worth keeping: libm's transcendental functions cost 10–20 ns a value, sqrt and abs
    // (exactly rounded, vectorised) less than a copy of their result.
    bool costly(const Node& n, Type t) const {
        if (!kept_ || element_of(t) != Type::real)
            return false;
        return n.kind == NodeKind::call2 ||
               (n.fn1->id != vecmath::Fn1::sqrt && n.fn1->id != vecmath::Fn1::abs);
    }

    // Whether every column node `id` reads is the recording's (constants and literals are).
    bool unchanged(int id) {
        auto& u = unchanged_[static_cast<std::size_t>(id)];
        if (u < 0) {
            const Node& n = node(id);
            bool same = true;
            if (n.kind == NodeKind::name) {
                const int slot = slots_[static_cast<std::size_t>(id)];
                same = slot < 0 || (static_cast<std::size_t>(slot) < same_.size() &&
                                    same_[static_cast<std::size_t>(slot)] != 0);
            }
            for (const int a : n.args)
                same = same && unchanged(a);
            u = same ? 1 : 0;
        }
        return u == 1;
    }

    // A costly call: computed and kept (recording), or taken from what was kept where its
    // columns are the recording's, computed on the rows the recording lacks.
    template <class F>
    Col kept(int id, const RowSet& rows, F&& compute) {
        if (record_) {
            Col c = compute(rows);
            kept_->keep(id, rows, c);
            return c;
        }
        const KeptValues::Impl::Entry* e = kept_->find(id);
        if (!e || !unchanged(id))
            return compute(rows);
        return from_kept(*e, rows, compute);
    }

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
        // A gather at the evaluation's own scattered rows, when they are few (at most 1/8 of the
        // events: the memory kept stays small): kept for the next steps (GatherCache).
        // (Not a compact column: read at its own rows it is borrowed, at others merged cheaply —
        // and its rows are not in the key.)
        if (gathers_ && !cv->compact() && !rows.contiguous() && rows.idx() == top_.data() &&
            rows.size() == top_.size() && 8 * rows.size() <= events_) {
            const GatherCache::Impl::Key key{cv->values.data(), cv->offsets.data(), top_.data(),  top_.size(),
                                             top_.front(),      top_.back(),        element_of(t)};
            for (const auto& e : gathers_->entries)
                if (e.key == key)
                    return e.col;
            gathers_->entries.push_back({key, owned(gather(cv, t, rows))});
            return gathers_->entries.back().col;
        }
        return gather(cv, t, rows);
    }

    // `c` (flat or jagged) in storage of its own, not the thread's buffer pool: a kept gather may
    // outlive the evaluation and the pool (a GatherCache destroyed on another thread, or late).
    static Col owned(const Col& c) {
        const std::size_t width = c.elem == Type::boolean ? 1 : 8;
        auto data = std::make_shared<std::vector<unsigned char>>(width * c.size() + 1);
        if (c.size() > 0)
            std::memcpy(data->data(), c.data, width * c.size());
        Col out = c;
        out.data = data->data();
        out.keep = data;
        out.keep_off.reset();
        if (c.jagged()) {
            auto off = std::make_shared<std::vector<std::int64_t>>(c.off, c.off + c.rows + 1);
            out.off = off->data();
            out.keep_off = off;
        }
        return out;
    }

    // A compact column (ColumnView::at_rows) at `rows`: borrowed where they are its own rows (the
    // steps after the filters that made them), else merged in order (both increasing), 0 where it
    // has no value.
    Col gather_compact(const ColumnView* cv, Col& c, const RowSet& rows, bool canonical) {
        c.shape = Shape::flat;
        const std::uint32_t* at = cv->at_rows.data();
        const std::size_t m = cv->at_rows.size();
        if (canonical && rows.size() == m && (rows.idx() == at || std::equal(at, at + m, rows.idx()))) {
            c.data = static_cast<const unsigned char*>(cv->values.data());
            return c;
        }
        convert_into(cv, c, rows.size(), [&](auto in, auto* o) {
            bool ok = true;
            std::size_t j = 0;
            for (std::size_t k = 0; k < rows.size(); ++k) {
                const std::uint32_t r = rows[k];
                while (j < m && at[j] < r)
                    ++j;
                if (j < m && at[j] == r)
                    ok &= convert_one(in, j, o[k]);
                else
                    o[k] = {};
            }
            return ok;
        });
        return c;
    }

    // `n` values of `cv` in their canonical type into `c`, written by fill(in, out); false from it
    // (a value the evaluator cannot hold) is a Fail: the per-event path decides.
    template <class F>
    void convert_into(const ColumnView* cv, Col& c, std::size_t n, F&& fill) {
        with_element(cv->values, [&](auto in) {
            using S = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
            if (!fill(in, allocate<canonical_t<S>>(c, n)))
                throw Fail{};
        });
    }

    // Input column `cv` at `rows`, in the canonical type of `t`'s elements.
    Col gather(const ColumnView* cv, Type t, const RowSet& rows) {
        Col c;
        c.elem = element_of(t);
        c.rows = rows.size();
        const bool canonical =
            cv->values.element() == Element::float64 || cv->values.element() == Element::int64;
        if (cv->compact())
            return gather_compact(cv, c, rows, canonical);
        if (!cv->jagged()) {
            c.shape = Shape::flat;
            if (canonical && rows.contiguous()) {
                c.data = static_cast<const unsigned char*>(cv->values.data()) + 8 * rows.first();
                return c;
            }
            convert_into(cv, c, rows.size(), [&](auto in, auto* o) {
                if (rows.contiguous())
                    return convert_range(in + rows.first(), rows.size(), o);
                bool ok = true;
                for (std::size_t k = 0; k < rows.size(); ++k)
                    ok &= convert_one(in, rows[k], o[k]);
                return ok;
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
            // branch-free (a cut's outcome is unpredictable): alive rows hold 1 so far
            for (std::size_t j = 0; j < current.size(); ++j) {
                const std::uint32_t a = alive[j];
                const std::uint8_t p = pass[j] != 0;
                result[a] = p;
                alive[kept] = a;
                kept += p;
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
            const std::uint32_t* count = true_counts(b, rows.size());
            std::uint8_t* o = allocate<std::uint8_t>(out, rows.size());
            const bool any = n.special == Special::any;
            for (std::size_t k = 0; k < rows.size(); ++k) {
                const std::int64_t begin = a.off[k] - base, end = a.off[k + 1] - base;
                const std::uint32_t c = count[end] - count[begin];
                o[k] = any ? c != 0 : c == static_cast<std::uint32_t>(end - begin);
            }
            return out;
        }
        case Special::sum:
            if (a.elem == Type::boolean) { // a count (sum(Jet_pt > 30)): no overflow, no conversion
                const std::uint32_t* count = true_counts(a, rows.size());
                std::int64_t* o = allocate<std::int64_t>(out, rows.size());
                for (std::size_t k = 0; k < rows.size(); ++k)
                    o[k] = count[a.off[k + 1] - base] - count[a.off[k] - base];
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

    // The running count of true elements of jagged bool `a` (0/1 bytes) over its rows: element i
    // is the count before element i, so a row's count is a difference at its offsets. Counting
    // per row in a loop over its elements mispredicts a branch on every row of another length
    // than the last (~5 ns a row: `sum(good_mu) == 2` cost 8 ns per event that way).
    std::uint32_t* true_counts(const Col& a, std::size_t rows) {
        const std::int64_t base = a.off[0];
        const auto n = static_cast<std::size_t>(a.off[rows] - base);
        counts_.resize(n + 1);
        const std::uint8_t* x = a.as<std::uint8_t>();
        std::uint32_t c = 0;
        for (std::size_t i = 0; i < n; ++i) {
            counts_[i] = c;
            c += x[i];
        }
        counts_[n] = c;
        return counts_.data();
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
    std::vector<std::uint32_t> counts_;    ///< true_counts' buffer
    KeptValues::Impl* kept_ = nullptr;     ///< costly calls' values (reuse)
    GatherCache::Impl* gathers_ = nullptr; ///< gathers at top_ (cache_gathers)
    std::span<const std::uint32_t> top_;
    std::size_t events_ = 0;
    bool record_ = false;
    std::span<const std::uint8_t> same_;
    std::vector<signed char> unchanged_; ///< by node: -1 unknown, 0/1 (unchanged)
};

} // namespace

bool ColumnEvaluator::columnar(const Expression& expr, std::span<const ColumnView> columns,
                               std::size_t events, std::span<const std::uint32_t> rows, ColumnResult& out,
                               bool compact, const Reuse& reuse) {
    // An array result over every row (or compacted) gets its offsets whole from the evaluation:
    // not zeroed first (a pass over the batch's length, ~0.1 ns per event of a full-batch step).
    const bool offsets_whole = is_array(expr.type()) && !rows.empty() && (compact || rows.size() == events);
    out = empty_result(expr, compact ? rows.size() : events, !offsets_whole, compact ? nullptr : reuse.reals);
    if (rows.empty())
        return true;
    // Per event, every scalar the expression names is bound (read) before evaluation, also
    // where a lazy part would not use it: an unreadable uint64 there is an error per event, so
    // it is one here, whatever the columnar pass would read.
    for (const std::size_t s : expr.slots_used()) {
        const ColumnView& cv = columns[s];
        if (cv.jagged() || cv.values.element() != Element::uint64)
            continue;
        const auto* v = static_cast<const std::uint64_t*>(cv.values.data());
        std::uint64_t high = 0;
        if (cv.compact()) // its values, wherever they are read: every one may be
            for (std::size_t k = 0; k < cv.values.size(); ++k)
                high |= v[k];
        else
            for (const std::uint32_t r : rows)
                high |= v[r];
        if (high >> 63)
            return false;
    }
    Col c;
    try {
        Columnar run(expr.nodes_, expr.types_, expr.slots_, columns);
        if (reuse.gathers && reuse.gathers->impl_)
            run.cache_gathers(reuse.gathers->impl_.get(), rows, events);
        if (KeptValues::Impl* kept = reuse.kept ? reuse.kept->impl_.get() : nullptr) {
            // Tied to the expression's serial, not its address: a later expression built where
            // a destroyed one was must not take its values.
            if (reuse.record)
                kept->start(expr.serial_);
            if (expr.serial_ != 0 && (reuse.record || kept->expr == expr.serial_))
                run.reuse(kept, reuse.record, reuse.same);
        }
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
            if (compact && !c.uniform())
                std::copy(x, x + rows.size(), dest.begin());
            else
                for (std::size_t k = 0; k < rows.size(); ++k)
                    dest[compact ? k : rows[k]] = x[c.uniform() ? 0 : k];
            return;
        }
        // array results: rows not evaluated are empty
        const std::int64_t base = c.off[0];
        dest.assign(x, x + (c.off[rows.size()] - base));
        // Each row's start fills the offsets up to the next row (a fill, not a branch per event:
        // after selective filters most events are not evaluated).
        if (offsets_whole) { // one row per result row: every event, or compact
            out.offsets.assign(c.off, c.off + rows.size() + 1);
            if (base != 0)
                for (std::int64_t& x : out.offsets)
                    x -= base;
            return;
        }
        std::int64_t* o = out.offsets.data();
        std::size_t ev = 0;
        std::int64_t total = 0;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            std::fill(o + ev, o + rows[k] + 1, total);
            ev = rows[k] + 1;
            total += c.length(k);
        }
        std::fill(o + ev, o + events + 1, total);
    });
    return true;
}

} // namespace hepkit::expr
