// YAML/JSON reading: typed values and errors that name file, line and key.
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>
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
