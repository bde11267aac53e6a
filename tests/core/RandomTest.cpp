// Named random streams: reproducible, and independent of each other.
#include "hepkit/core/Random.hpp"

#include <gtest/gtest.h>

using hepkit::RandomStreams;

TEST(Random, SameSeedAndNameGiveSameSequence) {
    auto a = RandomStreams(7).stream("workload");
    auto b = RandomStreams(7).stream("workload");
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(a(), b());
}

TEST(Random, AddingAConsumerDoesNotChangeAnother) {
    RandomStreams streams(7);
    auto alone = streams.stream("workload");
    const auto first = alone();
    RandomStreams streams2(7);
    auto other = streams2.stream("cache");
    for (int i = 0; i < 1000; ++i)
        other(); // another consumer draws a lot
    auto again = streams2.stream("workload");
    EXPECT_EQ(again(), first);
}

TEST(Random, DifferentNamesAndSeedsDiffer) {
    EXPECT_NE(RandomStreams(7).stream("a")(), RandomStreams(7).stream("b")());
    EXPECT_NE(RandomStreams(7).stream("a")(), RandomStreams(8).stream("a")());
}

TEST(Random, Uniform01IsInRangeAndPlatformIndependent) {
    auto e = RandomStreams(1).stream("u");
    double sum = 0;
    for (int i = 0; i < 10000; ++i) {
        const double u = hepkit::uniform01(e);
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / 10000, 0.5, 0.02);
    // the stable hash is fixed by definition (FNV-1a): pin one value
    EXPECT_EQ(hepkit::stable_hash(""), 0xcbf29ce484222325ULL);
}
