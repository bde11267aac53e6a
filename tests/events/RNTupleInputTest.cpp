// RNTuple inputs of the runner (src/events/Input.hpp): `inputs.tree` naming an RNTuple of the
// reference files (../shared/reference/root-files; skipped with a message without them).
// - every product's sum against jsroot's statistics of the same RNTuple (tests/io/data, made with
//   jsroot 7.11.2, an independent reader), in batches of 64 on 2 threads;
// - the NanoAOD importer's RNTuple offers the products of the NanoAOD TTree (names, types, shapes);
// - the dimuon example's selection (examples/events/dimuon/selection.yaml) on the DoubleMu RNTuple,
//   histograms and cut flow against a hand computation from the columns read with io::RNTuple;
// - the same events as a TTree (written with io::RootWriter) and as the RNTuple: equal outputs;
// - chains: two RNTuples as one entry range, files of two kinds refused, fields that differ refused.

#include "CoreSteps.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/events/Config.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Expressions.hpp"
#include "hepkit/events/Registry.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <set>

using namespace hepkit;
using namespace hepkit::events;
using namespace hepkit::events::test;

namespace {

const std::string kDoubleMu = "root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root";
const std::string kTtbar =
    "root-files/cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root";
const std::string kTtbarTree = "root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root";

std::string ref(const std::string& relative) {
    return hepkit::test::reference(relative).string();
}

// The products a runner without steps declares from `file`'s `Events`.
Schema products_of(const std::vector<std::string>& files) {
    Plan plan;
    plan.inputs.files = files;
    plan.inputs.tree = "Events";
    Runner runner(std::move(plan));
    runner.prepare();
    return runner.schema();
}

// Every product summed through an expression producer (`sum(B)` and `len(B)` per event for a
// jagged one) against the jsroot statistics `stats` (tests/io/data).
void check_sums(const std::string& file, const std::string& stats) {
    const auto expected = nlohmann::json::parse(slurp(fs::path(HEPKIT_SOURCE_DIR) / "tests/io/data" / stats));
    Plan plan;
    plan.inputs.files = {ref(file)};
    plan.inputs.tree = "Events";
    const Schema schema = products_of(plan.inputs.files);
    plan.inputs.batch_entries = 64;
    Pipeline p;
    p.name = "p";
    std::vector<std::string> checked;
    for (ProductId id = 0; id < schema.size(); ++id) {
        const ProductInfo& info = schema.info(id);
        ASSERT_TRUE(expected["branches"].contains(info.name)) << file << ": product " << info.name;
        if (!expected["branches"][info.name]["sum"].is_number())
            continue; // a NaN among the values: no sum to compare
        const std::string s = "s_" + std::to_string(id), n = "n_" + std::to_string(id);
        plan.global.push_back(std::make_shared<ExprProducer>(
            place("producer", s), info.jagged ? "sum(" + info.name + ")" : info.name + " * 1.0"));
        plan.global.push_back(std::make_shared<ExprProducer>(place("producer", n),
                                                             info.jagged ? "len(" + info.name + ")" : "1"));
        p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", s), s));
        p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", n), n));
        checked.push_back(info.name);
    }
    // every field jsroot read is a product, but the importer's records (listed as unreadable)
    EXPECT_EQ(schema.size(), expected["branches"].size()) << file;
    plan.pipelines = {p};
    Runner runner(std::move(plan));
    ThreadPool pool(2);
    runner.run(&pool);
    EXPECT_EQ(runner.report().events, expected["entries"].get<std::int64_t>());
    for (const auto& name : checked) {
        const ProductId id = *runner.schema().find(name);
        const auto& want = expected["branches"][name];
        const double sum = want["sum"].get<double>();
        EXPECT_NEAR(sum_of(runner, "p", "s_" + std::to_string(id)).sum, sum,
                    1e-9 * std::max(1.0, std::abs(sum)))
            << file << ": " << name;
        EXPECT_EQ(sum_of(runner, "p", "n_" + std::to_string(id)).sum, want["n"].get<double>())
            << file << ": " << name;
    }
}

template <class T>
std::vector<T> values(const io::Column& c) {
    return std::get<std::vector<T>>(c.values);
}

} // namespace

