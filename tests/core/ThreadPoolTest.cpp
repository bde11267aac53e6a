// ThreadPool: every index once, exceptions propagate, nested and concurrent use, size 1 serial.

#include "hepkit/core/ThreadPool.hpp"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hepkit {
namespace {

TEST(ThreadPool, EveryIndexExactlyOnce) {
    ThreadPool pool(4);
    EXPECT_EQ(pool.size(), 4u);
    for (std::size_t n : {0u, 1u, 2u, 7u, 64u, 1000u}) {
        std::vector<std::atomic<int>> hits(n);
        pool.parallel_for(n, [&](std::size_t i) { hits[i].fetch_add(1); });
        for (std::size_t i = 0; i < n; ++i)
            EXPECT_EQ(hits[i].load(), 1) << "n = " << n << ", index " << i;
    }
}

TEST(ThreadPool, ExceptionPropagatesAfterTheRoundAndThePoolStillWorks) {
    ThreadPool pool(3);
    std::atomic<int> ran{0};
    EXPECT_THROW(pool.parallel_for(16,
                                   [&](std::size_t i) {
                                       ran.fetch_add(1);
                                       if (i == 5)
                                           throw std::runtime_error("task 5");
                                   }),
                 std::runtime_error);
    EXPECT_EQ(ran.load(), 16); // on workers, every task runs before the rethrow
    std::atomic<int> total{0};
    pool.parallel_for(10, [&](std::size_t) { total.fetch_add(1); });
    EXPECT_EQ(total.load(), 10);
}

TEST(ThreadPool, NestedAndConcurrentUseRunSeriallyWithoutDeadlock) {
    ThreadPool pool(4);
    std::atomic<int> total{0};
    // a parallel_for inside a task of the same pool: 3 × 3 tasks
    pool.parallel_for(3,
                      [&](std::size_t) { pool.parallel_for(3, [&](std::size_t) { total.fetch_add(1); }); });
    EXPECT_EQ(total.load(), 9);
    // two threads calling the same pool at once: 2 × 200 rounds of 4 tasks
    total = 0;
    std::thread other([&] {
        for (int r = 0; r < 200; ++r)
            pool.parallel_for(4, [&](std::size_t) { total.fetch_add(1); });
    });
    for (int r = 0; r < 200; ++r)
        pool.parallel_for(4, [&](std::size_t) { total.fetch_add(1); });
    other.join();
    EXPECT_EQ(total.load(), 1600);
}

TEST(ThreadPool, SizeOneRunsOnTheCallerInOrder) {
    ThreadPool pool(1);
    EXPECT_EQ(pool.size(), 1u);
    const auto caller = std::this_thread::get_id();
    std::vector<std::size_t> order;
    pool.parallel_for(5, [&](std::size_t i) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        order.push_back(i); // no lock: a size-1 pool never runs two tasks at once
    });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    // a serial round stops at the first exception (no worker runs the rest)
    int ran = 0;
    EXPECT_THROW(pool.parallel_for(5,
                                   [&](std::size_t i) {
                                       ++ran;
                                       if (i == 1)
                                           throw std::runtime_error("task 1");
                                   }),
                 std::runtime_error);
    EXPECT_EQ(ran, 2);
}

TEST(ThreadPool, WorkersDoShareTheLoad) {
    // slow enough tasks that the three workers join the round: more than one thread runs tasks
    ThreadPool pool(4);
    std::mutex m;
    std::set<std::thread::id> threads;
    pool.parallel_for(64, [&](std::size_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const std::lock_guard<std::mutex> l(m);
        threads.insert(std::this_thread::get_id());
    });
    EXPECT_GT(threads.size(), 1u);
}

TEST(ThreadPool, NullPoolIsSerialAndBadSizesAreRefused) {
    std::vector<std::size_t> order;
    parallel_for(nullptr, 4, [&](std::size_t i) { order.push_back(i); });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(pool_size(nullptr), 1u);
    EXPECT_THROW(ThreadPool(0), std::invalid_argument);
    EXPECT_THROW(ThreadPool(1025), std::invalid_argument);
    EXPECT_GE(ThreadPool::default_size(), 1u);
}

} // namespace
} // namespace hepkit
