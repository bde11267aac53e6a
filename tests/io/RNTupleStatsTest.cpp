// `hepkit root stats --ntuple`: the library's cluster-by-cluster statistics and the JSON the
// command writes (apps/hepkit/RootNtupleStats.cpp, compiled into this test), both against the
// jsroot-made numbers of tests/io/data.
#include "hepkit/io/RNTupleStats.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"
#include "RootNtupleStats.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RootFile.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace {

const std::string kStem = "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0";

nlohmann::json load(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    return nlohmann::json::parse(in);
}

nlohmann::json expected() {
    return load(std::string(HEPKIT_SOURCE_DIR) + "/tests/io/data/" + kStem + ".ntuple-stats.json");
}

} // namespace

TEST(RNTupleStats, LibraryStatisticsMatchJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kStem + ".root");
    const hepkit::io::RootFile file(hepkit::test::reference("root-files/" + kStem + ".root").string());
    const hepkit::io::RNTuple ntuple(file, "Events");
    hepkit::ThreadPool pool(2);
    const auto stats = hepkit::io::rntuple_stats(ntuple, {}, &pool);
    const auto want = expected();
    EXPECT_EQ(stats.entries, 1000u);
    EXPECT_EQ(stats.unreadable, (std::vector<std::string>{"_collection0"}));
    ASSERT_EQ(stats.fields.size(), want["branches"].size());
    for (const auto& f : stats.fields) {
        SCOPED_TRACE(f.name);
        const auto& w = want["branches"].at(f.name);
        EXPECT_EQ(f.stats.n, w["n"].get<std::uint64_t>());
        EXPECT_NEAR(f.stats.sum, w["sum"].get<double>(), 1e-9 * std::abs(w["sum"].get<double>()));
        EXPECT_EQ(f.stats.min, w["min"].get<double>());
        EXPECT_EQ(f.stats.max, w["max"].get<double>());
    }
    // A selection keeps the others out, unreadable ones included.
    const auto some = hepkit::io::rntuple_stats(ntuple, [](std::string_view n) { return n == "nMuon"; });
    ASSERT_EQ(some.fields.size(), 1u);
    EXPECT_EQ(some.fields[0].stats.integer_sum.value_or(0) + some.fields[0].stats.unsigned_sum.value_or(0),
              2372u);
    EXPECT_TRUE(some.unreadable.empty());
}

TEST(RNTupleStats, CommandWritesTheReferenceSchema) {
    HEPKIT_REQUIRE_REFERENCE("root-files/" + kStem + ".root");
    const std::string root = hepkit::test::reference("root-files/" + kStem + ".root").string();
    const auto out =
        std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-ntuple-stats.json");
    ASSERT_EQ(hepkit::app::root_ntuple_stats(root, "Events", "", out.string(), 2), 0);
    const auto got = load(out.string());
    const auto want = expected();
    EXPECT_EQ(got["file"], want["file"]);
    EXPECT_EQ(got["ntuple"], "Events");
    EXPECT_EQ(got["entries"], want["entries"]);
    EXPECT_EQ(got["unreadable"], want["unreadable"]);
    ASSERT_EQ(got["branches"].size(), want["branches"].size());
    for (const auto& [name, w] : want["branches"].items()) {
        SCOPED_TRACE(name);
        const auto& g = got["branches"].at(name);
        EXPECT_EQ(g["n"], w["n"]);
        EXPECT_EQ(g["min"], w["min"]);
        EXPECT_EQ(g["max"], w["max"]);
        if (w["sum"].is_number_integer())
            EXPECT_EQ(g["sum"], w["sum"]); // integers exactly, written without a fraction
        else
            EXPECT_NEAR(g["sum"].get<double>(), w["sum"].get<double>(),
                        1e-9 * std::abs(w["sum"].get<double>()));
    }

    ASSERT_EQ(hepkit::app::root_ntuple_stats(root, "Events", "Muon_p*,nMuon", out.string(), 1), 0);
    const auto some = load(out.string());
    EXPECT_EQ(some["branches"].size(), 3u); // Muon_pt, Muon_phi, nMuon
    EXPECT_TRUE(some["branches"].contains("Muon_phi"));
    EXPECT_EQ(some["branches"]["nMuon"]["sum"], 2372);
    std::filesystem::remove(out);

    EXPECT_THROW(hepkit::app::root_ntuple_stats(root, "Nope", "", "-", 1), hepkit::InputError);
    EXPECT_THROW(hepkit::app::root_ntuple_stats(root, "Events", "", "-", 0), hepkit::UsageError);
}
