// TTrees read into columns, checked against jsroot: for every tree of the reference files, the
// statistics of every branch (n, sum, min, max) equal expected/*.tree-stats.json and
// *.ntuple-stats.json, computed by jsroot 7.11.2 (an independent reader). Branches jsroot could not
// sum (strings, int8 arrays) are read here and checked for shape and for the values uproot's test
// suite documents for these files.
#include "hepkit/io/Tree.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/ColumnStats.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

using hepkit::io::Column;
using hepkit::io::ColumnType;
using hepkit::io::RootFile;
using hepkit::io::Tree;

namespace {

nlohmann::json expected(const std::string& name) {
    std::ifstream in(hepkit::test::reference("root-files/expected/" + name));
    return nlohmann::json::parse(in);
}

// Every numeric branch of the tree against the expectation; returns how many were compared.
std::size_t check_against_jsroot(const Tree& tree, const nlohmann::json& exp,
                                 hepkit::ThreadPool* pool = nullptr) {
    EXPECT_EQ(tree.entries(), exp.at("entries").get<std::int64_t>());
    const auto& branches = exp.at("branches");
    std::size_t compared = 0;
    for (const auto& [name, want] : branches.items()) {
        SCOPED_TRACE("branch " + name);
        if (!tree.has_branch(name)) {
            ADD_FAILURE() << "no branch " << name;
            continue;
        }
        const Column col = tree.read(name, 0, tree.entries(), pool);
        EXPECT_EQ(col.entries(), static_cast<std::size_t>(tree.entries()));
        const auto stats = hepkit::io::column_stats(col);
        if (!stats) {
            ADD_FAILURE() << "no statistics";
            continue;
        }
        EXPECT_EQ(stats->n, want.at("n").get<std::uint64_t>());
        ++compared;
        if (stats->n == 0)
            continue;
        if (want.at("sum").is_null()) {
            // JSON has no NaN or infinity: jsroot's dump wrote null for a sum that is not finite.
            EXPECT_FALSE(std::isfinite(stats->sum)) << stats->sum;
            continue;
        }
        // min and max are values of the column: equal exactly (floats widen exactly to double).
        EXPECT_EQ(stats->min, want.at("min").get<double>());
        EXPECT_EQ(stats->max, want.at("max").get<double>());
        const double sum = want.at("sum").get<double>();
        if (stats->integral && want.at("sum").is_number_integer()) {
            if (stats->integer_sum) {
                EXPECT_EQ(*stats->integer_sum, want.at("sum").get<std::int64_t>());
            } else if (stats->unsigned_sum) {
                EXPECT_EQ(*stats->unsigned_sum, want.at("sum").get<std::uint64_t>());
            }
        }
        EXPECT_LE(std::abs(stats->sum - sum), 1e-9 * std::max(1.0, std::abs(sum)))
            << stats->sum << " vs " << sum;
    }
    // Every numeric branch of the tree is in the expectation or listed there as unreadable.
    std::set<std::string> unreadable;
    for (const auto& u : exp.value("unreadable", nlohmann::json::array()))
        unreadable.insert(u.get<std::string>());
    for (const auto& b : tree.branches()) {
        if (!b.readable || b.type == ColumnType::String)
            continue;
        EXPECT_TRUE(branches.contains(b.name) || unreadable.count(b.name))
            << b.name << " not in the expectation";
    }
    return compared;
}

} // namespace

TEST(TreeStats, HzzMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    const RootFile f(hepkit::test::root_file("uproot-HZZ.root"));
    const Tree t(f, "events");
    EXPECT_EQ(check_against_jsroot(t, expected("uproot-HZZ.tree-stats.json")), 51u);
}

TEST(TreeStats, NanoAodMatchesJsrootOnAllBranches) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    const RootFile f(hepkit::test::root_file("nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const Tree t(f, "Events");
    EXPECT_EQ(t.branches().size(), 947u);
    hepkit::ThreadPool pool(2);
    EXPECT_EQ(check_against_jsroot(t, expected("nanoAOD_2015_CMS_Open_Data_ttbar.tree-stats.json"), &pool),
              947u);
}

// The same values whether the baskets are viewed in the mapped file (the default), read with
// pread (map_file off), or viewed with the mapping's pages released after every basket (a
// resident limit of one byte: each basket faults its pages in again).
TEST(TreeStats, NanoAodMatchesJsrootUnmappedAndWithMappedPagesReleased) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    RootFile::Config unmapped, released;
    unmapped.map_file = false;
    released.mapped_resident_limit = 1;
    hepkit::ThreadPool pool(2);
    for (const auto* config : {&unmapped, &released}) {
        const RootFile f(hepkit::test::root_file("nanoAOD_2015_CMS_Open_Data_ttbar.root"), *config);
        const Tree t(f, "Events");
        EXPECT_EQ(check_against_jsroot(t, expected("nanoAOD_2015_CMS_Open_Data_ttbar.tree-stats.json"),
                                       config == &released ? &pool : nullptr),
                  947u);
    }
}

