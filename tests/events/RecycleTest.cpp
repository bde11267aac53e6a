// The per-thread recycling of float64 product storage (src/events/Recycle.hpp): what goes back,
// what comes out (zeros only), and what is refused; the runner's side is in CoreExprTest.cpp
// (RecycledStorageKeepsRowsNotSelectedZero).

#include "Recycle.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

using namespace hepkit;
using namespace hepkit::events::detail;

namespace {

io::Column flat(io::ColumnType type = io::ColumnType::Float64) {
    return io::Column::make("y", type);
}

// A float64 column of n entries, -2.5 (and a NaN, an infinity) in `rows`, 0 elsewhere.
io::Column written(std::size_t n, const std::vector<std::uint32_t>& rows) {
    io::Column c = flat();
    auto& v = c.mut<double>();
    v.assign(n, 0.0);
    for (std::size_t k = 0; k < rows.size(); ++k)
        v[rows[k]] = k == 0 ? std::nan("") : k == 1 ? -std::numeric_limits<double>::infinity() : -2.5;
    return c;
}

bool all_zero(const std::vector<double>& v) {
    for (const double x : v)
        if (x != 0.0 || std::signbit(x))
            return false;
    return true;
}

// Empties this thread's storage of size n.
void drain(std::size_t n) {
    while (!take_zeros(n).empty()) {
    }
}

} // namespace

TEST(EventsRecycle, StorageComesBackAsZeros) {
    const std::size_t n = 4096;
    drain(n);
    EXPECT_TRUE(take_zeros(n).empty()); // nothing recycled yet
    const std::vector<std::uint32_t> rows = {0, 7, 100, 4095};
    {
        auto shared = shared_recycled(written(n, rows), rows);
        auto copy = shared; // the last reference gives it back, not the first
        shared.reset();
        EXPECT_TRUE(take_zeros(n).empty());
        EXPECT_EQ(copy->value_as_double(100), -2.5);
    }
    std::vector<double> v = take_zeros(n);
    ASSERT_EQ(v.size(), n);
    EXPECT_TRUE(all_zero(v));           // the rows written were cleared, NaN and -inf too
    EXPECT_TRUE(take_zeros(n).empty()); // taken once
}

TEST(EventsRecycle, OnlyOfTheSizeAsked) {
    drain(2048);
    drain(3000);
    shared_recycled(written(2048, {1}), {1}).reset();
    EXPECT_TRUE(take_zeros(3000).empty());
    EXPECT_EQ(take_zeros(2048).size(), 2048u);
}

TEST(EventsRecycle, PerThread) {
    drain(2048);
    std::thread([] { shared_recycled(written(2048, {5}), {5}).reset(); }).join();
    EXPECT_TRUE(take_zeros(2048).empty()); // given back to the other thread's storage
}

TEST(EventsRecycle, BoundedPool) {
    drain(1024);
    for (int k = 0; k < 100; ++k)
        shared_recycled(written(1024, {3}), {3}).reset();
    int taken = 0;
    while (!take_zeros(1024).empty())
        ++taken;
    EXPECT_EQ(taken, 32); // the newest 32: the older ones were freed
}

TEST(EventsRecycle, FullPoolStillRecycles) {
    // 32 entries of sizes no batch asks for any more must not keep a new size out
    for (std::uint32_t k = 0; k < 32; ++k)
        shared_recycled(written(2000 + k, {1}), {1}).reset();
    shared_recycled(written(4096, {1, 4095}), {1, 4095}).reset();
    const std::vector<double> v = take_zeros(4096);
    ASSERT_EQ(v.size(), 4096u);
    EXPECT_TRUE(all_zero(v));
    for (std::uint32_t k = 0; k < 32; ++k)
        drain(2000 + k);
}

TEST(EventsRecycle, BoundedInBytes) {
    // columns of 4 MiB: at most 64 MiB kept per thread
    const std::size_t n = std::size_t{1} << 19;
    drain(n);
    for (int k = 0; k < 20; ++k)
        shared_recycled(written(n, {7}), {7}).reset();
    int taken = 0;
    while (!take_zeros(n).empty())
        ++taken;
    EXPECT_EQ(taken, 16);
    const std::vector<double> huge(std::size_t{1} << 24, 0.0); // 128 MiB: never kept
    io::Column c = flat();
    c.mut<double>() = huge;
    shared_recycled(std::move(c), {}).reset();
    EXPECT_TRUE(take_zeros(huge.size()).empty());
}

TEST(EventsRecycle, RefusesWhatItCannotClear) {
    io::Column jagged = flat();
    jagged.offsets = {0, 0, 0, 0, 0};
    EXPECT_THROW(shared_recycled(jagged, {}), std::logic_error);
    EXPECT_THROW(shared_recycled(flat(io::ColumnType::Float32), {}), std::logic_error);
    EXPECT_THROW(shared_recycled(written(2048, {}), {2048}), std::logic_error); // row beyond it
}

TEST(EventsRecycle, WorthItForLongColumnsOfFewRows) {
    EXPECT_FALSE(worth_recycling(1000, 1));     // short: zeroing is cheap
    EXPECT_TRUE(worth_recycling(16384, 2048));  // an eighth
    EXPECT_FALSE(worth_recycling(16384, 2049)); // more: clearing costs as much as zeroing
    EXPECT_TRUE(worth_recycling(1024, 0));
}
