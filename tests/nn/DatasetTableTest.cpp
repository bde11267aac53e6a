// hepkit::nn::read_table: features, cut, weight and target expressions over a TTree, an RNTuple, CSV
// and HDF5 files written here (hand-computed expectations), the NanoAOD reference file (against
// the independent branch statistics of root-files/expected), and the errors.
#include "Helpers.hpp"
#include "Reference.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/nn/Dataset.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <numeric>

namespace fs = std::filesystem;
using hepkit::io::Column;
using hepkit::io::ColumnType;
using hepkit::nn::read_table;
using hepkit::nn::Table;
using hepkit::nn::TableSource;
using hepkit::test::input_error;

namespace {

template <class T>
Column flat(const std::string& name, ColumnType type, std::vector<T> v) {
    Column c = Column::make(name, type);
    c.mut<T>() = std::move(v);
    return c;
}

Column jagged(const std::string& name, std::vector<float> v, std::vector<std::int64_t> offsets) {
    Column c = Column::make(name, ColumnType::Float32);
    c.mut<float>() = std::move(v);
    c.offsets = std::move(offsets);
    return c;
}

// Five events: x, an event number, a weight and muons (0, 2, 1, 3, 0 of them).
std::vector<Column> five_events() {
    std::vector<Column> c;
    c.push_back(flat<double>("x", ColumnType::Float64, {0.5, 1.5, 2.5, 3.5, 4.5}));
    c.push_back(flat<std::int64_t>("event", ColumnType::Int64, {10, 11, 12, 13, 14}));
    c.push_back(flat<float>("w", ColumnType::Float32, {1.0f, 2.0f, 0.5f, -1.0f, 3.0f}));
    c.push_back(jagged("Muon_pt", {40, 20, 30, 50, 25, 5}, {0, 0, 2, 3, 6, 6}));
    return c;
}

std::string write_root(const std::string& name, const std::vector<Column>& columns,
                       const std::string& tree = "Events") {
    const std::string path = hepkit::test::temp_path("nn-data", name).string();
    hepkit::io::RootWriter out(path);
    out.write_tree(tree, columns);
    out.close();
    return path;
}

TableSource source(const std::string& path) {
    TableSource s;
    s.files = {path};
    s.features = {"x", "Muon_pt[0]", "sum(Muon_pt)", "len(Muon_pt)"};
    s.cut = "nMuon >= 1";
    s.weight = "w";
    s.target = "event % 2";
    return s;
}

// Events 1, 2 and 3 have muons: x, leading pt, pt sum, count; weight; target.
void expect_three_muon_events(const Table& t) {
    ASSERT_EQ(t.rows, 3u);
    ASSERT_EQ(t.cols(), 4u);
    EXPECT_EQ(t.features, (std::vector<double>{1.5, 40, 60, 2, 2.5, 30, 30, 1, 3.5, 50, 80, 3}));
    EXPECT_EQ(t.weights, (std::vector<double>{2.0, 0.5, -1.0}));
    EXPECT_EQ(t.targets, (std::vector<double>{1, 0, 1}));
    EXPECT_EQ(t.feature_names, (std::vector<std::string>{"x", "Muon_pt[0]", "sum(Muon_pt)", "len(Muon_pt)"}));
}

} // namespace

TEST(NnReadTable, TreeFeaturesCutWeightTarget) {
    const auto path = write_root("five.root", five_events());
    expect_three_muon_events(read_table(source(path)));
    fs::remove(path);
}

TEST(NnReadTable, CsvAndHdf5GiveTheSameTable) {
    for (const std::string ext : {"csv", "h5"}) {
        SCOPED_TRACE(ext);
        const std::string path = hepkit::test::temp_path("nn-data", "five." + ext).string();
        auto cols = five_events();
        // the writer's counter column, which the cut names, as the ROOT writer adds it
        cols.push_back(flat<std::int32_t>("nMuon", ColumnType::Int32, {0, 2, 1, 3, 0}));
        hepkit::io::write_columns(path, cols);
        expect_three_muon_events(read_table(source(path)));
        fs::remove(path);
    }
}

TEST(NnReadTable, NoWeightNoTargetNoCutAndNames) {
    const auto path = write_root("plain.root", five_events());
    TableSource s;
    s.files = {path};
    s.features = {"x * 2", "where(len(Muon_pt) > 0, max(Muon_pt), -1.0)"};
    s.names = {"twice_x", "max_pt"};
    const Table t = read_table(s);
    ASSERT_EQ(t.rows, 5u);
    EXPECT_EQ(t.features, (std::vector<double>{1, -1, 3, 40, 5, 30, 7, 50, 9, -1}));
    EXPECT_TRUE(t.weights.empty());
    EXPECT_TRUE(t.targets.empty());
    EXPECT_EQ(t.feature_names, (std::vector<std::string>{"twice_x", "max_pt"}));
    fs::remove(path);
}

