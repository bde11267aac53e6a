// The events core (Runner.hpp, Plan.hpp): products from the input's branches, producers, filters
// narrowing the rows, the shift re-run analysis (which steps run again, what is shared by
// pointer), cut flows, outputs independent of the threads and the batch size, errors that name the
// step. Entries follow the formula of CoreSteps.hpp; each expected value is computed by hand in
// the comment next to it.

#include "CorePlan.hpp"
#include "CoreSteps.hpp"
#include "Helpers.hpp"

#include "hepkit/core/ThreadPool.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <sstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;
using io::ColumnType;

TEST(EventsCore, InputBranchesAreProducts) {
    // Scenario: the test file's five branches become products; the fixed-size array arr[3] is a
    // jagged product (3 values per event); steps' products follow in declaration order.
    Steps s;
    Runner runner(make_plan(s));
    runner.prepare();
    const Schema& schema = runner.schema();
    ASSERT_TRUE(schema.find("x"));
    EXPECT_EQ(schema.info(*schema.find("x")).type, ColumnType::Float32);
    EXPECT_FALSE(schema.info(*schema.find("x")).jagged);
    EXPECT_TRUE(schema.info(*schema.find("Muon_pt")).jagged);
    EXPECT_TRUE(schema.info(*schema.find("arr")).jagged);
    EXPECT_EQ(schema.origin(*schema.find("x")), "branch of the input");
    EXPECT_EQ(schema.origin(*schema.find("a")), "producer a (plan.yaml:10)");
    // replacements are declared under internal names, right after what they replace
    ASSERT_TRUE(schema.find("x@xup"));
    EXPECT_EQ(schema.info(*schema.find("x@xup")).type, ColumnType::Float32);
    EXPECT_LT(*schema.find("x@xup"), *schema.find("a"));
    EXPECT_EQ(runner.events(), 15);
    // clusters of 3 in each file: 0-3 3-6 6-9 9-10 | 10-13 13-15
    EXPECT_EQ(runner.batches(), 6u);
}

TEST(EventsCore, ProducersFiltersAndConsumersOnTheNominal) {
    // a_gt_6 keeps a = 2(g+1) > 6: g = 3 … 14 (12 events). b = g%3 + 1 cycles 1,2,3 from g = 3:
    //   Σb = 4·(1+2+3) = 24, Σc = 240, Σa over g=3…14 = 2·Σ_{4..15} = 2·114 = 228.
    // b_ge_2 keeps g%3 ∈ {1,2}: g = 4,5,7,8,10,11,13,14, Σ(g+1) = 80, Σa = 160.
    Steps s;
    Runner runner(make_plan(s));
    const RunReport report = runner.run();
    EXPECT_EQ(report.events, 15);
    EXPECT_EQ(report.batches, 6);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_b").sum, 24);
    EXPECT_EQ(sum_of(runner, "sel", "sum_b").count, 12);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_c").sum, 240);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_a0").sum, 228);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_a").sum, 160);
    EXPECT_EQ(sum_of(runner, "sel", "sum_a").count, 8);
    // entries in order, whatever the batches
    EXPECT_EQ(sum_of(runner, "sel", "sum_a").log, "4:10 5:12 7:16 8:18 10:22 11:24 13:28 14:30 ");
}

TEST(EventsCore, ShiftReRunAnalysis) {
    // xup changes x: a reads it, a_gt_6 reads a; after a filter that ran again every pipeline step
    // runs again. nup changes n: b runs again, a_gt_6 does not (it reads a); in the pipeline the
    // steps reading b or c run again, b_ge_2 too, and sum_a after it (its rows may differ); sum_a0
    // reads only a over unchanged rows: shared. wup changes the weight only: nothing runs again.
    Steps s;
    Runner runner(make_plan(s));
    runner.prepare();
    EXPECT_EQ(runner.rerun_steps("", ""), names({"a", "b", "a_gt_6"}));
    EXPECT_EQ(runner.rerun_steps("", "xup"), names({"x_up", "a", "a_gt_6"}));
    EXPECT_EQ(runner.rerun_steps("", "nup"), names({"n_up", "b"}));
    EXPECT_EQ(runner.rerun_steps("", "wup"), names({"w_up"}));
    EXPECT_EQ(runner.rerun_steps("sel", ""), names({"sum_a0", "c", "sum_c", "sum_b", "b_ge_2", "sum_a"}));
    EXPECT_EQ(runner.rerun_steps("sel", "xup"), names({"sum_a0", "c", "sum_c", "sum_b", "b_ge_2", "sum_a"}));
    EXPECT_EQ(runner.rerun_steps("sel", "nup"), names({"c", "sum_c", "sum_b", "b_ge_2", "sum_a"}));
    EXPECT_TRUE(runner.rerun_steps("sel", "wup").empty());
}