TEST(EventsRNTupleInput, DoubleMuProductsAndSumsAgainstJsroot) {
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    // The importer's projected fields, under the NanoAOD TTree's names and types; _collection0
    // (a collection of records) is no product.
    const Schema schema = products_of({ref(kDoubleMu)});
    ASSERT_EQ(schema.size(), 6u);
    const std::map<std::string, std::pair<io::ColumnType, bool>> want = {
        {"Muon_pt", {io::ColumnType::Float32, true}},   {"Muon_eta", {io::ColumnType::Float32, true}},
        {"Muon_phi", {io::ColumnType::Float32, true}},  {"Muon_mass", {io::ColumnType::Float32, true}},
        {"Muon_charge", {io::ColumnType::Int32, true}}, {"nMuon", {io::ColumnType::UInt32, false}}};
    for (const auto& [name, shape] : want) {
        const auto id = schema.find(name);
        ASSERT_TRUE(id) << name;
        EXPECT_EQ(schema.info(*id).type, shape.first) << name;
        EXPECT_EQ(schema.info(*id).jagged, shape.second) << name;
    }
    EXPECT_FALSE(schema.find("_collection0"));
    check_sums(kDoubleMu, "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.ntuple-stats.json");
}

TEST(EventsRNTupleInput, NanoAODImporterFieldSumsAgainstJsroot) {
    HEPKIT_REQUIRE_REFERENCE(kTtbar);
    check_sums(kTtbar,
               "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.ntuple-stats.json");
}

TEST(EventsRNTupleInput, NanoAODImporterOffersTheTreesProducts) {
    // The same NanoAOD schema as a TTree and as an RNTuple (tests/io/data/README.md: the same 947
    // names): the same products with the same types and shapes, so one configuration runs on both.
    HEPKIT_REQUIRE_REFERENCE(kTtbar);
    HEPKIT_REQUIRE_REFERENCE(kTtbarTree);
    const Schema tree = products_of({ref(kTtbarTree)});
    const Schema ntuple = products_of({ref(kTtbar)});
    std::size_t same = 0;
    for (ProductId id = 0; id < tree.size(); ++id) {
        const ProductInfo& t = tree.info(id);
        const auto n = ntuple.find(t.name);
        if (!n) {
            ADD_FAILURE() << t.name << " (" << describe(t)
                          << ") is a product of the TTree, not of the RNTuple";
            continue;
        }
        EXPECT_EQ(describe(ntuple.info(*n)), describe(t)) << t.name;
        ++same;
    }
    EXPECT_EQ(same, ntuple.size());
    EXPECT_EQ(same, 947u);
}

