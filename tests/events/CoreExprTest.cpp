// Expression producers and filters (Expressions.hpp) in the runner: scalar and jagged products,
// dtypes, filters' truth, every column type lent to the evaluator, and the errors (syntax, unknown
// names, arrays as cuts, lossy dtypes, replacements of another type) naming the step. Entries
// follow CoreSteps.hpp's formula; expected values are hand computations over g.

#include "CoreSteps.hpp"
#include "Helpers.hpp"
#include "Recycle.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Expressions.hpp"
#include "hepkit/expr/Bindings.hpp"
#include "hepkit/expr/Expression.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;
using io::ColumnType;

namespace {

std::shared_ptr<ExprProducer> producer(const char* name, const char* e,
                                       std::optional<ColumnType> dtype = std::nullopt, int line = 0) {
    return std::make_shared<ExprProducer>(place("producer", name, line), e, dtype);
}
std::shared_ptr<ExprFilter> filter(const char* name, const char* e, int line = 0) {
    return std::make_shared<ExprFilter>(place("filter", name, line), e);
}
std::shared_ptr<SumConsumer> sum(const char* name, const char* product) {
    return std::make_shared<SumConsumer>(place("consumer", name), product);
}

// A plan on the 15 entries of CoreSteps.hpp in memory (batches of 4), one pipeline "p".
Plan plan_of(std::vector<AnyStep> global, std::vector<AnyStep> steps) {
    Plan plan;
    plan.source = "plan.yaml";
    plan.inputs.batch_entries = 4;
    plan.global = std::move(global);
    Pipeline p;
    p.name = "p";
    p.steps = std::move(steps);
    plan.pipelines = {p};
    return plan;
}

Runner run(Plan plan, std::vector<io::Column> columns = make_columns(0, 15)) {
    Runner runner(std::move(plan), std::move(columns));
    ThreadPool pool(2);
    runner.run(&pool);
    return runner;
}

} // namespace

TEST(EventsExpr, NamesOfAnExpression) {
    EXPECT_EQ(expression_names("Muon_pt[0] > 20 and abs(Muon_eta[0]) < pi * x + np.e"),
              (std::vector<std::string>{"Muon_pt", "Muon_eta", "x"}));
    EXPECT_EQ(expression_names("len(Jet_pt) >= 4 and sum(Jet_pt > 30) >= 2"),
              (std::vector<std::string>{"Jet_pt"}));
    EXPECT_TRUE(expression_names("1 + 2").empty());
}

TEST(EventsExpr, ScalarProducersAndTheirTypes) {
    // Σ 2x = 2·Σ_{1..15} = 240; Σ (n + 1) = 5·(1+2+3) = 30; x > 7 is true for g ≥ 7: 8 events.
    auto a = producer("a", "2 * x");
    auto b = producer("b", "n + 1");
    auto b32 = producer("b32", "n + 1", ColumnType::Int32);
    auto big = producer("big", "x > 7");
    auto x15 = producer("x15", "x * 1.5", ColumnType::Float32);
    Runner runner = run(plan_of({a, b, b32, big, x15}, {sum("sa", "a"), sum("sb", "b"), sum("sbig", "big"),
                                                        sum("sx15", "x15"), sum("sb32", "b32")}));
    const Schema& schema = runner.schema();
    EXPECT_EQ(schema.info(*schema.find("a")).type, ColumnType::Float64);
    EXPECT_EQ(schema.info(*schema.find("b")).type, ColumnType::Int64);
    EXPECT_EQ(schema.info(*schema.find("b32")).type, ColumnType::Int32);
    EXPECT_EQ(schema.info(*schema.find("big")).type, ColumnType::Bool);
    EXPECT_EQ(schema.info(*schema.find("x15")).type, ColumnType::Float32);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sa").sum, 240);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sb").sum, 30);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sb32").sum, 30);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sbig").sum, 8);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sx15").sum, 180); // 1.5 · 120
}

TEST(EventsExpr, JaggedProducts) {
    // Muon_pt of entry g: g%3 muons of 10(g+1)+k. twice = 2·Muon_pt is jagged; its per-event sum
    // over all entries: 2·Σ_g Σ_k (10(g+1)+k). g%3 = 1: 10(g+1), g%3 = 2: 20(g+1) + 1.
    //   g%3=1: g = 1,4,7,10,13 → Σ10(g+1) = 10·40 = 400
    //   g%3=2: g = 2,5,8,11,14 → Σ(20(g+1)+1) = 20·45 + 5 = 905     total 1305, twice: 2610
    // arr[3] = {g, g+.5, g+1} is jagged too: Σ_g sum(arr) = Σ 3g + 1.5 = 315 + 22.5 = 337.5
    auto twice = producer("twice", "Muon_pt * 2");
    auto total = producer("total", "sum(twice)");
    auto arr_sum = producer("arr_sum", "sum(arr)");
    Runner runner = run(plan_of({twice, total, arr_sum}, {sum("s", "total"), sum("sarr", "arr_sum")}));
    EXPECT_TRUE(runner.schema().info(*runner.schema().find("twice")).jagged);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s").sum, 2610);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sarr").sum, 337.5);
}