TEST(EventsCore, ShiftedResults) {
    // xup: a = 3(g+1) > 6 keeps g = 2 … 14; b over g=2…14: 3 + 4·6 = 27, Σc = 270;
    //   Σa over g=2…14 = 3·Σ_{3..15} = 351; b_ge_2: g = 2,4,5,7,8,10,11,13,14, Σ(g+1) = 83, Σa = 249.
    // nup: b = g%3 + 2 over g=3…14: 24 + 12 = 36, Σc = 360; b ≥ 2 always: Σa = 228 (12 events).
    // wup: no consumer runs again: every result is the nominal's.
    Steps s;
    Runner runner(make_plan(s));
    runner.run();
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_b", "xup").sum, 27);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_c", "xup").sum, 270);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_a0", "xup").sum, 351);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_a", "xup").sum, 249);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_b", "nup").sum, 36);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_c", "nup").sum, 360);
    EXPECT_DOUBLE_EQ(sum_of(runner, "sel", "sum_a", "nup").sum, 228);
    EXPECT_EQ(sum_of(runner, "sel", "sum_a", "nup").count, 12);
    EXPECT_EQ(&runner.result("sel", "sum_a", "wup"), &runner.result("sel", "sum_a"));
    EXPECT_EQ(&runner.result("sel", "sum_a0", "nup"), &runner.result("sel", "sum_a0"));
}

TEST(EventsCore, SharedProductsAreTheSamePointerAndRunOnce) {
    // Under nup the product a is not made again: the shifted pipeline holds the nominal's column
    // (same address, batch by batch). Under xup it is made again (another column). Calls: 6 batches
    // × (nominal + xup) for a, × (nominal + nup) for b. c computes only the rows where what it reads
    // differs from the nominal's (row-level sharing): 6 nominal batches; under nup (b changed in
    // every row) the 5 batches with selected rows (the first, g = 0 … 2, has none after a_gt_6);
    // under xup (b unchanged) only the batch of g = 2, which xup's a_gt_6 keeps and the nominal's
    // drops: 12.
    Steps s;
    Plan plan = make_plan(s);
    // a consumer of `a` that runs again under nup only because it follows b_ge_2 sees the nominal's column
    Runner runner(std::move(plan));
    runner.run();
    const auto& nominal = sum_of(runner, "sel", "sum_a");
    const auto& nup = sum_of(runner, "sel", "sum_a", "nup");
    const auto& xup = sum_of(runner, "sel", "sum_a", "xup");
    ASSERT_EQ(nominal.columns.size(), 6u);
    ASSERT_EQ(nup.columns.size(), 6u);
    EXPECT_EQ(nominal.columns, nup.columns);
    for (std::size_t k = 0; k < 6; ++k)
        EXPECT_NE(nominal.columns[k], xup.columns[k]);
    EXPECT_EQ(s.a->calls, 12);
    EXPECT_EQ(s.b->calls, 12);
    EXPECT_EQ(s.c->calls, 12);
    EXPECT_EQ(s.x_up->calls, 6);
    EXPECT_EQ(s.a_gt_6->calls, 12);
    EXPECT_EQ(s.sum_a0->calls, 12); // nominal + xup
    EXPECT_EQ(s.sum_a->calls, 18);  // nominal + xup + nup
}

