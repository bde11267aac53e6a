// Columnar evaluation reusing earlier work: gathers kept for later evaluations over the same rows
// (GatherCache) and costly subexpressions kept from a recording (KeptValues), each against the
// evaluation without them.
#include "ColumnsRandom.hpp"

using namespace hepkit;
using namespace hepkit::expr;
using namespace columns_test;

TEST(ExprColumnsCrossCheck, GatherCacheGivesTheSameResults) {
    // grammar-generated expressions one after the other over fixed row sets, each set with its
    // own GatherCache (kept across the expressions, as hepkit::events keeps one per batch): the
    // results and first errors are those without the cache, columnar and compacted
    const Batch b = random_batch(120, 6);
    RandomExpression gen(16);
    // row_sets' six sets (their scattered ones are too many rows to keep gathers: more than 1/8
    // of the events) and three of few scattered rows
    auto sets = row_sets(b.events, 9);
    sets.push_back({3, 17, 18, 40, 41, 42, 99});
    sets.push_back({0, 119});
    sets.push_back({5, 6, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 100});
    std::vector<GatherCache> caches(sets.size());
    std::size_t compared = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string text = gen.make(1 + i % 5);
        std::optional<Expression> e;
        try {
            e = Expression::parse(text, b.schema);
        } catch (const InputError&) {
            continue;
        }
        for (std::size_t k = 0; k < sets.size(); ++k) {
            SCOPED_TRACE(text + " (" + std::to_string(sets[k].size()) + " rows)");
            Reuse reuse;
            reuse.gathers = &caches[k];
            for (const bool compact : {false, true}) {
                auto run = [&](const Reuse& r) {
                    std::pair<ColumnResult, std::string> out;
                    try {
                        out.first = compact ? evaluate_rows(*e, b.views, b.events, sets[k], 0, r)
                                            : evaluate_columns(*e, b.views, b.events, sets[k], 0, r);
                    } catch (const InputError& x) {
                        out.second = x.what();
                    }
                    return out;
                };
                const auto want = run(Reuse{});
                const auto got = run(reuse);
                ASSERT_EQ(got.second, want.second);
                if (want.second.empty()) {
                    ASSERT_EQ(difference(want.first, got.first), "");
                }
                ++compared;
            }
        }
    }
    std::size_t kept = 0;
    for (const auto& c : caches)
        kept += c.size();
    EXPECT_GT(kept, 0u); // scattered sets kept gathers
    EXPECT_GT(compared, 4000u);
    // Lookups hit: evaluating again adds nothing. Another span of the same size, first and last
    // row but another middle row is another key (its own gathers, the right values).
    const Expression e = Expression::parse("sum(Mu_pt) + sum(Jet_eta * 2)", b.schema);
    std::vector<std::uint32_t> rows = {1, 5, 9, 40, 77, 119};
    GatherCache cache;
    Reuse reuse;
    reuse.gathers = &cache;
    const ColumnResult first = evaluate_columns(e, b.views, b.events, rows, 0, reuse);
    const std::size_t size = cache.size();
    EXPECT_EQ(size, 2u);
    EXPECT_EQ(difference(first, evaluate_columns(e, b.views, b.events, rows, 0, reuse)), "");
    EXPECT_EQ(cache.size(), size);
    std::vector<std::uint32_t> other = {1, 5, 10, 40, 77, 119};
    EXPECT_EQ(difference(evaluate_columns(e, b.views, b.events, other),
                         evaluate_columns(e, b.views, b.events, other, 0, reuse)),
              "");
    EXPECT_EQ(cache.size(), 2 * size);
}

namespace {

// `b` with x and Mu_pt scaled by 1.01 (a systematic shift of two columns): the other slots are
// the same columns.
Batch shifted(const Batch& b, std::vector<std::uint8_t>& same) {
    Batch s = b;
    same.assign(b.views.size(), 1);
    const auto x = *b.schema.find("x");
    const auto pt = *b.schema.find("Mu_pt");
    auto xs = std::make_shared<std::vector<double>>();
    for (std::size_t i = 0; i < b.events; ++i)
        xs->push_back(b.views[x].values[i].as_real() * 1.01);
    auto pts = std::make_shared<std::vector<float>>();
    for (std::size_t i = 0; i < b.views[pt].values.size(); ++i)
        pts->push_back(static_cast<float>(b.views[pt].values[i].as_real() * 1.01));
    s.keep.push_back(xs);
    s.keep.push_back(pts);
    s.views[x].values = ArrayView(std::span<const double>(*xs));
    s.views[pt].values = ArrayView(std::span<const float>(*pts));
    same[x] = same[pt] = 0;
    return s;
}

} // namespace