TEST(EventsExpr, FiltersAndRowsNotSelected) {
    // x > 3: g ≥ 3 (12 events); then len(Muon_pt) >= 1: g%3 ≠ 0 → g = 4,5,7,8,10,11,13,14 (8).
    // lead = Muon_pt[0] is evaluated on those rows only (others have no muon: indexing would fail).
    // Σ lead = Σ 10(g+1) over them = 10·80 = 800. n as a cut (int truth): n ≠ 0 — the same 8 events.
    auto lead = producer("lead", "Muon_pt[0]");
    Runner runner = run(plan_of({filter("x_gt_3", "x > 3"), filter("has_mu", "len(Muon_pt) >= 1"), lead},
                                {sum("s", "lead"), filter("n_true", "n"), sum("s2", "lead")}));
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s").sum, 800);
    EXPECT_EQ(sum_of(runner, "p", "s").count, 8);
    EXPECT_EQ(sum_of(runner, "p", "s2").count, 8);
    const auto& rows = runner.report().cutflows.front().rows;
    EXPECT_EQ(rows[1].events, 12);
    EXPECT_EQ(rows[2].events, 8);
}

TEST(EventsExpr, FloatTruthIsPythons) {
    // n / 2 is a float (Python's /): 0.0, 0.5, 1.0 for g%3 = 0, 1, 2; nonzero passes: 10 of 15.
    Runner runner = run(plan_of({filter("half", "n / 2")}, {sum("s", "x")}));
    EXPECT_EQ(sum_of(runner, "p", "s").count, 10);
}

TEST(EventsExpr, EveryColumnTypeIsLent) {
    // One column of each integer type and bool, values 0, 1, 2 cycling over 15 events; each
    // expression sums it twice (once via arithmetic, once via a comparison): Σ = 15.
    std::vector<io::Column> cols;
    auto add = [&](const char* name, ColumnType type) {
        auto c = io::Column::make(name, type);
        std::visit(
            [&](auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (std::is_arithmetic_v<T>)
                    for (int g = 0; g < 15; ++g)
                        v.push_back(static_cast<T>(type == ColumnType::Bool ? g % 2 : g % 3));
            },
            c.values);
        cols.push_back(std::move(c));
    };
    add("i8", ColumnType::Int8);
    add("u8", ColumnType::UInt8);
    add("i16", ColumnType::Int16);
    add("u16", ColumnType::UInt16);
    add("u32", ColumnType::UInt32);
    add("u64", ColumnType::UInt64);
    add("i64", ColumnType::Int64);
    add("flag", ColumnType::Bool);
    auto all = producer("all", "i8 + u8 + i16 + u16 + u32 + u64 + i64");
    auto flags = producer("flags", "where(flag, 1, 0)");
    Runner runner = run(plan_of({all, flags}, {sum("s", "all"), sum("f", "flags")}), std::move(cols));
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s").sum, 7 * 15); // Σ g%3 over 15 = 15, seven columns
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "f").sum, 7);      // g odd: 7 of 0…14
}

TEST(EventsExpr, ShiftReplacingABranch) {
    // Muon_pt × 2 under shift up: Σ of the per-event sum doubles (1305 → 2610); nominal 1305.
    auto total = producer("total", "sum(Muon_pt)");
    Plan plan = plan_of({total}, {sum("s", "total")});
    plan.shifts = {Shift{"up", {{"Muon_pt", producer("Muon_pt_up", "Muon_pt * 2", ColumnType::Float32)}}}};
    plan.pipelines[0].shifts = {"up"};
    Runner runner = run(std::move(plan));
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s").sum, 1305);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s", "up").sum, 2610);
}

// ---- errors

TEST(EventsExprErrors, SyntaxNamesFileAndLine) {
    const auto e = hepkit::test::input_error([] { producer("bad", "x +", std::nullopt, 7); });
    EXPECT_EQ(e.file(), "plan.yaml");
    EXPECT_EQ(e.line(), 7);
    EXPECT_NE(e.message().find("producer bad (plan.yaml:7): "), std::string::npos) << e.what();
}