TEST(EventsCore, CutFlowsWeightedAndShifted) {
    // w = 0.5 + 0.1 g; Σg over 0…14 = 105, Σg² = 1015.
    //   all:     15 events, Σw = 7.5 + 10.5 = 18.0, Σw² = 15·0.25 + 0.1·105 + 0.01·1015 = 24.4
    //   a_gt_6:  g = 3…14: 12, Σw = 6 + 10.2 = 16.2, Σw² = 3 + 10.2 + 0.01·1010 = 23.3
    //   b_ge_2:  g = 4,5,7,8,10,11,13,14 (Σg = 72, Σg² = 740): 8, Σw = 4 + 7.2 = 11.2,
    //            Σw² = 2 + 7.2 + 7.4 = 16.6
    // wup doubles every weight: Σw × 2, Σw² × 4, same events. xup: a_gt_6 keeps g = 2…14 (13).
    Steps s;
    Runner runner(make_plan(s));
    const RunReport report = runner.run();
    ASSERT_EQ(report.cutflows.size(), 4u);
    std::map<std::string, CutFlow> by_shift;
    for (const auto& f : report.cutflows) {
        EXPECT_EQ(f.pipeline, "sel");
        by_shift[f.shift] = f;
    }
    const auto& nom = by_shift[""].rows;
    ASSERT_EQ(nom.size(), 3u);
    EXPECT_EQ(nom[0].label, "all");
    EXPECT_EQ(nom[1].label, "a_gt_6");
    EXPECT_EQ(nom[2].label, "b_ge_2");
    const std::int64_t events[] = {15, 12, 8};
    const double sumw[] = {18.0, 16.2, 11.2}, sumw2[] = {24.4, 23.3, 16.6};
    for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(nom[k].events, events[k]);
        EXPECT_NEAR(nom[k].sumw, sumw[k], 1e-12);
        EXPECT_NEAR(nom[k].sumw2, sumw2[k], 1e-12);
        EXPECT_EQ(by_shift["wup"].rows[k].events, events[k]);
        EXPECT_NEAR(by_shift["wup"].rows[k].sumw, 2 * sumw[k], 1e-12);
        EXPECT_NEAR(by_shift["wup"].rows[k].sumw2, 4 * sumw2[k], 1e-12);
    }
    EXPECT_EQ(by_shift["xup"].rows[1].events, 13);
    EXPECT_EQ(by_shift["xup"].rows[2].events, 9);
    EXPECT_EQ(by_shift["nup"].rows[2].events, 12);
}

TEST(EventsCore, UnweightedCutFlowCountsEvents) {
    Steps s;
    Plan plan = make_plan(s);
    plan.pipelines[0].weight.clear();
    Runner runner(std::move(plan));
    const auto report = runner.run();
    const auto& rows = report.cutflows.front().rows;
    EXPECT_EQ(rows[1].events, 12);
    EXPECT_DOUBLE_EQ(rows[1].sumw, 12);
    EXPECT_DOUBLE_EQ(rows[1].sumw2, 12);
}

TEST(EventsCore, OutputsIndependentOfThreadsAndBatches) {
    // The written outputs are byte-identical for 1, 2 and 3 threads at every batch size. Across
    // batch sizes the consumers' sums of integers and their logs (entries in order) are identical
    // too; the cut flows' weight sums group differently and agree to rounding.
    std::string reference;
    nlohmann::json reference_flow;
    for (const std::int64_t batch : {0, 1, 2, 4, 7, 100}) {
        std::string flow_reference;
        for (const std::size_t threads : {1u, 2u, 3u}) {
            Steps s;
            Runner runner(make_plan(s, batch));
            ThreadPool pool(threads);
            runner.run(&pool);
            const auto dir =
                fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-out-" +
                                             std::to_string(batch) + "-" + std::to_string(threads));
            runner.write(dir);
            std::string all;
            for (const char* f : {"sum_a0", "sum_a0__xup", "sum_a0__nup", "sum_a0__wup", "sum_c",
                                  "sum_c__nup", "sum_b", "sum_a", "sum_a__xup", "sum_a__nup", "sum_a__wup"})
                all += slurp(dir / "sel" / (std::string(f) + ".txt"));
            const std::string flow = slurp(dir / "sel" / "cutflow.json");
            EXPECT_TRUE(fs::exists(dir / "report.json"));
            fs::remove_all(dir);
            if (reference.empty())
                reference = all;
            if (flow_reference.empty())
                flow_reference = flow;
            EXPECT_EQ(all, reference) << "batch_entries " << batch << ", " << threads << " threads";
            EXPECT_EQ(flow, flow_reference) << "batch_entries " << batch << ", " << threads << " threads";
            const auto parsed = nlohmann::json::parse(flow);
            if (reference_flow.is_null())
                reference_flow = parsed;
            for (const char* shift : {"nominal", "xup", "nup", "wup"})
                for (std::size_t row = 0; row < 3; ++row) {
                    EXPECT_EQ(parsed[shift][row]["events"], reference_flow[shift][row]["events"]);
                    EXPECT_NEAR(parsed[shift][row]["sumw"].get<double>(),
                                reference_flow[shift][row]["sumw"].get<double>(), 1e-12);
                }
        }
    }
    EXPECT_NE(reference.find("log 4:10 5:12 7:16"), std::string::npos);
}

