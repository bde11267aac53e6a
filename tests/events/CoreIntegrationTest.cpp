// The runner with the library's and the consumers' steps (Library.hpp, Consumers.hpp): a
// histogram consumer written per pipeline and shift, identical for 1 and 2 threads, its counts
// hand-computed from CoreSteps.hpp's formula.

#include "CoreSteps.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Expressions.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;

TEST(EventsCoreIntegration, HistogramPerPipelineAndShift) {
    // x = g + 1 over 15 entries; filter 2x > 6 keeps x = 4 … 15; histogram of x in 3 bins on
    // [0, 15): [0,5): 4 | [5,10): 5 … 9 (5) | [10,15): 10 … 14 (5) | overflow: 15.
    // Shift up: x → 1.5x = 1.5 (g+1); 2x > 6 keeps g ≥ 2: 4.5 | 6, 7.5, 9 | 10.5, 12, 13.5 |
    // overflow 15 … 22.5 (6).
    const auto file = write_file("integration", 0, 15, 4);
    std::string outputs[2];
    for (const std::size_t threads : {1u, 2u}) {
        Plan plan;
        plan.inputs.files = {file.string()};
        plan.global = {std::make_shared<ExprFilter>(place("filter", "cut"), "2 * x > 6")};
        plan.shifts = {
            Shift{"up", {{"x", std::make_shared<ExprProducer>(place("producer", "x@up"), "x * 1.5")}}}};
        HistogramConsumer::Config h;
        h.x = "x";
        h.x_axis = Axis::regular(3, 0, 15);
        Pipeline p;
        p.name = "p";
        p.shifts = {"up"};
        p.steps = {std::make_shared<HistogramConsumer>(place("consumer", "hx"), h)};
        plan.pipelines = {p};
        Runner runner(std::move(plan));
        ThreadPool pool(threads);
        runner.run(&pool);
        const auto dir =
            fs::temp_directory_path() /
            (std::to_string(::getpid()) + "-hepkit-evcore-integration-" + std::to_string(threads));
        runner.write(dir);
        const auto nominal = nlohmann::json::parse(slurp(dir / "p" / "hx.json"));
        const auto up = nlohmann::json::parse(slurp(dir / "p" / "hx__up.json"));
        EXPECT_EQ(nominal["counts"], nlohmann::json::parse("[1, 5, 5]"));
        EXPECT_EQ(nominal["overflow"], 1);
        EXPECT_EQ(up["counts"], nlohmann::json::parse("[1, 3, 3]"));
        EXPECT_EQ(up["overflow"], 6);
        EXPECT_TRUE(fs::exists(dir / "p" / "hx__up.root"));
        outputs[threads - 1] = slurp(dir / "p" / "hx.json") + slurp(dir / "p" / "hx__up.json");
        fs::remove_all(dir);
    }
    EXPECT_EQ(outputs[0], outputs[1]);
    fs::remove(file);
}
