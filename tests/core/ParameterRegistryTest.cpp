// ParameterRegistry: one line per typed field, values read and checked with errors at the value,
// composition under prefixes, elements of a collection by name, and the registration mistakes
// that fail when the registry is built.
#include "hepkit/core/ParameterRegistry.hpp"

#include "FieldCount.hpp"
#include "Helpers.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <map>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using test::input_error;

namespace {

enum class Mode { fast, exact };
constexpr auto modes = make_enum_table<Mode>("mode", {{"fast", Mode::fast}, {"exact", Mode::exact}});

struct Inner {
    double size = 1e9;  // B
    double share = 0.5; // fraction
    int clients = 4;    // count
    std::string host;   // host
    bool on = true;     // bool
    Mode mode = Mode::fast;
};

struct Outer {
    Inner inner;
    std::map<std::string, Inner> named;
    std::uint64_t seed = 1;
};

void register_inner(ParameterRegistry<Inner>& r) {
    r.field("size", "size_key", "B", "bytes", &Inner::size, Bounds::above(0));
    r.field("share", "share", "fraction", "a part, [0, 1)", &Inner::share,
            Bounds::between(0, 1, "in [0, 1)").below_hi().quoting_value());
    r.field("clients", "clients", "count", "clients, 1 to 1e3", &Inner::clients,
            Bounds::between(1, 1e3, "between 1 and 1e3"));
    r.field("host", "host", "host", "a host", &Inner::host);
    r.field("on", "on", "a switch", &Inner::on);
    r.field("mode", "mode", "how", &Inner::mode, modes);
}

config::YamlView value(const std::string& text) {
    return config::YamlView(YAML::Node(text), "in.yaml", "k");
}

} // namespace

TEST(ParameterRegistry, FieldsReadTheirTypesAndUnits) {
    ParameterRegistry<Inner> r;
    register_inner(r);
    Inner c;
    r.find("size")->set(c, value("500MB"), ""); // a quantity in B: unit suffixes
    r.find("share")->set(c, value("0.25"), "");
    r.find("clients")->set(c, value("16"), "");
    r.find("host")->set(c, value("S"), "");
    r.find("on")->set(c, value("false"), "");
    r.find("mode")->set(c, value("exact"), "");
    EXPECT_DOUBLE_EQ(c.size, 5e8);
    EXPECT_DOUBLE_EQ(c.share, 0.25);
    EXPECT_EQ(c.clients, 16);
    EXPECT_EQ(c.host, "S");
    EXPECT_FALSE(c.on);
    EXPECT_EQ(c.mode, Mode::exact);
    // list entries: unit as given, `bool` and `name` implied; the enum lists its names
    EXPECT_EQ(r.find("size")->unit, "B");
    EXPECT_EQ(r.find("size")->scenario, "size_key");
    EXPECT_EQ(r.find("on")->unit, "bool");
    EXPECT_EQ(r.find("mode")->unit, "name");
    ASSERT_TRUE(r.find("mode")->allowed);
    EXPECT_EQ(r.find("mode")->allowed(), "fast, exact");
    EXPECT_FALSE(r.find("size")->allowed);
    EXPECT_EQ(r.members(), test::field_count<Inner>());
}

TEST(ParameterRegistry, BoundsFailAtTheValueWithTheirWords) {
    ParameterRegistry<Inner> r;
    register_inner(r);
    Inner c;
    InputError e = input_error([&] { r.find("size")->set(c, value("0"), ""); });
    EXPECT_EQ(e.file(), "in.yaml");
    EXPECT_EQ(e.key(), "k");
    EXPECT_EQ(e.message(), "must be > 0");
    EXPECT_EQ(input_error([&] { r.find("share")->set(c, value("1"), ""); }).message(), "1 must be in [0, 1)");
    EXPECT_EQ(input_error([&] { r.find("clients")->set(c, value("0"), ""); }).message(),
              "must be between 1 and 1e3");
    EXPECT_EQ(input_error([&] { r.find("clients")->set(c, value("2.5"), ""); }).message(),
              "'2.5' is not an integer");
    EXPECT_EQ(input_error([&] { r.find("mode")->set(c, value("slow"), ""); }).message(),
              "'slow' is not a mode (allowed: fast, exact)");
    // a bare number in a quantity field is in the base unit; a plain field refuses a suffix
    EXPECT_NO_THROW(r.find("size")->set(c, value("42"), ""));
    EXPECT_DOUBLE_EQ(c.size, 42);
    EXPECT_THROW(r.find("share")->set(c, value("5%"), ""), InputError);
    // the failed values left the config as it was
    EXPECT_DOUBLE_EQ(c.share, 0.5);
    EXPECT_EQ(c.clients, 4);
}