TEST(EventsCore, BatchesNeverSpanTwoFiles) {
    // batch_entries 4 over clusters of 3: file a (10) → 0-3, 3-6, 6-10 (a cluster joins the open
    // batch while it stays ≤ 4: 3 + 1); file b (5) → 10-13, 13-15 (3 + 2 > 4). batch_entries 100:
    // one batch per file.
    Steps s1, s2, s3;
    Runner four(make_plan(s1, 4)), hundred(make_plan(s2, 100)), two(make_plan(s3, 2));
    four.prepare();
    hundred.prepare();
    two.prepare();
    EXPECT_EQ(four.batches(), 5u);
    EXPECT_EQ(hundred.batches(), 2u);
    // clusters of 3 cut in halves (2 batches each, 1+2 or 2+1): 4 clusters of a → 7 (the last has 1), b: 2
    // clusters → 3
    EXPECT_EQ(two.batches(), 10u);
    hundred.run();
    EXPECT_EQ(sum_of(hundred, "sel", "sum_a").first_entries, (std::vector<std::int64_t>{0, 10}));
}

TEST(EventsCore, EntryRange) {
    // entries 5 … 11: a_gt_6 passes all (g ≥ 3); b_ge_2 keeps g%3 ∈ {1,2}: 5,7,8,10,11
    Steps s;
    Plan plan = make_plan(s);
    plan.inputs.first_entry = 5;
    plan.inputs.max_entries = 7;
    Runner runner(std::move(plan));
    runner.run();
    EXPECT_EQ(runner.report().events, 7);
    EXPECT_EQ(sum_of(runner, "sel", "sum_a").log, "5:12 7:16 8:18 10:22 11:24 ");
}

TEST(EventsCore, ColumnsInMemoryGiveTheFilesResults) {
    Steps s1, s2;
    Runner on_files(make_plan(s1));
    on_files.run();
    Plan plan = make_plan(s2, 4);
    plan.inputs.files.clear();
    Runner in_memory(std::move(plan), make_columns(0, 15));
    in_memory.run();
    for (const char* shift : {"", "xup", "nup", "wup"})
        EXPECT_EQ(sum_of(on_files, "sel", "sum_a", shift).log, sum_of(in_memory, "sel", "sum_a", shift).log);
    EXPECT_EQ(in_memory.batches(), 4u); // 15 entries by 4
}

