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

#include <set>
#include <vector>

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

// Errors found while preparing the run name where the configuration says it: a shift or a
// pipeline's weight in an included file, a histogram's expression by the histogram's key.
TEST(EventsCoreConfig, PreparingErrorsNameTheirFileLineAndKey) {
    const auto root = write_file("config-places", 0, 3);
    const auto dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-places");
    fs::create_directories(dir / "sub");
    std::ofstream(dir / "sub" / "shifts.yaml") << "# shifts\nshifts:\n  up: {X: \"x * 2\"}\n";
    auto error_of = [&](const std::string& pipeline) {
        std::ofstream(dir / "run.yaml") << "include: [sub/shifts.yaml]\ninputs:\n  files: [" << root.string()
                                        << "]\npipelines:\n  p:\n" + pipeline;
        return hepkit::test::input_error([&] {
            Runner runner(load(dir / "run.yaml"));
            runner.prepare();
        });
    };
    const auto shift =
        error_of("    shifts: [up]\n    steps: [{type: histogram, name: h, x: x, bins: \"1, 0, "
                 "1\"}]\n");
    EXPECT_EQ(shift.file(), (dir / "sub" / "shifts.yaml").string());
    EXPECT_EQ(shift.line(), 3);
    EXPECT_EQ(shift.key(), "shifts.up.X");
    EXPECT_NE(shift.message().find("needs product 'X'"), std::string::npos) << shift.what();
    std::ofstream(dir / "sub" / "shifts.yaml") << "shifts:\n  up: {x: \"x * 2\"}\n";
    const auto weight = error_of(
        "    shifts: [up]\n    weight: wgt\n    steps: [{type: histogram, name: h, x: x, bins: \"1, 0, "
        "1\"}]\n");
    EXPECT_EQ(weight.file(), (dir / "run.yaml").string());
    EXPECT_EQ(weight.line(), 7);
    EXPECT_EQ(weight.key(), "pipelines.p.weight");
    const auto x =
        error_of("    steps:\n      - {type: histogram, name: h, x: \"x +* 2\", bins: \"1, 0, 1\"}\n");
    EXPECT_EQ(x.line(), 7);
    EXPECT_EQ(x.key(), "h.x");
    EXPECT_NE(x.message().find("consumer h ("), std::string::npos) << x.what();
    EXPECT_NE(x.message().find("x 'x +* 2': "), std::string::npos) << x.what();
    // the lexer's errors too (read before the parser's, when the runner asks what a step reads)
    const auto lexed =
        error_of("    steps:\n      - {type: histogram, name: h, x: x, cut: \"x $ 2\", bins: \"1, 0, 1\"}\n");
    EXPECT_EQ(lexed.line(), 7);
    EXPECT_EQ(lexed.key(), "h.cut");
    EXPECT_NE(lexed.message().find("cut 'x $ 2': unexpected character"), std::string::npos) << lexed.what();
    fs::remove_all(dir);
    fs::remove(root);
}

// A run's outputs are written all or none: a folder where an output file goes fails the write
// before any file is in place, and a successful write leaves no staging folder behind.
TEST(EventsCoreConfig, OutputsAreWrittenAllOrNone) {
    const auto root = write_file("config-write", 0, 6);
    const auto yaml =
        config_file("config-write", "inputs:\n  files: [" + root.string() +
                                        "]\nshifts:\n  up: {x: \"x * 2\"}\npipelines:\n  p:\n"
                                        "    shifts: [up]\n    steps:\n"
                                        "      - {type: histogram, name: h, x: x, bins: \"2, 0, 9\"}\n"
                                        "      - {type: ntuple, name: n, products: [x], format: csv}\n");
    Runner runner(load(yaml));
    runner.prepare();
    runner.run();
    const auto dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-evcore-write-out");
    fs::remove_all(dir);
    fs::create_directories(dir / "p" / "n__up.csv"); // in the way of the shifted ntuple
    try {
        runner.write(dir);
        ADD_FAILURE() << "no OutputError";
    } catch (const OutputError& e) {
        EXPECT_EQ(e.file(), (dir / "p" / "n__up.csv").string());
    }
    std::vector<std::string> left;
    for (const auto& f : fs::recursive_directory_iterator(dir))
        left.push_back(fs::relative(f.path(), dir).string());
    EXPECT_EQ(left, (std::vector<std::string>{"p", "p/n__up.csv"}))
        << "nothing else written, no staging left";
    fs::remove_all(dir / "p" / "n__up.csv");
    runner.write(dir);
    std::set<std::string> written;
    for (const auto& f : fs::directory_iterator(dir / "p"))
        written.insert(f.path().filename().string());
    EXPECT_EQ(written, (std::set<std::string>{"cutflow.json", "h.json", "h.root", "h__up.json", "h__up.root",
                                              "n.csv", "n__up.csv"}));
    std::set<std::string> top;
    for (const auto& f : fs::directory_iterator(dir))
        top.insert(f.path().filename().string());
    EXPECT_EQ(top, (std::set<std::string>{"p", "report.json"}));
    fs::remove_all(dir);
    fs::remove(yaml);
    fs::remove(root);
}
