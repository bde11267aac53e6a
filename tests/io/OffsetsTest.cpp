// io::Offsets (Column.hpp): a jagged column's offsets shared by its copies until one changes its
// own (copy on write).
#include "hepkit/io/Column.hpp"

#include <gtest/gtest.h>

#include <span>

using hepkit::io::Column;
using hepkit::io::ColumnType;
using hepkit::io::Offsets;

TEST(IoOffsets, CopiesShareUntilOneChanges) {
    Column a = Column::make("x", ColumnType::Float32);
    a.offsets = {0, 2, 2, 5};
    a.mut<float>().assign(5, 1.0f);
    Column b = a;
    EXPECT_TRUE(b.offsets.shared_with(a.offsets));
    EXPECT_EQ(b.offsets.data(), a.offsets.data()); // no copy made
    b.offsets.mut()[1] = 1;                        // b's own now
    EXPECT_FALSE(b.offsets.shared_with(a.offsets));
    EXPECT_EQ(a.offsets, (std::vector<std::int64_t>{0, 2, 2, 5})); // a unchanged
    EXPECT_EQ(b.offsets, (std::vector<std::int64_t>{0, 1, 2, 5}));
    Column c = a;
    c.offsets.push_back(7); // every change goes through its own vector
    EXPECT_EQ(a.offsets.size(), 4u);
    EXPECT_EQ(c.offsets.size(), 5u);
    Column d = a;
    d.offsets.clear();
    EXPECT_FALSE(d.jagged());
    EXPECT_TRUE(a.jagged());
    Column e = a;
    e.offsets.resize(2);
    EXPECT_EQ(a.offsets.back(), 5);
    EXPECT_EQ(e.offsets.back(), 2);
    // an unshared vector is changed in place
    const std::int64_t* before = e.offsets.data();
    e.offsets.mut()[0] = 0;
    EXPECT_EQ(e.offsets.data(), before);
}

TEST(IoOffsets, ReadAsAVector) {
    const Offsets none;
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(none.size(), 0u);
    EXPECT_EQ(none.begin(), none.end());
    EXPECT_TRUE(none.vec().empty());
    EXPECT_FALSE(none.shared_with(Offsets{})); // two without offsets share nothing
    Offsets o(std::vector<std::int64_t>{3, 4, 9});
    EXPECT_EQ(o.front(), 3);
    EXPECT_EQ(o[1], 4);
    EXPECT_EQ(o.back(), 9);
    const std::span<const std::int64_t> s(o);
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.data(), o.data());
    const std::vector<std::int64_t>& v = o; // functions taking a vector read it without a copy
    EXPECT_EQ(v.data(), o.data());
    std::int64_t sum = 0;
    for (const std::int64_t x : o)
        sum += x;
    EXPECT_EQ(sum, 16);
    const std::vector<std::int64_t> more = {10, 11};
    o.insert(o.begin() + 1, more.begin(), more.end());
    EXPECT_EQ(o, (std::vector<std::int64_t>{3, 10, 11, 4, 9}));
    Offsets range(v.begin(), v.end());
    EXPECT_EQ(range, o);
    EXPECT_FALSE(range.shared_with(o));
    Offsets empty_vector(std::vector<std::int64_t>{});
    EXPECT_TRUE(empty_vector.empty());
}
