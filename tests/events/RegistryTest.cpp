// Registry (Registry.hpp): factories by type and kind, docs, errors that name the place and the
// closest known types, StepConfig::check_keys, and plugins loaded from shared libraries (the
// example plugin of examples/events/plugin/, built in this tree).

#include "ConfigTestSteps.hpp"

#include "hepkit/events/Registry.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::events {
namespace {

using testing::expect_input_error;
using testing::FakeProducer;

StepConfig step(const std::string& yaml, const std::string& kind = "producer",
                const std::string& name = "s") {
    const YAML::Node node = YAML::Load(yaml);
    return StepConfig{StepPlace{kind, name, "run.yaml", 1}, config::YamlView(node, "run.yaml", "global[0]")};
}

// Types are found by name within their kind; docs are listed per kind.
TEST(Registry, MakesRegisteredTypesAndListsDocs) {
    Registry r;
    testing::register_fakes(r);
    auto p = r.make_producer("scale", step("{type: scale, name: s, inputs: [a, b]}"));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name(), "s");
    EXPECT_EQ(p->inputs(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(dynamic_cast<FakeProducer&>(*p).type, "scale");
    EXPECT_NE(r.make_filter("cut", step("{type: cut, name: c}", "filter", "c")), nullptr);
    EXPECT_NE(r.make_consumer("hist", step("{type: hist, name: h}", "consumer", "h")), nullptr);
    EXPECT_EQ(r.producer_docs().size(), 2u);
    EXPECT_EQ(r.producer_docs().at("scale"), "scales a product");
    EXPECT_EQ(r.filter_docs().size(), 2u);
    EXPECT_EQ(r.consumer_docs().size(), 1u);
    EXPECT_EQ(r.kinds("expr"), (std::vector<std::string>{"producer", "filter"}));
    EXPECT_EQ(r.kinds("hist"), (std::vector<std::string>{"consumer"}));
    EXPECT_TRUE(r.kinds("nothing").empty());
    EXPECT_EQ(r.similar("hits"), std::vector<std::string>{"hist"});
    EXPECT_EQ(r.similar("exp"), std::vector<std::string>{"expr"}); // once, though producer and filter
    EXPECT_TRUE(r.similar("completely_different").empty());
}

// A name is taken once per kind (the same name as producer and filter is fine: `expr`).
TEST(Registry, RefusesATypeTwiceAndBadNames) {
    Registry r;
    testing::register_fakes(r);
    EXPECT_THROW(r.add_producer(
                     "scale", [](const StepConfig&) { return nullptr; }, ""),
                 std::invalid_argument);
    EXPECT_THROW(r.add_filter(
                     "two words", [](const StepConfig&) { return nullptr; }, ""),
                 std::invalid_argument);
    EXPECT_THROW(r.add_consumer(
                     "", [](const StepConfig&) { return nullptr; }, ""),
                 std::invalid_argument);
    EXPECT_THROW(r.add_consumer("h2", nullptr, ""), std::invalid_argument);
    r.add_consumer(
        "scale", [](const StepConfig&) { return nullptr; }, "a consumer of the same name");
    EXPECT_EQ(r.kinds("scale").size(), 2u);
}

// An unknown type names the file, the line and key of `type`, the closest types and all known.
TEST(Registry, UnknownTypeNamesPlaceClosestAndKnownTypes) {
    Registry r;
    testing::register_fakes(r);
    const YAML::Node node = YAML::Load("name: s\ntype: scael\ninputs: [a]\n");
    const StepConfig c{StepPlace{"producer", "s", "run.yaml", 1},
                       config::YamlView(node, "run.yaml", "global[3]")};
    expect_input_error([&] { r.make_producer("scael", c); }, "run.yaml", 2, "global[3].type",
                       {"unknown producer type 'scael'", "closest: scale",
                        "known producer types: expr, scale", "hepkit events types"});
    // a consumer type used as a producer: say what it is
    expect_input_error([&] { r.make_producer("hist", c); }, "run.yaml", 2, "global[3].type",
                       {"'hist' is a consumer type, not a producer type"});
    // a step whose kind is said (`filter: {...}`): the type is still its map's `type`
    const YAML::Node node2 = YAML::Load("name: s\ntype: cutt\n");
    const StepConfig c2{StepPlace{"filter", "s", "run.yaml", 1},
                        config::YamlView(node2, "run.yaml", "global[0].filter")};
    expect_input_error([&] { r.make_filter("cutt", c2); }, "run.yaml", 2, "global[0].filter.type",
                       {"unknown filter type 'cutt'", "closest: cut"});
}

// A factory that returns nothing is a bug of its type, not bad input.
TEST(Registry, FactoryReturningNullIsALogicError) {
    Registry r;
    r.add_producer(
        "broken", [](const StepConfig&) { return nullptr; }, "");
    EXPECT_THROW(r.make_producer("broken", step("{type: broken, name: s}")), std::logic_error);
}

// check_keys allows the step's own keys and the configuration's (type, name).
TEST(Registry, StepConfigCheckKeysNamesTheTypo) {
    const YAML::Node node = YAML::Load("type: scale\nname: s\ninputs: [a]\ninptus: [b]\n");
    const StepConfig c{StepPlace{"producer", "s", "run.yaml", 1},
                       config::YamlView(node, "run.yaml", "global[1]")};
    expect_input_error(
        [&] {
            c.check_keys({"inputs", "factor"});
        },
        "run.yaml", 4, "global[1].inptus",
        {"unknown key 'inptus' of producer s", "closest: inputs", "allowed: inputs, factor, type, name"});
    EXPECT_NO_THROW(c.check_keys({"inputs", "inptus"}));
}

#ifdef HEPKIT_TEST_PLUGIN
// The example plugin adds `transverse_mass`; its producer runs on a batch made here, with
// hepkit's code from this executable. mT = sqrt(2 pt met (1 - cos dphi)) by hand:
//   pt 40, met 30, dphi pi   -> sqrt(2*40*30*2) = sqrt(4800)
//   pt 25, met 25, dphi pi/2 -> sqrt(2*25*25*1) = 25*sqrt(2)
//   pt 10, met 50, dphi 0    -> 0
TEST(Registry, LoadsThePluginAndRunsItsProducer) {
    Registry r;
    r.load_plugin(HEPKIT_TEST_PLUGIN);
    ASSERT_EQ(r.kinds("transverse_mass"), (std::vector<std::string>{"producer"}));
    EXPECT_NE(r.producer_docs().at("transverse_mass").find("mT"), std::string::npos);
    r.load_plugin(HEPKIT_TEST_PLUGIN); // again: nothing happens (no "registered twice")

    auto p = r.make_producer(
        "transverse_mass",
        step("{type: transverse_mass, name: mt, pt: l_pt, phi: l_phi, met_pt: m, met_phi: m_phi}", "producer",
             "mt"));
    EXPECT_EQ(p->inputs(), (std::vector<std::string>{"l_pt", "l_phi", "m", "m_phi"}));
    Schema schema;
    std::vector<ProductId> ids;
    for (const char* n : {"l_pt", "l_phi", "m", "m_phi"})
        ids.push_back(
            schema.add(ProductInfo{n, n[0] == 'l' ? io::ColumnType::Float32 : io::ColumnType::Float64},
                       "branch of the input"));
    const auto outs = p->declare(schema);
    ASSERT_EQ(outs.size(), 1u);
    EXPECT_EQ(outs[0].name, "mt");
    const ProductId mt = schema.add(outs[0], "producer mt");
    p->outputs_declared(std::vector<ProductId>{mt});

    const double pi = std::acos(-1.0);
    Batch batch(schema, 0, 4);
    auto col = [](const char* name, io::ColumnType t, std::vector<double> v) {
        auto c = io::Column::make(name, t);
        for (double x : v) {
            if (t == io::ColumnType::Float32)
                c.mut<float>().push_back(static_cast<float>(x));
            else
                c.mut<double>().push_back(x);
        }
        return c;
    };
    batch.put(ids[0], col("l_pt", io::ColumnType::Float32, {40, 25, 10, 99}));
    batch.put(ids[1], col("l_phi", io::ColumnType::Float32, {0, 0, 1, 0}));
    batch.put(ids[2], col("m", io::ColumnType::Float64, {30, 25, 50, 99}));
    batch.put(ids[3], col("m_phi", io::ColumnType::Float64, {pi, pi / 2, 1, 1}));
    batch.set_rows({0, 1, 2}); // row 3 did not pass an earlier filter: its value stays 0
    p->produce(batch);
    const auto v = batch.get(mt).as<double>();
    ASSERT_EQ(v.size(), 4u);
    EXPECT_NEAR(v[0], std::sqrt(4800.0), 1e-5);
    EXPECT_NEAR(v[1], 25 * std::sqrt(2.0), 1e-5);
    EXPECT_NEAR(v[2], 0.0, 1e-6);
    EXPECT_EQ(v[3], 0.0);

    // its own checks: a typo in a key, a jagged input
    expect_input_error(
        [&] { r.make_producer("transverse_mass", step("{type: transverse_mass, name: mt, ptt: a}")); },
        "run.yaml", 1, "global[0].ptt", {"unknown key 'ptt'", "closest: pt"});
    Schema jagged;
    for (const char* n : {"l_pt", "l_phi", "m", "m_phi"})
        jagged.add(ProductInfo{n, io::ColumnType::Float32, std::string(n) == "l_phi"}, "branch");
    EXPECT_THROW(p->declare(jagged), InputError);
}

// A library whose register function throws (a type taken) is an error naming the library.
TEST(Registry, PluginRegisteringATakenNameNamesTheLibrary) {
    Registry r;
    r.add_producer(
        "transverse_mass", [](const StepConfig& c) { return std::make_unique<FakeProducer>(c, "x"); }, "");
    expect_input_error([&] { r.load_plugin(HEPKIT_TEST_PLUGIN); }, "libtest_events_config_plugin.so", 0, "",
                       {"hepkit_events_register failed", "registered twice"});
}
#endif

#ifdef HEPKIT_TEST_NOT_PLUGIN
TEST(Registry, PluginErrorsNameTheLibraryAndTheReason) {
    Registry r;
    expect_input_error([&] { r.load_plugin(HEPKIT_TEST_NOT_PLUGIN); }, "libtest_events_not_a_plugin.so", 0,
                       "", {"is no hepkit events plugin", "hepkit_events_register"});
    expect_input_error([&] { r.load_plugin("/nonexistent/libnothing.so"); }, "/nonexistent/libnothing.so", 0,
                       "", {"no such file"});
    // not a shared library at all: dlerror()'s reason is in the message
    testing::TempDir dir("not-elf");
    const std::string text = dir.write("libtext.so", "this is no ELF file\n");
    expect_input_error([&] { r.load_plugin(text); }, "libtext.so", 0, "",
                       {"cannot load the plugin library", "libtext.so"});
}
#endif

} // namespace
} // namespace hepkit::events