TEST(EventsRNTupleInput, DimuonSelectionAgainstHandComputation) {
    // The dimuon example's selection (selection.yaml: muons with pT > 20, |eta| < 2.4, exactly
    // two of opposite charge, m of the pair with the muon mass, window 60-120) with weight 1 on the
    // DoubleMu RNTuple, in batches of 100 on 2 threads, and its muon scale shift (+1 %, float32).
    // The hand computation reads the columns with io::RNTuple and forms the pair's four-vector:
    // px = pT cos(phi), py = pT sin(phi), pz = pT sinh(eta), E = sqrt(p^2 + m^2),
    // m_mumu^2 = (E1 + E2)^2 - |p1 + p2|^2.
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    const auto dir = hepkit::test::fresh_dir("evrnt", "dimuon");
    const auto yaml = dir / "dimuon.yaml";
    std::ofstream(yaml) << "include: [" << HEPKIT_SOURCE_DIR << "/examples/events/dimuon/selection.yaml]\n"
                        << "inputs: {files: [" << ref(kDoubleMu) << "], tree: Events, batch_entries: 100}\n"
                        << "global:\n  - producer: {type: expr, name: weight, expr: \"1.0\"}\n";
    Registry registry;
    register_builtins(registry);
    Runner runner(load_plan(yaml.string(), registry));
    ThreadPool pool(2);
    runner.run(&pool);
    EXPECT_EQ(runner.report().batches, 10);

    io::RootFile file(ref(kDoubleMu));
    io::RNTuple events(file, "Events");
    const io::Column pt = events.read("Muon_pt"), eta = events.read("Muon_eta"),
                     phi = events.read("Muon_phi"), charge = events.read("Muon_charge");
    const auto vpt = values<float>(pt), veta = values<float>(eta), vphi = values<float>(phi);
    const auto vq = values<std::int32_t>(charge);
    const double mu = 0.1056583755;
    for (const double scale : {1.0, 1.01}) {
        const std::string shift = scale == 1.0 ? "" : "muon_scale_up";
        Hist wide("w", Axis::regular(50, 70, 110)), window("m", Axis::regular(60, 60, 120));
        std::int64_t good_events[4] = {}; // cut flow: two_muons, opposite_charge, z_window
        for (std::size_t e = 0; e + 1 < pt.offsets.size(); ++e) {
            std::vector<std::size_t> good;
            for (auto k = static_cast<std::size_t>(pt.offsets[e]);
                 k < static_cast<std::size_t>(pt.offsets[e + 1]); ++k) {
                const float p = scale == 1.0 ? vpt[k] : static_cast<float>(vpt[k] * scale);
                if (p > 20 && std::abs(veta[k]) < 2.4f)
                    good.push_back(k);
            }
            if (good.size() != 2)
                continue;
            ++good_events[0];
            if (vq[good[0]] == vq[good[1]])
                continue;
            ++good_events[1];
            double E = 0, px = 0, py = 0, pz = 0;
            for (const std::size_t k : good) {
                const double p = scale == 1.0 ? vpt[k] : static_cast<float>(vpt[k] * scale);
                const double x = p * std::cos(vphi[k]), y = p * std::sin(vphi[k]), z = p * std::sinh(veta[k]);
                px += x;
                py += y;
                pz += z;
                E += std::sqrt(x * x + y * y + z * z + mu * mu);
            }
            const double m = std::sqrt(E * E - px * px - py * py - pz * pz);
            wide.fill(m);
            if (m > 60 && m < 120) {
                ++good_events[2];
                window.fill(m);
            }
        }
        const auto& got_wide =
            dynamic_cast<const HistogramResult&>(runner.result("zmumu", "m_mumu_wide", shift));
        const auto& got = dynamic_cast<const HistogramResult&>(runner.result("zmumu", "m_mumu", shift));
        for (int b = -1; b <= 50; ++b)
            EXPECT_EQ(got_wide.hist().at(b).sumw, wide.at(b).sumw) << "wide bin " << b << " shift " << shift;
        for (int b = -1; b <= 60; ++b)
            EXPECT_EQ(got.hist().at(b).sumw, window.at(b).sumw) << "bin " << b << " shift " << shift;
        EXPECT_GT(window.sum(), 90) << shift; // 98 pairs in the window, both nominal and shifted
        // Σ m: the library's formula rounds differently from the one above (1.5e-9 relative seen)
        EXPECT_NEAR(got.hist().stats().sumwx, window.stats().sumwx, 1e-7 * window.stats().sumwx) << shift;
        const CutFlow* flow = nullptr;
        for (const auto& f : runner.report().cutflows)
            if (f.pipeline == "zmumu" && f.shift == shift)
                flow = &f;
        ASSERT_TRUE(flow) << shift;
        ASSERT_EQ(flow->rows.size(), 4u);
        EXPECT_EQ(flow->rows[0].events, 1000);
        for (std::size_t r = 0; r < 3; ++r)
            EXPECT_EQ(flow->rows[r + 1].events, good_events[r])
                << flow->rows[r + 1].label << " shift " << shift;
    }
    fs::remove_all(dir);
}