// Runner::run keeps freed memory for the next batches (docs/events.md, "Batches and threads"):
// after a run, a 24 MiB block comes from the heap, not from a fresh mmap (glibc's default for blocks
// of 128 KiB and more), and freeing it does not give it back to the kernel — unless the environment
// sets the thresholds. Sanitizers replace malloc, and mallinfo2 needs glibc 2.33: skipped there.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEPKIT_TEST_OWN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HEPKIT_TEST_OWN_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(HEPKIT_TEST_OWN_MALLOC) && __GLIBC_PREREQ(2, 33)
#define HEPKIT_TEST_MALLINFO2 1
#endif
TEST(EventsCore, RunKeepsFreedMemoryForTheNextBatch) {
#if !defined(HEPKIT_TEST_MALLINFO2)
    GTEST_SKIP() << "malloc is not glibc's (2.33 or later) here: a sanitizer or another C library";
#else
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    const char* keep = std::getenv("HEPKIT_KEEP_HEAP");
    if ((tunables && std::strstr(tunables, "threshold")) || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
        std::getenv("MALLOC_TRIM_THRESHOLD_") || (keep && std::string(keep) == "0"))
        GTEST_SKIP() << "the environment sets malloc's thresholds itself";
    Steps s;
    Plan plan = make_plan(s, 4);
    plan.inputs.files.clear();
    Runner runner(std::move(plan), make_columns(0, 15));
    runner.run();
    malloc_trim(0); // nothing free at the heap's top: the block below extends it
    const auto mapped = mallinfo2().hblks;
    constexpr std::size_t size = std::size_t{24} << 20; // above what this process freed before
    auto* block = static_cast<volatile char*>(std::malloc(size));
    ASSERT_NE(block, nullptr);
    block[0] = 1;
    block[size - 1] = 1;
    EXPECT_EQ(mallinfo2().hblks, mapped) << "a 24 MiB block was mmapped: glibc's default mmap threshold";
    const auto heap = mallinfo2().arena;
    std::free(const_cast<char*>(block));
    EXPECT_GT(mallinfo2().arena + (std::size_t{1} << 20), heap)
        << "the freed block went back to the kernel: glibc's default trim threshold";
#endif
}

// Per event: the number of objects of a jagged branch (or, `first`, the first one's value, -1
// without): reads the branch's offsets itself.
struct Count : Producer {
    using Producer::Producer;
    ProductId in = 0, out = 0;
    std::string branch;
    bool first = false;
    std::vector<std::string> inputs() const override { return {branch}; }
    std::vector<ProductInfo> declare(const Schema& schema) override {
        in = schema.require(branch, place().label());
        EXPECT_TRUE(schema.info(in).jagged);
        return {{name(), ColumnType::Float64, false}};
    }
    void outputs_declared(std::span<const ProductId> ids) override { out = ids[0]; }
    void produce(Batch& batch) const override {
        const auto& c = batch.get(in);
        auto col = io::Column::make(name(), ColumnType::Float64);
        col.mut<double>().assign(batch.size(), 0.0);
        for (const auto r : batch.rows()) {
            const auto b = c.offsets[r], e = c.offsets[r + 1];
            col.mut<double>()[r] = first ? (e > b ? c.value_as_double(static_cast<std::size_t>(b)) : -1)
                                         : static_cast<double>(e - b);
        }
        batch.put(out, std::move(col));
    }
};

// A step that reads Muon_pt (make_plan's steps do not), summed by a consumer.
void add_muon_count(Plan& plan) {
    auto nmu = std::make_shared<Count>(place("producer", "nmu"));
    nmu->branch = "Muon_pt";
    plan.global.push_back(nmu);
    plan.pipelines.front().steps.push_back(std::make_shared<SumConsumer>(place("consumer", "s_nmu"), "nmu"));
}

// Columns in memory are cut into batches by their offsets: bad ones are an error naming the
// column and the entries, never a read out of bounds. Each batch checks its own slice as it is
// cut (not a serial pass over the whole column first), so every position counts: the first
// offset, one on a batch boundary (batches of 4: the offsets 4 and 8 belong to two slices), one
// inside, the last; too large, negative (INT64_MIN too: rebasing must not overflow before the
// check, the sanitizer build's point), or decreasing.
TEST(EventsCore, BadOffsetsOfColumnsInMemoryNamed) {
    for (const std::size_t at : {std::size_t{0}, std::size_t{4}, std::size_t{7}, std::size_t{15}})
        for (const std::int64_t bad : {std::int64_t{-1}, std::int64_t{1000}, std::int64_t{1} << 62,
                                       std::numeric_limits<std::int64_t>::min()}) {
            Steps s;
            Plan plan = make_plan(s, 4);
            plan.inputs.files.clear();
            std::vector<io::Column> columns = make_columns(0, 15);
            columns[3].offsets.mut()[at] = bad; // Muon_pt
            add_muon_count(plan);
            Runner runner(std::move(plan), std::move(columns));
            try {
                runner.run();
                FAIL() << "offset " << bad << " at " << at << " accepted";
            } catch (const std::invalid_argument& e) {
                EXPECT_NE(std::string(e.what()).find("input column 'Muon_pt'"), std::string::npos)
                    << e.what();
                EXPECT_NE(std::string(e.what()).find("entries"), std::string::npos) << e.what();
            }
        }
    // Decreasing by one inside a batch, values in range.
    Steps s;
    Plan plan = make_plan(s, 4);
    plan.inputs.files.clear();
    std::vector<io::Column> columns = make_columns(0, 15);
    auto& o = columns[3].offsets.mut();
    const auto k = static_cast<std::size_t>(
        std::find_if(o.begin() + 1, o.end() - 1, [](std::int64_t v) { return v > 0; }) - o.begin());
    ASSERT_LT(k + 1, o.size());
    o[k + 1] = o[k] - 1;
    add_muon_count(plan);
    Runner runner(std::move(plan), std::move(columns));
    EXPECT_THROW(runner.run(), std::invalid_argument);
}

