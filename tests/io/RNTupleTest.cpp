// The RNTuple reader on the two RNTuples of the reference data: every field's statistics against
// numbers computed with jsroot (tests/io/data/*.ntuple-stats.json, README there), the jagged
// layout, entry ranges and threads, cross-checks independent of any reader (a collection's size
// field against its items), and hostile files (checksums, truncated or lying pages and envelopes)
// made by patching a copy of a reference file: each must end in an InputError naming the place.
#include "hepkit/io/RNTuple.hpp"
#include "Helpers.hpp"
#include "RNTupleTestFile.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/ColumnStats.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

using hepkit::InputError;
using hepkit::io::Column;
using hepkit::io::RNTuple;
using hepkit::io::RootFile;

namespace {

const std::string kRun2012Stem = "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0";
const std::string kTtbar = "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1";

std::string root_file(const std::string& stem) {
    return hepkit::test::reference("root-files/" + stem + ".root").string();
}

nlohmann::json expected_stats(const std::string& stem) {
    const std::string path = std::string(HEPKIT_SOURCE_DIR) + "/tests/io/data/" + stem + ".ntuple-stats.json";
    std::ifstream in(path);
    EXPECT_TRUE(in) << "missing " << path;
    return nlohmann::json::parse(in);
}

// Every top-level field jsroot could read has the same n, sum, min and max here: integers
// exactly, floating sums to 1e-9 relative, minima and maxima exactly (floats widen exactly).
void compare_all_fields(const std::string& stem) {
    const RootFile file(root_file(stem));
    const RNTuple ntuple(file, "Events");
    const nlohmann::json expected = expected_stats(stem);
    ASSERT_EQ(ntuple.entries(), expected.at("entries").get<std::uint64_t>());

    std::set<std::string> readable, unreadable;
    for (const auto& f : ntuple.fields())
        (f.readable ? readable : unreadable).insert(f.name);
    std::set<std::string> want_readable, want_unreadable;
    for (const auto& [name, s] : expected.at("branches").items())
        want_readable.insert(name);
    for (const auto& name : expected.at("unreadable"))
        want_unreadable.insert(name.get<std::string>());
    EXPECT_EQ(readable, want_readable);
    EXPECT_EQ(unreadable, want_unreadable);

    std::size_t compared = 0;
    for (const auto& [name, want] : expected.at("branches").items()) {
        SCOPED_TRACE(name);
        const Column column = ntuple.read(name);
        EXPECT_EQ(column.entries(), ntuple.entries());
        const auto stats = hepkit::io::column_stats(column);
        ASSERT_TRUE(stats);
        EXPECT_EQ(stats->n, want.at("n").get<std::uint64_t>());
        if (want.at("min").is_null() && want.at("n").get<std::uint64_t>() == 0) { // no values at all
            EXPECT_EQ(stats->sum, 0.0);
        } else if (want.at("sum").is_null()) { // a NaN among the values
            EXPECT_TRUE(std::isnan(stats->sum));
        } else if (stats->integral) {
            EXPECT_TRUE(want.at("sum").is_number_integer()) << want.dump();
            if (stats->unsigned_sum)
                EXPECT_EQ(*stats->unsigned_sum, want.at("sum").get<std::uint64_t>());
            else
                EXPECT_EQ(stats->integer_sum.value_or(-1), want.at("sum").get<std::int64_t>());
            EXPECT_EQ(stats->min, want.at("min").get<double>());
            EXPECT_EQ(stats->max, want.at("max").get<double>());
        } else {
            const double sum = want.at("sum").get<double>();
            EXPECT_NEAR(stats->sum, sum, 1e-9 * std::max(1.0, std::abs(sum)));
            EXPECT_EQ(stats->min, want.at("min").get<double>());
            EXPECT_EQ(stats->max, want.at("max").get<double>());
        }
        ++compared;
    }
    EXPECT_GT(compared, 0u);
}

void expect_jagged_layout(const Column& c) {
    ASSERT_TRUE(c.jagged()) << c.name;
    ASSERT_FALSE(c.offsets.empty());
    EXPECT_EQ(c.offsets.front(), 0);
    for (std::size_t i = 1; i < c.offsets.size(); ++i)
        ASSERT_LE(c.offsets[i - 1], c.offsets[i]) << c.name << " entry " << i;
    EXPECT_EQ(static_cast<std::size_t>(c.offsets.back()), c.size()) << c.name;
}

} // namespace

