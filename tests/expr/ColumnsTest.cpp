// Columnar evaluation (evaluate_columns): hand-worked cases, then a cross-check against
// Expression::evaluate on every event for a broad set of expressions over random flat and jagged
// columns of every element type (empty events, NaN, inf, int overflow, out-of-range indices),
// over several row subsets. The reference is the per-event evaluator, called here through
// Bindings filled by the test itself.
#include "hepkit/expr/Columns.hpp"
#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <thread>

using namespace hepkit;
using namespace hepkit::expr;

namespace {

std::vector<std::uint32_t> all_rows(std::size_t n) {
    std::vector<std::uint32_t> r(n);
    for (std::size_t i = 0; i < n; ++i)
        r[i] = static_cast<std::uint32_t>(i);
    return r;
}

// A batch of named columns, kept alive by the fixture; views in the order of the schema.
struct Batch {
    std::size_t events = 0;
    Bindings schema;
    std::vector<ColumnView> views;
    std::vector<std::shared_ptr<void>> keep;

    template <class T>
    void flat(const std::string& name, std::vector<T> v) {
        auto p = std::make_shared<std::vector<T>>(std::move(v));
        keep.push_back(p);
        add(name, view_of(*p), {});
    }
    template <class T>
    void jagged(const std::string& name, std::vector<std::int64_t> offsets, std::vector<T> v) {
        auto p = std::make_shared<std::vector<T>>(std::move(v));
        auto o = std::make_shared<std::vector<std::int64_t>>(std::move(offsets));
        keep.push_back(p);
        keep.push_back(o);
        add(name, view_of(*p), *o);
    }
    template <class T>
    static ArrayView view_of(const std::vector<T>& v) {
        if constexpr (std::is_same_v<T, bool>)
            static_assert(!std::is_same_v<T, bool>, "store bools as Bool");
        else
            return ArrayView(std::span<const T>(v));
    }
    void add(const std::string& name, ArrayView values, std::span<const std::int64_t> offsets) {
        const Type t = offsets.empty() ? values.element_type() : array_of(values.element_type());
        const std::size_t slot = schema.declare(name, t);
        views.resize(slot + 1);
        views[slot] = ColumnView{values, offsets};
    }
    // Bools as uint8_t 0/1 (hepkit::io's layout), bound through ArrayView::booleans.
    void flat_bool(const std::string& name, std::vector<std::uint8_t> v) {
        auto p = std::make_shared<std::vector<std::uint8_t>>(std::move(v));
        keep.push_back(p);
        add(name, ArrayView::booleans(*p), {});
    }
    void jagged_bool(const std::string& name, std::vector<std::int64_t> offsets,
                     std::vector<std::uint8_t> v) {
        auto p = std::make_shared<std::vector<std::uint8_t>>(std::move(v));
        auto o = std::make_shared<std::vector<std::int64_t>>(std::move(offsets));
        keep.push_back(p);
        keep.push_back(o);
        add(name, ArrayView::booleans(*p), *o);
    }
};

// The reference: Expression::evaluate on each row in order, with the message a batch gives.
struct Reference {
    ColumnResult result;
    std::string error; // what() of the first error, empty if none
};

Reference reference(const Expression& e, const Batch& b, std::span<const std::uint32_t> rows,
                    std::int64_t first_entry) {
    Reference ref;
    ColumnResult& r = ref.result;
    r.type = e.type();
    r.events = b.events;
    const bool array = is_array(e.type());
    if (array)
        r.offsets.assign(b.events + 1, 0);
    else if (e.type() == Type::boolean)
        r.bools.assign(b.events, 0);
    else if (e.type() == Type::integer)
        r.ints.assign(b.events, 0);
    else
        r.reals.assign(b.events, 0);
    Bindings ev = b.schema;
    std::vector<std::vector<Value>> per_event(b.events);
    for (const std::uint32_t row : rows) {
        try {
            for (std::size_t s = 0; s < b.views.size(); ++s) {
                const ColumnView& c = b.views[s];
                if (c.jagged())
                    ev.set(s, c.values.slice(static_cast<std::size_t>(c.offsets[row]),
                                             static_cast<std::size_t>(c.offsets[row + 1] - c.offsets[row])));
                else
                    ev.set(s, c.values[row]);
            }
            if (array) {
                e.evaluate(ev, per_event[row]);
                continue;
            }
            const Value v = e.evaluate(ev);
            if (v.type == Type::boolean)
                r.bools[row] = v.b;
            else if (v.type == Type::integer)
                r.ints[row] = v.i;
            else
                r.reals[row] = v.r;
        } catch (const InputError& x) {
            std::string file = x.file(), key = x.key();
            int line = x.line();
            if (key.empty()) { // an element that could not be read: the expression names it
                key = e.text();
                line = 0;
                file = "";
            }
            ref.error = InputError(file, line, key,
                                   x.message() + " (event " +
                                       std::to_string(static_cast<std::int64_t>(row) + first_entry) + ")")
                            .what();
            return ref;
        }
    }
    if (array)
        for (std::size_t i = 0; i < b.events; ++i) {
            for (const Value& v : per_event[i]) {
                if (v.type == Type::boolean)
                    r.bools.push_back(v.b);
                else if (v.type == Type::integer)
                    r.ints.push_back(v.i);
                else
                    r.reals.push_back(v.r);
            }
            r.offsets[i + 1] = static_cast<std::int64_t>(r.bools.size() + r.ints.size() + r.reals.size());
        }
    return ref;
}

bool same_real(double a, double b) {
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); // also the sign of 0
}

// Empty when equal, else the first difference.
std::string difference(const ColumnResult& want, const ColumnResult& got) {
    if (want.type != got.type)
        return std::string("type ") + type_name(got.type) + ", want " + type_name(want.type);
    if (want.events != got.events)
        return std::string("events ").append(std::to_string(got.events));
    if (want.offsets != got.offsets)
        return "offsets differ";
    if (want.bools != got.bools)
        return "bools differ";
    if (want.ints != got.ints) {
        for (std::size_t k = 0; k < std::min(want.ints.size(), got.ints.size()); ++k)
            if (want.ints[k] != got.ints[k])
                return std::string("int ")
                    .append(std::to_string(k))
                    .append(": ")
                    .append(std::to_string(got.ints[k]))
                    .append(", want ")
                    .append(std::to_string(want.ints[k]));
        return "ints differ in size";
    }
    if (want.reals.size() != got.reals.size())
        return "reals differ in size";
    for (std::size_t k = 0; k < want.reals.size(); ++k)
        if (!same_real(want.reals[k], got.reals[k]))
            return std::string("real ")
                .append(std::to_string(k))
                .append(": ")
                .append(std::to_string(got.reals[k]))
                .append(", want ")
                .append(std::to_string(want.reals[k]));
    return "";
}

} // namespace

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
                if (!error.empty())
                    continue;
                ASSERT_EQ(difference(want.result, got), "");
                // without an error the columnar pass did the work, not the per-event fallback
                ASSERT_EQ(detail::per_event_fallbacks(), fallbacks);
                // the per-event path of the same interface agrees too
                ASSERT_EQ(
                    difference(want.result, evaluate_columns_per_event(e, b.views, b.events, rows, 500)), "");
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
            ++(error.empty() ? checked : errors);
        }
    }
    EXPECT_GT(checked, 2000u);
    EXPECT_GT(errors, 200u);
    std::printf("random expressions: %zu evaluations compared, %zu first errors compared\n", checked, errors);
}
