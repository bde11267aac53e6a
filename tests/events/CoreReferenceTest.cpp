// The runner on the reference ROOT files (../shared/reference/root-files): every readable numeric
// branch summed through an expression producer (`sum(B)` per event for a jagged one) and a
// consumer, over batches of 64 entries on 2 threads, against the sums an independent reader
// (uproot) wrote into expected/*.tree-stats.json. Skipped with a message without the reference.

#include "CoreSteps.hpp"
#include "Reference.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Expressions.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;

namespace {

void check_file(const std::string& file, const std::string& stats) {
    const auto expected =
        nlohmann::json::parse(slurp(hepkit::test::reference("root-files/expected/" + stats)));
    Plan probe;
    probe.inputs.files = {hepkit::test::reference("root-files/" + file).string()};
    probe.inputs.tree = expected["tree"].get<std::string>();
    // The products the file gives (names and shapes), from a runner with no steps.
    Runner schema_only(probe);
    schema_only.prepare();
    const Schema& schema = schema_only.schema();

    Plan plan = probe;
    plan.inputs.batch_entries = 64;
    Pipeline p;
    p.name = "p";
    std::vector<std::string> checked;
    for (ProductId id = 0; id < schema.size(); ++id) {
        const ProductInfo& info = schema.info(id);
        // (a branch without values has no sum in the stats)
        if (!expected["branches"].contains(info.name) ||
            !expected["branches"][info.name]["sum"].is_number() || info.name.find('.') != std::string::npos)
            continue;
        const std::string s = "s_" + std::to_string(id), n = "n_" + std::to_string(id);
        plan.global.push_back(std::make_shared<ExprProducer>(
            place("producer", s), info.jagged ? "sum(" + info.name + ")" : info.name + " * 1.0"));
        plan.global.push_back(std::make_shared<ExprProducer>(place("producer", n),
                                                             info.jagged ? "len(" + info.name + ")" : "1"));
        p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", s), s));
        p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", n), n));
        checked.push_back(info.name);
    }
    plan.pipelines = {p};
    ASSERT_GT(checked.size(), 10u);
    Runner runner(std::move(plan));
    ThreadPool pool(2);
    runner.run(&pool);
    EXPECT_EQ(runner.report().events, expected["entries"].get<std::int64_t>());
    for (const auto& name : checked) {
        const ProductId id = *runner.schema().find(name);
        const auto& ref = expected["branches"][name];
        const double want = ref["sum"].get<double>();
        EXPECT_NEAR(sum_of(runner, "p", "s_" + std::to_string(id)).sum, want,
                    1e-9 * std::max(1.0, std::abs(want)))
            << file << ": " << name;
        EXPECT_EQ(sum_of(runner, "p", "n_" + std::to_string(id)).sum, ref["n"].get<double>())
            << file << ": " << name;
    }
}

} // namespace

TEST(EventsCoreReference, HZZBranchSums) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    check_file("uproot-HZZ.root", "uproot-HZZ.tree-stats.json");
}

TEST(EventsCoreReference, NanoAODBranchSums) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    check_file("nanoAOD_2015_CMS_Open_Data_ttbar.root", "nanoAOD_2015_CMS_Open_Data_ttbar.tree-stats.json");
}
