// mark_differences (src/events/RunnerRows.hpp), the comparison behind row-level sharing, against a
// row-by-row comparison written here: collections of one layout with few differing elements (the
// sparse path: blocks of elements compared, rows found by bisection), with many (the prefix
// count), empty rows among them, over all rows and over a subset; a batch's offset check; and
// cut_changes, the rows where a cut on a shifted float flips, against a row-by-row comparison.
#include "RunnerRows.hpp"

#include "hepkit/events/Products.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <random>
#include <string>
#include <type_traits>

using namespace hepkit;
using namespace hepkit::events::detail;

namespace {

struct Pair {
    io::Column a, b;
};

// Two float collections of `events` events with 0–4 elements each and the same layout; each
// element of b differs from a's with probability p.
Pair collections(std::size_t events, double p, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> count(0, 4);
    std::bernoulli_distribution differs(p);
    Pair out{io::Column::make("x", io::ColumnType::Float32), io::Column::make("x", io::ColumnType::Float32)};
    out.a.offsets = {0};
    out.b.offsets = {0};
    for (std::size_t i = 0; i < events; ++i) {
        const int n = count(rng);
        for (int k = 0; k < n; ++k) {
            const float v = static_cast<float>(rng() % 1000) * 0.5f;
            out.a.mut<float>().push_back(v);
            out.b.mut<float>().push_back(differs(rng) ? v + 1.0f : v);
        }
        out.a.offsets.push_back(static_cast<std::int64_t>(out.a.mut<float>().size()));
        out.b.offsets.push_back(out.a.offsets.back());
    }
    return out;
}

std::vector<std::uint8_t> by_rows(const Pair& c, const std::vector<std::uint32_t>& rows, std::size_t events) {
    std::vector<std::uint8_t> d(events, 0);
    const auto a = c.a.as<float>();
    const auto b = c.b.as<float>();
    for (const std::uint32_t r : rows)
        for (auto k = c.a.offsets[r]; k < c.a.offsets[r + 1]; ++k)
            if (a[static_cast<std::size_t>(k)] != b[static_cast<std::size_t>(k)])
                d[r] = 1;
    return d;
}

} // namespace

TEST(EventsRowMark, DifferencesFoundWhateverTheirDensity) {
    const std::size_t events = 5000;
    for (const double p : {0.0, 0.001, 0.01, 0.3, 1.0}) {
        const Pair c = collections(events, p, 7);
        std::vector<std::uint32_t> all(events), half;
        for (std::uint32_t r = 0; r < events; ++r) {
            all[r] = r;
            if (r % 3 != 0)
                half.push_back(r); // 2/3 of the rows: still the whole-batch comparison
        }
        for (const auto* rows : {&all, &half}) {
            std::vector<std::uint8_t> d(events, 0);
            EXPECT_FALSE(mark_differences(c.a, c.b, *rows, d.data()));
            EXPECT_EQ(d, by_rows(c, *rows, events)) << "p " << p << ", " << rows->size() << " rows";
        }
    }
}

TEST(EventsBatch, OffsetsCheckedOnceAndBadOnesNamed) {
    events::Schema schema;
    const events::ProductId good = schema.add({"good", io::ColumnType::Float32, true}, "test");
    const events::ProductId bad = schema.add({"bad", io::ColumnType::Float32, true}, "test");
    events::Batch batch(schema, 0, 3);
    auto c = io::Column::make("good", io::ColumnType::Float32);
    c.offsets = {0, 1, 1, 3};
    c.mut<float>() = {1, 2, 3};
    batch.put(good, c);
    c.offsets = {0, 2, 1, 3}; // decreases: a plugin's bad column
    batch.put(bad, c);
    EXPECT_NO_THROW(batch.check_offsets(good));
    try {
        batch.check_offsets(bad);
        FAIL() << "bad offsets accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("product 'bad'"), std::string::npos) << e.what();
    }
    // shared with what was found out: a second batch does not check again, a bad one still fails
    events::Batch other(schema, 0, 3);
    other.share_from(batch, good, good);
    other.share_from(batch, bad, bad);
    EXPECT_NO_THROW(other.check_offsets(good));
    EXPECT_THROW(other.check_offsets(bad), std::invalid_argument);
}