TEST(NnReadTable, ChainKeepsFileOrderAndMaxEventsStops) {
    const auto a = write_root("chain_a.root", five_events());
    auto second = five_events();
    second[0] = flat<double>("x", ColumnType::Float64, {10, 11, 12, 13, 14});
    const auto b = write_root("chain_b.root", second);
    TableSource s;
    s.files = {a, b};
    s.tree = "Events";
    s.features = {"x"};
    s.cut = "nMuon > 0";
    EXPECT_EQ(read_table(s).features, (std::vector<double>{1.5, 2.5, 3.5, 11, 12, 13}));
    s.max_events = 4;
    const Table t = read_table(s);
    EXPECT_EQ(t.rows, 4u);
    EXPECT_EQ(t.features, (std::vector<double>{1.5, 2.5, 3.5, 11}));
    fs::remove(a);
    fs::remove(b);
}

TEST(NnReadTable, FixedSizeArraysInRootAndCsv) {
    Column v = Column::make("v", ColumnType::Float64);
    v.mut<double>() = {1, 2, 3, 4, 5, 6};
    v.width = 3;
    const std::vector<Column> cols{v};
    const auto root = write_root("fixed.root", cols);
    const auto csv = hepkit::test::temp_path("nn-data", "fixed.csv").string();
    hepkit::io::write_csv(csv, cols);
    for (const auto& path : {root, csv}) {
        SCOPED_TRACE(path);
        TableSource s;
        s.files = {path};
        s.features = {"v[2] - v[0]", "sum(v)"};
        EXPECT_EQ(read_table(s).features, (std::vector<double>{2, 6, 2, 15}));
    }
    fs::remove(root);
    fs::remove(csv);
}

TEST(NnReadTable, TreeNameOfTheOnlyTreeAndSeveral) {
    const auto path = write_root("only.root", five_events(), "mytree");
    TableSource s;
    s.files = {path};
    s.features = {"x"};
    EXPECT_EQ(read_table(s).rows, 5u);
    const auto two = hepkit::test::temp_path("nn-data", "two.root").string();
    {
        hepkit::io::RootWriter out(two);
        out.write_tree("a", five_events());
        out.write_tree("b", five_events());
        out.close();
    }
    s.files = {two};
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.file(), two);
    EXPECT_NE(e.message().find("several trees (a, b)"), std::string::npos) << e.what();
    // a tree that is not there
    s.files = {path};
    s.tree = "Evnts";
    const auto missing = input_error([&] { read_table(s); });
    EXPECT_EQ(missing.file(), path);
    EXPECT_NE(std::string(missing.what()).find("Evnts"), std::string::npos) << missing.what();
    fs::remove(path);
    fs::remove(two);
}

TEST(NnReadTable, UnknownColumnListsTheAvailableOnes) {
    const auto path = write_root("unknown.root", five_events());
    TableSource s;
    s.files = {path};
    s.features = {"x", "log(Muon_ptt[0])"};
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.key(), "feature 'log(Muon_ptt[0])'");
    EXPECT_NE(e.message().find("no column 'Muon_ptt'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("did you mean 'Muon_pt'"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("x, event, w, nMuon, Muon_pt"), std::string::npos) << e.what();
    fs::remove(path);
}

TEST(NnReadTable, JaggedFeatureMustBeIndexed) {
    const auto path = write_root("jagged.root", five_events());
    TableSource s;
    s.files = {path};
    s.features = {"Muon_pt * 2"};
    s.names = {"pt2"};
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.key(), "feature 'pt2' (Muon_pt * 2)");
    EXPECT_NE(e.message().find("one value per object"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("index it (Muon_pt[0])"), std::string::npos) << e.what();
    fs::remove(path);
}

TEST(NnReadTable, NonFiniteValueNamesFileFeatureAndEntry) {
    const auto path = write_root("nan.root", five_events());
    TableSource s;
    s.files = {path};
    s.features = {"x", "log(x - 1.5)"};
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.key(), "feature 'log(x - 1.5)'");
    // log of a negative number: NaN (numpy's rule, not an error)
    EXPECT_EQ(e.message().find("NaN at entry 0"), 0u) << e.what();
    s.cut = "x > 1.5";
    s.features = {"1 / (x - 3.5)"};
    const auto e2 = input_error([&] { read_table(s); });
    EXPECT_EQ(e2.message().find("inf at entry 3"), 0u) << e2.what();
    fs::remove(path);
}

TEST(NnReadTable, IndexOutOfRangeNamesTheEvent) {
    const auto path = write_root("index.root", five_events());
    TableSource s;
    s.files = {path};
    s.features = {"Muon_pt[1]"};
    s.cut = "nMuon >= 1";
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(e.key(), "feature 'Muon_pt[1]'");
    EXPECT_NE(e.message().find("(event 2)"), std::string::npos) << e.what();
    fs::remove(path);
}