TEST(EventsExprErrors, UnknownName) {
    Runner runner(plan_of({producer("a", "2 * xx", std::nullopt, 8)}, {}), make_columns(0, 3));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 8);
    EXPECT_NE(e.message().find("producer a (plan.yaml:8) needs product 'xx'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("closest: x"), std::string::npos) << e.what();
}

TEST(EventsExprErrors, ArrayAsACut) {
    Runner runner(plan_of({filter("f", "Muon_pt > 20", 9)}, {}), make_columns(0, 3));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 9);
    EXPECT_NE(e.message().find("filter f (plan.yaml:9): expression 'Muon_pt > 20' is array of bool"),
              std::string::npos)
        << e.what();
    EXPECT_NE(e.message().find("use any(...), all(...)"), std::string::npos) << e.what();
}

TEST(EventsExprErrors, LossyDtype) {
    Runner runner(plan_of({producer("a", "x * 2", ColumnType::Int32, 10)}, {}), make_columns(0, 3));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_NE(e.message().find("dtype int32 cannot hold"), std::string::npos) << e.what();
}

TEST(EventsExpr, ReplacementTakesTheReplacedType) {
    // x is float32; "x * 1.01" (float) without dtype is stored as float32 as a replacement of x —
    // the configuration's shorthand `x: "x * 1.01"`. n is int32: "n + 1" is stored as int32.
    // Σ 2·(1.5x) over 15 entries = 3·120 = 360 under up.
    Plan plan = plan_of({producer("a", "2 * x"), producer("b", "n * 1")}, {sum("s", "a"), sum("sb", "b")});
    plan.shifts = {Shift{"up", {{"x", producer("x@up", "x * 1.5")}, {"n", producer("n@up", "n + 1")}}}};
    plan.pipelines[0].shifts = {"up"};
    Runner runner = run(std::move(plan));
    EXPECT_EQ(runner.schema().info(*runner.schema().find("x@up")).type, ColumnType::Float32);
    EXPECT_EQ(runner.schema().info(*runner.schema().find("n@up")).type, ColumnType::Int32);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s").sum, 240);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s", "up").sum, 360);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "sb", "up").sum, 30); // Σ (g%3 + 1) = 5·6
}

TEST(EventsExprErrors, ReplacementThatWouldLoseValues) {
    // n is int32: a float expression cannot replace it without a dtype that says so (and no dtype
    // but a float one could hold it: then the runner names the type mismatch).
    Plan plan = plan_of({producer("b", "n * 1")}, {sum("s", "b")});
    plan.shifts = {Shift{"up", {{"n", producer("n_up", "n * 1.5", std::nullopt, 12)}}}};
    plan.pipelines[0].shifts = {"up"};
    Runner runner(std::move(plan), make_columns(0, 3));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 12);
    EXPECT_NE(e.message().find(
                  "expression 'n * 1.5' is float, which the product it replaces, n (int32), cannot hold"),
              std::string::npos)
        << e.what();

    Plan plan2 = plan_of({producer("b", "n * 1")}, {sum("s", "b")});
    plan2.shifts = {Shift{"up", {{"n", producer("n_up", "n * 1.5", ColumnType::Float64, 13)}}}};
    plan2.pipelines[0].shifts = {"up"};
    Runner runner2(std::move(plan2), make_columns(0, 3));
    const auto e2 = hepkit::test::input_error([&] { runner2.prepare(); });
    EXPECT_NE(e2.message().find("replaces product 'n' (int32) but makes float64"), std::string::npos)
        << e2.what();
}

TEST(EventsExprErrors, BadEventNamesTheEntry) {
    // Muon_pt[0] on entry 0 (no muon) is an index error naming the entry, raised from the run.
    Runner runner(plan_of({producer("lead", "Muon_pt[0]")}, {}), make_columns(0, 6));
    EXPECT_THROW(runner.run(), InputError);
}

TEST(EventsExprErrors, Uint64BeyondInt64) {
    // The expression language's ints are int64: a uint64 value above INT64_MAX cannot be read.
    auto big = io::Column::make("big", ColumnType::UInt64);
    big.mut<std::uint64_t>() = {1, (std::uint64_t{1} << 63) + 5, 2};
    std::vector<io::Column> cols;
    cols.push_back(std::move(big));
    Runner runner(plan_of({producer("b", "big + 0")}, {sum("s", "b")}), std::move(cols));
    const auto e = hepkit::test::input_error([&] { runner.run(); });
    EXPECT_NE(std::string(e.what()).find("9223372036854775813"), std::string::npos) << e.what();
}