TEST(RNTuple, Run2012FieldsMatchJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kRun2012Stem + ".root");
    compare_all_fields(kRun2012Stem);
}

TEST(RNTuple, TtbarNanoAodFieldsMatchJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kTtbar + ".root");
    compare_all_fields(kTtbar);
}

TEST(RNTuple, DescribesTheRun2012Schema) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kRun2012Stem + ".root");
    const RootFile file(root_file(kRun2012Stem));
    const RNTuple ntuple(file, "Events");
    EXPECT_EQ(ntuple.format_version(), "1.0.0.0");
    EXPECT_EQ(ntuple.writer(), "ROOT v6.35.001");
    EXPECT_EQ(ntuple.entries(), 1000u);
    ASSERT_EQ(ntuple.clusters(), 1u);
    EXPECT_EQ(ntuple.cluster_range(0), (std::pair<std::uint64_t, std::uint64_t>{0, 1000}));

    const auto fields = ntuple.fields();
    ASSERT_EQ(fields.size(), 7u);
    EXPECT_EQ(fields[0].name, "_collection0");
    EXPECT_FALSE(fields[0].readable);
    EXPECT_NE(fields[0].why_not.find("_collection0._0"), std::string::npos) << fields[0].why_not;
    EXPECT_EQ(fields[0].column_types.size(), 6u); // its index and the five members

    const auto pt = ntuple.field("Muon_pt");
    EXPECT_EQ(pt.type_name, "ROOT::VecOps::RVec<float>");
    EXPECT_TRUE(pt.projected);
    EXPECT_TRUE(pt.readable);
    EXPECT_TRUE(pt.jagged);
    EXPECT_EQ(pt.column_type, hepkit::io::ColumnType::Float32);
    EXPECT_EQ(pt.column_types, (std::vector<std::string>{"SplitIndex64", "SplitReal32"}));
    // 1000 64-bit offsets and 2372 floats decompressed
    EXPECT_EQ(pt.uncompressed_bytes, 1000u * 8 + 2372u * 4);
    EXPECT_GT(pt.compressed_bytes, 0u);
    EXPECT_LT(pt.compressed_bytes, pt.uncompressed_bytes);

    const auto n = ntuple.field("nMuon");
    EXPECT_FALSE(n.jagged);
    EXPECT_EQ(n.column_type, hepkit::io::ColumnType::UInt32);
    const auto charge = ntuple.field("_collection0._0.Muon_charge");
    EXPECT_TRUE(charge.readable);
    EXPECT_TRUE(charge.jagged);
    EXPECT_EQ(charge.column_type, hepkit::io::ColumnType::Int32);
}

TEST(RNTuple, CollectionSizesEqualItemCountsInEveryEntry) {
    // Independent of jsroot: nMuon (a cardinality projection of the index column) and the
    // lengths of Muon_pt (offsets) must agree entry by entry, and the source subfield and its
    // projection must hold the same values.
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kRun2012Stem + ".root");
    const RootFile file(root_file(kRun2012Stem));
    const RNTuple ntuple(file, "Events");
    const Column n = ntuple.read("nMuon");
    const Column pt = ntuple.read("Muon_pt");
    expect_jagged_layout(pt);
    ASSERT_EQ(n.entries(), 1000u);
    ASSERT_EQ(pt.entries(), 1000u);
    const auto counts = n.as<std::uint32_t>();
    for (std::size_t i = 0; i < 1000; ++i)
        ASSERT_EQ(counts[i], static_cast<std::uint32_t>(pt.offsets[i + 1] - pt.offsets[i])) << "entry " << i;
    const Column source = ntuple.read("_collection0._0.Muon_pt");
    expect_jagged_layout(source);
    EXPECT_EQ(source.offsets, pt.offsets);
    const auto a = source.as<float>(), b = pt.as<float>();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

