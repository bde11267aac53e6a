// Tree::read_into: a loop over clusters reading into the same columns gets what Tree::read gives,
// and keeps the columns' buffers from one cluster to the next.

#include "WriterSamples.hpp"

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

} // namespace