TEST(ExprColumnsCrossCheck, KeptSubexpressionsGiveTheSameResults) {
    // An evaluation that takes costly calls from a recording over other rows (a shift's events vs
    // the nominal's) and partly other columns equals one without: values bit for bit, first
    // errors, compact results.
    const Batch b = random_batch(240, 7);
    std::vector<std::uint8_t> same;
    const Batch s = shifted(b, same);
    std::vector<std::string> texts = cross_check_expressions();
    for (const char* t : {"sum(Mu_pt * cos(Mu_eta))", "cos(x) + sin(y)", "exp(cos(Mu_eta)) * Mu_pt",
                          "where(Mu_pt > 20, cosh(Mu_eta), sinh(Mu_eta))", "atan2(y, x) + atan2(y, 1.0)",
                          "len(Mu_eta) > 0 and cos(Mu_eta[0]) > 0.5", "max(log(Jet_pt))",
                          "sum(Mu_pt * cosh(Mu_eta)) > 30 and tanh(y) > 0"})
        texts.push_back(t);
    RandomExpression gen(8);
    for (int i = 0; i < 1500; ++i)
        texts.push_back(gen.make(1 + i % 5));
    const auto sets = row_sets(b.events, 7);
    std::size_t compared = 0, reused = 0;
    for (const std::string& text : texts) {
        std::optional<Expression> e;
        try {
            e = Expression::parse(text, b.schema);
        } catch (const InputError&) {
            continue;
        }
        for (std::size_t a = 0; a < sets.size(); ++a) {
            const auto& recorded = sets[a];
            const auto& rows = sets[(a + 4) % sets.size()]; // other rows, and the same rows
            for (const auto* now : {&recorded, &rows}) {
                SCOPED_TRACE(text + " (" + std::to_string(recorded.size()) + " rows recorded, " +
                             std::to_string(now->size()) + " now)");
                auto run = [&](auto f) {
                    std::string error;
                    ColumnResult r;
                    try {
                        r = f();
                    } catch (const InputError& x) {
                        error = x.what();
                    }
                    return std::make_pair(std::move(r), error);
                };
                KeptValues kept;
                const Reuse record{&kept, true, {}};
                const auto plain = run([&] { return evaluate_columns(*e, b.views, b.events, recorded); });
                const auto rec =
                    run([&] { return evaluate_columns(*e, b.views, b.events, recorded, 0, record); });
                ASSERT_EQ(rec.second, plain.second);
                ASSERT_EQ(difference(plain.first, rec.first), "");
                const Reuse use{&kept, false, same};
                const auto want = run([&] { return evaluate_columns(*e, s.views, s.events, *now); });
                const auto got = run([&] { return evaluate_columns(*e, s.views, s.events, *now, 0, use); });
                ASSERT_EQ(got.second, want.second);
                ASSERT_EQ(difference(want.first, got.first), "");
                const auto cw = run([&] { return evaluate_rows(*e, s.views, s.events, *now); });
                const auto cg = run([&] { return evaluate_rows(*e, s.views, s.events, *now, 0, use); });
                ASSERT_EQ(cg.second, cw.second);
                ASSERT_EQ(difference(cw.first, cg.first), "");
                ++compared;
                reused += kept.size() > 0 && got.second.empty();
            }
        }
    }
    EXPECT_GT(compared, 3000u);
    EXPECT_GT(reused, 300u);
    std::printf("kept subexpressions: %zu evaluations compared, %zu with kept values\n", compared, reused);

    // The kept values are what is used: a caller that wrongly calls a changed column the same
    // gets the recording's cos(Mu_pt), not the shifted one's.
    const Expression e = Expression::parse("sum(cos(Mu_pt))", b.schema);
    const auto all = all_rows(b.events);
    KeptValues kept;
    evaluate_columns(e, b.views, b.events, all, 0, Reuse{&kept, true, {}});
    EXPECT_EQ(kept.size(), 1u);
    const std::vector<std::uint8_t> lie(b.views.size(), 1);
    EXPECT_EQ(difference(evaluate_columns(e, b.views, b.events, all),
                         evaluate_columns(e, s.views, s.events, all, 0, Reuse{&kept, false, lie})),
              "");
    EXPECT_NE(difference(evaluate_columns(e, s.views, s.events, all),
                         evaluate_columns(e, s.views, s.events, all, 0, Reuse{&kept, false, lie})),
              "");
    // and values kept for another expression are not — also one parsed where the recorded one was
    // (the same address, the same node ids)
    const Expression other = Expression::parse("sum(cos(Mu_pt))", b.schema);
    EXPECT_EQ(difference(evaluate_columns(other, s.views, s.events, all),
                         evaluate_columns(other, s.views, s.events, all, 0, Reuse{&kept, false, lie})),
              "");
    std::optional<Expression> in_place = Expression::parse("sum(cos(Mu_pt))", b.schema);
    KeptValues kept_here;
    evaluate_columns(*in_place, b.views, b.events, all, 0, Reuse{&kept_here, true, {}});
    in_place = Expression::parse("sum(sin(Mu_pt))", b.schema);
    EXPECT_EQ(
        difference(evaluate_columns(*in_place, b.views, b.events, all),
                   evaluate_columns(*in_place, b.views, b.events, all, 0, Reuse{&kept_here, false, lie})),
        "");
}
