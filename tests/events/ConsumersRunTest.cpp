// The consumers inside a real run (Runner.hpp) over a small ROOT file: the histogram and ntuple
// outputs of the nominal and a shift, the same bytes for 1 and 3 threads, and a run split into two
// jobs (entry ranges) whose folders `merge_outputs` makes equal to the single run's. Expected bins
// are counted in the test by plain comparisons over the generated values (no hepkit histogram).

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Config.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Expressions.hpp"
#include "hepkit/events/Histogram.hpp"
#include "hepkit/events/Merge.hpp"
#include "hepkit/events/Registry.hpp"
#include "hepkit/events/Runner.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::events;
using io::ColumnType;

namespace {

constexpr int n_events = 23;

// Event i: nMuon = i % 4 muons with pT 10·(i % 7) + 15·k (k = 0 … nMuon−1), weight w = 0.25·(1 + i % 3)
// (dyadic, so sums in any order are exact).
int n_muon(int i) {
    return i % 4;
}
float muon_pt(int i, int k) {
    return static_cast<float>(10 * (i % 7) + 15 * k);
}
double weight(int i) {
    return 0.25 * (1 + i % 3);
}

fs::path input_file() {
    static const fs::path path = [] {
        const auto d = hepkit::test::fresh_dir("consrun", "input");
        auto n = io::Column::make("nMuon", ColumnType::Int32);
        auto pt = io::Column::make("Muon_pt", ColumnType::Float32);
        auto w = io::Column::make("w", ColumnType::Float64);
        pt.offsets = {0};
        for (int i = 0; i < n_events; ++i) {
            n.mut<std::int32_t>().push_back(n_muon(i));
            for (int k = 0; k < n_muon(i); ++k)
                pt.mut<float>().push_back(muon_pt(i, k));
            pt.offsets.push_back(static_cast<std::int64_t>(pt.mut<float>().size()));
            w.mut<double>().push_back(weight(i));
        }
        io::RootWriter out((d / "in.root").string());
        io::TreeOptions options;
        options.cluster_entries = 4;
        const std::vector<io::Column> cols{n, pt, w};
        out.write_tree("Events", cols, options);
        out.close();
        return d / "in.root";
    }();
    return path;
}

// global: filter nMuon >= 1; lead = Muon_pt[0]. Pipeline `mu` (weight w, shift up: Muon_pt × 2):
// histogram pt of Muon_pt weighted by w on [0, 100) in 10 bins; histogram lead; ntuple (root, csv).
Plan make_plan(std::int64_t first = 0, std::int64_t max = -1) {
    Plan plan;
    plan.source = "run.yaml";
    plan.inputs.files = {input_file().string()};
    plan.inputs.first_entry = first;
    plan.inputs.max_entries = max;
    plan.global = {
        std::make_shared<ExprFilter>(StepPlace{"filter", "one_muon", "run.yaml", 3}, "nMuon >= 1"),
        std::make_shared<ExprProducer>(StepPlace{"producer", "lead", "run.yaml", 4}, "Muon_pt[0]")};
    plan.shifts = {
        Shift{"up",
              {{"Muon_pt", std::make_shared<ExprProducer>(StepPlace{"producer", "pt_up", "run.yaml", 6},
                                                          "Muon_pt * 2", ColumnType::Float32)}}}};
    HistogramConsumer::Config pt;
    pt.x = "Muon_pt";
    pt.x_axis = Axis::regular(10, 0, 100);
    pt.weight = "w";
    HistogramConsumer::Config lead;
    lead.x = "lead";
    lead.x_axis = Axis::variable({0, 20, 50, 100});
    Pipeline p;
    p.name = "mu";
    p.weight = "w";
    p.shifts = {"up"};
    p.steps = {
        std::make_shared<HistogramConsumer>(StepPlace{"consumer", "pt", "run.yaml", 9}, pt),
        std::make_shared<HistogramConsumer>(StepPlace{"consumer", "lead", "run.yaml", 10}, lead),
        std::make_shared<NtupleConsumer>(
            StepPlace{"consumer", "nt", "run.yaml", 11},
            NtupleConsumer::Config{{"lead", "Muon_pt"}, NtupleFormat::Root, "Events"}),
        std::make_shared<NtupleConsumer>(StepPlace{"consumer", "ntcsv", "run.yaml", 12},
                                         NtupleConsumer::Config{{"lead", "w"}, NtupleFormat::Csv, "Events"})};
    plan.pipelines = {p};
    return plan;
}

void run_into(const fs::path& out, std::size_t threads, std::int64_t first = 0, std::int64_t max = -1) {
    Runner runner(make_plan(first, max));
    runner.prepare();
    ThreadPool pool(threads);
    runner.run(&pool);
    runner.write(out);
}

} // namespace