TEST(EventsRNTupleInput, TreeAndRNTupleOfTheSameEventsGiveTheSameOutputs) {
    // The DoubleMu RNTuple's columns written as a NanoAOD-style TTree (Muon_pt[nMuon], ...; clusters
    // of 300 entries, unlike the RNTuple's one of 1000) and the dimuon configuration run unchanged on
    // both: every histogram under every shift, and the cut flows, are equal.
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    const auto dir = hepkit::test::fresh_dir("evrnt", "same");
    std::vector<io::Column> columns;
    {
        io::RootFile file(ref(kDoubleMu));
        io::RNTuple events(file, "Events");
        for (const char* name : {"nMuon", "Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass", "Muon_charge"})
            columns.push_back(events.read(name));
    }
    const auto tree = dir / "doublemu-ttree.root";
    io::RootWriter out(tree.string());
    io::TreeOptions options;
    options.cluster_entries = 300;
    out.write_tree("Events", columns, options);
    out.close();

    const auto yaml = dir / "dimuon.yaml";
    std::ofstream(yaml) << "include: [" << HEPKIT_SOURCE_DIR << "/examples/events/dimuon/selection.yaml]\n"
                        << "inputs: {tree: Events}\n"
                        << "global:\n  - producer: {type: expr, name: weight, expr: \"1.0\"}\n";
    auto run = [&](const std::string& input) {
        Registry registry;
        register_builtins(registry);
        PlanOverrides overrides;
        overrides.files = std::vector<std::string>{input};
        auto runner = std::make_unique<Runner>(load_plan(yaml.string(), registry, overrides));
        ThreadPool pool(2);
        runner->run(&pool);
        return runner;
    };
    const auto from_tree = run(tree.string());
    const auto from_ntuple = run(ref(kDoubleMu));
    EXPECT_EQ(from_tree->batches(), 4u);
    EXPECT_EQ(from_ntuple->batches(), 1u);
    for (const std::string shift : {"", "muon_scale_up", "muon_scale_down", "weight_up", "weight_down"})
        for (const char* h : {"muon_pt", "n_muons", "m_mumu_wide", "m_mumu", "m_mumu_count", "muon0_pt"}) {
            const auto& a = dynamic_cast<const HistogramResult&>(from_tree->result("zmumu", h, shift)).hist();
            const auto& b =
                dynamic_cast<const HistogramResult&>(from_ntuple->result("zmumu", h, shift)).hist();
            // bins and statistics to rounding: sums of weights 1.1 are added batch by batch, and the
            // batches differ (weight 1: exactly equal)
            ASSERT_EQ(a.sumw().size(), b.sumw().size());
            for (std::size_t k = 0; k < a.sumw().size(); ++k) {
                EXPECT_NEAR(a.sumw()[k], b.sumw()[k], 1e-12 * b.sumw()[k])
                    << h << " shift '" << shift << "' " << k;
                EXPECT_NEAR(a.sumw2()[k], b.sumw2()[k], 1e-12 * b.sumw2()[k])
                    << h << " shift '" << shift << "'";
            }
            EXPECT_EQ(a.entries(), b.entries()) << h << " shift '" << shift << "'";
            EXPECT_NEAR(a.stats().sumwx, b.stats().sumwx, 1e-12 * std::abs(b.stats().sumwx)) << h;
            EXPECT_GT(a.entries(), 0) << h;
        }
    const auto& ta = from_tree->report().cutflows;
    const auto& tb = from_ntuple->report().cutflows;
    ASSERT_EQ(ta.size(), tb.size());
    for (std::size_t f = 0; f < ta.size(); ++f)
        for (std::size_t r = 0; r < ta[f].rows.size(); ++r) {
            EXPECT_EQ(ta[f].rows[r].events, tb[f].rows[r].events)
                << ta[f].shift << " " << ta[f].rows[r].label;
            EXPECT_NEAR(ta[f].rows[r].sumw, tb[f].rows[r].sumw, 1e-12 * tb[f].rows[r].sumw)
                << ta[f].shift << " " << ta[f].rows[r].label;
        }
    fs::remove_all(dir);
}

