// TimeSeriesSampler: probes in order, the next sampling time, the bound on samples.
#include "hepkit/sim/output/TimeSeriesSampler.hpp"
#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>
#include <vector>

using namespace hepkit;
using namespace hepkit::sim;

TEST(TimeSeriesSampler, ProbesEmitInOrderAtTheSamplingTime) {
    std::vector<TimeSample> rows;
    TimeSeriesSampler s(600, [&](const TimeSample& t) { rows.push_back(t); });
    ASSERT_TRUE(s.active());
    s.add_probe([](TimeSeriesSampler& out) {
        out.emit("busy_cores", "A", 3);
        out.emit("busy_cores", "B", 0);
    });
    s.add_probe([](TimeSeriesSampler& out) { out.emit("queued_jobs", "all", out.now() / 100); });
    EXPECT_DOUBLE_EQ(s.take(0), 600);
    EXPECT_DOUBLE_EQ(s.take(600), 1200);
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_DOUBLE_EQ(rows[0].time, 0);
    EXPECT_STREQ(rows[0].kind, "busy_cores");
    EXPECT_EQ(rows[1].name, "B");
    EXPECT_STREQ(rows[5].kind, "queued_jobs");
    EXPECT_DOUBLE_EQ(rows[5].time, 600);
    EXPECT_DOUBLE_EQ(rows[5].value, 6);
    EXPECT_EQ(s.samples(), 2u);
}

TEST(TimeSeriesSampler, InactiveWithoutIntervalOrSink) {
    EXPECT_FALSE(TimeSeriesSampler(0, [](const TimeSample&) {}).active());
    EXPECT_FALSE(TimeSeriesSampler(60, {}).active());
}

TEST(TimeSeriesSampler, TooManySamplesNameTheInterval) {
    TimeSeriesSampler s(
        1, [](const TimeSample&) {}, 2);
    s.take(0);
    s.take(1);
    try {
        s.take(2);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.key(), "interval");
        EXPECT_NE(std::string(e.what()).find("reached 2 samples (interval 1 s"), std::string::npos)
            << e.what();
    }
}