// A producer that is one operation of a float input and a constant (`x * 1.01`, a scale shift's
// replacement) takes a one-pass path over every row (ExprProducer::produce_scaled): its columns
// must equal, bit for bit, the columnar evaluator's of the same operation written so that it is
// not recognised (`where(True, …, 0.0)`) — for each operation and operand order, literal forms
// (ints beyond 2^53, -0, hex, signs), float32 and float64 inputs and products, flat and jagged, a
// jagged input whose offsets do not start at 0 or end before its values, 0 events, and values that
// round, overflow float32, are NaN (with payloads, negative), infinite, signed zeros and
// subnormals. With some rows not selected the general path runs (they hold 0 or nothing).
namespace {

template <class T>
T from_bits(std::uint64_t bits) {
    if constexpr (std::is_same_v<T, float>)
        return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    else
        return std::bit_cast<double>(bits);
}

// The input column x: flat (one value per event) or jagged (0, 1, 2, 3, 0, ... values per event,
// taken from index 2 on; values before and after the rows' belong to no event).
io::Column scaled_input_column(ColumnType type, bool jagged, bool empty) {
    std::vector<double> values = {1.0,
                                  -0.0,
                                  0.0,
                                  19.8019,
                                  20.0,
                                  3.4e38,
                                  -3.4e38,
                                  1e-45,
                                  1e-310,
                                  -7.25,
                                  123456.789,
                                  std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity()};
    io::Column c = io::Column::make("x", type);
    auto push = [&](double v) {
        if (type == ColumnType::Float32)
            c.mut<float>().push_back(static_cast<float>(v));
        else
            c.mut<double>().push_back(v);
    };
    if (jagged)
        values.insert(values.begin(), {5.0, 6.0}); // before the first event's
    if (!empty) {
        for (const double v : values)
            push(v);
        // NaNs: quiet, signalling with a payload, negative
        for (const std::uint64_t bits :
             type == ColumnType::Float32
                 ? std::vector<std::uint64_t>{0x7fc00000u, 0x7fa00001u, 0xffc00000u}
                 : std::vector<std::uint64_t>{0x7ff8000000000000u, 0x7ff0000000000123u,
                                              0xfff8000000000000u}) {
            if (type == ColumnType::Float32)
                c.mut<float>().push_back(from_bits<float>(bits));
            else
                c.mut<double>().push_back(from_bits<double>(bits));
        }
    }
    const auto n = static_cast<std::int64_t>(c.size());
    if (jagged) {
        c.offsets = {2};
        for (std::int64_t e = 0; c.offsets.back() < n - 1; ++e) // the last value belongs to no event
            c.offsets.push_back(std::min<std::int64_t>(c.offsets.back() + e % 4, n - 1));
        if (empty)
            c.offsets = {0};
    }
    return c;
}

} // namespace

