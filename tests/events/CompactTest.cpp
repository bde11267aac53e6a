// Compact products (Batch::put_compact, Products.hpp): a flat float64 product known at some rows,
// made a column of the batch's length only when asked for; expression producers after selective
// filters store theirs so, and the next expression steps read them at their rows.

#include "CoreSteps.hpp"

#include "hepkit/events/Expressions.hpp"
#include "hepkit/expr/Columns.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;
using io::ColumnType;

namespace {

std::shared_ptr<const CompactColumn> compact_of(std::vector<double> values, std::vector<std::uint32_t> rows) {
    auto c = std::make_shared<CompactColumn>();
    c->values = std::move(values);
    c->rows = std::move(rows);
    return c;
}

struct Products {
    Schema schema;
    ProductId x, y, jag, f32;
    Products() {
        x = schema.add({"x", ColumnType::Float64, false}, "branch of the input");
        y = schema.add({"y", ColumnType::Float64, false}, "producer");
        jag = schema.add({"jag", ColumnType::Float64, true}, "producer");
        f32 = schema.add({"f32", ColumnType::Float32, false}, "producer");
    }
};

} // namespace

TEST(EventsCompact, MadeAColumnWhenAskedFor) {
    for (const std::size_t events : {std::size_t{10}, std::size_t{4096}}) { // not recycled, recycled
        Products p;
        Batch batch(p.schema, 0, events);
        EXPECT_FALSE(batch.has(p.y));
        const auto c = compact_of({1.5, -0.0, std::nan("")}, {0, 3, 9});
        batch.put_compact(p.y, c);
        EXPECT_TRUE(batch.has(p.y));
        EXPECT_EQ(batch.compact(p.y), c.get());
        expr::ColumnView view;
        ASSERT_TRUE(batch.compact_view(p.y, view));
        EXPECT_EQ(view.at_rows.size(), 3u);
        EXPECT_EQ(view.values.size(), 3u);
        EXPECT_FALSE(batch.compact_view(p.x, view)); // not compact (not made at all)
        const io::Column& col = batch.get(p.y);
        ASSERT_EQ(col.entries(), events);
        const auto v = col.as<double>();
        for (std::size_t r = 0; r < events; ++r) {
            if (r == 0)
                EXPECT_EQ(v[r], 1.5);
            else if (r == 3)
                EXPECT_TRUE(v[r] == 0 && std::signbit(v[r])); // the value, bit for bit
            else if (r == 9)
                EXPECT_TRUE(std::isnan(v[r]));
            else
                EXPECT_TRUE(v[r] == 0 && !std::signbit(v[r])) << r;
        }
        EXPECT_EQ(&batch.get(p.y), &col);              // made once
        EXPECT_EQ(batch.share(p.y).get(), &col);       // and shared as it is
        EXPECT_EQ(batch.identity(p.y).get(), c.get()); // identified by its compact form
        EXPECT_EQ(batch.compact(p.y), c.get());        // which stays
    }
}

TEST(EventsCompact, SharedReplacedAndCopied) {
    Products p;
    Batch a(p.schema, 0, 100);
    const auto c = compact_of({2.0, 3.0}, {10, 20});
    a.put_compact(p.y, c);
    const Batch copy = a;
    EXPECT_EQ(copy.compact(p.y), c.get());
    Batch b(p.schema, 0, 100);
    b.share_from(a, p.y, p.y); // before a made its column: b gets the compact form only
    EXPECT_EQ(b.compact(p.y), c.get());
    EXPECT_EQ(b.identity(p.y), a.identity(p.y));
    const io::Column& made = a.get(p.y);
    Batch d(p.schema, 0, 100);
    d.share_from(a, p.y, p.y); // after: the column too
    EXPECT_EQ(&d.get(p.y), &made);
    EXPECT_EQ(b.get(p.y).value_as_double(20), 3.0); // its own column, the same values
    // put as a column: the compact form goes, and the identity changes
    const auto before = a.identity(p.y);
    io::Column whole = io::Column::make("y", ColumnType::Float64);
    whole.mut<double>().assign(100, 7.0);
    a.put(p.y, whole);
    EXPECT_EQ(a.compact(p.y), nullptr);
    EXPECT_NE(a.identity(p.y), before);
    EXPECT_EQ(a.get(p.y).value_as_double(10), 7.0);
    // and compact again: the column goes
    const auto c2 = compact_of({4.0}, {50});
    a.put_compact(p.y, c2);
    EXPECT_EQ(a.get(p.y).value_as_double(10), 0.0);
    EXPECT_EQ(a.get(p.y).value_as_double(50), 4.0);
    // the same compact form again keeps the column made from it
    const io::Column* kept = &a.get(p.y);
    a.put_compact(p.y, c2);
    EXPECT_EQ(&a.get(p.y), kept);
}

