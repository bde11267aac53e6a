// SlotPool: stable indices, last released first, reused slots keep their content.
#include "hepkit/core/SlotPool.hpp"

#include <gtest/gtest.h>
#include <string>

using hepkit::SlotPool;

TEST(SlotPool, HandsOutDenseIndicesAndReusesTheLastReleasedFirst) {
    SlotPool<std::string> pool;
    EXPECT_EQ(pool.next(), 0u);
    EXPECT_EQ(pool.acquire(), 0u);
    EXPECT_EQ(pool.acquire(), 1u);
    EXPECT_EQ(pool.acquire(), 2u);
    pool.release(1);
    pool.release(0);
    // a stack: 0 was released last, so it comes back first, then 1, then a new slot 3
    EXPECT_EQ(pool.next(), 0u);
    EXPECT_EQ(pool.in_use(), 1u);
    EXPECT_EQ(pool.acquire(), 0u);
    EXPECT_EQ(pool.acquire(), 1u);
    EXPECT_EQ(pool.next(), 3u);
    EXPECT_EQ(pool.acquire(), 3u);
    EXPECT_EQ(pool.size(), 4u);
    EXPECT_EQ(pool.in_use(), 4u);
}

TEST(SlotPool, AReusedSlotKeepsItsContentUntilOverwritten) {
    SlotPool<std::string> pool;
    const auto a = pool.acquire();
    pool[a] = "first user";
    pool.release(a);
    EXPECT_EQ(pool[a], "first user"); // released slots stay readable
    const auto b = pool.acquire();
    ASSERT_EQ(b, a);
    EXPECT_EQ(pool[b], "first user");
    pool.release(b);
    // acquire(value) stores the value whether the slot is reused or new
    EXPECT_EQ(pool.acquire("second"), a);
    EXPECT_EQ(pool[a], "second");
    EXPECT_EQ(pool.acquire("third"), 1u);
    EXPECT_EQ(pool[1], "third");
}