TEST(EventsCore, JaggedAndFixedInputs) {
    // Σ over events of the number of muons: Σ g%3 over 0…14 = 5·3 = 15 (via a jagged input read
    // as offsets); Σ of arr's first element (arr[3] read as a jagged product) = Σg = 105.
    auto nmu = std::make_shared<Count>(place("producer", "nmu"));
    nmu->branch = "Muon_pt";
    auto arr0 = std::make_shared<Count>(place("producer", "arr0"));
    arr0->branch = "arr";
    arr0->first = true;
    Plan plan;
    plan.inputs.files = {files().a.string(), files().b.string()};
    plan.global = {nmu, arr0};
    Pipeline p;
    p.name = "p";
    p.steps = {std::make_shared<SumConsumer>(place("consumer", "s_nmu"), "nmu"),
               std::make_shared<SumConsumer>(place("consumer", "s_arr0"), "arr0")};
    plan.pipelines = {p};
    Runner runner(std::move(plan));
    ThreadPool pool(2);
    runner.run(&pool);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s_nmu").sum, 15);
    EXPECT_DOUBLE_EQ(sum_of(runner, "p", "s_arr0").sum, 105);
}

TEST(EventsCore, ProgressReachesTheTotal) {
    Steps s;
    Runner runner(make_plan(s, 2));
    std::vector<std::int64_t> seen;
    ThreadPool pool(3);
    runner.run(&pool, [&](std::int64_t done, std::int64_t total) {
        EXPECT_EQ(total, 15);
        seen.push_back(done);
    });
    ASSERT_EQ(seen.size(), runner.batches());
    EXPECT_EQ(*std::max_element(seen.begin(), seen.end()), 15);
}

TEST(EventsCore, StepErrorPropagatesFromTheThreads) {
    // A producer that fails on entry 7: the run ends with its InputError on 1 and 3 threads.
    for (const std::size_t threads : {1u, 3u}) {
        Steps s;
        Plan plan = make_plan(s, 1);
        plan.global.insert(
            plan.global.begin(),
            std::make_shared<FnProducer>(place("producer", "bad", 5), std::vector<std::string>{"x"},
                                         ProductInfo{"bad", ColumnType::Float64}, [](auto& v) {
                                             if (v[0] == 8)
                                                 throw InputError("", 0, "bad", "entry 7 is bad");
                                             return v[0];
                                         }));
        Runner runner(std::move(plan));
        ThreadPool pool(threads);
        const auto e = hepkit::test::input_error([&] { runner.run(&pool); });
        EXPECT_EQ(e.message(), "entry 7 is bad");
    }
}

TEST(EventsCore, ReportTimesEveryStepThatRan) {
    Steps s;
    Runner runner(make_plan(s));
    const auto report = runner.run();
    std::map<std::pair<std::string, std::string>, std::int64_t> calls;
    for (const auto& t : report.steps) {
        calls[{t.label, t.shift}] = t.calls;
        EXPECT_GE(t.seconds, 0);
    }
    EXPECT_EQ((calls[{"producer a (plan.yaml:10)", ""}]), 6);
    EXPECT_EQ((calls[{"producer a (plan.yaml:10)", "xup"}]), 6);
    EXPECT_EQ(calls.count({"producer a (plan.yaml:10)", "nup"}), 0u);
    EXPECT_EQ((calls[{"sel: consumer sum_a (plan.yaml:24)", "nup"}]), 6);
    EXPECT_EQ((calls[{"shift xup: producer x_up (plan.yaml:30)", "xup"}]), 6);
    EXPECT_GT(report.read_seconds, 0);
}