TEST(ParameterRegistry, BoundsContainTheirEnds) {
    EXPECT_TRUE(Bounds::fraction().contains(0));
    EXPECT_TRUE(Bounds::fraction().contains(1));
    EXPECT_FALSE(Bounds::fraction().below_hi().contains(1));
    EXPECT_FALSE(Bounds::above(0).contains(0));
    EXPECT_TRUE(Bounds::at_least(0).contains(0));
    EXPECT_FALSE(Bounds::at_least(0).contains(std::numeric_limits<double>::quiet_NaN()));
    EXPECT_EQ(Bounds::above(0).says, "> 0");
    EXPECT_EQ(Bounds::at_least(1).says, ">= 1");
    EXPECT_EQ(Bounds::between(1, 10000).says, "between 1 and 10000");
}

TEST(ParameterRegistry, CompositionPrefixesPathsAndScenarioKeys) {
    ParameterRegistry<Outer> r;
    r.add("inner.", "options.", &Outer::inner, register_inner);
    ParameterRegistry<Inner> each;
    register_inner(each);
    r.add_each(
        "named.*.", "named.NAME.", &Outer::named,
        [](Outer& o, const config::YamlView& v, const std::string& name) -> Inner& {
            if (name == "bad")
                v.fail("no element 'bad'");
            return o.named[name];
        },
        each);
    r.field("seed", "seed", "count", "seed", &Outer::seed, Bounds::at_least(0));
    ASSERT_EQ(r.parameters().size(), 13u);
    EXPECT_EQ(r.parameters()[0].path, "inner.size");
    EXPECT_EQ(r.parameters()[0].scenario, "options.size_key");
    EXPECT_EQ(r.parameters()[6].path, "named.*.size");
    EXPECT_EQ(r.parameters()[6].scenario, "named.NAME.size_key");
    EXPECT_TRUE(r.parameters()[11].allowed); // the enum's list survives composition
    EXPECT_EQ(r.prefixes(), "inner named seed");
    EXPECT_EQ(r.members(), 3u);

    Outer o;
    std::string name;
    const auto* p = r.find("named.A.clients", &name);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->path, "named.*.clients");
    EXPECT_EQ(name, "A");
    p->set(o, value("7"), name);
    r.find("inner.mode")->set(o, value("exact"), "");
    EXPECT_EQ(o.named.at("A").clients, 7);
    EXPECT_EQ(o.inner.mode, Mode::exact);
    EXPECT_EQ(input_error([&] { r.find("named.bad.on")->set(o, value("true"), "bad"); }).message(),
              "no element 'bad'");
    EXPECT_EQ(r.find("named..on"), nullptr); // a `*` needs a name
    EXPECT_EQ(r.find("inner.size.x"), nullptr);
    EXPECT_EQ(r.find("inner"), nullptr);
}

TEST(ParameterRegistry, RegistrationMistakesFailWhenBuilt) {
    ParameterRegistry<Inner> r;
    r.field("on", "on", "a switch", &Inner::on);
    EXPECT_THROW(r.field("on", "on2", "again", &Inner::on), std::logic_error);
    // an int field whose bounds admit values it cannot hold, or that has none
    EXPECT_THROW(r.field("clients", "clients", "count", "clients", &Inner::clients, Bounds::at_least(0)),
                 std::logic_error);
    EXPECT_THROW(r.field("clients", "clients", "count", "clients", &Inner::clients, Bounds::none()),
                 std::logic_error);
    ParameterRegistry<Outer> o;
    EXPECT_THROW(o.field("seed", "seed", "count", "seed", &Outer::seed, Bounds::at_least(-1)),
                 std::logic_error);
    EXPECT_NO_THROW(o.field("seed", "seed", "count", "seed", &Outer::seed, Bounds::at_least(0)));
}
