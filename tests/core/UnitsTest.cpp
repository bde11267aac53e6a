// Unit parsing: SimGrid's strings into base units, and the errors for bad ones.
#include "hepkit/core/Units.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace hepkit::units;

TEST(Units, ParsesSimGridStringsFromTheIssue) {
    EXPECT_DOUBLE_EQ(parse("1117Mf", Kind::speed), 1117e6);
    EXPECT_DOUBLE_EQ(parse("9.6Gbps", Kind::bandwidth), 9.6e9 / 8); // bits
    EXPECT_DOUBLE_EQ(parse("5000GBps", Kind::bandwidth), 5000e9);   // bytes
    EXPECT_DOUBLE_EQ(parse("2.5TB", Kind::size), 2.5e12);
    EXPECT_DOUBLE_EQ(parse("64GiB", Kind::size), 64.0 * 1024 * 1024 * 1024);
    EXPECT_DOUBLE_EQ(parse("1ms", Kind::time), 1e-3);
    EXPECT_DOUBLE_EQ(parse("0us", Kind::time), 0.0);
    EXPECT_DOUBLE_EQ(parse("118.720TiB", Kind::size), 118.72 * 1099511627776.0);
}

TEST(Units, BareNumbersAreBaseUnits) {
    EXPECT_DOUBLE_EQ(parse("1000000000000", Kind::bandwidth), 1e12);
    EXPECT_DOUBLE_EQ(parse("  42 ", Kind::time), 42.0);
}

TEST(Units, NamedConstantsMatchParsing) {
    EXPECT_DOUBLE_EQ(parse("1Gbps", Kind::bandwidth), Gbps);
    EXPECT_DOUBLE_EQ(parse("3h", Kind::time), 3 * hour);
    EXPECT_DOUBLE_EQ(parse("2kWh", Kind::energy), 2 * 3.6e6 * J);
    EXPECT_DOUBLE_EQ(parse("250W", Kind::power), 250 * W);
}

TEST(Units, RejectsUnknownSuffixWithAllowedList) {
    try {
        parse("10Gbs", Kind::bandwidth);
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("10Gbs"), std::string::npos);
        EXPECT_NE(msg.find("Bps"), std::string::npos);
    }
    EXPECT_THROW(parse("1Mf", Kind::size), std::invalid_argument);   // a speed is not a size
    EXPECT_THROW(parse("fast", Kind::speed), std::invalid_argument); // no number
    EXPECT_THROW(parse("", Kind::time), std::invalid_argument);
}

TEST(Units, RejectsNegativeAndInfinite) {
    EXPECT_THROW(parse("-1Gbps", Kind::bandwidth), std::invalid_argument);
    EXPECT_THROW(parse("1e400B", Kind::size), std::invalid_argument);
}