TEST(EventsExpr, ScaledInputTakesTheEvaluatorsBits) {
    using expr::Op;
    struct Case {
        const char* text;
        Op op;
        double constant;
        bool constant_first;
    };
    const std::vector<Case> cases = {
        {"x * 1.01", Op::mul, 1.01, false},
        {"1.01 * x", Op::mul, 1.01, true},
        {"x + 0.1", Op::add, 0.1, false},
        {"-3 + x", Op::add, -3, true},
        {"x - 0.3", Op::sub, 0.3, false},
        {"0.3 - x", Op::sub, 0.3, true},
        {"-0.0 - x", Op::sub, -0.0, true},
        {"x / 3", Op::div, 3, false},
        {"3 / x", Op::div, 3, true},
        {"x / 0", Op::div, 0, false},
        {"x * -2", Op::mul, -2, false},
        {"x * 1e300", Op::mul, 1e300, false},
        {"x * 1e-320", Op::mul, 1e-320, false},
        {"1e308 * x", Op::mul, 1e308, true},
        {"x - -0.0", Op::sub, -0.0, false},
        {"x + -0", Op::add, 0.0, false}, // an int: -0 is 0
        {"x * 9007199254740993", Op::mul, 9007199254740992.0, false},
        {"x - 9223372036854775807", Op::sub, 9223372036854775807.0, false},
        {"x * 0x10", Op::mul, 16, false},
        {"x / -(3)", Op::div, -3, false},
        {"x * +2", Op::mul, 2, false},
        {"2 * x", Op::mul, 2, true},
    };
    expr::Bindings bindings;
    bindings.declare("n", expr::Type::integer);
    bindings.declare("x", expr::Type::real);
    for (const Case& c : cases) {
        const auto s = expr::Expression::parse(c.text, bindings).scaled_input();
        ASSERT_TRUE(s) << c.text;
        EXPECT_EQ(s->slot, 1u) << c.text;
        EXPECT_EQ(s->op, c.op) << c.text;
        EXPECT_EQ(std::bit_cast<std::uint64_t>(s->constant), std::bit_cast<std::uint64_t>(c.constant))
            << c.text;
        EXPECT_EQ(s->constant_first, c.constant_first) << c.text;
    }
    // not one operation of a float input and a number
    for (const char* other : {"x * x", "x ** 2", "x * pi", "x // 2", "-x", "x * True", "n * 2", "x * 2 + 0"})
        EXPECT_FALSE(expr::Expression::parse(other, bindings).scaled_input()) << other;

    for (const bool jagged : {false, true})
        for (const bool empty : {false, true})
            for (const bool some_rows : {false, true})
                for (const ColumnType in_type : {ColumnType::Float32, ColumnType::Float64})
                    for (const ColumnType out_type : {ColumnType::Float32, ColumnType::Float64})
                        for (const Case& c : cases) {
                            Schema schema;
                            const ProductId x = schema.add({"x", in_type, jagged}, "branch of the input");
                            auto fast = producer("fast", c.text, out_type);
                            auto slow = producer(
                                "slow", (std::string("where(True, ") + c.text + ", 0.0)").c_str(), out_type);
                            ProductId ids[2];
                            int k = 0;
                            for (const auto& p : {fast, slow}) {
                                const auto outs = p->declare(schema);
                                ids[k] = schema.add(outs.at(0), "producer");
                                p->outputs_declared(std::vector<ProductId>{ids[k++]});
                            }
                            io::Column in = scaled_input_column(in_type, jagged, empty);
                            const std::size_t events = in.entries();
                            Batch batch(schema, 0, events);
                            batch.put(x, std::move(in));
                            std::vector<std::uint32_t> rows;
                            for (std::uint32_t r = 0; r < events; r += some_rows ? 2 : 1)
                                rows.push_back(r);
                            batch.set_rows(rows);
                            fast->produce(batch);
                            slow->produce(batch);
                            const io::Column& a = batch.get(ids[0]);
                            const io::Column& b = batch.get(ids[1]);
                            const std::string what = std::string(c.text) + (jagged ? " jagged " : " flat ") +
                                                     std::string(io::column_type_name(in_type)) + " -> " +
                                                     std::string(io::column_type_name(out_type)) +
                                                     (empty ? ", 0 events" : "") +
                                                     (some_rows ? ", every 2nd row" : "");
                            EXPECT_EQ(a.offsets, b.offsets) << what;
                            // offsets that start above 0 are rebased: a vector of its own
                            if (jagged && !some_rows && !empty) {
                                EXPECT_FALSE(a.offsets.shared_with(batch.get(x).offsets)) << what;
                            }
                            ASSERT_EQ(a.size(), b.size()) << what;
                            ASSERT_EQ(a.entries(), events) << what;
                            const std::size_t bytes = a.size() * io::column_type_size(out_type);
                            const void* pa = out_type == ColumnType::Float32
                                                 ? static_cast<const void*>(a.as<float>().data())
                                                 : a.as<double>().data();
                            const void* pb = out_type == ColumnType::Float32
                                                 ? static_cast<const void*>(b.as<float>().data())
                                                 : b.as<double>().data();
                            EXPECT_TRUE(bytes == 0 || std::memcmp(pa, pb, bytes) == 0) << what;
                            if (some_rows && events > 1) { // an unselected row: 0 or nothing
                                if (jagged)
                                    EXPECT_EQ(a.offsets[1], a.offsets[2]) << what;
                                else
                                    EXPECT_EQ(a.value_as_double(1), 0.0) << what;
                            }
                        }
}

