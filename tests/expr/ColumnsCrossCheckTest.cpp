// Columnar evaluation against Expression::evaluate on every event (the per-event evaluator, called
// through Bindings filled by the test): a broad set of expressions and grammar-generated random
// ones over random flat and jagged columns of every element type (empty events, NaN, inf, int
// overflow, out-of-range indices), over several row subsets; deep expressions; threads.
#include "ColumnsTestSupport.hpp"

using namespace hepkit;
using namespace hepkit::expr;
using namespace columns_test;

namespace {

// Random events: scalars of every element type, two collections (Mu: 0–4 per event, Jet: 0–6)
// with columns of every element type; offsets that start above 0 (a batch inside a cluster);
// NaN, ±inf, −0 among the floats; ints near the int64 limits in a few events (overflow).
Batch random_batch(std::size_t events, unsigned seed) {
    std::mt19937_64 rng(seed);
    auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
    auto integer = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    auto real = [&]() -> double {
        const double u = uniform(0, 1);
        if (u < 0.03)
            return std::nan("");
        if (u < 0.04)
            return std::numeric_limits<double>::infinity();
        if (u < 0.05)
            return -0.0;
        if (u < 0.10)
            return 0.0;
        return uniform(-3, 60);
    };
    auto big = [&]() -> std::int64_t {
        const double u = uniform(0, 1);
        if (u < 0.03)
            return integer(INT64_MAX / 2, INT64_MAX);
        if (u < 0.06)
            return integer(INT64_MIN, INT64_MIN / 2);
        return integer(-20, 20);
    };
    Batch b;
    b.events = events;
    std::vector<double> x;
    std::vector<float> y;
    std::vector<std::int64_t> k;
    std::vector<std::int32_t> n;
    std::vector<std::int16_t> s16;
    std::vector<std::uint16_t> u16;
    std::vector<std::int8_t> s8;
    std::vector<std::uint8_t> u8, flag;
    std::vector<std::uint32_t> u32;
    std::vector<std::uint64_t> u64;
    for (std::size_t i = 0; i < events; ++i) {
        x.push_back(real());
        y.push_back(static_cast<float>(real()));
        k.push_back(big());
        n.push_back(static_cast<std::int32_t>(integer(-3, 5)));
        s16.push_back(static_cast<std::int16_t>(integer(-32768, 32767)));
        u16.push_back(static_cast<std::uint16_t>(integer(0, 65535)));
        s8.push_back(static_cast<std::int8_t>(integer(-128, 127)));
        u8.push_back(static_cast<std::uint8_t>(integer(0, 255)));
        flag.push_back(static_cast<std::uint8_t>(integer(0, 1)));
        u32.push_back(static_cast<std::uint32_t>(integer(0, 4294967295)));
        u64.push_back(static_cast<std::uint64_t>(integer(0, 3)) * 3000000000000000000ull);
    }
    b.flat("x", x);
    b.flat("y", y);
    b.flat("k", k);
    b.flat("n", n);
    b.flat("s16", s16);
    b.flat("u16", u16);
    b.flat("s8", s8);
    b.flat("u8", u8);
    b.flat_bool("flag", flag);
    b.flat("u32", u32);
    b.flat("u64", u64);

    for (const std::string coll : {"Mu", "Jet"}) {
        const std::int64_t most = coll == "Mu" ? 4 : 6;
        std::vector<std::int64_t> off{integer(0, 3)}; // content before the batch's first event
        for (std::size_t i = 0; i < events; ++i)
            off.push_back(off.back() + (uniform(0, 1) < 0.2 ? 0 : integer(0, most)));
        const auto size = static_cast<std::size_t>(off.back()) + static_cast<std::size_t>(integer(0, 2));
        std::vector<float> pt;
        std::vector<double> eta;
        std::vector<std::int32_t> q;
        std::vector<std::int8_t> id;
        std::vector<std::uint8_t> ok, u8c;
        std::vector<std::int16_t> i16c;
        std::vector<std::uint16_t> u16c;
        std::vector<std::uint32_t> u32c;
        std::vector<std::uint64_t> u64c;
        std::vector<std::int64_t> i64c;
        for (std::size_t j = 0; j < size; ++j) {
            pt.push_back(static_cast<float>(uniform(0, 1) < 0.9 ? uniform(0, 80) : real()));
            eta.push_back(uniform(0, 1) < 0.9 ? uniform(-3, 3) : real());
            q.push_back(static_cast<std::int32_t>(integer(-1, 1)));
            id.push_back(static_cast<std::int8_t>(integer(-13, 13)));
            ok.push_back(static_cast<std::uint8_t>(integer(0, 1)));
            u8c.push_back(static_cast<std::uint8_t>(integer(0, 255)));
            i16c.push_back(static_cast<std::int16_t>(integer(-300, 300)));
            u16c.push_back(static_cast<std::uint16_t>(integer(0, 65535)));
            u32c.push_back(static_cast<std::uint32_t>(integer(0, 4294967295)));
            u64c.push_back(static_cast<std::uint64_t>(integer(0, 1000)));
            i64c.push_back(big());
        }
        b.jagged(coll + "_pt", off, pt);
        b.jagged(coll + "_eta", off, eta);
        b.jagged(coll + "_q", off, q);
        b.jagged(coll + "_id", off, id);
        b.jagged_bool(coll + "_ok", off, ok);
        b.jagged(coll + "_u8", off, u8c);
        b.jagged(coll + "_i16", off, i16c);
        b.jagged(coll + "_u16", off, u16c);
        b.jagged(coll + "_u32", off, u32c);
        b.jagged(coll + "_u64", off, u64c);
        b.jagged(coll + "_i64", off, i64c);
    }
    return b;
}

const std::vector<std::string>& cross_check_expressions() {
    static const std::vector<std::string> list = {
        // literals and constants
        "2 + 3",
        "True",
        "pi * x",
        "inf > x",
        "1 // 0",
        "9223372036854775807 + 1",
        "-(2 ** 3)",
        "2 ** 0.5",
        // scalar arithmetic, every element type
        "x + y",
        "x * 1.01",
        "k + n",
        "n * 3",
        "k * k",
        "k - k",
        "k + k",
        "x / y",
        "n / 0",
        "x / 0",
        "k // n",
        "k % n",
        "x // y",
        "x % y",
        "y % -2.5",
        "-x",
        "-k",
        "+flag",
        "-flag",
        "+n",
        "x ** 2",
        "n ** 2",
        "k ** 3",
        "2 ** n",
        "y ** 0.5",
        "flag + flag",
        "True + n",
        "not flag",
        "not x",
        "not n",
        "s16 * u16 + s8 - u8",
        "u32 * u32",
        "u64 + u64 + u64",
        "u64 * 4",
        "s8 // 7",
        "u16 % 10",
        "n ** 0",
        "flag * 1.5",
        "x * flag",
        // comparisons, chained
        "x < y",
        "n == k",
        "0 < x <= 1",
        "n < k < 10",
        "x == x",
        "u64 > 5",
        "s8 < u8",
        "flag == True",
        "x != y",
        "flag < n <= k",
        "y >= x",
        "k > 4.5",
        "9007199254740993 == k + 9007199254740993 - k",
        // logical
        "x > 0 and y > 0",
        "n != 0 and k // n > 1",
        "n == 0 or k % n == 0",
        "flag or x > 0.5",
        "not (x > 1)",
        "x and y",
        "n or k",
        "x > 0.5 and (n > 0 or k // n > 0)",
        "x > 0 or 1 // 0 > 0",
        "flag and n != 0 and k % n == 1",
        // functions
        "sqrt(x)",
        "abs(n)",
        "abs(k)",
        "abs(x)",
        "abs(flag)",
        "exp(y)",
        "log(x)",
        "sin(x) + cos(y)",
        "atan2(x, y)",
        "hypot(x, y)",
        "pow(x, 2)",
        "min(n, k)",
        "max(x, n)",
        "max(flag, n)",
        "min(flag, flag)",
        "gamma(y)",
        "lgamma(x)",
        "erf(x)",
        "tanh(x)",
        "cosh(x) - cos(y)",
        "log10(u32)",
        "expm1(s8 / 100)",
        "np.fmin(x, y)",
        "maximum(u8, s8)",
        // jagged, elementwise and broadcast
        "Mu_pt",
        "Mu_ok",
        "Mu_q",
        "Mu_pt * 1.01",
        "Mu_pt + Mu_eta",
        "Mu_pt + Jet_pt",
        "Mu_pt * x",
        "x * Mu_pt",
        "abs(Mu_eta) < 2.4",
        "Mu_q * Mu_id",
        "Mu_q // n",
        "n // Mu_q",
        "-Mu_q",
        "-Mu_ok",
        "+Mu_ok",
        "sqrt(Mu_pt)",
        "exp(Mu_eta)",
        "abs(Mu_q)",
        "abs(Mu_i64)",
        "-Mu_i64",
        "Mu_u64 + 1",
        "Mu_u8 * Mu_i16",
        "Mu_u16 + Mu_u32",
        "10 < Mu_pt < 40",
        "Mu_pt > x",
        "x < Mu_pt < y",
        "Mu_pt > Mu_eta",
        "Mu_q == Mu_id",
        "Mu_ok == flag",
        "min(Mu_pt, Mu_eta)",
        "max(Mu_q, 0)",
        "max(Mu_q, Mu_ok)",
        "atan2(Mu_eta, Mu_pt)",
        "hypot(Mu_pt, 3)",
        "Mu_pt ** 2",
        "Mu_q ** 2",
        "Mu_i64 * Mu_i64",
        "Mu_i64 + k",
        "Mu_pt % 3",
        "Mu_q % 2 == 0",
        "Mu_pt / Mu_eta",
        "Mu_i64 // Mu_q",
        "Mu_pt * Mu_ok",
        "(Mu_pt * 2)[0] > 1",
        "Jet_pt * Jet_eta",
        "Mu_id < Mu_q < Mu_i16",
        // where
        "where(Mu_ok, Mu_pt, 0.0)",
        "where(Mu_pt > 20, Mu_pt, Mu_eta)",
        "where(flag, Mu_pt, -1)",
        "where(flag, 1, Mu_q)",
        "where(flag, x, n)",
        "where(flag, n, k)",
        "where(flag, flag, x > 0)",
        "where(n > 0, k // n, -1)",
        "where(Mu_ok, 1, 0)",
        "where(Mu_q > 0, Mu_q, Jet_pt)",
        "where(x, n, flag)",
        "where(Mu_ok, Mu_q, flag)",
        "where(Mu_q, Mu_ok, Mu_ok)",
        "where(n != 0, Mu_q // n, Mu_q)",
        "where(flag, Mu_ok, flag)",
        "where(x > 1, Mu_pt, Jet_pt)",
        "sum(where(Mu_q > 0, Mu_pt, 0.0))",
        "where(len(Mu_pt) > 0, Mu_pt[0], -1.0)",
        "where(flag, 1 // 0, 2)",
        // reductions
        "len(Mu_pt)",
        "len(Mu_pt * 2)",
        "sum(Mu_pt)",
        "sum(Mu_q)",
        "sum(Mu_ok)",
        "sum(Jet_eta > 0.5)",
        "sum(Mu_i64)",
        "sum(Mu_u64)",
        "max(Mu_pt)",
        "min(Mu_q)",
        "max(Mu_ok)",
        "min(Mu_eta)",
        "max(Mu_i64)",
        "any(Mu_ok)",
        "all(Mu_pt > 10)",
        "any(Mu_pt)",
        "all(Mu_eta)",
        "any(Mu_q)",
        "all(Mu_q)",
        "np.sum(Mu_u8)",
        "len(Mu_pt) > 0 and max(Mu_pt) > 20",
        "where(len(Mu_pt) > 0, max(Mu_pt), -1.0)",
        "len(Jet_pt) >= 4 and sum(Jet_eta > 0.5) >= 1",
        "sum(Mu_pt * 2) > x",
        "any(abs(Mu_eta) > 2.4)",
        "sum(Mu_pt > 20) >= 2",
        "len(Mu_pt) == len(Jet_pt)",
        "sum(Jet_pt) + sum(Mu_pt)",
        "len(Mu_pt) > 0 and min(Mu_eta) < 0",
        "max(Mu_q * 3)",
        // indexing
        "Mu_pt[0]",
        "Mu_pt[-1]",
        "Mu_q[n]",
        "Mu_q[1]",
        "len(Mu_pt) > 1 and Mu_pt[1] > 10",
        "Mu_ok[0]",
        "len(Mu_pt) > 0 and Mu_ok[-1]",
        "Mu_pt[True]",
        "Mu_u8[k]",
        "len(Mu_pt) > 2 and Mu_i64[2] > 0",
        "len(Mu_q) > 0 and Mu_q[-len(Mu_q)] == Mu_q[0]",
        "len(Mu_pt) > 0 and Mu_pt[0] > 25 and abs(Mu_eta[0]) < 2.4",
        "len(Mu_pt) >= 2 and sqrt(2*Mu_pt[0]*Mu_pt[1]*(cosh(Mu_eta[0]-Mu_eta[1])-cos(x-y))) > 50",
        "len(Mu_pt) >= 2 and Mu_q[0] * Mu_q[1] < 0",
        "len(Jet_pt) > 0 and Jet_u64[0] % 7",
        "len(Mu_pt) > 0 and (Mu_pt - Mu_eta)[-1] * 2 > 3",
        "Mu_pt[len(Mu_pt) - 1]",
    };
    return list;
}

std::vector<std::vector<std::uint32_t>> row_sets(std::size_t events, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<std::uint32_t>> sets;
    sets.push_back(all_rows(events));
    sets.push_back({});
    sets.push_back({static_cast<std::uint32_t>(events - 1)});
    std::vector<std::uint32_t> odd, random, range;
    for (std::uint32_t i = 0; i < events; ++i) {
        if (i % 2)
            odd.push_back(i);
        if (rng() % 10 < 3)
            random.push_back(i);
        if (i >= 10 && i < 60)
            range.push_back(i);
    }
    sets.push_back(odd);
    sets.push_back(random);
    sets.push_back(range);
    return sets;
}

} // namespace

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