TEST(NnReadTable, BadFilesAndTypes) {
    TableSource s;
    s.features = {"x"};
    EXPECT_EQ(input_error([&] { read_table(s); }).key(), "files");
    s.files = {hepkit::test::temp_path("nn-data", "data.txt").string()};
    EXPECT_NE(input_error([&] { read_table(s); }).message().find("unknown file type '.txt'"),
              std::string::npos);
    const auto csv = hepkit::test::temp_file("nn", "words.csv", "x,y\n1,a\n2,b\n").string();
    s.files = {csv};
    s.features = {"y"};
    const auto e = input_error([&] { read_table(s); });
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.message().find("'a' is not a number"), std::string::npos) << e.what();
    s.features = {"x"};
    EXPECT_EQ(read_table(s).features, (std::vector<double>{1, 2}));
    fs::remove(csv);
}

// The 200 events of the CMS NanoAOD ttbar file against root-files/expected's branch statistics
// (n, sum, min, max of every branch, from an independent reader), through /usr/bin/python3:
//   MET_pt sum 7488.3375153541565, min 1.85429048538208, max 210.123779296875;
//   Muon_pt n 41, sum 1449.5771398544312, max 92.31356048583984; nMuon sum 41.
// NanoAOD sorts muons by pt, so the largest leading muon pt is the largest muon pt.
TEST(NnReadTable, NanoAodAgainstIndependentStatistics) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    TableSource s;
    s.files = {hepkit::test::reference("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root").string()};
    s.features = {"MET_pt", "sum(Muon_pt)", "len(Muon_pt)", "Muon_pt[0]"};
    s.cut = "nMuon >= 1";
    const Table t = read_table(s);
    ASSERT_GT(t.rows, 0u);
    double pt_sum = 0, n = 0, lead_max = 0;
    for (std::size_t r = 0; r < t.rows; ++r) {
        pt_sum += t.at(r, 1);
        n += t.at(r, 2);
        lead_max = std::max(lead_max, t.at(r, 3));
    }
    EXPECT_NEAR(pt_sum, 1449.5771398544312, 1e-9 * 1449.6);
    EXPECT_EQ(n, 41);
    EXPECT_EQ(lead_max, 92.31356048583984);
    s.cut = "";
    s.features = {"MET_pt"};
    const Table all = read_table(s);
    ASSERT_EQ(all.rows, 200u);
    EXPECT_NEAR(std::accumulate(all.features.begin(), all.features.end(), 0.0), 7488.3375153541565,
                1e-9 * 7488);
    EXPECT_EQ(*std::min_element(all.features.begin(), all.features.end()), 1.85429048538208);
    EXPECT_EQ(*std::max_element(all.features.begin(), all.features.end()), 210.123779296875);
}

// The DoubleMu RNTuple (the NanoAOD importer's projected fields) against jsroot's statistics of it
// (tests/io/data/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.ntuple-stats.json, printed
// with /usr/bin/python3): Muon_pt n 2372, sum 44958.01849317551, max 4139.46630859375;
// Muon_charge sum 74; nMuon sum 2372 over 1000 entries. Tree "" finds the file's only RNTuple.
TEST(NnReadTable, RNTupleAgainstJsrootStatistics) {
    HEPKIT_REQUIRE_REFERENCE("root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root");
    TableSource s;
    s.files = {
        hepkit::test::reference("root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root")
            .string()};
    s.features = {"sum(Muon_pt)", "len(Muon_pt)", "where(nMuon > 0, max(Muon_pt), 0.0)", "sum(Muon_charge)"};
    s.weight = "nMuon";
    const Table t = read_table(s);
    ASSERT_EQ(t.rows, 1000u);
    double pt = 0, n = 0, top = 0, charge = 0, w = 0;
    for (std::size_t r = 0; r < t.rows; ++r) {
        pt += t.at(r, 0);
        n += t.at(r, 1);
        top = std::max(top, t.at(r, 2));
        charge += t.at(r, 3);
        w += t.weight(r);
    }
    EXPECT_NEAR(pt, 44958.01849317551, 1e-9 * 44958);
    EXPECT_EQ(n, 2372);
    EXPECT_EQ(top, 4139.46630859375);
    EXPECT_EQ(charge, 74);
    EXPECT_EQ(w, 2372);
    // a cut that keeps the events with muons keeps every muon
    s.cut = "nMuon >= 1";
    const Table cut = read_table(s);
    EXPECT_LT(cut.rows, 1000u);
    double n_cut = 0;
    for (std::size_t r = 0; r < cut.rows; ++r)
        n_cut += cut.at(r, 1);
    EXPECT_EQ(n_cut, 2372);
}