// Columns in memory, several of one layout (distinct arrays, equal offsets: a collection's
// branches) and one of another, cut into batches of every size: sums per event of each against
// the totals of the columns themselves (integer values: exact in any order).
TEST(EventsExpr, InMemoryColumnsOfSeveralLayoutsInEveryBatchSize) {
    const std::size_t events = 23;
    auto jagged = [&](const char* name, std::size_t per_event_mod, float scale) {
        io::Column c = io::Column::make(name, ColumnType::Float32);
        c.offsets = {0};
        for (std::size_t e = 0; e < events; ++e) {
            for (std::size_t k = 0; k < (e * 7 + 3) % per_event_mod; ++k)
                c.mut<float>().push_back(scale * static_cast<float>(e + k + 1));
            c.offsets.push_back(static_cast<std::int64_t>(c.mut<float>().size()));
        }
        return c;
    };
    std::vector<io::Column> columns = {jagged("a", 4, 1), jagged("b", 4, 10), jagged("c", 5, 100),
                                       jagged("d", 4, 1000)}; // a, b, d: one layout; c another
    ASSERT_EQ(columns[0].offsets, columns[1].offsets);
    ASSERT_NE(columns[0].offsets, columns[2].offsets);
    std::vector<double> want;
    for (const auto& c : columns) {
        double total = 0;
        for (const float v : c.as<float>())
            total += v;
        want.push_back(total);
    }
    for (const std::int64_t batch : {0, 1, 4, 7, 23}) {
        Plan plan = plan_of({producer("sa", "sum(a)"), producer("sb", "sum(b)"), producer("sc", "sum(c)"),
                             producer("sd", "sum(d) + len(c) - len(c)")},
                            {sum("ta", "sa"), sum("tb", "sb"), sum("tc", "sc"), sum("td", "sd")});
        plan.inputs.batch_entries = batch;
        Runner runner = run(std::move(plan), columns);
        const char* totals[] = {"ta", "tb", "tc", "td"};
        for (std::size_t k = 0; k < 4; ++k)
            EXPECT_EQ(sum_of(runner, "p", totals[k]).sum, want[k]) << "batch " << batch << ", " << totals[k];
    }
}

// A float64 product computed on few rows of long batches takes recycled storage (Recycle.hpp):
// the rows a batch does not select must still hold 0 (Products.hpp) in every batch, for the
// nominal and a shift whose rows differ, and the selected rows their values. 40 000 events in
// batches of 4096 (the last shorter) on two threads; one in 16 selected (x % 16 == 3); y = x / 2.
// The shift replaces x by x + 8: it selects e % 16 == 11 instead, where y = (e + 8) / 2.
TEST(EventsExpr, RecycledStorageKeepsRowsNotSelectedZero) {
    const std::size_t events = 40000;
    io::Column x = io::Column::make("x", ColumnType::Float32);
    for (std::size_t e = 0; e < events; ++e)
        x.mut<float>().push_back(static_cast<float>(e));
    double nominal = 0, shifted = 0;
    std::int64_t n_nominal = 0, n_shifted = 0;
    for (std::size_t e = 0; e < events; ++e) {
        if (e % 16 == 3) {
            nominal += 0.5 * static_cast<double>(e);
            ++n_nominal;
        }
        if (e % 16 == 11) {
            shifted += 0.5 * static_cast<double>(e + 8);
            ++n_shifted;
        }
    }
    const std::uint64_t takes = events::detail::recycled_takes();
    // batches of one size, and of sizes one apart (storage of another size is not taken), on one
    // thread and on two
    for (const std::int64_t batch : {4096, 4095, 4097})
        for (const std::size_t threads : {1, 2}) {
            Plan plan = plan_of({filter("few", "x % 16 == 3"), producer("y", "x / 2")},
                                {std::make_shared<SumAndZeros>("y", "zeros")});
            plan.inputs.batch_entries = batch;
            plan.shifts = {Shift{"up", {{"x", producer("x_up", "x + 8", ColumnType::Float32)}}}};
            plan.pipelines[0].shifts = {"up"};
            Runner runner(std::move(plan), {x});
            ThreadPool pool(threads);
            runner.run(&pool);
            const SumResult& a = sum_of(runner, "p", "zeros");
            const SumResult& b = sum_of(runner, "p", "zeros", "up");
            const std::string what =
                "batches of " + std::to_string(batch) + ", " + std::to_string(threads) + " threads";
            EXPECT_EQ(a.log, "") << what;
            EXPECT_EQ(b.log, "") << what;
            EXPECT_EQ(a.count, n_nominal) << what;
            EXPECT_EQ(b.count, n_shifted) << what;
            EXPECT_EQ(a.sum, nominal) << what; // halves of integers below 2^24: exact in any order
            EXPECT_EQ(b.sum, shifted) << what;
        }
    EXPECT_GT(events::detail::recycled_takes(), takes); // storage was recycled at all
}

