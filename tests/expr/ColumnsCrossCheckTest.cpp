// Columnar evaluation against Expression::evaluate on every event (the per-event evaluator, called
// through Bindings filled by the test): a broad set of expressions and grammar-generated random
// ones over random flat and jagged columns of every element type (empty events, NaN, inf, int
// overflow, out-of-range indices), over several row subsets; deep expressions; threads.
#include "ColumnsRandom.hpp"

using namespace hepkit;
using namespace hepkit::expr;
using namespace columns_test;

TEST(ExprColumnsCrossCheck, EqualsPerEventEvaluationOnEveryRowSet) {
    // Expression::evaluate on each row is the definition; evaluate_columns must give the same
    // types, values (bit for bit, NaN where NaN) and, where a row fails, the same first error.
    std::size_t passed = 0, failed = 0; // expressions over all rows of the big batches
    for (const unsigned seed : {1u, 2u, 3u}) {
        const Batch b = random_batch(seed == 3 ? 7 : 240, seed);
        for (const std::string& text : cross_check_expressions()) {
            const Expression e = Expression::parse(text, b.schema);
            for (const auto& rows : row_sets(b.events, seed)) {
                SCOPED_TRACE(text + " (seed " + std::to_string(seed) + ", " + std::to_string(rows.size()) +
                             " rows)");
                const Reference want = reference(e, b, rows, 500);
                std::string error;
                ColumnResult got;
                const std::uint64_t fallbacks = detail::per_event_fallbacks();
                try {
                    got = evaluate_columns(e, b.views, b.events, rows, 500);
                } catch (const InputError& x) {
                    error = x.what();
                }
                ASSERT_EQ(error, want.error);
                if (rows.size() == b.events && b.events > 100)
                    ++(error.empty() ? passed : failed);
                if (!error.empty()) {
                    // the compact result stops at the same first error
                    std::string compact_error;
                    try {
                        evaluate_rows(e, b.views, b.events, rows, 500);
                    } catch (const InputError& x) {
                        compact_error = x.what();
                    }
                    ASSERT_EQ(compact_error, error);
                    continue;
                }
                ASSERT_EQ(difference(want.result, got), "");
                // without an error the columnar pass did the work, not the per-event fallback
                ASSERT_EQ(detail::per_event_fallbacks(), fallbacks);
                // the per-event path of the same interface agrees too
                ASSERT_EQ(
                    difference(want.result, evaluate_columns_per_event(e, b.views, b.events, rows, 500)), "");
                // and the compact result holds the same values, one per row (an array per row)
                const ColumnResult compact = evaluate_rows(e, b.views, b.events, rows, 500);
                ASSERT_EQ(compact.events, rows.size());
                auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
                if (!is_array(e.type())) {
                    for (std::size_t k = 0; k < rows.size(); ++k)
                        ASSERT_TRUE(same(compact.real_at(k), got.real_at(rows[k]))) << "row " << rows[k];
                } else {
                    ASSERT_EQ(compact.offsets.size(), rows.size() + 1);
                    ASSERT_EQ(compact.offsets.front(), 0);
                    for (std::size_t k = 0; k < rows.size(); ++k) {
                        const std::int64_t n = compact.offsets[k + 1] - compact.offsets[k];
                        ASSERT_EQ(n, got.offsets[rows[k] + 1] - got.offsets[rows[k]]) << "row " << rows[k];
                        for (std::int64_t i = 0; i < n; ++i)
                            ASSERT_TRUE(
                                same(compact.real_at(static_cast<std::size_t>(compact.offsets[k] + i)),
                                     got.real_at(static_cast<std::size_t>(got.offsets[rows[k]] + i))))
                                << "row " << rows[k] << ", element " << i;
                    }
                }
            }
        }
    }
    // both kinds are exercised: results compared, and first errors compared
    EXPECT_GT(passed, 2 * 150u);
    EXPECT_GT(failed, 2 * 20u);
    std::printf("all rows: %zu evaluations compared, %zu stopped at an error\n", passed, failed);
}

TEST(ExprColumnsCrossCheck, DeepExpressionsAndLongChains) {
    // as deep as the parser allows (400 levels): the columnar pass recurses as the per-event one
    const Batch b = random_batch(300, 4);
    std::string sum = "x", cut = "len(Mu_pt) > 0", chain = "-1000";
    for (int i = 0; i < 350; ++i) {
        sum.append(" + x * ").append(std::to_string(i));
        cut.append(" and Mu_pt[0] > ").append(std::to_string(i % 7));
    }
    for (int i = 0; i < 50; ++i)
        chain += " < x";
    for (const std::string& text : {sum, cut, chain, std::string(190, '(') + "x" + std::string(190, ')'),
                                    std::string(390, '-') + "x"}) {
        const Expression e = Expression::parse(text, b.schema);
        for (const auto& rows : row_sets(b.events, 4)) {
            const Reference want = reference(e, b, rows, 0);
            ASSERT_EQ(want.error, "");
            ASSERT_EQ(difference(want.result, evaluate_columns(e, b.views, b.events, rows)), "")
                << text.substr(0, 60);
        }
    }
}