TEST(EventsConsumersRun, HistogramsOfNominalAndShift) {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const auto d = hepkit::test::fresh_dir("consrun", "nominal");
    run_into(d / "out", 1);
    // by hand: each muon of an event with a muon, in bin ⌊pt/10⌋ (overflow from 100), weight w
    std::vector<double> expected(12, 0.0), expected_up(12, 0.0);
    for (int i = 0; i < n_events; ++i)
        for (int k = 0; k < n_muon(i); ++k) {
            const double x = muon_pt(i, k);
            expected[x >= 100 ? 11 : static_cast<std::size_t>(x / 10) + 1] += weight(i);
            expected_up[2 * x >= 100 ? 11 : static_cast<std::size_t>(2 * x / 10) + 1] += weight(i);
        }
    const Hist pt = Hist::read_json((d / "out" / "mu" / "pt.json").string());
    const Hist up = Hist::read_json((d / "out" / "mu" / "pt__up.json").string());
    EXPECT_EQ(pt.sumw(), expected);
    EXPECT_EQ(up.sumw(), expected_up);
    EXPECT_EQ(up.name(), "pt__up");
    io::RootFile rf((d / "out" / "mu" / "pt__up.root").string());
    EXPECT_TRUE(rf.contains("pt__up"));
    // the ntuple: one row per event with a muon, lead = its first muon's pT
    io::RootFile nf((d / "out" / "mu" / "nt.root").string());
    io::Tree t(nf, "Events");
    std::vector<double> lead; // an expression of a float32 gives a float64 product (Python's float)
    for (int i = 0; i < n_events; ++i)
        if (n_muon(i) >= 1)
            lead.push_back(muon_pt(i, 0));
    ASSERT_EQ(t.entries(), static_cast<std::int64_t>(lead.size()));
    const auto col = t.read("lead", 0, t.entries());
    EXPECT_EQ(std::vector<double>(col.as<double>().begin(), col.as<double>().end()), lead);
    fs::remove_all(d);
}

TEST(EventsConsumersRun, SameBytesForAnyThreadCount) {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const auto d = hepkit::test::fresh_dir("consrun", "threads");
    run_into(d / "j1", 1);
    run_into(d / "j3", 3);
    int compared = 0;
    for (const auto& e : fs::recursive_directory_iterator(d / "j1")) {
        if (!e.is_regular_file() || e.path().filename() == "report.json") // times differ
            continue;
        const auto rel = fs::relative(e.path(), d / "j1");
        EXPECT_EQ(hepkit::test::slurp(e.path()), hepkit::test::slurp(d / "j3" / rel)) << rel;
        ++compared;
    }
    EXPECT_EQ(compared, 2 * 2 * 2 + 2 * 2 + 1); // 2 histograms × 2 files × 2 shifts, 2 ntuples × 2, cutflow
    fs::remove_all(d);
}

