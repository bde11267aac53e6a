// Hostile sizes and shapes (issue 12, §3): absurd counts, huge lists and files, deep nesting,
// recursive and exponential YAML aliases, out-of-range literals. Each must end in an InputError
// that names the file (and line where there is one) within a memory bound: never bad_alloc,
// a stack overflow, or a run that does not end. Inputs are written here, not taken from
// ../shared. The fuzzers' own findings are replayed by ctest fuzz.replay.* (fuzz/regressions).
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/fit/PyFunction.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Scan.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
namespace fs = std::filesystem;

namespace {

fs::path dir() {
    static const fs::path d = [] {
        fs::path p = fs::temp_directory_path() / ("hepkit-hostile-" + std::to_string(::getpid()));
        fs::create_directories(p);
        return p;
    }();
    return d;
}

std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir() / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
}

// Runs f, expects an InputError whose message contains `what`; returns it for further checks.
InputError expect_input_error(const std::function<void()>& f, const std::string& what) {
    try {
        f();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        return e;
    }
    ADD_FAILURE() << "no InputError (expected one mentioning '" << what << "')";
    return InputError("", 0, "", "");
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

constexpr const char* platform_xml = R"(<?xml version='1.0'?>
<platform version="4.1"><zone id="z" routing="Full">
  <host id="se" speed="1Gf"><prop id="type" value="storage"/></host>
  <host id="wn" speed="1Gf" core="4"><prop id="type" value="worker"/></host>
  <link id="l" bandwidth="1GBps"/><route src="se" dst="wn"><link_ctn id="l"/></route>
</zone></platform>
)";

sim::GridScenario read_scenario(const std::string& path) {
    write("platform.xml", platform_xml);
    const config::YamlView root(config::load_yaml_file(path), path);
    return sim::read_grid_scenario(root, dir().string());
}

} // namespace

TEST(HostileInput, JsonNestedAMillionDeepIsRefusedBeforeParsing) {
    const std::string p = write("deep.json", "{\"w\":\n" + repeat("[", 1000000) + repeat("]", 1000000) + "}");
    const InputError e =
        expect_input_error([&] { config::load_json_file(p); }, "nested deeper than 256 levels");
    EXPECT_EQ(e.file(), p);
    EXPECT_EQ(e.line(), 2);
}

TEST(HostileInput, JsonBracketsInsideStringsAreNotNesting) {
    const std::string p = write("strings.json", "{\"w\": \"" + repeat("[{", 1000) + "\\\"\"}");
    EXPECT_EQ(config::load_json_file(p)["w"].get<std::string>().size(), 2001u);
}

TEST(HostileInput, YamlNestedDeeplyEndsInAnErrorNamingTheLine) {
    const std::string flow =
        write("deep-flow.yaml", "a: " + repeat("[", 100000) + repeat("]", 100000) + "\n");
    expect_input_error([&] { config::load_yaml_file(flow); }, "YAML nested too deeply");
    std::string block;
    for (int i = 0; i < 3000; ++i)
        block += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
    const std::string p = write("deep-block.yaml", block);
    const InputError e = expect_input_error([&] { config::load_yaml_file(p); }, "YAML nested too deeply");
    EXPECT_GT(e.line(), 100);
}

TEST(HostileInput, FilesLargerThan64MiBAreRefusedUnparsed) {
    // A list of 3.4e7 elements; 1e9 would be 2 GB of text and stops at the same bound.
    std::string text = "[" + repeat("1,", 34000000) + "1]";
    const std::string json = write("huge.json", text);
    const std::string yaml = write("huge.yaml", "a: " + text);
    text.clear();
    text.shrink_to_fit();
    expect_input_error([&] { config::load_json_file(json); },
                       "input files of this kind are limited to 64 MiB");
    expect_input_error([&] { config::load_yaml_file(yaml); },
                       "input files of this kind are limited to 64 MiB");
    fs::remove(json);
    fs::remove(yaml);
}

TEST(HostileInput, RecursiveYamlAliasInAScenarioIsAnError) {
    const std::string p = write("cycle.yaml", "platform: platform.xml\nworkloads:\n  - &a {w: [*a]}\n");
    const InputError e = expect_input_error([&] { read_scenario(p); }, "nested deeper than 256 levels");
    EXPECT_EQ(e.file(), p);
}