TEST(EventsRNTupleInput, ChainOfTwoRNTuplesIsOneEntryRange) {
    // The DoubleMu RNTuple twice: 2000 entries; entries [900, 1200) are the last 100 of the first
    // file and the first 200 of the second, in batches that never span two files. Σ nMuon over
    // them from io::RNTuple directly.
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    Plan plan;
    plan.inputs.files = {ref(kDoubleMu), ref(kDoubleMu)};
    plan.inputs.first_entry = 900;
    plan.inputs.max_entries = 300;
    plan.global.push_back(std::make_shared<ExprProducer>(place("producer", "n"), "nMuon * 1.0"));
    plan.global.push_back(std::make_shared<ExprProducer>(place("producer", "pt"), "sum(Muon_pt)"));
    Pipeline p;
    p.name = "p";
    p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", "n"), "n"));
    p.steps.push_back(std::make_shared<SumConsumer>(place("consumer", "pt"), "pt"));
    plan.pipelines = {p};
    Runner runner(std::move(plan));
    runner.prepare();
    EXPECT_EQ(runner.events(), 300);
    EXPECT_EQ(runner.batches(), 2u); // one cluster per file, clipped
    ThreadPool pool(2);
    runner.run(&pool);

    io::RootFile file(ref(kDoubleMu));
    io::RNTuple events(file, "Events");
    const auto n = values<std::uint32_t>(events.read("nMuon"));
    const io::Column pt = events.read("Muon_pt");
    const auto vpt = values<float>(pt);
    double want_n = 0, want_pt = 0;
    auto add = [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            want_n += n[i];
            double s = 0; // as the producer: one event's sum, then the events'
            for (auto k = static_cast<std::size_t>(pt.offsets[i]);
                 k < static_cast<std::size_t>(pt.offsets[i + 1]); ++k)
                s += vpt[k];
            want_pt += s;
        }
    };
    add(900, 1000);
    add(0, 200);
    EXPECT_EQ(sum_of(runner, "p", "n").sum, want_n);
    EXPECT_NEAR(sum_of(runner, "p", "pt").sum, want_pt, 1e-9 * want_pt);
    EXPECT_EQ(sum_of(runner, "p", "n").count, 300);
}

TEST(EventsRNTupleInput, ChainsOfTwoKindsAreRefused) {
    // A chain holds one kind: a TTree file after an RNTuple, or an RNTuple after a TTree, is an
    // error naming the odd file before any event is read.
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    const auto tree = write_file("rntuple-mixed", 0, 10);
    auto error_of = [](std::vector<std::string> files) {
        return hepkit::test::input_error([&] {
            Plan plan;
            plan.inputs.files = std::move(files);
            Runner runner(std::move(plan));
            runner.prepare();
        });
    };
    const auto a = error_of({ref(kDoubleMu), tree.string()});
    EXPECT_EQ(a.file(), tree.string());
    EXPECT_NE(a.message().find("'Events' is a TTree here and an RNTuple in"), std::string::npos) << a.what();
    const auto b = error_of({tree.string(), ref(kDoubleMu)});
    EXPECT_EQ(b.file(), ref(kDoubleMu));
    EXPECT_NE(b.message().find("'Events' is an RNTuple here and not in"), std::string::npos) << b.what();
    fs::remove(tree);
}

TEST(EventsRNTupleInput, ChainWhoseFieldsDifferIsRefused) {
    // The ttbar RNTuple has fields the DoubleMu one lacks (run): refused, naming file and field.
    // The other order is a chain (the DoubleMu products are all in the ttbar RNTuple, same types).
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    HEPKIT_REQUIRE_REFERENCE(kTtbar);
    const auto e = hepkit::test::input_error([&] { products_of({ref(kTtbar), ref(kDoubleMu)}); });
    EXPECT_EQ(e.file(), ref(kDoubleMu));
    EXPECT_EQ(e.key(), "RNTuple 'Events'");
    EXPECT_NE(e.message().find("has no field 'run', which"), std::string::npos) << e.what();
    Plan plan;
    plan.inputs.files = {ref(kDoubleMu), ref(kTtbar)};
    Runner runner(std::move(plan));
    runner.prepare();
    EXPECT_EQ(runner.events(), 1010);
    EXPECT_EQ(runner.schema().size(), 6u);
}

TEST(EventsRNTupleInput, MissingRNTupleNamedAsForTrees) {
    // `inputs.tree` that the file lacks: the TTree reader's message, naming the file.
    HEPKIT_REQUIRE_REFERENCE(kDoubleMu);
    const auto e = hepkit::test::input_error([&] {
        Plan plan;
        plan.inputs.files = {ref(kDoubleMu)};
        plan.inputs.tree = "Evnets";
        Runner runner(std::move(plan));
        runner.prepare();
    });
    EXPECT_EQ(e.file(), ref(kDoubleMu));
    EXPECT_NE(std::string(e.what()).find("Evnets"), std::string::npos) << e.what();
}
