// Tree::read_into: a loop over clusters reading into the same columns gets what Tree::read gives,
// and keeps the columns' buffers from one cluster to the next.

#include "WriterSamples.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/io/Tree.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>
#include <variant>

namespace fs = std::filesystem;
using namespace hepkit;
using io::Column;

namespace {

const void* data_of(const Column& c) {
    return std::visit([](const auto& v) -> const void* { return v.data(); }, c.values);
}

TEST(TreeReadInto, ClusterLoopEqualsReadAndKeepsBuffers) {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-read-into.root");
    const auto flat = hepkit::test::sample_flat(900);
    const auto jagged = hepkit::test::sample_jagged(1200);
    {
        io::RootWriter out(
            p.string(), {.compression = io::CompressionSetting::from_root(101), .title = "", .timestamp = 1});
        out.write_tree("Flat", flat, {.title = "", .basket_size = 512, .cluster_entries = 300});
        out.write_tree("Events", jagged, {.title = "", .basket_size = 4000, .cluster_entries = 400});
        out.close();
    }
    io::RootFile f(p.string());
    for (const auto& [tree_name, written] : {std::pair{"Flat", &flat}, std::pair{"Events", &jagged}}) {
        SCOPED_TRACE(tree_name);
        const io::Tree t(f, tree_name);
        std::vector<std::string> names;
        for (const auto& c : *written)
            names.push_back(c.name);
        // a stale column of another branch first and one too many at the end: both replaced
        std::vector<Column> columns(names.size() + 1);
        columns[0] = Column::make("other", io::ColumnType::Int16);
        const auto clusters = t.clusters();
        ASSERT_EQ(clusters.size(), 3U);
        std::vector<const void*> buffers;
        for (const auto& c : clusters) {
            t.read_into(names, c.begin, c.end, columns);
            ASSERT_EQ(columns.size(), names.size());
            const auto expected = t.read(names, c.begin, c.end);
            for (std::size_t k = 0; k < names.size(); ++k) {
                SCOPED_TRACE(names[k]);
                EXPECT_EQ(columns[k].name, expected[k].name);
                EXPECT_EQ(columns[k].type, expected[k].type);
                EXPECT_EQ(columns[k].width, expected[k].width);
                EXPECT_EQ(columns[k].offsets, expected[k].offsets);
                EXPECT_TRUE(columns[k].values == expected[k].values);
            }
            buffers.push_back(data_of(columns[1]));
        }
        // equal clusters: the second and third read into the first's buffer
        EXPECT_EQ(buffers[1], buffers[0]);
        EXPECT_EQ(buffers[2], buffers[0]);
    }
    fs::remove(p);
}

// With a pool, the columns are taken by the threads costliest first, by the cost each branch's
// last read measured (so the order changes after the first read), and the baskets of a range are
// found by bisection in each branch's basket list, kept from the first read: whatever the order,
// the range (inside one basket, across baskets, backwards over clusters) and the threads, the
// columns equal a plain read's.
TEST(TreeReadInto, ThreadsOrdersAndRangesEqualOneThread) {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-read-into-mt.root");
    const auto jagged = hepkit::test::sample_jagged(1500);
    const auto flat = hepkit::test::sample_flat(1500);
    {
        io::RootWriter out(
            p.string(), {.compression = io::CompressionSetting::from_root(404), .title = "", .timestamp = 1});
        out.write_tree("Events", jagged, {.title = "", .basket_size = 700, .cluster_entries = 250});
        out.write_tree("Flat", flat, {.title = "", .basket_size = 300, .cluster_entries = 500});
        out.close();
    }
    io::RootFile f(p.string());
    ThreadPool two(2);
    for (const auto& [tree_name, written] : {std::pair{"Events", &jagged}, std::pair{"Flat", &flat}}) {
        SCOPED_TRACE(tree_name);
        const io::Tree t(f, tree_name);
        std::vector<std::string> names;
        for (const auto& c : *written)
            names.push_back(c.name);
        ASSERT_GE(names.size(), 8U); // enough columns to be spread over the threads column by column
        std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
        const auto clusters = t.clusters();
        for (auto c = clusters.rbegin(); c != clusters.rend(); ++c)
            ranges.emplace_back(c->begin, c->end);
        ranges.insert(ranges.end(), {{0, 1}, {7, 9}, {3, 1499}, {1499, 1500}, {0, 1500}, {600, 600}});
        std::vector<Column> columns;
        for (int round = 0; round < 2; ++round)
            for (const auto& [begin, end] : ranges) {
                SCOPED_TRACE(std::to_string(begin) + ":" + std::to_string(end));
                t.read_into(names, begin, end, columns, &two);
                const auto expected = t.read(names, begin, end);
                ASSERT_EQ(columns.size(), expected.size());
                for (std::size_t k = 0; k < names.size(); ++k) {
                    SCOPED_TRACE(names[k]);
                    EXPECT_EQ(columns[k].offsets, expected[k].offsets);
                    EXPECT_TRUE(columns[k].values == expected[k].values);
                    EXPECT_EQ(columns[k].entries(), static_cast<std::size_t>(end - begin));
                }
            }
    }
    fs::remove(p);
}

} // namespace
