// EnumTable: one table per enum, read by parsers and printers alike.
#include "hepkit/core/EnumTable.hpp"

#include <gtest/gtest.h>

using namespace hepkit;

namespace {
enum class Colour { red, green, blue };
constexpr auto colours = make_enum_table<Colour>(
    "colour",
    {{"red", Colour::red}, {"green", Colour::green}, {"grey", Colour::green, true}, {"blue", Colour::blue}});
enum class Order { asc, desc };
constexpr auto orders = make_enum_table<Order>("ordering", {{"asc", Order::asc}, {"desc", Order::desc}});
} // namespace

TEST(EnumTable, NamesAndValuesRoundTrip) {
    for (const auto& n : colours.names())
        EXPECT_EQ(colours.name(colours.parse(n)), n);
    EXPECT_EQ(colours.parse("blue"), Colour::blue);
    static_assert(colours.name(Colour::green) == "green");
    static_assert(colours.find("red") == Colour::red);
    static_assert(!colours.find("Red")); // names are exact
}

TEST(EnumTable, AnAliasParsesButIsNeverPrintedOrListed) {
    EXPECT_EQ(colours.parse("grey"), Colour::green);
    EXPECT_EQ(colours.name(Colour::green), "green");
    EXPECT_EQ(colours.allowed(), "red, green, blue");
    EXPECT_EQ(colours.names().size(), 3u);
}

TEST(EnumTable, ErrorsListTheAllowedNames) {
    try {
        colours.parse("mauve");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "'mauve' is not a colour (allowed: red, green, blue)");
    }
    try {
        orders.parse("up");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "'up' is not an ordering (allowed: asc, desc)");
    }
}