TEST(EventsBatch, MemosAreSharedByTheCopiesOfABatchForTheOwnersKept) {
    events::Schema schema;
    events::Batch batch(schema, 0, 3);
    int step = 0, other = 0;
    EXPECT_EQ(batch.memo<int>(&step), nullptr); // keeps nothing until the runner says so
    batch.keep_memos({&step});
    int* kept = batch.memo<int>(&step);
    ASSERT_NE(kept, nullptr);
    *kept = 42;
    const events::Batch nominal = batch, shifted = batch; // the variants' copies
    ASSERT_NE(shifted.memo<int>(&step), nullptr);
    EXPECT_EQ(*shifted.memo<int>(&step), 42);
    EXPECT_EQ(nominal.memo<int>(&step), kept);
    EXPECT_EQ(shifted.memo<int>(&other), nullptr); // a step no shift runs again keeps nothing
}

// Batch::same_offsets: known equal only for the same column or a recorded copy of one, across the
// batch's copies and shares; forgotten when the product is put again; a wrong claim that shows in
// the offsets' size or end is refused.
// The check is two OR-reductions (Products.cpp): every kind of bad offsets, at every position of
// a batch long enough for the vectorised loop, against the plain rule.
TEST(EventsBatch, OffsetsCheckFindsEveryBadLayout) {
    constexpr std::size_t events = 37;
    events::Schema schema;
    const events::ProductId id = schema.add({"x", io::ColumnType::Float32, true}, "test");
    auto plain_ok = [](const std::vector<std::int64_t>& o, std::size_t values) {
        for (std::size_t i = 0; i + 1 < o.size(); ++i)
            if (o[i] > o[i + 1])
                return false;
        return o.front() >= 0 && o.back() <= static_cast<std::int64_t>(values);
    };
    std::vector<std::int64_t> base(events + 1);
    for (std::size_t i = 0; i <= events; ++i)
        base[i] = static_cast<std::int64_t>(2 * i);
    const std::size_t values = 2 * events;
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    const std::int64_t small = std::numeric_limits<std::int64_t>::min();
    int cases = 0;
    for (std::size_t at = 0; at <= events; ++at)
        for (const std::int64_t v : {std::int64_t{-1}, small, big, std::int64_t{1} << 62, base[at] + 3,
                                     base[at] - 3, std::int64_t{0}, static_cast<std::int64_t>(values)}) {
            auto c = io::Column::make("x", io::ColumnType::Float32);
            c.offsets = base;
            c.offsets.mut()[at] = v;
            c.mut<float>().assign(values, 1.0f);
            events::Batch batch(schema, 0, events);
            batch.put(id, c);
            const bool ok = plain_ok(c.offsets, values);
            if (ok)
                EXPECT_NO_THROW(batch.check_offsets(id)) << "offset " << at << " = " << v;
            else
                EXPECT_THROW(batch.check_offsets(id), std::invalid_argument) << "offset " << at << " = " << v;
            ++cases;
        }
    EXPECT_EQ(cases, 8 * static_cast<int>(events + 1));
}