TEST(HostileInput, ExponentialYamlAliasesAreBounded) {
    // 10 levels of 10 aliases each: 1e10 values once expanded.
    std::string text = "platform: platform.xml\nx0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
    for (int i = 1; i <= 10; ++i) {
        text += "x" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k)
            text += std::string(k ? ", " : "") + "*l" + std::to_string(i - 1);
        text += "]\n";
    }
    text += "workloads:\n  - {w: *l10}\n";
    // x0..x10 are unknown keys of a scenario; the bomb must go off (and be defused) in to_json,
    // so read only the document the scenario reader converts.
    const std::string p = write("bomb.yaml", text);
    const config::YamlView root(config::load_yaml_file(p), p);
    expect_input_error([&] { config::to_json(root.at("workloads").node(), p); }, "more than 1000000 values");
}

TEST(HostileInput, CountOf1e18JobsIsAnErrorNamingTheKey) {
    const std::string p = write(
        "count.yaml", "platform: platform.xml\nworkloads:\n  - w: {num_jobs: 1000000000000000000, cores: 1, "
                      "flops: 1e9, memory: 1e9, outfilesize: 0, workload_type: calculation, "
                      "submission_time: 0}\n");
    const InputError e = expect_input_error([&] { read_scenario(p); }, "must be between 0 and 100000000");
    EXPECT_NE(e.key().find("num_jobs"), std::string::npos);
}

TEST(HostileInput, ClusterRadicalsAreBoundedInTotalAndWithoutOverflow) {
    auto cluster = [](const std::string& radical) {
        return write("cluster.xml",
                     "<?xml version='1.0'?>\n<platform version=\"4.1\"><zone id=\"z\" routing=\"Full\">\n"
                     "<cluster id=\"c\" prefix=\"n\" suffix=\"\" radical=\"" +
                         radical + "\" speed=\"1Gf\" bw=\"1GBps\" lat=\"0\"/></zone></platform>\n");
    };
    // b - a overflows int; 1e7 hosts per range twice; the last int, whose ++ would overflow
    for (const char* r : {"-2147483648-2147483647", "0-9999999,0-9999999"}) {
        const std::string p = cluster(r);
        const InputError e =
            expect_input_error([&] { sim::load_simgrid_xml(p); }, "of at most 1000000 hosts");
        EXPECT_EQ(e.line(), 3);
    }
    const sim::Platform p = sim::load_simgrid_xml(cluster("2147483646-2147483647"));
    EXPECT_EQ(p.host_count(), 2u);
}

TEST(HostileInput, CsvRecordLengthIsBounded) {
    const std::string p = write("long.csv", "id,x\na," + std::string(17u << 20, 'x') + "\n");
    const InputError e = expect_input_error([&] { read_csv(p); }, "record longer than 16 MiB");
    EXPECT_EQ(e.line(), 2);
    const std::string q = write("quote.csv", "id,x\na,\"" + repeat("x\n", 9u << 20) + "\n");
    expect_input_error([&] { read_csv(q); }, "record longer than 16 MiB");
}

TEST(HostileInput, ModelExpressionNestedDeeplyIsAnError) {
    for (const std::string& body :
         {repeat("(", 100000) + "x" + repeat(")", 100000), repeat("-", 100000) + "x",
          "x" + repeat(" ** x", 100000), repeat("-(", 50000) + "x" + repeat(")", 50000)}) {
        const InputError e = expect_input_error(
            [&] { fit::PyFunction::parse("def f(x):\n    return " + body + "\n", "m.yml", 10); },
            "too deeply nested");
        EXPECT_EQ(e.line(), 11);
    }
    // 150 nested parentheses (300 levels of the descent) are still fine
    EXPECT_NO_THROW(
        fit::PyFunction::parse("def f(x):\n    return " + repeat("(", 150) + "x" + repeat(")", 150)));
}

TEST(HostileInput, ModelLiteralOutOfRangeNamesTheLine) {
    const InputError e = expect_input_error(
        [&] { fit::PyFunction::parse("def f(x, a=1e400):\n    return a * x\n", "m.yml", 5); },
        "out of range");
    EXPECT_EQ(e.line(), 5);
    expect_input_error([] { fit::PyFunction::parse("def f(x):\n    return 2e999 * x\n"); },
                       "'2e999' is out of range");
    EXPECT_NO_THROW(
        fit::PyFunction::parse("def f(x):\n    return 1e-400 * x\n")); // underflows to 0, as in Python
}

