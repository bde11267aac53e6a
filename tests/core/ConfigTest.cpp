// YAML/JSON reading: typed values and errors that name file, line and key.
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
namespace fs = std::filesystem;

namespace {
fs::path write_temp(const std::string& name, const std::string& text) {
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-configtest-" + name);
    std::ofstream(p) << text;
    return p;
}
} // namespace

TEST(Config, YamlSyntaxErrorNamesFileAndLine) {
    const auto p = write_temp("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n");
    try {
        config::load_yaml_file(p.string());
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), p.string());
        EXPECT_GE(e.line(), 2);
    }
}

TEST(Config, BadValueNamesKeyAndLine) {
    const auto p = write_temp("value.yaml", "site:\n  name: KIT\n  cores: many\n");
    config::YamlView root(config::load_yaml_file(p.string()), p.string());
    try {
        root.at("site").at("cores").as_int();
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.key(), "site.cores");
        EXPECT_NE(std::string(e.what()).find("'many' is not an integer"), std::string::npos);
    }
}

TEST(Config, QuantityAndUnknownKeys) {
    const auto p = write_temp("q.yaml", "link:\n  bandwidth: 10Gbps\n  latncy: 1ms\n");
    config::YamlView root(config::load_yaml_file(p.string()), p.string());
    EXPECT_DOUBLE_EQ(root.at("link").at("bandwidth").as_quantity(units::Kind::bandwidth), 1.25e9);
    try {
        root.at("link").check_keys({"bandwidth", "latency"});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.key(), "link.latncy");
    }
    EXPECT_THROW(root.at("link").at("missing"), InputError);
}

TEST(Config, JsonSyntaxErrorHasLine) {
    const auto p = write_temp("bad.json", "{\n  \"a\": 1,\n  \"b\": \n}\n");
    try {
        config::load_json_file(p.string());
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 4);
    }
}

TEST(Config, JsonTypedAccess) {
    const auto p = write_temp("ok.json", R"({"num_jobs": 10, "name": "x", "sigma": 0.5})");
    const auto j = config::load_json_file(p.string());
    config::JsonView v(j, p.string());
    EXPECT_EQ(v.at("num_jobs").as_int(), 10);
    EXPECT_DOUBLE_EQ(v.at("sigma").as_double(), 0.5);
    EXPECT_THROW(v.at("name").as_double(), InputError);
    EXPECT_THROW(v.at("sigma").as_int(), InputError);
}

TEST(Config, MissingFileIsInputError) {
    EXPECT_THROW(config::load_yaml_file("/nonexistent/hepkit.yaml"), InputError);
}

// A key written twice in one map (YAML requires unique keys): yaml-cpp would keep the first, PyYAML
// the last; refused with the key's place and both lines, at any depth and inside lists.
TEST(Config, DuplicateYamlKeyRefused) {
    struct Case {
        std::string text, key;
        int line, first;
    };
    const std::vector<Case> cases = {
        {"a: 1\nb: 2\na: 3\n", "a", 3, 1},
        {"site:\n  name: KIT\n  cores: 4\n  \"cores\": 8\n", "site.cores", 4, 3},
        {"jobs:\n  - name: x\n    n: 1\n  - name: y\n    n: 2\n    name: z\n", "jobs[1].name", 6, 4},
        {"m: {p: 1, q: 2, p: 3}\n", "m.p", 1, 1},
        {"? [k]\n: {x: 1, x: 2}\n", "?.x", 2, 2},               // under a complex key
        {"\"\\e[31mR\": 1\n\"\\e[31mR\": 2\n", "?[31mR", 2, 1}, // no terminal escape in the message
    };
    for (const auto& c : cases) {
        const auto p = write_temp("dup.yaml", c.text);
        try {
            config::load_yaml_file(p.string());
            ADD_FAILURE() << c.text;
        } catch (const InputError& e) {
            EXPECT_EQ(e.file(), p.string());
            EXPECT_EQ(e.line(), c.line) << c.text;
            EXPECT_EQ(e.key(), c.key) << c.text;
            EXPECT_NE(std::string(e.what()).find("first on line " + std::to_string(c.first)),
                      std::string::npos)
                << e.what();
            EXPECT_EQ(std::string(e.what()).find('\x1b'), std::string::npos);
        }
    }
    // The same key in different maps, an alias used twice, and a recursive alias are fine.
    const auto ok =
        write_temp("nodup.yaml", "a: {x: 1}\nb: {x: 2}\nc: &r [1, 2]\nd: *r\ne: *r\nf: &s [*s]\n");
    const YAML::Node root = config::load_yaml_file(ok.string());
    EXPECT_EQ(root["b"]["x"].as<int>(), 2);
    EXPECT_EQ(root["e"].size(), 2u);
}

// The same for JSON (nlohmann keeps the last of a repeated name): the key's place, its line and
// the first one's — in arrays, arrays of arrays, a root array, with escapes, and with a key whose
// text holds `"n":` of its own.
TEST(Config, DuplicateJsonKeyRefused) {
    struct Case {
        std::string text, key;
        int line, first;
    };
    const std::vector<Case> cases = {
        {"{\"jobs\": [\n  {\"n\": \"n\"},\n  {\"n\": 2,\n   \"n\" : 3}\n]}\n", "jobs[1].n", 4, 3},
        {"[[1, {\"a\": 1}], [{\"b\": [], \"b\": {}}]]", "[1][0].b", 1, 1},
        {"{\"x\": {\"a\\u0062\": 1},\n \"y\": {\"ab\": 1,\n       \"ab\": 2},\n \"z\": {\"ab\": 3}}", "y.ab",
         3, 2},
        {"{\"k \\\"n\": 1, \"n\": 1,\n\"n\": 2}", "n", 2, 1},
        {"{\"a\": {\"\": 1, \"\": 2}}", "a.\"\"", 1, 1},
        {"{\"s\": \"{\\\"q\\\": 1, \\\"q\\\": 2}\", \"v\": [{\"c\": 1}, {\"c\": 1, \"d\": [1, 2], \"c\": "
         "0}]}",
         "v[1].c", 1, 1},
    };
    for (const auto& c : cases) {
        const auto p = write_temp("dup.json", c.text);
        try {
            config::load_json_file(p.string());
            ADD_FAILURE() << c.text;
        } catch (const InputError& e) {
            EXPECT_EQ(e.key(), c.key) << c.text;
            EXPECT_EQ(e.line(), c.line) << c.text;
            EXPECT_NE(std::string(e.what()).find("appears twice in the same object (first on line " +
                                                 std::to_string(c.first) + ")"),
                      std::string::npos)
                << e.what();
        }
    }
    // Equal names in different objects, and an object in a string, are fine.
    const auto ok = write_temp(
        "nodup.json", R"({"a": {"n": 1}, "b": [{"n": 2}, {"n": 3}], "n": 4, "t": "{\"n\": 1, \"n\": 2}"})");
    EXPECT_EQ(config::load_json_file(ok.string())["b"][1]["n"], 3);
}