TEST(EventsCompact, RefusedWhereNotAFlatFloat64AtIncreasingRows) {
    Products p;
    Batch batch(p.schema, 0, 8);
    auto refused = [&](ProductId id, std::vector<double> v, std::vector<std::uint32_t> r) {
        try {
            batch.put_compact(id, compact_of(std::move(v), std::move(r)));
            return std::string("accepted");
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
    };
    EXPECT_EQ(refused(p.y, {1, 2}, {0, 7}), "accepted");
    EXPECT_NE(refused(p.jag, {1}, {0}).find("product 'jag' (array of float64) needs flat float64"),
              std::string::npos);
    EXPECT_NE(refused(p.f32, {1}, {0}).find("product 'f32' (float32)"), std::string::npos);
    EXPECT_NE(refused(p.y, {1, 2}, {3, 3}).find("increasing rows below 8; got 2 values at 2 rows"),
              std::string::npos);
    EXPECT_NE(refused(p.y, {1, 2}, {5, 2}).find("increasing"), std::string::npos);
    EXPECT_NE(refused(p.y, {1}, {8}).find("below 8"), std::string::npos);
    EXPECT_NE(refused(p.y, {1, 2}, {1}).find("got 2 values at 1 rows"), std::string::npos);
    EXPECT_THROW(batch.put_compact(99, compact_of({}, {})), std::invalid_argument);
    EXPECT_THROW(batch.put_compact(p.y, nullptr), std::invalid_argument);
}

TEST(EventsCompact, ExpressionStepsAfterSelectiveFiltersStoreAndReadThem) {
    // x = e over 4096 events, rows 5, 105, 205, ... selected (1/100: few): y = x / 2 is stored
    // compact, z = y + 1 reads it at its rows and is compact too; a filter reads z; a reader
    // asking for the column sees zeros in the rows not computed
    Products p;
    const ProductId z = p.schema.add({"z", ColumnType::Float64, false}, "producer");
    const std::size_t events = 4096;
    auto y = std::make_shared<ExprProducer>(place("producer", "y"), "x / 2");
    auto zp = std::make_shared<ExprProducer>(place("producer", "z"), "y + 1");
    auto keep = std::make_shared<ExprFilter>(place("filter", "keep"), "z < 1000");
    for (const auto& [prod, id] : {std::pair{y, p.y}, std::pair{zp, z}}) {
        prod->declare(p.schema);
        prod->outputs_declared(std::vector<ProductId>{id});
    }
    keep->declare(p.schema);
    Batch batch(p.schema, 0, events);
    io::Column x = io::Column::make("x", ColumnType::Float64);
    for (std::size_t e = 0; e < events; ++e)
        x.mut<double>().push_back(static_cast<double>(e));
    batch.put(p.x, x);
    std::vector<std::uint32_t> rows;
    for (std::uint32_t r = 5; r < events; r += 100)
        rows.push_back(r);
    batch.set_rows(rows);
    y->produce(batch);
    ASSERT_NE(batch.compact(p.y), nullptr);
    EXPECT_EQ(batch.compact(p.y)->rows, rows);
    zp->produce(batch);
    ASSERT_NE(batch.compact(z), nullptr);
    for (std::size_t k = 0; k < rows.size(); ++k)
        EXPECT_EQ(batch.compact(z)->values[k], static_cast<double>(rows[k]) / 2 + 1) << rows[k];
    std::vector<std::uint8_t> pass(rows.size(), 0);
    keep->select(batch, pass);
    for (std::size_t k = 0; k < rows.size(); ++k)
        EXPECT_EQ(pass[k] != 0, rows[k] / 2 + 1 < 1000) << rows[k];
    const auto col = batch.get(z).as<double>();
    EXPECT_EQ(col[105], 105.0 / 2 + 1);
    EXPECT_EQ(col[106], 0.0);
    // narrowed: the next step reads z at a part of its rows (a merge, not the same list)
    auto w = std::make_shared<ExprProducer>(place("producer", "w"), "z * 2");
    const ProductId wid = p.schema.add(w->declare(p.schema).at(0), "producer");
    w->outputs_declared(std::vector<ProductId>{wid});
    Batch wide(p.schema, 0, events); // a batch of the schema with w
    wide.put(p.x, x);
    wide.set_rows(rows);
    y->produce(wide);
    zp->produce(wide);
    std::vector<std::uint8_t> again(rows.size(), 0);
    keep->select(wide, again);
    wide.narrow(again);
    w->produce(wide);
    ASSERT_NE(wide.compact(wid), nullptr);
    for (std::size_t k = 0; k < wide.rows().size(); ++k)
        EXPECT_EQ(wide.compact(wid)->values[k], 2 * (static_cast<double>(wide.rows()[k]) / 2 + 1));
    // many rows selected: a column of the batch's length, as before
    Batch all(p.schema, 0, events);
    all.put(p.x, x);
    y->produce(all);
    EXPECT_EQ(all.compact(p.y), nullptr);
    EXPECT_EQ(all.get(p.y).value_as_double(4095), 4095.0 / 2);
}

TEST(EventsCompact, ReadAtTheSelectedRowsByCxxSteps) {
    Products p;
    Batch batch(p.schema, 0, 4096);
    const auto c = compact_of({1.0, 2.0, 3.0}, {10, 20, 30});
    batch.put_compact(p.y, c);
    io::Column x = io::Column::make("x", ColumnType::Float64);
    for (std::size_t e = 0; e < 4096; ++e)
        x.mut<double>().push_back(static_cast<double>(e) / 4);
    batch.put(p.x, x);
    std::vector<double> scratch;
    batch.set_rows(c->rows); // its own rows: read as they are
    auto v = batch.at_rows(p.y, scratch);
    EXPECT_EQ(v.data(), c->values.data());
    batch.set_rows({5, 20, 30}); // a row it has no value for reads 0
    v = batch.at_rows(p.y, scratch);
    EXPECT_EQ(std::vector<double>(v.begin(), v.end()), (std::vector<double>{0.0, 2.0, 3.0}));
    EXPECT_EQ(batch.compact(p.y), c.get());
    EXPECT_EQ(batch.identity(p.y).get(), c.get());
    v = batch.at_rows(p.x, scratch); // a column: gathered
    EXPECT_EQ(std::vector<double>(v.begin(), v.end()), (std::vector<double>{1.25, 5.0, 7.5}));
    std::vector<float> floats;
    EXPECT_THROW(batch.at_rows(p.x, floats), std::logic_error); // not its type
    io::Column jag = io::Column::make("jag", ColumnType::Float64);
    jag.offsets.assign(4097, 0);
    batch.put(p.jag, jag);
    EXPECT_THROW(batch.at_rows(p.jag, scratch), std::logic_error);
}

namespace {

// Records whether the product was stored compact in any batch it saw.
class CompactSeen : public Consumer {
  public:
    explicit CompactSeen(std::string input)
        : Consumer(hepkit::events::test::place("consumer", "seen")), input_(std::move(input)) {}
    std::vector<std::string> inputs() const override { return {input_}; }
    void declare(const Schema& schema) override { id_ = schema.require(input_, place().label()); }
    std::unique_ptr<Result> consume(const Batch& batch) const override {
        auto r = std::make_unique<SumResult>();
        r->count = batch.compact(id_) != nullptr ? 1 : 0;
        return r;
    }
    std::unique_ptr<Result> empty() const override { return std::make_unique<SumResult>(); }

  private:
    std::string input_;
    ProductId id_ = 0;
};

std::vector<io::Column> xs(std::size_t events, bool some) {
    io::Column x = io::Column::make("x", ColumnType::Float64);
    for (std::size_t e = 0; e < events; ++e) {
        const auto v = static_cast<double>(e);
        x.mut<double>().push_back(some ? (e % 256 == 0 ? v + 0.5 : v) : v + 1);
    }
    return {x};
}

Plan compact_plan(bool shifts, bool row_sharing) {
    auto p = [](const char* name, const char* e) {
        return std::make_shared<ExprProducer>(place("producer", name), e);
    };
    Plan plan;
    plan.inputs.batch_entries = 4096;
    plan.row_sharing = row_sharing;
    // 2 of 16 rows (1/8: stored compact); x + 1 keeps rows 15 and 0 of 16 — the nominal's row 0,
    // a row it dropped (15), and drops its row 1
    plan.global = {std::make_shared<ExprFilter>(place("filter", "few"), "x % 16 < 2"), p("y", "x / 2"),
                   p("z", "y + x"), std::make_shared<ExprFilter>(place("filter", "cut"), "z % 48 != 0"),
                   p("w", "z * 2 + y")};
    Pipeline pipe;
    pipe.name = "p";
    pipe.steps = {std::make_shared<SumConsumer>(place("consumer", "y"), "y"),
                  std::make_shared<SumConsumer>(place("consumer", "z"), "z"),
                  std::make_shared<SumConsumer>(place("consumer", "w"), "w"),
                  std::make_shared<CompactSeen>("w")};
    if (shifts) {
        plan.shifts = {Shift{"all", {{"x", p("x_all", "x + 1")}}},
                       Shift{"some", {{"x", p("x_some", "where(x % 256 == 0, x + 0.5, x)")}}}};
        pipe.shifts = {"all", "some"};
    }
    plan.pipelines = {pipe};
    return plan;
}

} // namespace

TEST(EventsCompact, ShiftsOverCompactProductsGiveTheShiftedInputsNominal) {
    // a shift that changes every selected row (x + 1: rows the nominal dropped come in) and one
    // that changes one event in 256 (computed again on those rows only, spliced into the
    // nominal's compact product), with and without row-level sharing, against the nominal of the
    // shifted input
    const std::size_t events = 3 * 4096 + 100;
    std::vector<io::Column> plain;
    {
        io::Column x = io::Column::make("x", ColumnType::Float64);
        for (std::size_t e = 0; e < events; ++e)
            x.mut<double>().push_back(static_cast<double>(e));
        plain = {x};
    }
    for (const bool sharing : {true, false}) {
        Runner shifted(compact_plan(true, sharing), plain);
        shifted.run();
        for (const std::string shift : {"", "all", "some"}) {
            SCOPED_TRACE(std::string(sharing ? "row sharing, " : "every row, ") + "shift '" + shift + "'");
            Runner reference(compact_plan(false, true), shift.empty() ? plain : xs(events, shift == "some"));
            reference.run();
            for (const char* c : {"y", "z", "w"}) {
                const SumResult& want = sum_of(reference, "p", c);
                const SumResult& got = sum_of(shifted, "p", c, shift);
                EXPECT_GT(want.count, 400);
                EXPECT_EQ(got.count, want.count) << c;
                EXPECT_EQ(got.log, want.log) << c; // every entry's value, exactly
            }
            // compact in the three full batches (where row sharing splices a few rows into the
            // nominal's, a column of the batch's length)
            if (shift != "some" || !sharing) {
                EXPECT_EQ(sum_of(shifted, "p", "seen", shift).count, 3);
            }
        }
    }
}

TEST(EventsCompact, WithoutRowsReadAsZeros) {
    // a C++ producer may store a product computed on no rows (its filters kept nothing): every
    // reader sees zeros, an expression too
    Products p;
    const ProductId z = p.schema.add({"z", ColumnType::Float64, false}, "producer");
    auto zp = std::make_shared<ExprProducer>(place("producer", "z"), "y + 1");
    zp->declare(p.schema);
    zp->outputs_declared(std::vector<ProductId>{z});
    Batch batch(p.schema, 0, 4096);
    batch.put_compact(p.y, compact_of({}, {}));
    expr::ColumnView view;
    EXPECT_FALSE(batch.compact_view(p.y, view)); // read through its column of zeros
    batch.set_rows({7, 300});
    zp->produce(batch);
    EXPECT_EQ(batch.get(z).value_as_double(7), 1.0);
    EXPECT_EQ(batch.get(z).value_as_double(300), 1.0);
    std::vector<double> scratch;
    const auto v = batch.at_rows(p.y, scratch);
    EXPECT_EQ(std::vector<double>(v.begin(), v.end()), (std::vector<double>{0.0, 0.0}));
}

TEST(EventsCompact, ItsColumnIsMadeOnceForTheCopiesThatShareIt) {
    Products p;
    Batch a(p.schema, 0, 4096);
    a.put_compact(p.y, compact_of({2.0}, {9}));
    const Batch b = a; // a shift's copy of the nominal's batch
    EXPECT_EQ(&a.get(p.y), &b.get(p.y));
    EXPECT_EQ(a.share(p.y), b.share(p.y));
}