TEST(EventsCore, WriteNamesOutputsPerPipelineAndShift) {
    Steps s;
    Runner runner(make_plan(s));
    runner.run();
    const auto dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-write");
    runner.write(dir);
    for (const char* f : {"sum_a.txt", "sum_a__xup.txt", "sum_a__nup.txt", "sum_a__wup.txt", "cutflow.json"})
        EXPECT_TRUE(fs::exists(dir / "sel" / f)) << f;
    const auto flows = nlohmann::json::parse(slurp(dir / "sel" / "cutflow.json"));
    EXPECT_EQ(flows["nominal"][1]["label"], "a_gt_6");
    EXPECT_EQ(flows["nominal"][1]["events"], 12);
    EXPECT_NEAR(flows["wup"][0]["sumw"].get<double>(), 36.0, 1e-12);
    const auto report = nlohmann::json::parse(slurp(dir / "report.json"));
    EXPECT_EQ(report["events"], 15);
    EXPECT_EQ(report["cutflows"].size(), 4u);
    // the shared output under wup is the nominal's
    EXPECT_EQ(slurp(dir / "sel" / "sum_a__wup.txt"), slurp(dir / "sel" / "sum_a.txt"));
    fs::remove_all(dir);
}

TEST(EventsCore, PrintGraph) {
    Steps s;
    Runner runner(make_plan(s));
    runner.prepare();
    std::ostringstream text, dot;
    runner.print_graph(text);
    runner.print_graph(dot, true);
    const std::string t = text.str();
    EXPECT_NE(t.find("products (3 of 6 input branches read"), std::string::npos) << t;
    EXPECT_NE(t.find("producer a (plan.yaml:10)\n      reads x\n      makes a\n      runs again under xup"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("pipeline sel: runs again 0 steps, shares 6"), std::string::npos) << t;
    EXPECT_EQ(dot.str().rfind("digraph hepkit_events {", 0), 0u);
    EXPECT_NE(dot.str().find("cluster_1"), std::string::npos);
}

TEST(EventsCore, OnlyReadBranchesAreRead) {
    // The plan reads x, n and w (the weight); Muon_pt, its counter nMuon and arr are declared but
    // never read.
    Steps s;
    Runner runner(make_plan(s));
    runner.prepare();
    std::ostringstream text;
    runner.print_graph(text);
    EXPECT_EQ(text.str().find("Muon_pt"), std::string::npos);
}

// ---- errors: every one before any event is read, naming the step's file and line

TEST(EventsCoreErrors, MissingProductNamesTheStep) {
    Steps s;
    Plan plan = make_plan(s);
    plan.pipelines[0].steps.push_back(std::make_shared<SumConsumer>(place("consumer", "sum_z", 40), "zz"));
    Runner runner(std::move(plan));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.file(), "plan.yaml");
    EXPECT_EQ(e.line(), 40);
    EXPECT_NE(e.message().find("consumer sum_z (plan.yaml:40) needs product 'zz'"), std::string::npos)
        << e.what();
}

TEST(EventsCoreErrors, ReplacementOfAnotherType) {
    Steps s;
    Plan plan = make_plan(s);
    plan.shifts[1].replaces[0].producer = std::make_shared<FnProducer>(
        place("producer", "n_up", 31), std::vector<std::string>{"n"},
        ProductInfo{"n_up", ColumnType::Float64}, [](auto& v) { return v[0] + 1; });
    Runner runner(std::move(plan));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 31);
    EXPECT_NE(
        e.message().find("shift nup: producer n_up (plan.yaml:31) replaces product 'n' (int32) but makes "
                         "float64; a replacement makes one product of the same type and shape"),
        std::string::npos)
        << e.what();
}

TEST(EventsCoreErrors, NameClash) {
    Steps s;
    Plan plan = make_plan(s);
    plan.pipelines[0].steps.push_back(
        std::make_shared<FnProducer>(place("producer", "again", 41), std::vector<std::string>{"x"},
                                     ProductInfo{"a", ColumnType::Float64}, [](auto& v) { return v[0]; }));
    Runner runner(std::move(plan));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 41);
    EXPECT_NE(e.message().find("product 'a' of producer again (plan.yaml:41) is already made by producer a "
                               "(plan.yaml:10)"),
              std::string::npos)
        << e.what();
}