namespace {

// Random expressions from the grammar (names of every kind, literals, every operator and
// function, where, reductions, indexing), up to `depth` levels; many do not type-check and are
// skipped by the caller.
class RandomExpression {
  public:
    explicit RandomExpression(unsigned seed) : rng_(seed) {}
    std::string make(int depth) {
        if (depth <= 0 || pick(4) == 0)
            return leaf();
        switch (pick(12)) {
        case 0:
            return cat({one_of({"-", "+", "not "}), paren(depth)});
        case 1:
        case 2:
            return cat({paren(depth), one_of({" + ", " - ", " * ", " / ", " // ", " % ", " ** 2", " ** "}),
                        paren(depth)});
        case 3: {
            std::string s = paren(depth);
            for (int k = 0, n = 1 + pick(3); k < n; ++k)
                s.append(one_of({" < ", " <= ", " > ", " >= ", " == ", " != "})).append(paren(depth));
            return s;
        }
        case 4:
            return cat({paren(depth), one_of({" and ", " or "}), paren(depth)});
        case 5:
            return cat({one_of({"sqrt", "abs", "exp", "log", "cos", "tanh", "erf", "lgamma", "log1p"}), "(",
                        make(depth - 1), ")"});
        case 6:
            return cat({one_of({"atan2", "hypot", "min", "max", "pow"}), "(", make(depth - 1), ", ",
                        make(depth - 1), ")"});
        case 7:
            return cat({"where(", make(depth - 1), ", ", make(depth - 1), ", ", make(depth - 1), ")"});
        case 8:
        case 9:
            return cat({one_of({"sum", "len", "max", "min", "any", "all"}), "(", make(depth - 1), ")"});
        default:
            return cat({paren(depth), "[", one_of({"0", "1", "-1", "n", "True", make(depth - 1)}), "]"});
        }
    }

  private:
    // std::string::append, not "lit" + std::string (GCC 12's false -Wrestrict)
    static std::string cat(std::initializer_list<std::string> parts) {
        std::string s;
        for (const std::string& p : parts)
            s.append(p);
        return s;
    }
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
    std::string one_of(std::initializer_list<std::string> l) {
        return *(l.begin() + pick(static_cast<int>(l.size())));
    }
    std::string paren(int depth) { return cat({"(", make(depth - 1), ")"}); }
    std::string leaf() {
        return one_of({"x",      "y",    "k",     "n",      "flag",   "u8",     "s16",   "u64", "Mu_pt",
                       "Mu_eta", "Mu_q", "Mu_ok", "Mu_i64", "Mu_u16", "Jet_pt", "Jet_q", "0",   "1",
                       "2",      "-3",   "0.5",   "2.5",    "True",   "False",  "pi",    "inf"});
    }
    std::mt19937 rng_;
};

} // namespace

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