// cut_changes (cuts under a shift): the rows where a cut `x op v` decides differently for a
// shifted and a nominal float column, against a row-by-row reference with the evaluators' rule
// (both sides as doubles). The vectorised pass compares floats with a float bound in place of v:
// thresholds that are no float, halfway between two floats, beyond the float range, NaN and
// infinities check that the bound never decides otherwise.
namespace {

std::vector<double> awkward_thresholds() {
    const double f20 = 20.0;
    const auto just_above = static_cast<double>(std::nextafter(20.0f, 30.0f));
    return {f20,
            0.1,                    // no float
            (f20 + just_above) / 2, // halfway between two floats
            std::nextafter(f20, 0.0),
            std::nextafter(f20, 30.0),
            -0.0,
            1e300,
            -1e300,
            static_cast<double>(std::numeric_limits<float>::max()),
            std::numeric_limits<double>::infinity(),
            -std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::quiet_NaN()};
}

// Values near every threshold: the thresholds themselves as floats and their float neighbours,
// infinities, NaN, and random ones; `b` is `a` scaled by 1.01 as a float replacement stores it
// (float32) or as a double product holds it (float64). A collection's offsets start at `first`
// (elements before it belong to no row).
template <class T>
Pair near_thresholds(std::size_t events, bool jagged, std::int64_t first, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<T> pool;
    for (const double v : awkward_thresholds()) {
        const auto f = static_cast<T>(v);
        for (const T x : {f, std::nextafter(f, static_cast<T>(-INFINITY)),
                          std::nextafter(f, static_cast<T>(INFINITY)), static_cast<T>(v / 1.01)})
            pool.push_back(x);
    }
    pool.push_back(std::numeric_limits<T>::quiet_NaN());
    std::uniform_real_distribution<T> any(-50, 50);
    std::uniform_int_distribution<int> count(0, 4);
    constexpr auto type = std::is_same_v<T, float> ? io::ColumnType::Float32 : io::ColumnType::Float64;
    Pair out{io::Column::make("x", type), io::Column::make("x", type)};
    auto push = [&](T x) {
        out.a.mut<T>().push_back(x);
        out.b.mut<T>().push_back(static_cast<T>(static_cast<double>(x) * 1.01));
    };
    if (jagged) {
        for (std::int64_t k = 0; k < first; ++k)
            push(20);
        out.a.offsets = out.b.offsets = {first};
    }
    for (std::size_t i = 0; i < events; ++i) {
        const int n = jagged ? count(rng) : 1;
        for (int k = 0; k < n; ++k)
            push(rng() % 2 ? pool[rng() % pool.size()] : any(rng));
        if (jagged) {
            out.a.offsets.push_back(static_cast<std::int64_t>(out.a.mut<T>().size()));
            out.b.offsets.push_back(out.a.offsets.back());
        }
    }
    return out;
}

// cut_changes against the reference for one pair and every cut set: single cuts (each operator,
// each awkward threshold) and a few pairs, over the rows of `rows`; unselected rows must be 0.
template <class T>
void check_cut_changes(const Pair& p, const std::vector<std::uint32_t>& rows, std::size_t events,
                       const std::string& what) {
    using expr::Op;
    std::vector<std::vector<expr::Threshold>> sets;
    for (const double v : awkward_thresholds())
        for (const Op op : {Op::lt, Op::le, Op::gt, Op::ge, Op::eq, Op::ne})
            sets.push_back({{op, v}});
    sets.push_back({{Op::gt, 60.0}, {Op::lt, 120.0}});
    sets.push_back({{Op::ge, 20.0}, {Op::ne, 0.1}, {Op::le, -1e300}});
    const auto& va = p.a.as<T>();
    const auto& vb = p.b.as<T>();
    std::vector<std::uint8_t> selected(events, 0);
    for (const std::uint32_t r : rows)
        selected[r] = 1;
    std::size_t flipped_at_20 = 0;
    for (const auto& cuts : sets) {
        const auto mask = cut_changes(cuts, p.b, p.a, rows);
        ASSERT_TRUE(mask) << what;
        ASSERT_EQ(mask->size(), events);
        // The rows listed beside the mask: its set rows, increasing, where every row is selected;
        // none (the list cleared) otherwise.
        std::vector<std::uint32_t> listed{7, 7}, expected;
        ASSERT_TRUE(cut_changes(cuts, p.b, p.a, rows, &listed)) << what;
        for (std::size_t r = 0; r < events && rows.size() == events; ++r)
            if ((*mask)[r])
                expected.push_back(static_cast<std::uint32_t>(r));
        EXPECT_EQ(listed, expected) << what << ", first cut x " << op_text(cuts[0].op) << " "
                                    << cuts[0].value;
        for (std::size_t r = 0; r < events; ++r) {
            const bool jagged = p.a.jagged();
            const std::size_t begin = jagged ? static_cast<std::size_t>(p.a.offsets[r]) : r;
            const std::size_t end = jagged ? static_cast<std::size_t>(p.a.offsets[r + 1]) : r + 1;
            bool flips = false;
            for (std::size_t k = begin; k < end; ++k)
                for (const auto& c : cuts)
                    flips =
                        flips || c.holds(static_cast<double>(va[k])) != c.holds(static_cast<double>(vb[k]));
            ASSERT_EQ((*mask)[r], selected[r] && flips ? 1 : 0)
                << what << ", row " << r << ", first cut x " << op_text(cuts[0].op) << " " << cuts[0].value;
            if (cuts.size() == 1 && cuts[0].op == Op::gt && cuts[0].value == 20.0)
                flipped_at_20 += selected[r] && flips;
        }
    }
    EXPECT_GT(flipped_at_20, 0u) << what; // the pool puts values on either side of 20
}

} // namespace