// Cut-flow sums over long batches (Runner.cpp, count: eight partial sums and a tail): integer
// weights, so any order of addition is exact. 1003 events, w = 1 + g % 7 (Σw² too), the filter
// keeps g % 3 == 1; one batch, batches of 64 and of 5 (tails of every length).
TEST(EventsExpr, CutFlowSumsOverLongBatches) {
    const std::size_t events = 1003;
    io::Column x = io::Column::make("x", ColumnType::Float32);
    io::Column w = io::Column::make("w", ColumnType::Float64);
    double all = 0, all2 = 0, kept = 0, kept2 = 0;
    std::int64_t n_kept = 0;
    for (std::size_t g = 0; g < events; ++g) {
        x.mut<float>().push_back(static_cast<float>(g));
        const double v = 1.0 + static_cast<double>(g % 7);
        w.mut<double>().push_back(v);
        all += v;
        all2 += v * v;
        if (g % 3 == 1) {
            kept += v;
            kept2 += v * v;
            ++n_kept;
        }
    }
    // Non-integer weights: the sums are the same bits on 1 and 4 threads.
    {
        io::Column u = io::Column::make("w", ColumnType::Float64);
        for (std::size_t g = 0; g < events; ++g)
            u.mut<double>().push_back(1.0 / static_cast<double>(g + 1));
        std::vector<CutFlowRow> first;
        for (const std::size_t threads : {1, 4}) {
            Plan plan = plan_of({filter("third", "x % 3 == 1")}, {sum("s", "x")});
            plan.inputs.batch_entries = 200;
            plan.pipelines[0].weight = "w";
            Runner runner(std::move(plan), {x, u});
            ThreadPool pool(threads);
            runner.run(&pool);
            const auto& rows = runner.report().cutflows.front().rows;
            ASSERT_EQ(rows.size(), 2u);
            if (first.empty()) {
                first = rows;
                continue;
            }
            for (std::size_t k = 0; k < rows.size(); ++k) {
                EXPECT_EQ(std::bit_cast<std::uint64_t>(rows[k].sumw),
                          std::bit_cast<std::uint64_t>(first[k].sumw));
                EXPECT_EQ(std::bit_cast<std::uint64_t>(rows[k].sumw2),
                          std::bit_cast<std::uint64_t>(first[k].sumw2));
            }
        }
    }
    for (const std::int64_t batch : {0, 64, 5}) {
        Plan plan = plan_of({filter("third", "x % 3 == 1")}, {sum("s", "x")});
        plan.inputs.batch_entries = batch;
        plan.pipelines[0].weight = "w";
        Runner runner = run(std::move(plan), {x, w});
        const auto& rows = runner.report().cutflows.front().rows;
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0].events, static_cast<std::int64_t>(events)) << batch;
        EXPECT_EQ(rows[0].sumw, all) << batch;
        EXPECT_EQ(rows[0].sumw2, all2) << batch;
        EXPECT_EQ(rows[1].events, n_kept) << batch;
        EXPECT_EQ(rows[1].sumw, kept) << batch;
        EXPECT_EQ(rows[1].sumw2, kept2) << batch;
    }
}

// The gathers an expression step keeps in its batch (Batch::gathers) for the next steps over the
// same rows: kept where the rows are scattered, forgotten when the rows change or a product is
// replaced, not copied with the batch; and the steps' values are those without them.
TEST(EventsExpr, AScaleOverEveryRowKeepsTheInputsOffsets) {
    // one vector of offsets for the input and its scale (io::Offsets): cut_changes compares none
    Schema schema;
    const ProductId x = schema.add({"x", ColumnType::Float32, true}, "branch of the input");
    auto up = producer("up", "x * 1.01", ColumnType::Float32);
    const ProductId id = schema.add(up->declare(schema).at(0), "producer");
    up->outputs_declared(std::vector<ProductId>{id});
    io::Column in = io::Column::make("x", ColumnType::Float32);
    in.offsets = {0, 2, 2, 3};
    in.mut<float>() = {1, 2, 3};
    Batch batch(schema, 0, 3);
    batch.put(x, in);
    up->produce(batch);
    EXPECT_TRUE(batch.get(id).offsets.shared_with(batch.get(x).offsets));
    EXPECT_FLOAT_EQ(batch.get(id).as<float>()[2], 3.03f);
}

