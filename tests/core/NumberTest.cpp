// Numbers read from text: one rule for every reader (issue 12, section 4). NaN, infinities and
// out-of-range literals are rejected whatever their spelling; messages name what was wrong and
// stay short however long the input.
#include "hepkit/core/Number.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Units.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
namespace fs = std::filesystem;

namespace {
fs::path temp(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-number-" + name);
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}
} // namespace

TEST(Number, ParseFiniteAcceptsPlainNumbers) {
    EXPECT_EQ(parse_finite("1.5"), 1.5);
    EXPECT_EQ(parse_finite("+5"), 5.0);
    EXPECT_EQ(parse_finite(" 2e3 "), 2000.0);
    EXPECT_EQ(parse_finite("-0.25"), -0.25);
    EXPECT_EQ(parse_finite("1e-400"), 0.0); // underflow is a (zero) number, not an error
    EXPECT_FALSE(parse_finite(""));
    EXPECT_FALSE(parse_finite("12abc"));
    EXPECT_FALSE(parse_finite("+-1"));
}

TEST(Number, NonFiniteSpellingsAreNeverNumbers) {
    for (const char* s : {"nan", "NaN", "NAN", ".nan", ".NaN", "inf", "-inf", "+inf", ".inf", "-.Inf",
                          "Infinity", "-infinity", "1e400", "-1e309"}) {
        EXPECT_FALSE(parse_finite(s)) << s;
    }
    for (const char* s : {"nan", "NaN", ".nan", "-.inf", "Infinity", "+inf"})
        EXPECT_TRUE(spells_non_finite(s)) << s;
    EXPECT_FALSE(spells_non_finite("nano"));
    EXPECT_TRUE(is_out_of_range_number("1e400"));
    EXPECT_FALSE(is_out_of_range_number("1e300"));
    EXPECT_FALSE(is_out_of_range_number("1e-400"));
}

TEST(Number, DescribeBadNumberSaysWhy) {
    EXPECT_EQ(describe_bad_number("NaN"),
              "'NaN' is not a finite number (NaN and infinities are not allowed)");
    EXPECT_NE(describe_bad_number("1e400").find("beyond the range of numbers"), std::string::npos);
    EXPECT_EQ(describe_bad_number("abc"), "'abc' is not a number");
}

TEST(Number, PrefixOfAFloatLiteralOutOfRangeIsAnErrorNotAnException) {
    // Regression: a Python-style model default `1e400f` ended in "hepkit: error: stod".
    const NumberPrefix p = parse_number_prefix("1e400f");
    EXPECT_EQ(p.length, 5u);
    EXPECT_NE(p.error.find("'1e400' is beyond the range"), std::string::npos);
    const NumberPrefix q = parse_number_prefix("2.5*x");
    EXPECT_EQ(q.length, 3u);
    EXPECT_EQ(q.value, 2.5);
    EXPECT_TRUE(q.error.empty());
    EXPECT_EQ(parse_number_prefix("1e+").length, 1u); // a bare 'e' is not an exponent
    EXPECT_EQ(parse_number_prefix("x").length, 0u);
}

TEST(Number, ShortenCutsLongTextsAndSaysHowLong) {
    const std::string long_text(10000, 'a');
    const std::string s = shorten(long_text);
    EXPECT_LT(s.size(), 160u);
    EXPECT_NE(s.find("(10000 characters)"), std::string::npos);
    EXPECT_EQ(shorten("short"), "short");
}

TEST(Number, InputErrorShortensAHugeFileName) {
    // Regression: a 10 000-character path was echoed whole.
    const InputError e(std::string(10000, 'p'), 3, "key", "cannot open file for reading");
    EXPECT_LT(std::string(e.what()).size(), 400u);
    EXPECT_EQ(e.file().size(), 10000u); // the parts stay whole
}