TEST(TreeStats, SampleOfEveryBasicTypeMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-sample-6.16.00-zlib.root");
    const RootFile f(hepkit::test::root_file("uproot-sample-6.16.00-zlib.root"));
    const Tree t(f, "sample");
    EXPECT_EQ(check_against_jsroot(t, expected("uproot-sample-6.16.00-zlib.tree-stats.json")), 33u);
}

TEST(TreeStats, SimpleMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-simple.root");
    const RootFile f(hepkit::test::root_file("uproot-simple.root"));
    const Tree t(f, "tree");
    EXPECT_EQ(check_against_jsroot(t, expected("uproot-simple.tree-stats.json")), 2u);
}

TEST(TreeStats, NtupleMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const RootFile f(hepkit::test::root_file("uproot-hepdata-example.root"));
    const Tree t(f, "ntuple");
    EXPECT_EQ(t.class_name(), "TNtuple");
    EXPECT_EQ(check_against_jsroot(t, expected("uproot-hepdata-example.ntuple-stats.json")), 5u);
}

// Branches jsroot listed as unreadable: read, with the shape the leaf declares.
TEST(TreeRead, StringsAndInt8ArraysJsrootCouldNotSum) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-sample-6.16.00-zlib.root");
    {
        const RootFile f(hepkit::test::root_file("uproot-simple.root"));
        const Tree t(f, "tree");
        const Column three = t.read("three", 0, 4);
        ASSERT_EQ(three.type, ColumnType::String);
        const auto s = three.as<std::string>();
        ASSERT_EQ(s.size(), 4u);
        // uproot's tests/test_0001-source-class.py reads the same strings.
        EXPECT_EQ(s[0], "uno");
        EXPECT_EQ(s[1], "dos");
        EXPECT_EQ(s[2], "tres");
        EXPECT_EQ(s[3], "quatro");
    }
    const RootFile f(hepkit::test::root_file("uproot-sample-6.16.00-zlib.root"));
    const Tree t(f, "sample");
    const Column ai1 = t.read("ai1", 0, 30);
    EXPECT_EQ(ai1.type, ColumnType::Int8);
    EXPECT_EQ(ai1.width, 3u);
    EXPECT_FALSE(ai1.jagged());
    ASSERT_EQ(ai1.size(), 90u);
    // The sample's arrays ai* hold i−14, i−13, i−12 for entry i (as ai2, ai4, ai8, which jsroot read).
    const auto ai4 = t.read("ai4", 0, 30);
    for (std::size_t k = 0; k < 90; ++k)
        EXPECT_EQ(static_cast<int>(ai1.as<std::int8_t>()[k]), ai4.as<std::int32_t>()[k]) << k;
    const Column str = t.read("str", 0, 30);
    ASSERT_EQ(str.type, ColumnType::String);
    ASSERT_EQ(str.entries(), 30u);
    for (std::size_t i = 0; i < 30; ++i)
        EXPECT_EQ(str.as<std::string>()[i], "hey-" + std::to_string(i));
}

