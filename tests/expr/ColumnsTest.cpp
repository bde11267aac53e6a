// Columnar evaluation (evaluate_columns): hand-worked cases, then a cross-check against
// Expression::evaluate on every event for a broad set of expressions over random flat and jagged
// columns of every element type (empty events, NaN, inf, int overflow, out-of-range indices),
// over several row subsets. The reference is the per-event evaluator, called here through
// Bindings filled by the test itself.
#include "ColumnsTestSupport.hpp"

using namespace hepkit;
using namespace hepkit::expr;
using namespace columns_test;

// ---------------------------------------------------------------------------------------------
// Hand-worked cases

// Three events: muons {50.5, 30.25}, {}, {10}; jets 4, 1, 5 with b-tags.
class ExprColumns : public ::testing::Test {
  protected:
    void SetUp() override {
        b.events = 3;
        b.jagged<float>("Muon_pt", {0, 2, 2, 3}, {50.5f, 30.25f, 10.0f});
        b.jagged<std::int32_t>("Muon_charge", {0, 2, 2, 3}, {1, -1, 1});
        b.jagged<double>("Jet_btag", {0, 4, 5, 10}, {0.9, 0.1, 0.2, 0.3, 0.8, 0.1, 0.2, 0.3, 0.4, 0.45});
        b.flat<std::int32_t>("nMuon", {2, 0, 1});
        b.flat<double>("x", {1.5, -2.0, 0.0});
    }
    ColumnResult eval(const std::string& text, std::vector<std::uint32_t> rows = {}, std::int64_t first = 0) {
        if (rows.empty())
            rows = all_rows(b.events);
        return evaluate_columns(Expression::parse(text, b.schema), b.views, b.events, rows, first);
    }
    std::string error_of(const std::string& text, std::int64_t first = 0) {
        try {
            eval(text, {}, first);
        } catch (const InputError& e) {
            return e.what();
        }
        return "no error";
    }
    Batch b;
};

TEST_F(ExprColumns, ScaledJaggedColumnKeepsItsOffsets) {
    // Muon_pt * 1.01, float32 content promoted to double as the per-event evaluator does
    const ColumnResult r = eval("Muon_pt * 1.01");
    EXPECT_EQ(r.type, Type::real_array);
    EXPECT_EQ(r.offsets, (std::vector<std::int64_t>{0, 2, 2, 3}));
    ASSERT_EQ(r.reals.size(), 3u);
    EXPECT_EQ(r.reals[0], 50.5 * 1.01);
    EXPECT_EQ(r.reals[1], 30.25 * 1.01);
    EXPECT_EQ(r.reals[2], 10.0 * 1.01);
    EXPECT_EQ(r.real_at(2), 10.0 * 1.01);
}