TEST(Number, UnitsRejectNonFiniteOutOfRangeAndAbsurdTimes) {
    EXPECT_NE(error_of([] { units::parse("1e400GB", units::Kind::size); }).find("beyond the range"),
              std::string::npos);
    EXPECT_NE(error_of([] { units::parse("NaN", units::Kind::size); }).find("not a finite number"),
              std::string::npos);
    EXPECT_NE(error_of([] { units::parse("1e308s", units::Kind::time); }).find("a time beyond 1e+12 s"),
              std::string::npos);
    EXPECT_DOUBLE_EQ(units::parse("1e12s", units::Kind::time), 1e12);
    EXPECT_DOUBLE_EQ(units::parse("+2GB", units::Kind::size), 2e9);
}

TEST(Number, YamlNanAndInfinityAreRejectedByEveryView) {
    // Regression: YAML `NaN` became a double NaN in documents embedded in a scenario, and
    // Distribution::sample then redrew for ever; `.nan` was rejected. Now all are rejected.
    for (const char* text : {"NaN", "nan", ".nan", ".inf", "-.inf", "inf", "1e400"}) {
        const YAML::Node node = YAML::Load(std::string("{v: ") + text + "}");
        const nlohmann::json doc = config::to_json(node);
        EXPECT_TRUE(doc["v"].is_string()) << text;
        const std::string e = error_of([&] { config::JsonView(doc, "s.yaml").at("v").as_double(); });
        EXPECT_NE(e.find("s.yaml: v: '"), std::string::npos) << e;
        const std::string y = error_of([&] { config::YamlView(node, "s.yaml").at("v").as_double(); });
        EXPECT_NE(y.find("s.yaml:1: v: '"), std::string::npos) << y;
    }
    const nlohmann::json quoted = nlohmann::json::parse(R"({"v": "nan"})");
    EXPECT_NE(error_of([&] {
                  config::JsonView(quoted, "w.json").at("v").as_double();
              }).find("w.json: v: 'nan' is not a finite number"),
              std::string::npos);
}

TEST(Number, JsonOverflowNamesTheLiteralAndItsLine) {
    // Regression: nlohmann's raw "number overflow parsing '1e309'" came out without file or line.
    const fs::path p = temp("overflow.json", "{\n  \"a\": 1,\n  \"b\": 1e309\n}\n");
    const std::string e = error_of([&] { config::load_json_file(p.string()); });
    EXPECT_NE(e.find(p.string() + ":3: '1e309' is beyond the range of numbers"), std::string::npos) << e;
    fs::remove(p);
}

TEST(Number, YamlGivenAsJsonSaysSo) {
    // Regression: a YAML file (with a non-UTF-8 byte) given as JSON printed type_error.316.
    const fs::path p = temp("not.json", "w:\n  num_jobs: 1\n  comment: caf\xe9\n");
    const std::string e = error_of([&] { config::load_json_file(p.string()); });
    EXPECT_NE(e.find("not a JSON file"), std::string::npos) << e;
    EXPECT_EQ(e.find("type_error"), std::string::npos) << e;
    fs::remove(p);
}

TEST(Number, JsonValuesInMessagesAreShortAndValidUtf8) {
    const nlohmann::json v = std::string("\xff\xfe") + std::string(1000, 'x');
    const std::string s = config::show(v);
    EXPECT_LT(s.size(), 200u);
    EXPECT_NE(s.find("characters)"), std::string::npos);
}

TEST(Number, HugeInputFilesAreRefusedBeforeReading) {
    // A bound on memory: documents are read whole. The limit is lowered here to 1 MiB.
    std::string big = "["; // appended: GCC 12's -Wrestrict misfires on "[" + std::string(...)
    big.append(2 * 1024 * 1024, ' ').append("]");
    const fs::path p = temp("big.json", big);
    ::setenv("HEPKIT_MAX_INPUT_MB", "1", 1);
    const std::string e = error_of([&] { config::load_json_file(p.string()); });
    ::unsetenv("HEPKIT_MAX_INPUT_MB");
    EXPECT_NE(e.find("input files of this kind are limited to 1 MiB"), std::string::npos) << e;
    fs::remove(p);
}
