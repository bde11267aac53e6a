// The histogram and ntuple consumers (Consumers.hpp) on small batches built by hand: which values
// a jagged x, a jagged or per-event cut and a per-event or per-element weight fill, the errors
// (naming the step, the expression and the entry), YAML keys, ntuple rows. Expected values by hand.

#include "hepkit/events/Consumers.hpp"
#include "Helpers.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
using namespace hepkit::events;
using hepkit::io::Column;
using hepkit::io::ColumnType;

namespace {

template <class T>
Column flat(const std::string& name, ColumnType type, std::vector<T> v) {
    auto c = Column::make(name, type);
    c.mut<T>() = std::move(v);
    return c;
}
template <class T>
Column jagged(const std::string& name, ColumnType type, std::vector<T> v, std::vector<std::int64_t> off) {
    auto c = flat<T>(name, type, std::move(v));
    c.offsets = std::move(off);
    return c;
}

// Five events (entries 100 … 104):
//   nMuon      2        0    1       3               1
//   Muon_pt    30, 10   -    55      20, 25, 150     5
//   Muon_eta   0.5,3    -    -2.5    1, -1, 2        0
//   Jet_pt     -        40   -       -               50, 60   (a collection of other lengths)
//   mass       91       0    60      120             45
//   w          2        1    0.5     3               1
//   ok         1        0    1       1               0
struct Fixture {
    Schema schema;
    ProductId npt, pt, eta, jet, mass, w, ok;
    std::unique_ptr<Batch> batch;
    Fixture() {
        npt = schema.add({"nMuon", ColumnType::Int32, false}, "branch");
        pt = schema.add({"Muon_pt", ColumnType::Float32, true}, "branch");
        eta = schema.add({"Muon_eta", ColumnType::Float32, true}, "branch");
        jet = schema.add({"Jet_pt", ColumnType::Float32, true}, "branch");
        mass = schema.add({"mass", ColumnType::Float64, false}, "branch");
        w = schema.add({"w", ColumnType::Float32, false}, "branch");
        ok = schema.add({"ok", ColumnType::Bool, false}, "branch");
        batch = std::make_unique<Batch>(schema, 100, 5);
        batch->put(npt, flat<std::int32_t>("nMuon", ColumnType::Int32, {2, 0, 1, 3, 1}));
        batch->put(pt, jagged<float>("Muon_pt", ColumnType::Float32, {30, 10, 55, 20, 25, 150, 5},
                                     {0, 2, 2, 3, 6, 7}));
        batch->put(eta, jagged<float>("Muon_eta", ColumnType::Float32, {0.5, 3, -2.5, 1, -1, 2, 0},
                                      {0, 2, 2, 3, 6, 7}));
        batch->put(jet, jagged<float>("Jet_pt", ColumnType::Float32, {40, 50, 60}, {0, 0, 1, 1, 1, 3}));
        batch->put(mass, flat<double>("mass", ColumnType::Float64, {91, 0, 60, 120, 45}));
        batch->put(w, flat<float>("w", ColumnType::Float32, {2, 1, 0.5, 3, 1}));
        batch->put(ok, flat<std::uint8_t>("ok", ColumnType::Bool, {1, 0, 1, 1, 0}));
    }
};

HistogramConsumer::Config config(std::string x, Axis axis, std::string cut = "", std::string weight = "") {
    HistogramConsumer::Config c;
    c.x = std::move(x);
    c.x_axis = std::move(axis);
    c.cut = std::move(cut);
    c.weight = std::move(weight);
    return c;
}

Hist run(const Fixture& f, HistogramConsumer::Config c) {
    HistogramConsumer h({"consumer", "h", "run.yaml", 7}, std::move(c));
    h.declare(f.schema);
    auto r = h.consume(*f.batch);
    return dynamic_cast<HistogramResult&>(*r).hist();
}

std::string error_of(const Fixture& f, HistogramConsumer::Config c) {
    try {
        run(f, std::move(c));
    } catch (const hepkit::InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

// Per-event x, cut and weight: mass of events with ok, weighted by w. Events 0, 2, 3 pass:
// 91 (w 2) → bin [80,100), 60 (w 0.5) → [60,80), 120 (w 3) → overflow of [0,120).
TEST(EventsConsumers, PerEventCutAndWeight) {
    Fixture f;
    const Hist h = run(f, config("mass", Axis::regular(6, 0, 120), "ok", "w"));
    EXPECT_EQ(h.at(4).sumw, 2);
    EXPECT_EQ(h.at(3).sumw, 0.5);
    EXPECT_EQ(h.at(3).sumw2, 0.25);
    EXPECT_EQ(h.at(6).sumw, 3);
    EXPECT_EQ(h.entries(), 3);
}

// A jagged x fills once per element; a per-event weight applies to each element of its event.
// Muon_pt with w: 30,10 (w 2), 55 (0.5), 20,25,150 (3), 5 (1) on [0, 100) in 4 bins of 25.
TEST(EventsConsumers, JaggedXPerEventWeightBroadcast) {
    Fixture f;
    const Hist h = run(f, config("Muon_pt", Axis::regular(4, 0, 100), "", "w"));
    EXPECT_EQ(h.at(0).sumw, 2 + 3 + 1);  // 10, 20, 5
    EXPECT_EQ(h.at(1).sumw, 2 + 3);      // 30, 25
    EXPECT_EQ(h.at(2).sumw, 0.5);        // 55
    EXPECT_EQ(h.at(4).sumw, 3);          // 150
    EXPECT_EQ(h.at(0).sumw2, 4 + 9 + 1); // w² per element
    EXPECT_EQ(h.entries(), 7);
}

// A jagged cut selects elements: |eta| < 2.4 drops 10 (eta 3) and 55 (eta −2.5).
TEST(EventsConsumers, JaggedCutSelectsElements) {
    Fixture f;
    const Hist h = run(f, config("Muon_pt", Axis::regular(4, 0, 100), "abs(Muon_eta) < 2.4"));
    EXPECT_EQ(h.at(0).sumw, 2); // 20, 5
    EXPECT_EQ(h.at(1).sumw, 2); // 30, 25
    EXPECT_EQ(h.at(2).sumw, 0);
    EXPECT_EQ(h.at(4).sumw, 1); // 150
    EXPECT_EQ(h.entries(), 5);
}

// A per-event cut with a jagged x selects events: nMuon >= 2 keeps events 0 and 3.
TEST(EventsConsumers, PerEventCutWithJaggedX) {
    Fixture f;
    const Hist h = run(f, config("Muon_pt", Axis::regular(4, 0, 100), "nMuon >= 2"));
    EXPECT_EQ(h.at(0).sumw, 2); // 10, 20
    EXPECT_EQ(h.at(1).sumw, 2); // 30, 25
    EXPECT_EQ(h.at(4).sumw, 1); // 150
    EXPECT_EQ(h.entries(), 5);
}

// Regression (a per-event cut evaluated after x): the cut runs first and x only on the events it
// keeps, so `nMuon >= 2` guards `Muon_pt[1]` (events 0 and 3: 10 and 25; without the cut, event 1 — entry
// 101, no muon — is an index error naming its entry).
TEST(EventsConsumers, PerEventCutGuardsTheIndexInX) {
    Fixture f;
    const Hist h = run(f, config("Muon_pt[1]", Axis::regular(4, 0, 100), "nMuon >= 2", "w"));
    EXPECT_EQ(h.at(0).sumw, 2); // 10 with w 2
    EXPECT_EQ(h.at(1).sumw, 3); // 25 with w 3
    EXPECT_EQ(h.entries(), 2);
    EXPECT_NE(error_of(f, config("Muon_pt[1]", Axis::regular(4, 0, 100))).find("(event 101)"),
              std::string::npos)
        << error_of(f, config("Muon_pt[1]", Axis::regular(4, 0, 100)));
}

// Only the batch's selected rows are filled (rows after earlier filters): rows 3 and 4.
TEST(EventsConsumers, OnlySelectedRows) {
    Fixture f;
    f.batch->set_rows({3, 4});
    const Hist h = run(f, config("Muon_pt", Axis::regular(4, 0, 100)));
    EXPECT_EQ(h.at(0).sumw, 2); // 20, 5
    EXPECT_EQ(h.at(1).sumw, 1); // 25
    EXPECT_EQ(h.at(4).sumw, 1); // 150
    EXPECT_EQ(h.entries(), 4);
}

// 2D: jagged x and y element by element; a per-event y broadcast over x's elements.
TEST(EventsConsumers, TwoDimensional) {
    Fixture f;
    auto c = config("Muon_pt", Axis::regular(2, 0, 100));
    c.y = "Muon_eta";
    c.y_axis = Axis::variable({-3, 0, 3});
    const Hist h = run(f, c);
    // by hand, x bins [0,50) [50,100), y bins [−3,0) [0,3): (30,0.5)→(0,1); (10,3)→(0,overflow);
    // (55,−2.5)→(1,0); (20,1)→(0,1); (25,−1)→(0,0); (150,2)→(overflow,1); (5,0)→(0,1)
    EXPECT_EQ(h.at(0, 1).sumw, 3);
    EXPECT_EQ(h.at(0, 2).sumw, 1);
    EXPECT_EQ(h.at(1, 0).sumw, 1);
    EXPECT_EQ(h.at(0, 0).sumw, 1);
    EXPECT_EQ(h.at(2, 1).sumw, 1);
    EXPECT_EQ(h.entries(), 7);
    // a per-event y (mass, bins [0,100) [100,200)) broadcast over the muons of its event
    auto b = config("Muon_pt", Axis::regular(2, 0, 100));
    b.y = "mass";
    b.y_axis = Axis::regular(2, 0, 200);
    const Hist hb = run(f, b);
    EXPECT_EQ(hb.at(0, 0).sumw, 3); // 30, 10 (mass 91); 5 (mass 45)
    EXPECT_EQ(hb.at(1, 0).sumw, 1); // 55 (mass 60)
    EXPECT_EQ(hb.at(0, 1).sumw, 2); // 20, 25 (mass 120)
    EXPECT_EQ(hb.at(2, 1).sumw, 1); // 150 (mass 120)
}

TEST(EventsConsumers, ShapeErrorsNameTheStep) {
    Fixture f;
    EXPECT_NE(
        error_of(f, config("mass", Axis::regular(2, 0, 1), "Muon_pt > 20"))
            .find("run.yaml:7: h.cut: 'Muon_pt > 20' selects elements but x 'mass' is one value per event"),
        std::string::npos);
    EXPECT_NE(error_of(f, config("mass", Axis::regular(2, 0, 1), "", "Muon_pt"))
                  .find("run.yaml:7: h.weight: 'Muon_pt' is an array per event"),
              std::string::npos);
    const auto unknown = error_of(f, config("Muon_ptt", Axis::regular(2, 0, 1)));
    EXPECT_NE(unknown.find("Muon_ptt"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("Muon_pt"), std::string::npos) << unknown; // the closest name
    // element-wise cut on another collection: Jet_pt has other lengths (entry 100: 2 muons, 0 jets)
    const auto length = error_of(f, config("Muon_pt", Axis::regular(2, 0, 1), "Jet_pt > 0"));
    EXPECT_NE(length.find("run.yaml:7: h.cut: entry 100: 'Jet_pt > 0' has 0 values, x 'Muon_pt' has 2"),
              std::string::npos)
        << length;
    EXPECT_THROW(HistogramConsumer({"consumer", "h", "", 0}, config("", Axis::regular(1, 0, 1))),
                 hepkit::InputError);
}

TEST(EventsConsumers, InputsAreTheNamedProducts) {
    HistogramConsumer h({"consumer", "h", "", 0}, config("sqrt(Muon_pt) * pi", Axis::regular(1, 0, 1),
                                                         "abs(Muon_eta) < 2.4 and nMuon > 1", "w"));
    EXPECT_EQ(h.inputs(), (std::vector<std::string>{"Muon_pt", "w", "Muon_eta", "nMuon"}));
}

// Batches merged in order equal one batch (the runner's contract).
TEST(EventsConsumers, ResultsMergeInBatchOrder) {
    Fixture f;
    HistogramConsumer c({"consumer", "h", "", 0}, config("Muon_pt", Axis::regular(4, 0, 100), "", "w"));
    c.declare(f.schema);
    auto whole = c.consume(*f.batch);
    f.batch->set_rows({0, 1, 2});
    auto first = c.consume(*f.batch);
    f.batch->set_rows({3, 4});
    first->merge(std::move(*c.consume(*f.batch)));
    EXPECT_EQ(dynamic_cast<HistogramResult&>(*first).hist(), dynamic_cast<HistogramResult&>(*whole).hist());
    auto none = c.empty();
    EXPECT_EQ(dynamic_cast<HistogramResult&>(*none).hist().entries(), 0);

    const auto d = hepkit::test::fresh_dir("consumers", "hist");
    whole->write(d / "pt__up");
    const Hist back = Hist::read_json((d / "pt__up.json").string());
    EXPECT_EQ(back.name(), "pt__up");
    hepkit::io::RootFile rf((d / "pt__up.root").string());
    EXPECT_TRUE(rf.contains("pt__up"));
    fs::remove_all(d);
}

TEST(EventsConsumers, YamlKeys) {
    auto make = [](const std::string& text) {
        const hepkit::config::YamlView y(YAML::Load(text), "run.yaml");
        return HistogramConsumer::from_config({{"consumer", "h", "run.yaml", 3}, y});
    };
    auto a = make("x: Muon_pt\nbins: 40, 0, 200\ncut: nMuon > 0\nweight: w\n");
    EXPECT_EQ(a->config().x_axis.size(), 40);
    EXPECT_EQ(a->config().cut, "nMuon > 0");
    auto b = make("x: Muon_pt\nbins: [4, 0, 100]\ny: Muon_eta\ny_edges: [-3, 0, 3]\n");
    EXPECT_EQ(b->config().y_axis->edges(), (std::vector<double>{-3, 0, 3}));
    auto error = [&](const std::string& text) {
        try {
            make(text);
        } catch (const hepkit::InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error("x: a\nbins: 40, 0\n").find("run.yaml:2: bins: '40, 0': 2 value(s) (expected N,LO,HI"),
              std::string::npos)
        << error("x: a\nbins: 40, 0\n");
    EXPECT_NE(error("x: a\nbins: 0, 0, 1\n").find("0 bins: must be between 1 and 10^7"), std::string::npos);
    EXPECT_NE(error("x: a\nbins: 4, 0, 1\nedges: [0, 1]\n").find("give bins or edges, not both"),
              std::string::npos);
    EXPECT_NE(error("x: a\nedges: [0, 2, 1]\n").find("run.yaml:2: edges: edges 1 and 2"), std::string::npos);
    EXPECT_NE(error("x: a\nbins: 4, 0, 1\nwieght: w\n").find("wieght"), std::string::npos);
    EXPECT_NE(error("bins: 4, 0, 1\n").find("needs x"), std::string::npos);
    EXPECT_NE(error("x: a\nbins: 4, 0, 1\ny_bins: 2, 0, 1\n").find("y binning without y"), std::string::npos);
    EXPECT_NE(error("x: a\nbins: 10000, 0, 1\ny: b\ny_bins: 10000, 0, 1\n").find("at most 10^7 cells"),
              std::string::npos); // 800 MB per batch otherwise

    const hepkit::config::YamlView n(YAML::Load("products: [a, b]\nformat: parquet\n"), "run.yaml");
    try {
        NtupleConsumer::from_config({{"consumer", "nt", "run.yaml", 3}, n});
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("run.yaml:2: format: 'parquet' is not an ntuple format"),
                  std::string::npos)
            << e.what();
    }
}

// The ntuple keeps the selected rows of its products, in order, and writes them exactly.
TEST(EventsConsumers, NtupleSelectedRows) {
    Fixture f;
    NtupleConsumer nt({"consumer", "sel", "", 0}, {{"mass", "Muon_pt", "ok"}, NtupleFormat::Root, "Events"});
    nt.declare(f.schema);
    f.batch->set_rows({0, 3});
    auto r = nt.consume(*f.batch);
    f.batch->set_rows({4});
    r->merge(std::move(*nt.consume(*f.batch)));
    const auto& cols = dynamic_cast<NtupleResult&>(*r).columns();
    EXPECT_EQ(std::vector<double>(cols[0].as<double>().begin(), cols[0].as<double>().end()),
              (std::vector<double>{91, 120, 45}));
    EXPECT_EQ(cols[1].offsets, (std::vector<std::int64_t>{0, 2, 5, 6}));
    EXPECT_EQ(cols[1].as<float>()[4], 150.0f);
    EXPECT_EQ(cols[2].type, ColumnType::Bool);

    const auto d = hepkit::test::fresh_dir("consumers", "nt");
    r->write(d / "sel");
    hepkit::io::RootFile file((d / "sel.root").string());
    hepkit::io::Tree t(file, "Events");
    EXPECT_EQ(t.entries(), 3);
    EXPECT_EQ(t.read("Muon_pt", 0, 3).offsets, cols[1].offsets);
    // an ntuple that saw no batch is written with its columns and no rows
    nt.empty()->write(d / "none");
    hepkit::io::RootFile empty_file((d / "none.root").string());
    EXPECT_EQ(hepkit::io::Tree(empty_file, "Events").entries(), 0);

    NtupleConsumer bad({"consumer", "sel", "run.yaml", 4}, {{"Muon_ptt"}, NtupleFormat::Csv, "Events"});
    EXPECT_THROW(bad.declare(f.schema), hepkit::InputError);
    EXPECT_THROW(NtupleConsumer({"consumer", "x", "", 0}, {{"a", "a"}, NtupleFormat::Csv, "Events"}),
                 hepkit::InputError);
    fs::remove_all(d);
}