TEST(EventsExpr, GathersKeptUntilTheRowsOrAProductChange) {
    Schema schema;
    const ProductId x = schema.add({"x", ColumnType::Float32, true}, "branch of the input");
    auto a = producer("a", "sum(x * 2)");
    auto b = producer("b", "sum(x) + len(x)");
    ProductId ids[2];
    int k = 0;
    for (const auto& p : {a, b}) {
        const auto outs = p->declare(schema);
        ids[k] = schema.add(outs.at(0), "producer");
        p->outputs_declared(std::vector<ProductId>{ids[k++]});
    }
    const std::size_t events = 200; // a step keeps gathers over at most 1/8 of the events
    io::Column in = io::Column::make("x", ColumnType::Float32);
    in.offsets = {0};
    for (std::size_t e = 0; e < events; ++e) {
        for (std::size_t j = 0; j < e % 4; ++j)
            in.mut<float>().push_back(static_cast<float>(e + j));
        in.offsets.push_back(static_cast<std::int64_t>(in.mut<float>().size()));
    }
    // Σ over the event's objects: e·n + n(n−1)/2 with n = e % 4
    auto sum_x = [](std::size_t e) {
        const double n = static_cast<double>(e % 4);
        return static_cast<double>(e) * n + n * (n - 1) / 2;
    };
    Batch batch(schema, 0, events);
    batch.put(x, in);
    std::vector<std::uint32_t> rows;
    for (std::uint32_t r = 1; r < events; r += 17) // scattered: 12 rows
        rows.push_back(r);
    batch.set_rows(rows);
    EXPECT_EQ(batch.gathers().size(), 0u);
    a->produce(batch);
    EXPECT_EQ(batch.gathers().size(), 1u); // x at the rows
    b->produce(batch);                     // takes it
    EXPECT_EQ(batch.gathers().size(), 1u);
    for (const std::uint32_t r : batch.rows()) {
        EXPECT_EQ(batch.get(ids[0]).value_as_double(r), 2 * sum_x(r)) << r;
        EXPECT_EQ(batch.get(ids[1]).value_as_double(r), sum_x(r) + static_cast<double>(r % 4)) << r;
    }
    const Batch copy = batch;
    EXPECT_EQ(copy.gathers().size(), 0u); // a copy starts without
    std::vector<std::uint8_t> pass(batch.rows().size(), 0);
    for (std::size_t j = 0; j < pass.size(); j += 2)
        pass[j] = 1;
    batch.narrow(pass);
    EXPECT_EQ(batch.gathers().size(), 0u); // other rows
    a->produce(batch);
    b->produce(batch);
    EXPECT_EQ(batch.gathers().size(), 0u); // b's product replaced its earlier one: forgotten
    for (const std::uint32_t r : batch.rows())
        EXPECT_EQ(batch.get(ids[1]).value_as_double(r), sum_x(r) + static_cast<double>(r % 4)) << r;
    // x replaced by other values (same rows): forgotten, so b reads the new ones
    io::Column doubled = in;
    for (float& v : doubled.mut<float>())
        v *= 2;
    batch.put(x, doubled);
    EXPECT_EQ(batch.gathers().size(), 0u);
    b->produce(batch);
    for (const std::uint32_t r : batch.rows())
        EXPECT_EQ(batch.get(ids[1]).value_as_double(r), 2 * sum_x(r) + static_cast<double>(r % 4)) << r;
    std::vector<std::uint32_t> other = {0, 5};
    batch.swap_rows(other);
    EXPECT_EQ(batch.gathers().size(), 0u);
    a->produce(batch);
    batch.set_rows({2, 9});
    EXPECT_EQ(batch.gathers().size(), 0u);

    // A fresh batch whose steps fill empty slots (as a run's do): the gathers are kept, then the
    // rows' list is exchanged for one at the same address whose middle row changed — the swap
    // forgets them, so the step reads the new rows.
    Batch fresh(schema, 0, events);
    fresh.put(x, in);
    std::vector<std::uint32_t> scattered = {1, 4, 10, 22};
    fresh.swap_rows(scattered);
    a->produce(fresh);
    EXPECT_EQ(fresh.gathers().size(), 1u);
    fresh.swap_rows(scattered); // back: `scattered` holds {1, 4, 10, 22} again
    scattered[1] = 7;           // same address, size, first and last row
    fresh.swap_rows(scattered);
    EXPECT_EQ(fresh.gathers().size(), 0u);
    b->produce(fresh);
    for (const std::uint32_t r : fresh.rows())
        EXPECT_EQ(fresh.get(ids[1]).value_as_double(r), sum_x(r) + static_cast<double>(r % 4)) << r;
    // the input replaced while gathers are kept: forgotten
    Batch third(schema, 0, events);
    third.put(x, in);
    third.set_rows(rows);
    a->produce(third);
    EXPECT_EQ(third.gathers().size(), 1u);
    third.put(x, doubled);
    EXPECT_EQ(third.gathers().size(), 0u);
    b->produce(third);
    for (const std::uint32_t r : third.rows())
        EXPECT_EQ(third.get(ids[1]).value_as_double(r), 2 * sum_x(r) + static_cast<double>(r % 4)) << r;
    // a moved batch keeps them (its rows and columns move along)
    Batch moved = std::move(third);
    EXPECT_EQ(moved.gathers().size(), 1u);
}
