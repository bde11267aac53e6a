// Pipelines of the events core beside each other: a produced weight shifted in one of two
// pipelines, and pipelines that continue the same shifted runs of the global part (the runner
// copies a global run for each but the last, which takes it). Entries follow CoreSteps.hpp's
// formula; the plan is CorePlan.hpp's.

#include "CorePlan.hpp"
#include "CoreSteps.hpp"
#include "Helpers.hpp"

#include <algorithm>
#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;
using io::ColumnType;

TEST(EventsCore, ShiftOfAProducedWeightAndTwoPipelines) {
    // Global: wgt = 3w (made before any filter), filter a_gt_6 as before. Shift wx replaces wgt by
    // 2·wgt, right after its producer. Pipeline one (weight wgt, shift wx): Σ over a_gt_6's 12
    // events of wgt: 3·16.2 = 48.6, under wx 97.2; only the replacement and the consumer of wgt
    // run again. Pipeline two (no shifts, no weight) counts the same 12 events; a product made in
    // it (d) may not reuse a name made in pipeline one (checked in EventsCoreErrors below).
    auto wgt = std::make_shared<FnProducer>(place("producer", "wgt", 60), std::vector<std::string>{"w"},
                                            ProductInfo{"wgt", ColumnType::Float64},
                                            [](auto& v) { return 3 * v[0]; });
    auto wx = std::make_shared<FnProducer>(place("producer", "wgt_x2", 61), std::vector<std::string>{"wgt"},
                                           ProductInfo{"wgt_x2", ColumnType::Float64},
                                           [](auto& v) { return 2 * v[0]; });
    auto a =
        std::make_shared<FnProducer>(place("producer", "a", 62), std::vector<std::string>{"x"},
                                     ProductInfo{"a", ColumnType::Float64}, [](auto& v) { return 2 * v[0]; });
    auto cut = std::make_shared<FnFilter>(place("filter", "a_gt_6", 63), "a", [](double v) { return v > 6; });
    Plan plan;
    plan.source = "plan.yaml";
    plan.inputs.files = {files().a.string(), files().b.string()};
    plan.global = {wgt, a, cut};
    plan.shifts = {Shift{"wx", {{"wgt", wx}}}};
    Pipeline one;
    one.name = "one";
    one.weight = "wgt";
    one.shifts = {"wx"};
    one.steps = {std::make_shared<SumConsumer>(place("consumer", "sum_w"), "wgt"),
                 std::make_shared<SumConsumer>(place("consumer", "sum_a"), "a")};
    Pipeline two;
    two.name = "two";
    two.steps = {std::make_shared<FnProducer>(place("producer", "d"), std::vector<std::string>{"a"},
                                              ProductInfo{"d", ColumnType::Float64},
                                              [](auto& v) { return v[0]; }),
                 std::make_shared<SumConsumer>(place("consumer", "sum_d"), "d")};
    plan.pipelines = {one, two};
    Runner runner(std::move(plan));
    runner.prepare();
    EXPECT_LT(*runner.schema().find("wgt"), *runner.schema().find("wgt@wx"));
    EXPECT_LT(*runner.schema().find("wgt@wx"), *runner.schema().find("a"));
    EXPECT_EQ(runner.rerun_steps("", "wx"), names({"wgt_x2"}));
    EXPECT_EQ(runner.rerun_steps("one", "wx"), names({"sum_w"}));
    EXPECT_TRUE(runner.rerun_steps("two", "wx").empty()); // two does not run under wx
    const auto report = runner.run();
    EXPECT_NEAR(sum_of(runner, "one", "sum_w").sum, 48.6, 1e-12);
    EXPECT_NEAR(sum_of(runner, "one", "sum_w", "wx").sum, 97.2, 1e-12);
    EXPECT_EQ(&runner.result("one", "sum_a", "wx"), &runner.result("one", "sum_a"));
    EXPECT_DOUBLE_EQ(sum_of(runner, "two", "sum_d").sum, 228);
    ASSERT_EQ(report.cutflows.size(), 3u); // one: nominal, wx; two: nominal
    EXPECT_EQ(report.cutflows[0].pipeline, "one");
    EXPECT_NEAR(report.cutflows[0].rows[1].sumw, 48.6, 1e-12);
    EXPECT_NEAR(report.cutflows[1].rows[1].sumw, 97.2, 1e-12);
    EXPECT_EQ(report.cutflows[2].pipeline, "two");
    EXPECT_DOUBLE_EQ(report.cutflows[2].rows[1].sumw, 12);
}

TEST(EventsCore, PipelinesSharingAShiftedGlobalRunAgree) {
    // Two pipelines continue each shift's global run (xup and nup change a and b there; wup only
    // the weight, so it continues the nominal's). The runner copies a global run for every
    // pipeline but its last user, which takes it: both pipelines must see the same products and
    // rows under every shift, and the first the same as when it runs alone.
    Steps s;
    Plan plan = make_plan(s, 4);
    Pipeline again;
    again.name = "again";
    again.steps = {std::make_shared<SumConsumer>(place("consumer", "sum_a0", 40), "a"),
                   std::make_shared<SumConsumer>(place("consumer", "sum_b", 41), "b")};
    again.shifts = {"wup", "xup", "nup"}; // another order than sel's
    again.weight = "w";
    plan.pipelines.push_back(again);
    Runner runner(std::move(plan));
    const RunReport report = runner.run();
    Steps alone_steps;
    Runner alone(make_plan(alone_steps, 4));
    const RunReport alone_report = alone.run();
    for (const char* shift : {"", "xup", "nup", "wup"}) {
        for (const char* consumer : {"sum_a0", "sum_b"}) {
            const SumResult& sel = sum_of(runner, "sel", consumer, shift);
            const SumResult& other = sum_of(runner, "again", consumer, shift);
            const SumResult& ref = sum_of(alone, "sel", consumer, shift);
            EXPECT_EQ(other.log, sel.log) << consumer << " under '" << shift << "'";
            EXPECT_EQ(sel.log, ref.log) << consumer << " under '" << shift << "'";
            EXPECT_DOUBLE_EQ(sel.sum, ref.sum) << consumer << " under '" << shift << "'";
            EXPECT_DOUBLE_EQ(other.sum, ref.sum) << consumer << " under '" << shift << "'";
        }
        for (const char* consumer : {"sum_c", "sum_a"})
            EXPECT_EQ(sum_of(runner, "sel", consumer, shift).log, sum_of(alone, "sel", consumer, shift).log)
                << consumer << " under '" << shift << "'";
    }
    // The cut flows of both pipelines: the same global filter's rows, under every shift (again's
    // are counted after it took the global runs; matched by shift: it lists them in another order).
    ASSERT_EQ(report.cutflows.size(), 8u);
    ASSERT_EQ(alone_report.cutflows.size(), 4u);
    for (const auto& flow : report.cutflows) {
        const auto ref = std::find_if(alone_report.cutflows.begin(), alone_report.cutflows.end(),
                                      [&](const auto& f) { return f.shift == flow.shift; });
        ASSERT_NE(ref, alone_report.cutflows.end()) << flow.pipeline << " '" << flow.shift << "'";
        EXPECT_EQ(flow.rows[1].events, ref->rows[1].events) << flow.pipeline << " '" << flow.shift << "'";
        EXPECT_DOUBLE_EQ(flow.rows[1].sumw, ref->rows[1].sumw) << flow.pipeline << " '" << flow.shift << "'";
    }
}
