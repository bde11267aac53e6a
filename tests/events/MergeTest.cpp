// `hepkit events merge` (Merge.hpp): two job folders merged equal the one folder of a run over
// both jobs' events — histograms added, cut flows added, ntuples concatenated exactly — and the
// errors name the folder and file. Expected numbers by hand.

#include "hepkit/events/Merge.hpp"
#include "Helpers.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::events;

namespace {

hepkit::io::Column flat_f64(const std::string& name, std::vector<double> v) {
    auto c = hepkit::io::Column::make(name, hepkit::io::ColumnType::Float64);
    c.mut<double>() = std::move(v);
    return c;
}
hepkit::io::Column jagged_f32(const std::string& name, std::vector<float> v, std::vector<std::int64_t> off) {
    auto c = hepkit::io::Column::make(name, hepkit::io::ColumnType::Float32);
    c.mut<float>() = std::move(v);
    c.offsets = std::move(off);
    return c;
}

// One job's folder: pipeline `main` with a histogram of `values`, a cut flow and an ntuple.
void write_job(const fs::path& dir, const std::vector<double>& values, std::int64_t passed,
               std::vector<hepkit::io::Column> ntuple, const std::string& cut_label = "pt > 20") {
    fs::create_directories(dir / "main");
    Hist h("m", Axis::regular(4, 0, 4));
    for (double v : values)
        h.fill(v, 0.5);
    HistogramResult(h).write(dir / "main" / "m");
    const nlohmann::json cutflow{
        {"nominal",
         {{{"label", "all"}, {"events", 10}, {"sumw", 10.0}, {"sumw2", 10.0}},
          {{"label", cut_label}, {"events", passed}, {"sumw", 1.5 * passed}, {"sumw2", 2.25 * passed}}}}};
    hepkit::write_json_file(dir / "main" / "cutflow.json", cutflow);
    NtupleResult(ntuple, NtupleFormat::Root, "Events").write(dir / "main" / "sel");
    NtupleResult(std::move(ntuple), NtupleFormat::Csv, "Events").write(dir / "main" / "sel_csv");
}

} // namespace

TEST(EventsMerge, TwoJobsEqualOneRun) {
    const auto d = hepkit::test::fresh_dir("merge", "ok");
    write_job(d / "job-0", {0.5, 1.5, 7}, 3,
              {flat_f64("mass", {91.0, 89.5}), jagged_f32("Muon_pt", {30, 25, 40}, {0, 2, 3})});
    write_job(d / "job-1", {1.5, -1}, 4, {flat_f64("mass", {90.25}), jagged_f32("Muon_pt", {}, {0, 0})});
    const auto s = merge_outputs({d / "job-0", d / "job-1"}, d / "merged");
    EXPECT_EQ(s.histograms, 1);
    EXPECT_EQ(s.cutflows, 1);
    EXPECT_EQ(s.ntuples, 2);
    EXPECT_EQ(s.rows, 3);
    EXPECT_FALSE(fs::exists(d / ("merged.tmp." + std::to_string(::getpid()))));

    // histogram: 0.5 → bin 0; 1.5 twice → bin 1; 7 → overflow; −1 → underflow; weights 0.5
    const Hist m = Hist::read_json((d / "merged" / "main" / "m.json").string());
    EXPECT_EQ(m.at(0).sumw, 0.5);
    EXPECT_EQ(m.at(1).sumw, 1.0);
    EXPECT_EQ(m.at(1).sumw2, 0.5);
    EXPECT_EQ(m.at(4).sumw, 0.5);
    EXPECT_EQ(m.at(-1).sumw, 0.5);
    EXPECT_EQ(m.entries(), 5);
    hepkit::io::RootFile rf((d / "merged" / "main" / "m.root").string());
    EXPECT_TRUE(rf.contains("m"));

    // cut flow: 10 + 10 events, 3 + 4 passed
    const auto cf = nlohmann::json::parse(hepkit::test::slurp(d / "merged" / "main" / "cutflow.json"));
    EXPECT_EQ(cf["nominal"][0]["events"], 20);
    EXPECT_EQ(cf["nominal"][1]["events"], 7);
    EXPECT_EQ(cf["nominal"][1]["sumw"], 10.5);
    EXPECT_EQ(cf["nominal"][1]["label"], "pt > 20");

    // ntuple: rows of job-0, then job-1's, values unchanged
    hepkit::io::RootFile nf((d / "merged" / "main" / "sel.root").string());
    hepkit::io::Tree t(nf, "Events");
    ASSERT_EQ(t.entries(), 3);
    const auto mass = t.read("mass", 0, 3);
    EXPECT_EQ(std::vector<double>(mass.as<double>().begin(), mass.as<double>().end()),
              (std::vector<double>{91.0, 89.5, 90.25}));
    const auto pt = t.read("Muon_pt", 0, 3);
    EXPECT_EQ(pt.offsets, (std::vector<std::int64_t>{0, 2, 3, 3}));
    EXPECT_EQ(pt.as<float>()[2], 40.0f);
    // CSV: one header, the rows in order
    EXPECT_EQ(hepkit::test::slurp(d / "merged" / "main" / "sel_csv.csv"),
              "mass,Muon_pt\n91,30;25\n89.5,40\n90.25,\n");
    fs::remove_all(d);
}

TEST(EventsMerge, ErrorsNameFolderAndFile) {
    const auto d = hepkit::test::fresh_dir("merge", "bad");
    auto nt = [] { return std::vector<hepkit::io::Column>{flat_f64("mass", {1.0})}; };
    write_job(d / "a", {1}, 1, nt());
    write_job(d / "b", {1}, 1, nt(), "pt > 25");
    try {
        merge_outputs({d / "a", d / "b"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "cutflow.json: nominal[1].label: \"pt > 25\" here, \"pt > 20\" in the first folder"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(d / "out"));

    write_job(d / "c", {1}, 1, nt());
    Hist other("m", Axis::regular(8, 0, 4));
    HistogramResult(other).write(d / "c" / "main" / "m");
    try {
        merge_outputs({d / "a", d / "c"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "m.json: m: histogram m: cannot add m: x binning 8 bins in [0, 4) differs"),
                  std::string::npos)
            << e.what();
    }
    fs::remove(d / "c" / "main" / "sel.root");
    try {
        merge_outputs({d / "a", d / "c"}, d / "out");
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sel.root: missing (present in"), std::string::npos) << e.what();
    }
    EXPECT_THROW(merge_outputs({d / "a"}, d / "a"), hepkit::UsageError); // exists
    EXPECT_THROW(merge_outputs({d / "nope"}, d / "out"), hepkit::UsageError);
    EXPECT_FALSE(fs::exists(d / "out"));
    fs::remove_all(d);
}

TEST(EventsMerge, AddJsonStrictAndLenient) {
    const auto a =
        nlohmann::json::parse(R"({"events": 3, "wall": 1.5, "tag": "x", "steps": [{"calls": 1}]})");
    const auto b =
        nlohmann::json::parse(R"({"events": 4, "wall": 2.0, "tag": "y", "steps": [{"calls": 2}]})");
    const auto sum = add_json(a, b, "report.json", true);
    EXPECT_EQ(sum["events"], 7);
    EXPECT_EQ(sum["wall"], 3.5);
    EXPECT_EQ(sum["tag"], "x");
    EXPECT_EQ(sum["steps"][0]["calls"], 3);
    EXPECT_THROW(add_json(a, b, "cutflow.json", false), hepkit::InputError);
}