// A run split into two jobs (entries 0–8 and 9–22), merged: histograms, cut flow and ntuples equal
// the single run's (the weights are dyadic: sums in any order are exact).
TEST(EventsConsumersRun, MergedJobsEqualOneRun) {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const auto d = hepkit::test::fresh_dir("consrun", "merge");
    run_into(d / "all", 2);
    run_into(d / "job0", 1, 0, 9);
    run_into(d / "job1", 1, 9, -1);
    const auto s = merge_outputs({d / "job0", d / "job1"}, d / "merged");
    EXPECT_EQ(s.histograms, 4);
    EXPECT_EQ(s.cutflows, 1);
    EXPECT_EQ(s.ntuples, 4);
    for (const char* h : {"pt", "pt__up", "lead", "lead__up"}) {
        const auto file = std::string("mu/") + h + ".json";
        EXPECT_EQ(Hist::read_json((d / "merged" / file).string()),
                  Hist::read_json((d / "all" / file).string()))
            << h;
    }
    EXPECT_EQ(nlohmann::json::parse(hepkit::test::slurp(d / "merged" / "mu" / "cutflow.json")),
              nlohmann::json::parse(hepkit::test::slurp(d / "all" / "mu" / "cutflow.json")));
    EXPECT_EQ(hepkit::test::slurp(d / "merged" / "mu" / "ntcsv.csv"),
              hepkit::test::slurp(d / "all" / "mu" / "ntcsv.csv"));
    io::RootFile a((d / "all" / "mu" / "nt__up.root").string()),
        m((d / "merged" / "mu" / "nt__up.root").string());
    io::Tree ta(a, "Events"), tm(m, "Events");
    ASSERT_EQ(tm.entries(), ta.entries());
    const auto pa = ta.read("Muon_pt", 0, ta.entries()), pm = tm.read("Muon_pt", 0, tm.entries());
    EXPECT_EQ(pm.offsets, pa.offsets);
    EXPECT_EQ(std::vector<float>(pm.as<float>().begin(), pm.as<float>().end()),
              std::vector<float>(pa.as<float>().begin(), pa.as<float>().end()));
    const auto report = nlohmann::json::parse(hepkit::test::slurp(d / "merged" / "report.json"));
    EXPECT_EQ(report["events"], n_events);
    EXPECT_DOUBLE_EQ(report["events_per_second"].get<double>(),
                     n_events / report["wall_seconds"].get<double>()); // not the sum of the jobs' rates
    fs::remove_all(d);
}

// The consumers from a configuration file (register_consumers through the Registry, load_plan):
// the same histogram as the plan built in code.
TEST(EventsConsumersRun, FromConfiguration) {
    const auto d = hepkit::test::fresh_dir("consrun", "config");
    std::ofstream(d / "run.yaml")
        << "inputs: {files: [" << input_file().string() << "], tree: Events}\n"
        << "global:\n"
        << "  - filter: {type: expr, name: one_muon, expr: 'nMuon >= 1'}\n"
        << "pipelines:\n"
        << "  mu:\n"
        << "    steps:\n"
        << "      - {type: histogram, name: pt, x: Muon_pt, bins: '10, 0, 100', weight: w}\n"
        << "      - {type: ntuple, name: nt, products: [Muon_pt], format: csv}\n";
    Registry registry;
    register_builtins(registry);
    EXPECT_EQ(registry.consumer_docs().count("histogram"), 1u);
    EXPECT_EQ(registry.consumer_docs().count("ntuple"), 1u);
    Runner runner(load_plan((d / "run.yaml").string(), registry));
    runner.prepare();
    runner.run();
    runner.write(d / "out");
    std::vector<double> expected(12, 0.0);
    for (int i = 0; i < n_events; ++i)
        for (int k = 0; k < n_muon(i); ++k)
            expected[muon_pt(i, k) >= 100 ? 11 : static_cast<std::size_t>(muon_pt(i, k) / 10) + 1] +=
                weight(i);
    EXPECT_EQ(Hist::read_json((d / "out" / "mu" / "pt.json").string()).sumw(), expected);
    EXPECT_TRUE(fs::exists(d / "out" / "mu" / "nt.csv"));

    // a typo in a consumer's key names the file, the line and the closest key
    std::ofstream(d / "bad.yaml")
        << "inputs: {files: [" << input_file().string() << "], tree: Events}\n"
        << "pipelines:\n"
        << "  mu:\n"
        << "    steps:\n"
        << "      - {type: histogram, name: pt, x: Muon_pt, bins: '10, 0, 100', wieght: w}\n";
    try {
        load_plan((d / "bad.yaml").string(), registry);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.yaml:5"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("wieght"), std::string::npos) << e.what();
    }
    fs::remove_all(d);
}