TEST(HostileInput, ScanSeedsAreCheckedWhenReadAndParametersGivenOnce) {
    write("scenario.yaml", "platform: platform.xml\n");
    const std::string bad_seed =
        write("scan-seed.yaml", "scenarios: [scenario.yaml]\nparameters:\n  seed: [1, x2]\n");
    const InputError e = expect_input_error([&] { sim::read_scan(bad_seed); }, "'x2' is not an integer");
    EXPECT_EQ(e.line(), 3);
    // 64 copies of a two-value parameter: 2^64 points once wrapped to 0 and passed the bound
    std::string text = "scenarios: [scenario.yaml]\nparameters:\n";
    for (int i = 0; i < 64; ++i)
        text += "  hitrate: [0, 1]\n";
    const std::string twice = write("scan-twice.yaml", text);
    // refused by the YAML reader, as every key written twice in one map (ConfigReader.cpp)
    const InputError t = expect_input_error([&] { sim::read_scan(twice); }, "appears twice in the same map");
    EXPECT_EQ(t.line(), 4);
    EXPECT_EQ(t.key(), "parameters.hitrate");
}

TEST(HostileInput, KafeErrorMatrixIsSizedByTheDataNotByItsRowCount) {
    // 3 points and a "matrix" of 20000 one-value rows: once a 20000 x 20000 allocation (3.2 GB)
    std::string rows;
    for (int i = 0; i < 20000; ++i)
        rows += i ? ", [1]" : "[1]";
    const std::string p = write("matrix.yml", "x_data: [1, 2, 3]\ny_data: [1, 2, 3]\n"
                                              "y_errors: {type: matrix, matrix: [" +
                                                  rows + "]}\n");
    const InputError e =
        expect_input_error([&] { fit::read_kafe2go(p); }, "row 1 has 1 values; the matrix is 20000x20000");
    EXPECT_EQ(e.line(), 3);
}

TEST(HostileInput, JsonNumberBeyondDoubleNamesFileLineAndLiteral) {
    // fuzzing finding: nlohmann's out_of_range.406 escaped as a non-InputError
    const std::string p = write("overflow.json", "{\"w\": {\n  \"num_jobs\": 1,\n  \"flops\": -1e309}}\n");
    const InputError e =
        expect_input_error([&] { config::load_json_file(p); }, "'-1e309' is beyond the range of numbers");
    EXPECT_EQ(e.file(), p);
    EXPECT_EQ(e.line(), 3);
}

TEST(HostileInput, YamlNanAndInfAreNotNumbersInEmbeddedDocuments) {
    // fuzzing finding: YAML NaN became a JSON NaN and the distribution's redraw never ended
    const std::string p = write("nan.yaml", "platform: platform.xml\nworkloads:\n  - w: {num_jobs: 1, "
                                            "flops: {type: gaussian, average: 1e9, sigma: 0}, "
                                            "memory: {type: gaussian, average: NaN, sigma: 0}, "
                                            "outfilesize: {type: gaussian, average: 0, sigma: 0}, "
                                            "workload_type: calculation, submission_time: 0}\n");
    expect_input_error([&] { read_scenario(p); }, "'NaN' is not a finite number");
    for (const char* text : {"nan", "-inf", "inf", ".nan", "1e999"})
        EXPECT_TRUE(config::to_json(YAML::Load(text)).is_string()) << text;
    EXPECT_EQ(config::to_json(YAML::Load("2.5")).get<double>(), 2.5);
}

TEST(HostileInput, InvalidUtf8InAValueIsShownReplacedNotThrown) {
    // fuzzing finding: the error message's dump() threw nlohmann's type_error.316
    const std::string p =
        write("utf8.yaml",
              "platform: platform.xml\nworkloads:\n  - w: {num_jobs: 1, flops: {type: gaussian, average: "
              "1e9, sigma: 0}, "
              "memory: {type: gaussian, average: 1e9, sigma: 0}, outfilesize: {type: gaussian, average: "
              "\xbf\xbf"
              "1.0e9, sigma: 0}, workload_type: calculation, submission_time: 0}\n");
    const InputError e = expect_input_error([&] { read_scenario(p); }, "expected a number, got \"");
    EXPECT_NE(e.key().find("outfilesize.average"), std::string::npos) << e.key();
}