TEST(TreeBranches, TypesCountersAndDimensions) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-sample-6.16.00-zlib.root");
    const RootFile f(hepkit::test::root_file("uproot-sample-6.16.00-zlib.root"));
    const Tree t(f, "sample");
    EXPECT_EQ(t.branches().size(), 35u);
    const auto& ai4 = t.branch("ai4");
    EXPECT_EQ(ai4.type, ColumnType::Int32);
    EXPECT_EQ(ai4.dims, std::vector<std::size_t>{3});
    EXPECT_FALSE(ai4.jagged);
    EXPECT_EQ(ai4.type_name, "int32[3]");
    const auto& Ai8 = t.branch("Ai8");
    EXPECT_TRUE(Ai8.jagged);
    EXPECT_EQ(Ai8.counter, "n");
    EXPECT_EQ(Ai8.type, ColumnType::Int64);
    EXPECT_EQ(Ai8.type_name, "int64[n]");
    EXPECT_EQ(t.branch("u2").type, ColumnType::UInt16);
    EXPECT_EQ(t.branch("b").type, ColumnType::Bool);
    EXPECT_EQ(t.branch("f8").root_type, "Double_t");
    EXPECT_EQ(t.branch("str").type, ColumnType::String);
    for (const auto& b : t.branches()) {
        EXPECT_TRUE(b.readable) << b.name << ": " << b.unreadable_reason;
        EXPECT_GT(b.compressed_bytes, 0) << b.name;
        EXPECT_GE(b.uncompressed_bytes, b.compressed_bytes - 200) << b.name;
        EXPECT_GE(b.baskets, 1u);
    }
    // A jagged column's counts are its counter branch's values.
    const Column n = t.read("n", 0, 30);
    const Column a = t.read("Ai8", 0, 30);
    ASSERT_EQ(a.offsets.size(), 31u);
    for (std::size_t i = 0; i < 30; ++i)
        EXPECT_EQ(a.offsets[i + 1] - a.offsets[i], n.as<std::int32_t>()[i]);
    const auto err = [&] {
        try {
            (void)t.branch("nope");
        } catch (const hepkit::InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    }();
    EXPECT_NE(err.find("no branch 'nope'"), std::string::npos) << err;
}

TEST(TreeRead, RangesAndThreadsGiveTheSameValues) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    const RootFile f(hepkit::test::root_file("uproot-HZZ.root"));
    const Tree t(f, "events");
    const Column all = t.read("Muon_Px", 0, t.entries());
    hepkit::ThreadPool pool(3);
    const Column threaded = t.read("Muon_Px", 0, t.entries(), &pool);
    EXPECT_EQ(threaded.offsets, all.offsets);
    EXPECT_TRUE(std::ranges::equal(threaded.as<float>(), all.as<float>()));
    // A range in the middle (crossing basket boundaries) is the slice of the whole.
    const std::int64_t a = 777, b = 2001;
    const Column part = t.read("Muon_Px", a, b, &pool);
    ASSERT_EQ(part.entries(), static_cast<std::size_t>(b - a));
    for (std::int64_t i = a; i < b; ++i) {
        const auto lo = all.offsets[static_cast<std::size_t>(i)];
        ASSERT_EQ(part.offsets[static_cast<std::size_t>(i - a)] + all.offsets[static_cast<std::size_t>(a)],
                  lo);
    }
    const auto whole = all.as<float>();
    const auto slice = part.as<float>();
    EXPECT_TRUE(
        std::equal(slice.begin(), slice.end(), whole.begin() + all.offsets[static_cast<std::size_t>(a)]));
    // Several branches at once equal one by one.
    const std::vector<std::string> names{"NMuon", "Muon_Px", "MET_px", "Jet_ID"};
    const auto cols = t.read(names, 0, t.entries(), &pool);
    EXPECT_EQ(cols[1].offsets, all.offsets);
    EXPECT_EQ(cols[0].entries(), 2421u);
    EXPECT_EQ(cols[3].type, ColumnType::Bool);
    // Empty range, range past the end.
    EXPECT_EQ(t.read("MET_px", 5, 5).entries(), 0u);
    EXPECT_THROW((void)t.read("MET_px", 0, t.entries() + 1), hepkit::UsageError);
}

TEST(TreeClusters, CoverAllEntries) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    for (const auto& [file, name] :
         std::vector<std::pair<std::string, std::string>>{{"uproot-HZZ.root", "events"},
                                                          {"nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"},
                                                          {"uproot-hepdata-example.root", "ntuple"}}) {
        const RootFile f(hepkit::test::root_file(file));
        const Tree t(f, name);
        const auto clusters = t.clusters();
        ASSERT_FALSE(clusters.empty()) << file;
        EXPECT_EQ(clusters.front().begin, 0);
        EXPECT_EQ(clusters.back().end, t.entries());
        for (std::size_t i = 1; i < clusters.size(); ++i)
            EXPECT_EQ(clusters[i].begin, clusters[i - 1].end);
        // Reading cluster by cluster and joining gives the whole column.
        const std::string branch = t.branches().back().name;
        Column joined = t.read(branch, 0, 0);
        for (const auto& c : clusters)
            hepkit::io::append_column(joined, t.read(branch, c.begin, c.end));
        const Column whole = t.read(branch, 0, t.entries());
        EXPECT_EQ(joined.offsets, whole.offsets);
        EXPECT_EQ(joined.values, whole.values) << file << " " << branch;
    }
}