TEST(ExprColumnsElements, StricterColumnarPassFallsBackToThePerEventResult) {
    // any() per event stops at the first true element, so an unreadable uint64 after it is never
    // read; the columnar pass converts the whole column, stops, and the per-event result stands
    Batch b;
    b.events = 2;
    b.jagged<std::uint64_t>("id", {0, 2, 3}, {5, 18446744073709551615ull, 0});
    const Expression e = Expression::parse("any(id)", b.schema);
    const std::vector<std::uint32_t> rows = all_rows(2);
    const std::uint64_t before = detail::per_event_fallbacks();
    EXPECT_EQ(evaluate_columns(e, b.views, 2, rows).bools, (std::vector<std::uint8_t>{1, 0}));
    EXPECT_EQ(detail::per_event_fallbacks(), before + 1);
    // where the per-event evaluator reads it too, it is the error
    EXPECT_THROW(evaluate_columns(Expression::parse("sum(id)", b.schema), b.views, 2, rows), InputError);
    // storage of zeros given for a float result (Reuse::reals) is consumed by the columnar pass
    // that then stops; the per-event result stands, 0 where it is not evaluated
    const Expression f = Expression::parse("where(any(id), 1.5, 2.5)", b.schema);
    std::vector<double> zeros(2, 0.0);
    Reuse reuse;
    reuse.reals = &zeros;
    const std::vector<std::uint32_t> first{0};
    EXPECT_EQ(evaluate_columns(f, b.views, 2, first, 0, reuse).reals, (std::vector<double>{1.5, 0.0}));
    EXPECT_TRUE(zeros.empty());
}

TEST(ExprColumnsElements, UnreadableScalarIsAnErrorAlsoWhereALazyPartSkipsIt) {
    // per event every scalar the expression names is bound before it runs: the uint64 of event 1
    // is an error there even though `flag and ...` would not look at it; the same here
    Batch b;
    b.events = 3;
    b.flat_bool("flag", {1, 0, 1});
    b.flat<std::uint64_t>("event", {7, 18446744073709551615ull, 9});
    const Expression e = Expression::parse("flag and event > 8", b.schema);
    const std::vector<std::uint32_t> rows = all_rows(3);
    const Reference want = reference(e, b, rows, 0);
    ASSERT_NE(want.error, "");
    try {
        evaluate_columns(e, b.views, 3, rows);
        FAIL() << "no error";
    } catch (const InputError& x) {
        EXPECT_EQ(x.what(), want.error);
    }
    const std::vector<std::uint32_t> skip{0, 2};
    EXPECT_EQ(evaluate_columns(e, b.views, 3, skip).bools, (std::vector<std::uint8_t>{0, 0, 1}));
}

TEST(ExprColumnsElements, ThreadsEvaluateIndependently) {
    // one batch, four threads, each with its own buffers: the results are the single-thread ones
    const Batch b = random_batch(2000, 5);
    const Expression e =
        Expression::parse("where(len(Mu_pt) > 1, Mu_pt[1] * x, -1.0) + sum(Jet_eta > 0)", b.schema);
    const std::vector<std::uint32_t> rows = all_rows(b.events);
    const ColumnResult want = evaluate_columns(e, b.views, b.events, rows);
    std::vector<std::string> diffs(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20 && diffs[t].empty(); ++i)
                diffs[t] = difference(want, evaluate_columns(e, b.views, b.events, rows));
        });
    for (auto& t : threads)
        t.join();
    for (const auto& d : diffs)
        EXPECT_EQ(d, "");
}

TEST(ExprColumnsCrossCheck, RandomExpressionsEqualPerEventEvaluation) {
    // grammar-generated expressions: combinations no list thinks of (a where inside an index
    // inside a chain ...), each over every row set, against the per-event evaluator
    const Batch b = random_batch(120, 6);
    RandomExpression gen(6);
    std::size_t checked = 0, errors = 0;
    for (int i = 0; i < 6000; ++i) {
        const std::string text = gen.make(1 + i % 5);
        std::optional<Expression> e;
        try {
            e = Expression::parse(text, b.schema);
        } catch (const InputError&) {
            continue; // not well typed (an array's truth value, a float index ...)
        }
        for (const auto& rows : row_sets(b.events, 6)) {
            SCOPED_TRACE(text + " (" + std::to_string(rows.size()) + " rows)");
            const Reference want = reference(*e, b, rows, 0);
            std::string error;
            ColumnResult got;
            const std::uint64_t fallbacks = detail::per_event_fallbacks();
            try {
                got = evaluate_columns(*e, b.views, b.events, rows);
            } catch (const InputError& x) {
                error = x.what();
            }
            ASSERT_EQ(error, want.error);
            if (error.empty()) {
                ASSERT_EQ(difference(want.result, got), "");
                ASSERT_EQ(detail::per_event_fallbacks(), fallbacks); // done columnar
            }
            if (e->type() == Type::real) { // the same with storage of zeros taken over (Reuse::reals)
                std::vector<double> zeros(b.events, 0.0);
                Reuse reuse;
                reuse.reals = &zeros;
                std::string error2;
                try {
                    got = evaluate_columns(*e, b.views, b.events, rows, 0, reuse);
                } catch (const InputError& x) {
                    error2 = x.what();
                }
                ASSERT_EQ(error2, want.error);
                if (error2.empty()) {
                    ASSERT_EQ(difference(want.result, got), "");
                }
            }
            ++(error.empty() ? checked : errors);
        }
    }
    EXPECT_GT(checked, 2000u);
    EXPECT_GT(errors, 200u);
    std::printf("random expressions: %zu evaluations compared, %zu first errors compared\n", checked, errors);
}
