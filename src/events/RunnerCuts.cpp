// Cuts under a shift (RunnerRows.hpp, cut_changes): the rows where a cut on a shifted float
// product decides differently from the nominal's. A momentum scale changes every muon's pT but
// `Muon_pt > 20` only for the muons within the scale of 20 GeV: the step that makes the cut runs
// again for those events only (docs/events.md, "Cuts under a shift").
//
// Speed: the comparisons run over every element of the product (every muon of the batch), so
// they must cost less than the step they spare. Blocks of 16 elements are compared first with a
// loop that vectorises (floats compared as floats, against a float bound equivalent to the
// double one), and only the rare blocks where an outcome flips are looked at element by element
// with the same comparisons (exact: float_bound), each flip's row found by bisection.
#include "RunnerRows.hpp"
#include "hepkit/core/ArchClones.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

namespace hepkit::events::detail {

namespace {

constexpr std::size_t kBlock = 16;
static_assert(kBlock <= 32, "flipping() gives a block's elements as the bits of a uint32");

// Sets block[b] = 1 where a cut `x cmp v` decides differently for a[k] and b[k] for some k of
// block b (a[k], b[k] and v of one type, so that the loop vectorises).
template <class T, class Cmp>
[[gnu::always_inline]] inline void mark_blocks(const T* __restrict a, const T* __restrict b, std::size_t n,
                                               T v, Cmp cmp, std::uint8_t* __restrict block) {
    for (std::size_t begin = 0; begin < n; begin += kBlock) {
        const std::size_t end = std::min(n, begin + kBlock);
        int any = 0;
        for (std::size_t k = begin; k < end; ++k)
            any |= static_cast<int>(cmp(a[k], v) != cmp(b[k], v));
        block[begin / kBlock] = static_cast<std::uint8_t>(block[begin / kBlock] | (any != 0));
    }
}

// `static_cast<double>(x) op v` for every float x (NaN and infinities too) as a comparison of
// floats: the largest float ≤ v for > and <=, the smallest float ≥ v for >= and <. There is no
// float strictly between those and v, so no float compares differently. For == and != a v that
// is no float is never equal: the outcome is the same for every x and never flips (nullopt).
std::optional<float> float_bound(const expr::Threshold& cut) {
    const double v = cut.value;
    if (std::isnan(v))
        return std::nullopt; // every outcome constant
    // The nearest float, or ±FLT_MAX beyond the float range (converting such a double is not
    // defined behaviour); the steps below move it to the bound either way.
    constexpr double kMax = std::numeric_limits<float>::max();
    const float f = std::isinf(v) ? static_cast<float>(v)
                    : v > kMax    ? std::numeric_limits<float>::max()
                    : v < -kMax   ? -std::numeric_limits<float>::max()
                                  : static_cast<float>(v);
    const float below =
        static_cast<double>(f) > v ? std::nextafter(f, -std::numeric_limits<float>::infinity()) : f;
    const float above =
        static_cast<double>(f) < v ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
    switch (cut.op) {
    case expr::Op::gt:
    case expr::Op::le:
        return below;
    case expr::Op::ge:
    case expr::Op::lt:
        return above;
    default:
        if (static_cast<double>(f) != v)
            return std::nullopt;
        return f;
    }
}

// A cut as a comparison of T values: for float, the float bound equivalent to the double
// constant (float_bound); a cut whose outcome never changes (nullopt) is left out.
template <class T>
struct Bound {
    expr::Op op;
    T v;
};

template <class T>
std::vector<Bound<T>> bounds_of(const std::vector<expr::Threshold>& cuts) {
    std::vector<Bound<T>> out;
    for (const expr::Threshold& cut : cuts) {
        if constexpr (std::is_same_v<T, float>) {
            if (const auto bound = float_bound(cut))
                out.push_back({cut.op, *bound});
        } else {
            out.push_back({cut.op, cut.value});
        }
    }
    return out;
}

// Calls f with the comparison of `op` as a function object (one instantiation per operator, so
// that the loops using it vectorise).
template <class F>
void with_comparison(expr::Op op, F&& f) {
    switch (op) {
    case expr::Op::lt:
        return f([](auto x, auto c) { return x < c; });
    case expr::Op::le:
        return f([](auto x, auto c) { return x <= c; });
    case expr::Op::gt:
        return f([](auto x, auto c) { return x > c; });
    case expr::Op::ge:
        return f([](auto x, auto c) { return x >= c; });
    case expr::Op::eq:
        return f([](auto x, auto c) { return x == c; });
    default:
        return f([](auto x, auto c) { return x != c; });
    }
}

// Whether one of the cuts decides differently for x and y: the same comparisons as the blocks'
// (for floats exact by float_bound's construction: no float lies between a bound and the
// constant), so an element of a flagged block is looked at without the double conversions and
// calls of Threshold::holds (~5 ns per element; a muon scale flags ~50 blocks per batch).
template <class T>
bool flips(const std::vector<Bound<T>>& bounds, T x, T y) {
    bool f = false;
    for (const Bound<T>& b : bounds)
        with_comparison(b.op, [&](auto cmp) { f = f || cmp(x, b.v) != cmp(y, b.v); });
    return f;
}

// The elements of [begin, end) (at most 32) where one of the bounds' cuts flips, as bits: the
// operator picked once per bound, not per element as flips() does (a flagged block's 16
// comparisons without a branch; ~55 flagged blocks per batch under the Z→μμ benchmark's scale).
template <class T>
std::uint32_t flipping(const std::vector<Bound<T>>& bounds, const T* a, const T* b, std::size_t begin,
                       std::size_t end) {
    std::uint32_t bits = 0;
    for (const Bound<T>& bd : bounds)
        with_comparison(bd.op, [&](auto cmp) {
            for (std::size_t k = begin; k < end; ++k)
                bits |= static_cast<std::uint32_t>(cmp(a[k], bd.v) != cmp(b[k], bd.v)) << (k - begin);
        });
    return bits;
}

// mark_blocks for cut `op`, compiled for AVX-512 and AVX2 too and picked at load time (the Debian
// baseline is SSE2): the pass runs over every element of the product. One plain function per
// type (target_clones takes no templates).
#if HEPKIT_ARCH_CLONES
#define HEPKIT_CUT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPKIT_CUT_CLONES
#endif
template <class T>
[[gnu::always_inline]] inline void mark_blocks_for(const T* a, const T* b, std::size_t n, T v, expr::Op op,
                                                   std::uint8_t* block) {
    switch (op) { // the comparisons of with_comparison, written out: inlined into each clone
    case expr::Op::lt:
        return mark_blocks(a, b, n, v, std::less<T>(), block);
    case expr::Op::le:
        return mark_blocks(a, b, n, v, std::less_equal<T>(), block);
    case expr::Op::gt:
        return mark_blocks(a, b, n, v, std::greater<T>(), block);
    case expr::Op::ge:
        return mark_blocks(a, b, n, v, std::greater_equal<T>(), block);
    case expr::Op::eq:
        return mark_blocks(a, b, n, v, std::equal_to<T>(), block);
    default:
        return mark_blocks(a, b, n, v, std::not_equal_to<T>(), block);
    }
}
HEPKIT_CUT_CLONES void mark_blocks_of(const float* a, const float* b, std::size_t n, float v, expr::Op op,
                                      std::uint8_t* block) {
    mark_blocks_for(a, b, n, v, op, block);
}
HEPKIT_CUT_CLONES void mark_blocks_of(const double* a, const double* b, std::size_t n, double v, expr::Op op,
                                      std::uint8_t* block) {
    mark_blocks_for(a, b, n, v, op, block);
}

template <class T>
void mark_rows(const std::vector<expr::Threshold>& cuts, const io::Column& a, const io::Column& b,
               std::span<const std::uint32_t> rows, RowMask& mask, std::vector<std::uint32_t>* listed) {
    const T* pa = a.as<T>().data();
    const T* pb = b.as<T>().data();
    const std::size_t events = mask.size();
    const std::int64_t* o = a.jagged() ? a.offsets.data() : nullptr;
    auto begin_of = [&](std::size_t r) { return o ? static_cast<std::size_t>(o[r]) : r; };
    const std::vector<Bound<T>> bounds = bounds_of<T>(cuts);
    if (bounds.empty())
        return; // no outcome can change
    if (4 * rows.size() < events) {
        // Few rows (after selective filters): their elements only.
        for (const std::uint32_t r : rows) {
            bool f = false;
            for (std::size_t k = begin_of(r); k < begin_of(r + 1); ++k)
                f = f || flips(bounds, pa[k], pb[k]);
            mask[r] = f;
        }
        return;
    }
    // Many rows: every element in blocks, then the elements of the flagged blocks, each with the
    // row it belongs to (a bisection of the offsets after the previous one's row: the blocks come
    // in order); the rows not selected are cleared.
    const std::size_t first = begin_of(0), n = begin_of(events) - first;
    thread_local std::vector<std::uint8_t> block;
    block.assign(n / kBlock + 1, 0);
    for (const Bound<T>& bound : bounds)
        mark_blocks_of(pa + first, pb + first, n, bound.v, bound.op, block.data());
    const std::int64_t* from = o;
    for (std::size_t blk = 0; blk < block.size(); ++blk) {
        if (!block[blk])
            continue;
        const std::size_t begin = first + blk * kBlock, end = first + std::min(n, (blk + 1) * kBlock);
        for (std::uint32_t bits = flipping(bounds, pa, pb, begin, end); bits != 0; bits &= bits - 1) {
            const std::size_t k = begin + static_cast<std::size_t>(std::countr_zero(bits));
            std::size_t r = k;
            if (o) {
                from = row_of(from, o + events + 1, static_cast<std::int64_t>(k));
                r = static_cast<std::size_t>(from - o);
            }
            // The elements come in order, so do their rows: a row is new unless it is the last.
            if (listed && !mask[r])
                listed->push_back(static_cast<std::uint32_t>(r));
            mask[r] = 1;
        }
    }
    if (rows.size() == events)
        return; // every row selected (rows are increasing and distinct)
    RowMask selected(events, 0);
    for (const std::uint32_t r : rows)
        selected[r] = 1;
    for (std::size_t r = 0; r < events; ++r)
        mask[r] = static_cast<std::uint8_t>(mask[r] & selected[r]);
}

} // namespace

std::optional<RowMask> cut_changes(const std::vector<expr::Threshold>& cuts, const io::Column& a,
                                   const io::Column& b, std::span<const std::uint32_t> rows,
                                   std::vector<std::uint32_t>* flipped) {
    // The rows listed only where every row is selected (the global part's first steps): there the
    // mask's set rows are what the caller wants, and a pass over the mask would cost more than the
    // few flips (the Z→μμ benchmark's muon scale: ~55 of 16 384 rows; ~0.2 ns per event).
    std::vector<std::uint32_t>* listed = flipped && rows.size() == a.entries() ? flipped : nullptr;
    if (flipped)
        flipped->clear();
    if (a.type != b.type || a.jagged() != b.jagged() || a.entries() != b.entries() ||
        (a.type != io::ColumnType::Float32 && a.type != io::ColumnType::Float64))
        return std::nullopt;
    if (a.jagged() && !a.offsets.shared_with(b.offsets) &&
        (a.offsets.size() != b.offsets.size() ||
         std::memcmp(a.offsets.data(), b.offsets.data(), a.offsets.size() * sizeof(std::int64_t)) != 0))
        return std::nullopt; // lengths differ somewhere: the general path decides
    RowMask mask(a.jagged() ? a.offsets.size() - 1 : a.entries(), 0);
    if (a.type == io::ColumnType::Float32)
        mark_rows<float>(cuts, a, b, rows, mask, listed);
    else
        mark_rows<double>(cuts, a, b, rows, mask, listed);
    return mask;
}

} // namespace hepkit::events::detail