TEST(EventsRowMark, CutChangesAreExactlyTheRowsWhereACutFlips) {
    // every row, half of them (the pass over all elements, then unselected rows cleared), one in
    // seven (the few-row path); flat and jagged; float32 and float64; offsets from 0 and from 3
    const std::size_t events = 3000;
    for (const bool jagged : {false, true})
        for (const std::int64_t first : {0, 3}) {
            if (!jagged && first > 0)
                continue;
            for (const std::size_t stride : {1, 2, 7}) {
                std::vector<std::uint32_t> rows;
                for (std::size_t r = 0; r < events; r += stride)
                    rows.push_back(static_cast<std::uint32_t>(r));
                const std::string what = std::string(jagged ? "jagged" : "flat") + ", offsets from " +
                                         std::to_string(first) + ", every " + std::to_string(stride) +
                                         " rows";
                check_cut_changes<float>(near_thresholds<float>(events, jagged, first, 17 + stride), rows,
                                         events, "float32, " + what);
                check_cut_changes<double>(near_thresholds<double>(events, jagged, first, 29 + stride), rows,
                                          events, "float64, " + what);
            }
        }
}

TEST(EventsRowMark, CutChangesLeaveOtherLayoutsToTheGeneralPath) {
    Pair p = collections(100, 0.1, 3);
    const std::vector<expr::Threshold> cuts{{expr::Op::gt, 200.0}};
    std::vector<std::uint32_t> rows(100);
    for (std::uint32_t r = 0; r < 100; ++r)
        rows[r] = r;
    EXPECT_TRUE(cut_changes(cuts, p.b, p.a, rows));
    // equal offsets in another vector (not shared): compared, and found equal
    p.b.offsets = std::vector<std::int64_t>(p.a.offsets.begin(), p.a.offsets.end());
    EXPECT_FALSE(p.b.offsets.shared_with(p.a.offsets));
    EXPECT_TRUE(cut_changes(cuts, p.b, p.a, rows));
    p.b.offsets.mut()[50] += 1; // a row of another length
    EXPECT_FALSE(cut_changes(cuts, p.b, p.a, rows));
    auto ints = io::Column::make("n", io::ColumnType::Int32);
    ints.mut<std::int32_t>() = {1, 2};
    EXPECT_FALSE(cut_changes(cuts, ints, ints, std::vector<std::uint32_t>{0, 1}));
}

