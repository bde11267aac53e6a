// Compact flat columns (ColumnView::at_rows: values at some rows only, 0 in the others), against
// the same values as columns of every event with zeros where the compact ones have no value:
// hepkit::events stores products computed after selective filters so.
#include "ColumnsRandom.hpp"

#include <stdexcept>

using namespace hepkit;
using namespace hepkit::expr;
using namespace columns_test;

namespace {

// `b`'s flat columns x (float64), y (float32), k (int64, values near the int64 limits) and u64
// (uint64, values beyond int64 in some events) known only at `known`: as compact views (`compact`)
// and as whole columns with 0 in the other events (`zeroed`), the two sides to compare.
struct Pair {
    Batch compact, zeroed;
};

template <class T>
void restrict_to(const Batch& b, const std::string& name, const std::vector<std::uint32_t>& known, Pair& p) {
    const std::size_t slot = *b.schema.find(name);
    const auto* all = static_cast<const T*>(b.views[slot].values.data());
    auto values = std::make_shared<std::vector<T>>();
    auto zeroed = std::make_shared<std::vector<T>>(b.events, T{});
    for (const std::uint32_t r : known) {
        values->push_back(all[r]);
        (*zeroed)[r] = all[r];
    }
    p.compact.keep.push_back(values);
    p.zeroed.keep.push_back(zeroed);
    p.compact.views[slot] = ColumnView{};
    p.compact.views[slot].values = ArrayView(std::span<const T>(*values));
    p.compact.views[slot].at_rows = known;
    p.zeroed.views[slot].values = ArrayView(std::span<const T>(*zeroed));
}

Pair restricted(const Batch& b, const std::vector<std::uint32_t>& known) {
    Pair p{b, b};
    restrict_to<double>(b, "x", known, p);
    restrict_to<float>(b, "y", known, p);
    restrict_to<std::int64_t>(b, "k", known, p);
    restrict_to<std::uint64_t>(b, "u64", known, p);
    return p;
}

} // namespace

TEST(ExprColumnsCompact, GiveTheResultsOfZeroedColumns) {
    // grammar-generated expressions over row sets that are the compact columns' own rows (the
    // same list, an equal copy), parts of them, and rows beyond them: results and first errors
    // are those of the zeroed whole columns, columnar and compacted, with and without a
    // GatherCache
    const Batch b = random_batch(120, 7);
    std::vector<std::uint32_t> known;
    for (std::uint32_t r = 0; r < b.events; ++r)
        if (r % 7 == 2 || r % 11 == 5)
            known.push_back(r);
    const Pair p = restricted(b, known);
    std::vector<std::vector<std::uint32_t>> sets = row_sets(b.events, 3); // beyond them too
    sets.push_back(known);                                                // an equal copy
    std::vector<std::uint32_t> part, mixed;
    for (std::size_t k = 0; k < known.size(); ++k) {
        if (k % 3 != 1)
            part.push_back(known[k]);
        if (k % 2 == 0)
            mixed.push_back(known[k] + (k % 4 == 0 ? 1 : 0)); // half of them not known
    }
    sets.push_back(part);
    sets.push_back(mixed);
    RandomExpression gen(29);
    std::size_t compared = 0, reading = 0;
    for (int i = 0; i < 2500; ++i) {
        const std::string text = gen.make(1 + i % 5);
        const std::optional<Expression> e = parsed(text, b.schema);
        if (!e)
            continue;
        const auto used = e->slots_used();
        reading += std::any_of(used.begin(), used.end(),
                               [&](std::size_t s) { return p.compact.views[s].compact(); });
        for (std::size_t k = 0; k <= sets.size(); ++k) {
            // k == sets.size(): the compact columns' own list of rows, the same pointer
            const std::span<const std::uint32_t> rows = k < sets.size()
                                                            ? std::span<const std::uint32_t>(sets[k])
                                                            : std::span<const std::uint32_t>(known);
            SCOPED_TRACE(text + " (set " + std::to_string(k) + ")");
            for (const bool compact : {false, true})
                for (const bool cache : {false, true}) {
                    GatherCache gathers;
                    Reuse reuse;
                    if (cache)
                        reuse.gathers = &gathers;
                    auto run = [&](const Batch& on) {
                        std::pair<ColumnResult, std::string> out;
                        try {
                            out.first = compact ? evaluate_rows(*e, on.views, on.events, rows, 0, reuse)
                                                : evaluate_columns(*e, on.views, on.events, rows, 0, reuse);
                        } catch (const InputError& x) {
                            out.second = x.what();
                        }
                        return out;
                    };
                    const auto want = run(p.zeroed);
                    const auto got = run(p.compact);
                    ASSERT_EQ(got.second, want.second);
                    if (want.second.empty()) {
                        ASSERT_EQ(difference(want.first, got.first), "");
                    }
                    ++compared;
                }
        }
    }
    EXPECT_GT(reading, 300u); // expressions that read a compact column
    EXPECT_GT(compared, 10000u);
}

TEST(ExprColumnsCompact, UnknownRowsReadZero) {
    const Batch b = random_batch(20, 1);
    const std::vector<std::uint32_t> known = {2, 5, 9};
    const Pair p = restricted(b, known);
    const Expression e = Expression::parse("x + 1", b.schema);
    const std::vector<std::uint32_t> rows = {1, 2, 3, 9, 19};
    const ColumnResult r = evaluate_rows(e, p.compact.views, b.events, rows);
    const auto* x = static_cast<const double*>(b.views[*b.schema.find("x")].values.data());
    ASSERT_EQ(r.reals.size(), 5u);
    EXPECT_EQ(r.reals[0], 1.0);
    EXPECT_TRUE(r.reals[1] == x[2] + 1 || (std::isnan(r.reals[1]) && std::isnan(x[2])));
    EXPECT_EQ(r.reals[2], 1.0);
    EXPECT_TRUE(r.reals[3] == x[9] + 1 || (std::isnan(r.reals[3]) && std::isnan(x[9])));
    EXPECT_EQ(r.reals[4], 1.0);
}

TEST(ExprColumnsCompact, BadViewsNamed) {
    const Batch b = random_batch(20, 1);
    const Expression e = Expression::parse("x * 2", b.schema);
    const std::size_t slot = *b.schema.find("x");
    const std::vector<double> values = {1.0, 2.0, 3.0};
    const std::vector<std::uint32_t> good = {1, 4, 7}, unordered = {4, 1, 7}, twice = {1, 4, 4},
                                     beyond = {1, 4, 20}, fewer = {1, 4};
    auto with = [&](const std::vector<std::uint32_t>& at) {
        std::vector<ColumnView> views = b.views;
        views[slot] = ColumnView{};
        views[slot].values = ArrayView(std::span<const double>(values));
        views[slot].at_rows = at;
        return views;
    };
    const std::vector<std::uint32_t> rows = {1, 2, 7};
    EXPECT_NO_THROW(evaluate_columns(e, with(good), b.events, rows));
    for (const auto* at : {&unordered, &twice, &beyond, &fewer}) {
        try {
            evaluate_columns(e, with(*at), b.events, rows);
            ADD_FAILURE() << "no error for rows of size " << at->size();
        } catch (const std::invalid_argument& x) {
            EXPECT_NE(std::string(x.what()).find("column 'x' is given at"), std::string::npos) << x.what();
        }
    }
}