TEST_F(ExprColumns, ResultTakesStorageOfZeros) {
    // Reuse::reals: a scalar float result over `events` takes the caller's zeros (its data
    // pointer is the result's), writes the rows evaluated; storage of another size is left alone.
    const Expression e = Expression::parse("x * 2", b.schema);
    const std::vector<std::uint32_t> rows = {0, 1}; // x = 1.5, -2 there; row 2 is not evaluated
    std::vector<double> zeros(3, 0.0);
    const double* storage = zeros.data();
    Reuse reuse;
    reuse.reals = &zeros;
    ColumnResult r = evaluate_columns(e, b.views, b.events, rows, 0, reuse);
    EXPECT_EQ(r.reals, (std::vector<double>{3.0, -4.0, 0.0}));
    EXPECT_EQ(r.reals.data(), storage);
    std::vector<double> other(4, 0.0);
    reuse.reals = &other;
    r = evaluate_columns(e, b.views, b.events, rows, 0, reuse);
    EXPECT_EQ(r.reals, (std::vector<double>{3.0, -4.0, 0.0}));
    EXPECT_EQ(other.size(), 4u); // not taken
    // compacted results (evaluate_rows) and other types never take it
    std::vector<double> three(3, 0.0);
    reuse.reals = &three;
    EXPECT_EQ(evaluate_rows(e, b.views, b.events, rows, 0, reuse).reals, (std::vector<double>{3.0, -4.0}));
    EXPECT_EQ(evaluate_columns(Expression::parse("x > 0", b.schema), b.views, b.events, rows, 0, reuse).bools,
              (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_EQ(three.size(), 3u);
}

TEST_F(ExprColumns, CountsAndShortCircuit) {
    // jets 4, 1, 5; b-tags > 0.5: 2, 0, 0 → only event 0 passes
    const ColumnResult r = eval("len(Jet_btag) >= 4 and sum(Jet_btag > 0.5) >= 1");
    EXPECT_EQ(r.type, Type::boolean);
    EXPECT_EQ(r.bools, (std::vector<std::uint8_t>{1, 0, 0}));
    // the guard keeps event 1 (no muon) from being indexed
    EXPECT_EQ(eval("nMuon > 0 and Muon_pt[0] > 20").bools, (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_EQ(eval("where(len(Muon_pt) > 0, max(Muon_pt), -1.0)").reals,
              (std::vector<double>{50.5, -1.0, 10.0}));
    EXPECT_EQ(eval("sum(Muon_charge)").ints, (std::vector<std::int64_t>{0, 0, 1}));
}

TEST(ExprColumnsHand, DimuonMassClosedForm) {
    // back-to-back muons of 40 GeV at η = 0: m² = 2·40·40·(cosh 0 − cos π) = 6400, m = 80;
    // η = ±1, Δφ = 0: m² = 2·30·30·(cosh 2 − 1), m = 60·sinh(1) (cosh 2 − 1 = 2 sinh² 1);
    // one muon: −1 (the guard)
    Batch b;
    b.events = 3;
    b.jagged<float>("pt", {0, 2, 4, 5}, {40, 40, 30, 30, 25});
    b.jagged<float>("eta", {0, 2, 4, 5}, {0, 0, 1, -1, 0});
    b.jagged<double>("phi", {0, 2, 4, 5}, {0, M_PI, 0.5, 0.5, 0});
    const Expression e = Expression::parse(
        "where(len(pt) >= 2, sqrt(2*pt[0]*pt[1]*(cosh(eta[0]-eta[1])-cos(phi[0]-phi[1]))), -1.0)", b.schema);
    const std::vector<std::uint32_t> rows = all_rows(3);
    const ColumnResult m = evaluate_columns(e, b.views, 3, rows);
    ASSERT_EQ(m.reals.size(), 3u);
    EXPECT_NEAR(m.reals[0], 80.0, 1e-12);
    EXPECT_NEAR(m.reals[1], 60.0 * std::sinh(1.0), 1e-12);
    EXPECT_EQ(m.reals[2], -1.0);
}

TEST_F(ExprColumns, OnlyTheGivenRowsAreEvaluated) {
    // row 1 (no muon) is not evaluated: no index error; its entry is 0
    const ColumnResult r = eval("Muon_pt[0] + x", {0, 2});
    EXPECT_EQ(r.reals, (std::vector<double>{52.0, 0.0, 10.0}));
    const ColumnResult a = eval("Muon_pt * 2", {2});
    EXPECT_EQ(a.offsets, (std::vector<std::int64_t>{0, 0, 0, 1}));
    EXPECT_EQ(a.reals, (std::vector<double>{20.0}));
}

TEST_F(ExprColumns, FiltersChainThroughPassingRows) {
    // events with a muon (0, 2), then of those the ones with x > 1 (0: x = 1.5; 2: x = 0)
    const std::vector<std::uint32_t> all = all_rows(3);
    const std::vector<std::uint32_t> with_muon = passing_rows(eval("nMuon > 0"), all);
    EXPECT_EQ(with_muon, (std::vector<std::uint32_t>{0, 2}));
    EXPECT_EQ(passing_rows(eval("x > 1", with_muon), with_muon), (std::vector<std::uint32_t>{0}));
    // Python's truth of ints and floats: nonzero (NaN too)
    EXPECT_EQ(passing_rows(eval("nMuon - 1"), all), (std::vector<std::uint32_t>{0, 1})); // 1, -1, 0
    EXPECT_EQ(passing_rows(eval("x / x"), all), (std::vector<std::uint32_t>{0, 1, 2}));  // 0/0 is NaN
    EXPECT_THROW(passing_rows(eval("Muon_pt > 20"), all), std::invalid_argument);
}

TEST_F(ExprColumns, ErrorsNameTheEventAndFirstEntry) {
    EXPECT_EQ(error_of("Muon_pt[0] > 20", 1000),
              "Muon_pt[0] > 20: index 0 is out of range for Muon_pt of length 0 at column 8; guard it, e.g. "
              "len(Muon_pt) > 0 and ... (event 1001)");
    EXPECT_EQ(error_of("max(Muon_pt)"),
              "max(Muon_pt): max() of an empty array (Muon_pt) at column 1; guard it, "
              "e.g. where(len(Muon_pt) > 0, max(Muon_pt), -1) (event 1)");
    EXPECT_EQ(error_of("Muon_pt + Jet_btag"),
              "Muon_pt + Jet_btag: arrays of different lengths (2 and 4) in '+' at column 9; elementwise "
              "operations need arrays of the same event collection (event 0)");
}

TEST_F(ExprColumns, MismatchedColumnsAreProgrammingErrors) {
    const Expression e = Expression::parse("Muon_pt[0] > x", b.schema);
    std::vector<ColumnView> cols = b.views;
    const std::vector<std::uint32_t> rows = all_rows(3);
    cols[0] = ColumnView{}; // Muon_pt missing: a flat float64 column of 0 values
    EXPECT_THROW(evaluate_columns(e, cols, 3, rows), std::invalid_argument);
    EXPECT_THROW(evaluate_columns(e, b.views, 4, rows), std::invalid_argument); // 3 values, 4 events
    const std::vector<std::uint32_t> backwards{2, 1};
    EXPECT_THROW(evaluate_columns(e, b.views, 3, backwards), std::invalid_argument);
    const std::vector<std::uint32_t> beyond{0, 3};
    EXPECT_THROW(evaluate_columns(e, b.views, 3, beyond), std::invalid_argument);
    std::vector<std::int64_t> bad{0, 2, 1, 3};
    cols = b.views;
    cols[0].offsets = bad;
    EXPECT_THROW(evaluate_columns(e, cols, 3, rows), std::invalid_argument);
    // columns the expression does not read need not be given
    const Expression only_x = Expression::parse("x * 2", b.schema);
    std::vector<ColumnView> sparse(b.views.size());
    sparse[*b.schema.find("x")] = b.views[*b.schema.find("x")];
    EXPECT_EQ(evaluate_columns(only_x, sparse, 3, rows).reals, (std::vector<double>{3.0, -4.0, 0.0}));
}

TEST(ExprColumnsElements, RootIntegerTypesAreInts) {
    // every integer width ROOT has reads as Python int; uint8 is a number, not a bool
    Batch b;
    b.events = 2;
    b.flat<std::int8_t>("i8", {-5, 127});
    b.flat<std::uint8_t>("u8", {200, 1});
    b.flat<std::int16_t>("i16", {-30000, 2});
    b.flat<std::uint16_t>("u16", {60000, 3});
    b.flat<std::uint32_t>("u32", {4000000000u, 4});
    b.flat<std::uint64_t>("u64", {9223372036854775807ull, 5});
    b.flat_bool("flag", {1, 0});
    const std::vector<std::uint32_t> rows = all_rows(2);
    auto ints = [&](const std::string& text) {
        return evaluate_columns(Expression::parse(text, b.schema), b.views, 2, rows).ints;
    };
    EXPECT_EQ(ints("i8 + u8"), (std::vector<std::int64_t>{195, 128}));
    EXPECT_EQ(ints("i16 + u16"), (std::vector<std::int64_t>{30000, 5}));
    EXPECT_EQ(ints("u32 * 2"), (std::vector<std::int64_t>{8000000000, 8}));
    EXPECT_EQ(ints("u64 - 1"), (std::vector<std::int64_t>{9223372036854775806, 4}));
    EXPECT_EQ(ints("flag + u8"), (std::vector<std::int64_t>{201, 1}));
    EXPECT_EQ(Expression::parse("u8", b.schema).type(), Type::integer);
    EXPECT_EQ(Expression::parse("flag", b.schema).type(), Type::boolean);
}

TEST(ExprColumnsElements, Uint64BeyondIntIsAnError) {
    // 2^64 − 1 has no 64-bit signed int: an error naming the value, not a wrapped −1
    Batch b;
    b.events = 2;
    b.flat<std::uint64_t>("event", {7, 18446744073709551615ull});
    const Expression e = Expression::parse("event % 2 == 0", b.schema);
    const std::vector<std::uint32_t> rows = all_rows(2);
    try {
        evaluate_columns(e, b.views, 2, rows, 100);
        FAIL() << "no error";
    } catch (const InputError& x) {
        EXPECT_STREQ(x.what(),
                     "event % 2 == 0: uint64 value 18446744073709551615 is beyond the int range (at "
                     "most 9223372036854775807) (event 101)");
    }
    const std::vector<std::uint32_t> first{0}; // the other event alone is fine
    EXPECT_EQ(evaluate_columns(e, b.views, 2, first).bools, (std::vector<std::uint8_t>{0, 0}));
    // an EventBatch says the same
    EventBatch batch(2);
    const std::vector<std::uint64_t> events{7, 18446744073709551615ull};
    batch.add_column("event", ArrayView(events));
    try {
        Expression::parse("event % 2 == 0", batch.schema()).evaluate(batch);
        FAIL() << "no error";
    } catch (const InputError& x) {
        EXPECT_STREQ(x.what(),
                     "event % 2 == 0: uint64 value 18446744073709551615 is beyond the int range (at "
                     "most 9223372036854775807) (event 1)");
    }
    // the per-event evaluator too (without an event: it sees one)
    Bindings ev;
    const std::vector<std::uint64_t> big{18446744073709551615ull};
    ev.set("a", ArrayView(big));
    EXPECT_THROW(Expression::parse("a[0] > 1", ev).evaluate(ev), InputError);
}

// ---------------------------------------------------------------------------------------------
// Cross-check against the per-event evaluator

TEST(ExprColumnsRows, FewRowsCheckOnlyTheirOffsets) {
    // 8 events, one muon each, but event 6's offsets decrease (7 → 5): over few rows (fewer than a
    // quarter of the events) only the rows read are checked, so row 1 evaluates (muon 2.0 > 1)
    // and row 6 is refused as before.
    Batch b;
    b.events = 8;
    b.jagged<float>("Muon_pt", {0, 1, 2, 3, 4, 5, 7, 5, 8}, {1, 2, 3, 4, 5, 6, 7, 8});
    const Expression e = Expression::parse("any(Muon_pt > 1)", b.schema);
    const std::vector<std::uint32_t> one{1}, bad{6};
    const ColumnResult r = evaluate_columns(e, b.views, 8, one);
    EXPECT_EQ(r.bools, (std::vector<std::uint8_t>{0, 1, 0, 0, 0, 0, 0, 0}));
    EXPECT_THROW(evaluate_columns(e, b.views, 8, bad), std::invalid_argument);
    EXPECT_THROW(evaluate_columns(e, b.views, 8, all_rows(8)), std::invalid_argument);
}
