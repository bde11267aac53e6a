// A run from a YAML configuration (Config.hpp, Registry.hpp) through the runner: the `expr`
// producer and filter with their keys, the shift shorthand on a float32 branch (the replacement
// takes the branch's type), the histogram consumer, outputs per shift; errors of the expression
// steps' keys naming file, line and key. Entries follow CoreSteps.hpp's formula.

#include "CoreSteps.hpp"
#include "Helpers.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Config.hpp"
#include "hepkit/events/Registry.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;

namespace {

fs::path config_file(const std::string& name, const std::string& text) {
    const auto p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-" + name + ".yaml");
    std::ofstream(p) << text;
    return p;
}

Plan load(const fs::path& path) {
    Registry registry;
    register_builtins(registry);
    return load_plan(path.string(), registry);
}

} // namespace

TEST(EventsCoreConfig, ExpressionStepsAndShorthandShift) {
    // x = g + 1 (float32) over 15 entries; a = 2x; filter a > 6 keeps x = 4 … 15 (12 events).
    // Histogram of a in 3 bins on [0, 30): [0,10): 8 | [10,20): 10 … 18 (5) | [20,30): 20 … 28 (5) |
    // overflow 30 (1). Shift up: x → 1.5x (float32: exact), a = 3(g+1) > 6 keeps g ≥ 2 (13):
    // 9 | 12, 15, 18 | 21, 24, 27 | overflow 30 … 48 (6). `xi` = int(n) + 1 as int32: Σ over
    // the 12 events = 4·(1+2+3) = 24 (the cut flow's weight: Σw = 24 nominal).
    const auto root = write_file("config", 0, 15, 4);
    const auto yaml = config_file("config", R"(inputs:
  files: [)" + root.string() + R"(]
global:
  - producer: {type: expr, name: a, expr: "2 * x"}
  - producer: {type: expr, name: xi, expr: "n + 1", dtype: int32}
  - filter: {type: expr, name: a_gt_6, expr: "a > 6"}
shifts:
  up: {x: "x * 1.5"}
pipelines:
  p:
    shifts: [up]
    weight: xi
    steps:
      - {type: histogram, name: ha, x: a, bins: "3, 0, 30"}
)");
    Plan plan = load(yaml);
    Runner runner(std::move(plan));
    runner.prepare();
    EXPECT_EQ(runner.schema().info(*runner.schema().find("x@up")).type, io::ColumnType::Float32);
    EXPECT_EQ(runner.schema().info(*runner.schema().find("xi")).type, io::ColumnType::Int32);
    ThreadPool pool(2);
    const auto report = runner.run(&pool);
    const auto dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-config-out");
    runner.write(dir);
    const auto nominal = nlohmann::json::parse(slurp(dir / "p" / "ha.json"));
    const auto up = nlohmann::json::parse(slurp(dir / "p" / "ha__up.json"));
    EXPECT_EQ(nominal["counts"], nlohmann::json::parse("[1, 5, 5]"));
    EXPECT_EQ(nominal["overflow"], 1);
    EXPECT_EQ(up["counts"], nlohmann::json::parse("[1, 3, 3]"));
    EXPECT_EQ(up["overflow"], 6);
    const auto flows = nlohmann::json::parse(slurp(dir / "p" / "cutflow.json"));
    EXPECT_EQ(flows["nominal"][1]["events"], 12);
    EXPECT_EQ(flows["nominal"][1]["sumw"], 24);
    EXPECT_EQ(flows["up"][1]["events"], 13);
    fs::remove_all(dir);
    fs::remove(yaml);
    fs::remove(root);
}

TEST(EventsCoreConfig, ExpressionKeysAreChecked) {
    const auto root = write_file("config-keys", 0, 3);
    auto error_of = [&](const std::string& step) {
        const auto yaml =
            config_file("config-keys", "inputs:\n  files: [" + root.string() + "]\nglobal:\n  - " + step +
                                           "\npipelines:\n  p:\n    steps:\n      - {type: histogram, "
                                           "name: h, x: x, bins: \"1, 0, 1\"}\n");
        const auto e = hepkit::test::input_error([&] {
            Runner runner(load(yaml));
            runner.prepare();
        });
        fs::remove(yaml);
        return e;
    };
    const auto dtype = error_of("producer: {type: expr, name: a, expr: \"2 * x\", dtype: float16}");
    EXPECT_EQ(dtype.line(), 4);
    EXPECT_NE(dtype.message().find("dtype 'float16' is not one of bool"), std::string::npos) << dtype.what();
    const auto typo = error_of("producer: {type: expr, name: a, exp: \"2 * x\"}");
    EXPECT_EQ(typo.line(), 4);
    EXPECT_NE(typo.message().find("unknown key 'exp' of producer a (closest: expr)"), std::string::npos)
        << typo.what();
    EXPECT_EQ(dtype.key(), "global[0].producer.dtype");
    const auto empty = error_of("filter: {type: expr, name: f, expr: \" \"}");
    EXPECT_NE(empty.message().find("the expression is empty"), std::string::npos) << empty.what();
    const auto syntax = error_of("filter: {type: expr, name: f, expr: \"x >\"}");
    EXPECT_EQ(syntax.line(), 4);
    EXPECT_NE(syntax.message().find("filter f ("), std::string::npos) << syntax.what();
    fs::remove(root);
}