// splice_compact: a few rows computed again, given compacted (Producer::produce_rows), put into a
// copy of the nominal's column: of the nominal's layout (replaced in place), of another (the
// column rebuilt), flat; and a compact column of the wrong shape is an error naming the product.
TEST(EventsRowMark, SpliceCompactPutsTheRowsIntoTheNominal) {
    auto nominal = io::Column::make("x", io::ColumnType::Float32);
    nominal.offsets = {0, 2, 2, 3, 5};
    nominal.mut<float>() = {1, 2, 3, 4, 5};
    auto same = io::Column::make("x", io::ColumnType::Float32); // rows 0 and 3, same lengths
    same.offsets = {0, 2, 4};
    same.mut<float>() = {10, 20, 40, 50};
    const std::vector<std::uint32_t> rows03{0, 3};
    io::Column out = splice_compact(nominal, same, rows03);
    EXPECT_EQ(out.offsets, nominal.offsets);
    EXPECT_EQ(out.as<float>()[0], 10);
    EXPECT_EQ(out.as<float>()[2], 3);
    EXPECT_EQ(out.as<float>()[4], 50);
    auto other = io::Column::make("x", io::ColumnType::Float32); // rows 1 and 3: 3 and 0 elements
    other.offsets = {0, 3, 3};
    other.mut<float>() = {7, 8, 9};
    out = splice_compact(nominal, other, std::vector<std::uint32_t>{1, 3});
    EXPECT_EQ(out.offsets, (std::vector<std::int64_t>{0, 2, 5, 6, 6}));
    const auto v = out.as<float>();
    EXPECT_EQ(std::vector<float>(v.begin(), v.end()), (std::vector<float>{1, 2, 7, 8, 9, 3}));
    auto flat = io::Column::make("m", io::ColumnType::Float64);
    flat.mut<double>() = {1, 2, 3};
    auto flat_rows = io::Column::make("m", io::ColumnType::Float64);
    flat_rows.mut<double>() = {9};
    out = splice_compact(flat, flat_rows, std::vector<std::uint32_t>{1});
    EXPECT_EQ(out.as<double>()[1], 9);
    EXPECT_EQ(out.as<double>()[2], 3);
    try {
        splice_compact(nominal, flat_rows, rows03);
        FAIL() << "a compact column of another type and shape";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("product 'x'"), std::string::npos) << e.what();
    }
}

// Flips placed where the block pass and the row look-up have their edges: the first element, the
// last element of the last row, rows behind long runs of empty rows, several flips in one row
// across a block boundary (blocks of 16 elements), one side NaN or infinite and the other finite;
// every row selected (the block pass). And collections without any element: no row flips.
TEST(EventsRowMark, CutChangesAtTheEdgesOfBlocksAndRows) {
    using Row = std::vector<std::pair<float, float>>; // (nominal, shifted) per element
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    std::vector<Row> layout;
    layout.push_back({{20.0f, 20.2f}});     // the very first element flips
    layout.insert(layout.end(), 70, Row{}); // a long run of empty rows
    Row wide(14, {5.0f, 5.05f});            // elements 1..14: no flip
    wide.push_back({19.9f, 20.099f});       // element 15: the first block's last
    wide.push_back({20.0f, 20.2f});         // element 16: the second block's first
    wide.push_back({nan, 25.0f});           // NaN against a value above the cut
    layout.push_back(wide);
    layout.insert(layout.end(), 40, Row{});
    layout.push_back({{inf, 3.0f}, {1.0f, 1.0f}}); // inf against a value below the cut
    layout.push_back({{-inf, 30.0f}});
    layout.insert(layout.end(), 33, Row{});
    layout.push_back({{1.0f, 1.0f}, {19.99f, 20.19f}}); // the last element of the last row
    Pair p{io::Column::make("x", io::ColumnType::Float32), io::Column::make("x", io::ColumnType::Float32)};
    p.a.offsets = p.b.offsets = {0};
    std::vector<std::uint32_t> all;
    for (std::size_t r = 0; r < layout.size(); ++r) {
        for (const auto& [a, b] : layout[r]) {
            p.a.mut<float>().push_back(a);
            p.b.mut<float>().push_back(b);
        }
        p.a.offsets.push_back(static_cast<std::int64_t>(p.a.mut<float>().size()));
        p.b.offsets.push_back(p.a.offsets.back());
        all.push_back(static_cast<std::uint32_t>(r));
    }
    check_cut_changes<float>(p, all, layout.size(), "placed flips, every row");
    const std::vector<expr::Threshold> at20{{expr::Op::gt, 20.0}};
    const auto mask = cut_changes(at20, p.b, p.a, all);
    ASSERT_TRUE(mask);
    std::vector<std::uint32_t> flipped;
    for (std::size_t r = 0; r < mask->size(); ++r)
        if ((*mask)[r])
            flipped.push_back(static_cast<std::uint32_t>(r));
    EXPECT_EQ(flipped, (std::vector<std::uint32_t>{0, 71, 112, 113, 147}));

    // No element at all: 0 events, and 50 empty rows.
    for (const std::size_t events : {0, 50}) {
        Pair none{io::Column::make("x", io::ColumnType::Float32),
                  io::Column::make("x", io::ColumnType::Float32)};
        none.a.offsets = none.b.offsets = std::vector<std::int64_t>(events + 1, 0);
        std::vector<std::uint32_t> rows;
        for (std::size_t r = 0; r < events; ++r)
            rows.push_back(static_cast<std::uint32_t>(r));
        const auto m = cut_changes(at20, none.b, none.a, rows);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->size(), events);
        EXPECT_EQ(std::count(m->begin(), m->end(), 1), 0);
    }
}