TEST(RNTuple, TtbarCountFieldsEqualTheirCollections) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kTtbar + ".root");
    const RootFile file(root_file(kTtbar));
    const RNTuple ntuple(file, "Events");
    std::size_t checked = 0;
    std::set<std::string> names;
    for (const auto& f : ntuple.fields())
        names.insert(f.name);
    for (const auto& f : ntuple.fields()) {
        if (!f.readable || !f.jagged)
            continue;
        const Column c = ntuple.read(f.name);
        expect_jagged_layout(c);
        // NanoAOD names a collection's items X_y and its size nX.
        std::string count = "n";
        count.append(f.name, 0, f.name.find('_'));
        if (f.name.find('_') == std::string::npos || names.count(count) == 0)
            continue;
        const Column n = ntuple.read(count);
        const auto sizes = n.as<std::uint32_t>();
        for (std::size_t i = 0; i < sizes.size(); ++i)
            ASSERT_EQ(sizes[i], c.offsets[i + 1] - c.offsets[i]) << f.name << " entry " << i;
        ++checked;
    }
    EXPECT_GT(checked, 300u);
}

TEST(RNTuple, EntryRangesAndThreadsGiveSlicesOfTheWhole) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kRun2012Stem + ".root");
    const RootFile file(root_file(kRun2012Stem));
    const RNTuple ntuple(file, "Events");
    hepkit::ThreadPool pool(3);
    const Column all_pt = ntuple.read("Muon_pt");
    const Column all_n = ntuple.read("nMuon");
    const Column threaded = ntuple.read("Muon_pt", &pool);
    EXPECT_EQ(threaded.offsets, all_pt.offsets);
    EXPECT_TRUE(std::ranges::equal(threaded.as<float>(), all_pt.as<float>()));
    for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
             {0, 0}, {0, 1}, {1, 2}, {17, 523}, {999, 1000}, {500, 500}, {0, 1000}}) {
        SCOPED_TRACE(std::to_string(b) + ":" + std::to_string(e));
        const Column pt = ntuple.read("Muon_pt", b, e, &pool);
        ASSERT_EQ(pt.entries(), e - b);
        expect_jagged_layout(pt);
        const auto base = all_pt.offsets[b];
        for (std::size_t i = 0; i <= e - b; ++i)
            ASSERT_EQ(pt.offsets[i], all_pt.offsets[b + i] - base);
        const auto want = all_pt.as<float>().subspan(static_cast<std::size_t>(base), pt.size());
        EXPECT_TRUE(std::ranges::equal(pt.as<float>(), want));
        const Column n = ntuple.read("nMuon", b, e);
        EXPECT_TRUE(std::ranges::equal(n.as<std::uint32_t>(), all_n.as<std::uint32_t>().subspan(b, e - b)));
    }
}

TEST(RNTuple, ReportsUnknownAndUnreadableFieldsAndBadRanges) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kRun2012Stem + ".root");
    const RootFile file(root_file(kRun2012Stem));
    const RNTuple ntuple(file, "Events");
    const auto unknown = hepkit::test::input_error([&] { (void)ntuple.read("Muon_ptt"); });
    EXPECT_NE(std::string(unknown.what()).find("Muon_pt, "), std::string::npos) << unknown.what();
    const auto record = hepkit::test::input_error([&] { (void)ntuple.read("_collection0"); });
    EXPECT_NE(std::string(record.what()).find("collection of records"), std::string::npos) << record.what();
    const auto range = hepkit::test::input_error([&] { (void)ntuple.read("nMuon", 10, 1001); });
    EXPECT_NE(std::string(range.what()).find("[10, 1001)"), std::string::npos) << range.what();
    const auto missing = hepkit::test::input_error([&] { RNTuple x(file, "Tree"); });
    EXPECT_NE(std::string(missing.what()).find("Events;1"), std::string::npos) << missing.what();
    const std::string tree_file =
        hepkit::test::reference("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root").string();
    if (std::filesystem::exists(tree_file)) {
        const RootFile trees(tree_file);
        const auto not_ntuple = hepkit::test::input_error([&] { RNTuple x(trees, "Events"); });
        EXPECT_NE(std::string(not_ntuple.what()).find("is a TTree, not an RNTuple"), std::string::npos)
            << not_ntuple.what();
    }
}