TEST(EventsCoreErrors, NameClashWithABranch) {
    Steps s;
    Plan plan = make_plan(s);
    plan.global.push_back(
        std::make_shared<FnProducer>(place("producer", "x", 42), std::vector<std::string>{"n"},
                                     ProductInfo{"x", ColumnType::Float64}, [](auto& v) { return v[0]; }));
    Runner runner(std::move(plan));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_NE(e.message().find("already made by branch of the input"), std::string::npos) << e.what();
}

TEST(EventsCoreErrors, PlanStructure) {
    {
        // a consumer in the global part
        Steps s;
        Plan plan = make_plan(s);
        plan.global.push_back(s.sum_a);
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_NE(e.message().find("consumers belong to a pipeline"), std::string::npos) << e.what();
    }
    {
        // an unknown shift
        Steps s;
        Plan plan = make_plan(s);
        plan.pipelines[0].shifts.push_back("jes");
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_EQ(e.key(), "pipelines.sel.shifts");
        EXPECT_NE(e.message().find("shift 'jes', which is not defined (shifts: xup, nup, wup)"),
                  std::string::npos)
            << e.what();
    }
    {
        // a shift of a product that nothing makes
        Steps s;
        Plan plan = make_plan(s);
        plan.shifts[0].replaces[0].product = "xx";
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_EQ(e.key(), "shifts.xup.xx"); // the replacement's own key
        EXPECT_NE(e.message().find("shift xup needs product 'xx'"), std::string::npos) << e.what();
    }
    {
        // a weight made after a filter
        Steps s;
        Plan plan = make_plan(s);
        plan.pipelines[0].weight = "c";
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_NE(e.message().find("is made by producer c (plan.yaml:20) after a filter"), std::string::npos)
            << e.what();
    }
    {
        // two consumers of one name in a pipeline
        Steps s;
        Plan plan = make_plan(s);
        plan.pipelines[0].steps.push_back(std::make_shared<SumConsumer>(place("consumer", "sum_a", 50), "a"));
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_EQ(e.line(), 50);
        EXPECT_NE(e.message().find("two consumers named 'sum_a'"), std::string::npos) << e.what();
    }
    {
        // a missing input file names it
        Steps s;
        Plan plan = make_plan(s);
        plan.inputs.files.push_back("/nonexistent/file.root");
        Runner runner(std::move(plan));
        const auto e = hepkit::test::input_error([&] { runner.prepare(); });
        EXPECT_NE(std::string(e.what()).find("/nonexistent/file.root"), std::string::npos) << e.what();
    }
}

TEST(EventsCore, ZeroEntriesStillWriteOutputs) {
    // max_entries 0: no batch; every consumer writes its empty result, cut flows are zeros.
    Steps s;
    Plan plan = make_plan(s);
    plan.inputs.max_entries = 0;
    Runner runner(std::move(plan));
    const auto report = runner.run();
    EXPECT_EQ(report.batches, 0);
    EXPECT_EQ(sum_of(runner, "sel", "sum_a").count, 0);
    EXPECT_EQ(sum_of(runner, "sel", "sum_a", "xup").count, 0);
    EXPECT_EQ(report.cutflows.front().rows.front().events, 0);
}

TEST(EventsCoreErrors, NameClashAcrossPipelines) {
    Steps s;
    Plan plan = make_plan(s);
    Pipeline other;
    other.name = "other";
    other.steps = {std::make_shared<FnProducer>(place("producer", "c", 70), std::vector<std::string>{"x"},
                                                ProductInfo{"c", ColumnType::Float64},
                                                [](auto& v) { return v[0]; })};
    plan.pipelines.push_back(other);
    Runner runner(std::move(plan));
    const auto e = hepkit::test::input_error([&] { runner.prepare(); });
    EXPECT_EQ(e.line(), 70);
    EXPECT_NE(e.message().find("is already made by producer c (plan.yaml:20)"), std::string::npos)
        << e.what();
}