TEST(EventsRowMark, RowOfEveryElementOverManyLayouts) {
    // row_of against std::upper_bound over layouts of even, growing, bursty and mostly empty rows
    // (the guess in proportion lands far from the row there), from every starting row up to it
    std::mt19937_64 rng(11);
    for (int layout = 0; layout < 6; ++layout)
        for (const std::size_t events : {std::size_t{1}, std::size_t{5}, std::size_t{40}, std::size_t{700}}) {
            std::vector<std::int64_t> o{layout % 2 ? 7 : 0}; // a slice whose offsets start above 0
            for (std::size_t r = 0; r < events; ++r) {
                std::int64_t n = 0;
                switch (layout / 2) {
                case 0:
                    n = std::uniform_int_distribution<int>(0, 4)(rng);
                    break;
                case 1:
                    n = r < events / 2 ? 0 : static_cast<std::int64_t>(r % 13); // empty, then growing
                    break;
                default:
                    n = rng() % 50 == 0 ? 200 : 0; // rare bursts between empty rows
                    break;
                }
                o.push_back(o.back() + n);
            }
            const std::int64_t* end = o.data() + o.size();
            for (std::int64_t k = o.front(); k < o.back(); ++k) {
                // the row holding element k: the last offset ≤ k
                const auto want = std::upper_bound(o.begin(), o.end(), k) - 1;
                for (std::size_t from = 0; from <= static_cast<std::size_t>(want - o.begin());
                     from += 1 + from / 3) {
                    const std::int64_t* got = row_of(o.data() + from, end, k);
                    ASSERT_EQ(got - o.data(), want - o.begin())
                        << "layout " << layout << ", " << events << " events, element " << k << " from row "
                        << from;
                }
            }
        }
}

TEST(EventsBatch, EveryRowSharedByTheCopiesUntilOneChangesThem) {
    events::Schema schema;
    events::Batch a(schema, 0, 6);
    events::Batch b = a;
    ASSERT_EQ(a.rows().size(), 6u);
    EXPECT_EQ(a.rows().data(), b.rows().data()); // one list, not a copy per variant
    const std::vector<std::uint8_t> pass = {1, 0, 1, 1, 0, 0};
    b.narrow(pass);
    EXPECT_EQ(std::vector<std::uint32_t>(b.rows().begin(), b.rows().end()),
              (std::vector<std::uint32_t>{0, 2, 3}));
    EXPECT_EQ(std::vector<std::uint32_t>(a.rows().begin(), a.rows().end()),
              (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5})); // the copy's rows stay
    // exchanged for a step over some rows and back, while a copy still shares the list
    events::Batch c = a;
    std::vector<std::uint32_t> some = {1, 4};
    c.swap_rows(some);
    EXPECT_EQ(std::vector<std::uint32_t>(c.rows().begin(), c.rows().end()),
              (std::vector<std::uint32_t>{1, 4}));
    EXPECT_EQ(some.size(), 6u); // the list it had
    c.swap_rows(some);
    EXPECT_EQ(c.rows().size(), 6u);
    EXPECT_EQ(a.rows().size(), 6u);
    c.narrow(std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1});
    EXPECT_EQ(c.rows().size(), 1u);
    EXPECT_EQ(c.rows()[0], 5u);
    EXPECT_EQ(a.rows().size(), 6u);
    // alone with the list: exchanged without a copy
    events::Batch d(schema, 0, 3);
    const std::uint32_t* list = d.rows().data();
    std::vector<std::uint32_t> none;
    d.swap_rows(none);
    EXPECT_EQ(none.data(), list);
    d.set_rows({2});
    EXPECT_EQ(d.rows().size(), 1u);
    EXPECT_THROW(d.narrow(std::vector<std::uint8_t>{1, 1}), std::invalid_argument);
}
