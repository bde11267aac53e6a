// The library producers made from YAML (parse) and select_objects' cut expressions: the keys of
// docs/events-library.md, and bad configurations failing with file, line and key.
#include "LibraryTestHelpers.hpp"

#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>

namespace hepkit::events {
namespace {

using testing::events_of;
using testing::f32;
using testing::Fixture;
using testing::place;
using testing::step_config;
using testing::values_of;
using V = std::vector<float>;
using I = std::vector<std::int32_t>;

std::vector<io::Column> muons_with_count() {
    return {f32("Muon_pt", {{25, 15, 30}, {}, {50, 21}, {20, 20.5f}}),
            f32("Muon_eta", {{0.5f, 1.0f, -2.5f}, {}, {-2.3f, 2.39f}, {0, 0}}),
            testing::jagged<std::int32_t>("Muon_charge", io::ColumnType::Int32,
                                          {{1, -1, 1}, {}, {-1, 1}, {1, -1}}),
            testing::scalar<std::int32_t>("nMuon", io::ColumnType::Int32, {3, 0, 2, 2})};
}

// Runs `f` and returns the InputError it throws (fails the test when it throws none).
template <class F>
InputError error_of(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    ADD_FAILURE() << "no InputError";
    return InputError("", 0, "", "");
}

TEST(LibraryConfig, SelectObjectsFromYaml) {
    const auto c = SelectObjects::parse(step_config("collection: Muon\n"
                                                    "output: GoodMuon\n"
                                                    "fields: [pt, charge]\n"
                                                    "min: {pt: 20}\n"
                                                    "max_abs: {eta: 2.4}\n"
                                                    "index: true\n"));
    EXPECT_EQ(c.collection, "Muon");
    EXPECT_EQ(c.fields, (std::vector<std::string>{"pt", "charge"}));
    ASSERT_EQ(c.cuts.size(), 2u);
    EXPECT_EQ(c.cuts[0].field, "pt");
    EXPECT_EQ(c.cuts[0].kind, FieldCut::Kind::min);
    EXPECT_EQ(c.cuts[1].kind, FieldCut::Kind::max_abs);
    EXPECT_EQ(c.cuts[1].threshold, 2.4);
    EXPECT_TRUE(c.index);
    EXPECT_TRUE(c.sort_by.empty());
    EXPECT_EQ(SelectObjects::parse(step_config("collection: Muon\nfields: [pt]\nsort_by: pt\n")).sort_by,
              "pt");
    Fixture fx(muons_with_count());
    SelectObjects sel(place("good"), c);
    EXPECT_EQ(sel.inputs(), (std::vector<std::string>{"Muon_pt", "Muon_charge", "Muon_eta"}));
    fx.declare(sel);
    EXPECT_EQ(events_of<float>(fx.run(), "GoodMuon_pt"), (std::vector<V>{{25}, {}, {50, 21}, {20.5f}}));
}

TEST(LibraryConfig, UnknownKeyNamesFileLineAndKey) {
    const InputError e =
        error_of([] { SelectObjects::parse(step_config("collection: Muon\nfields: [pt]\nmni: {pt: 2}\n")); });
    EXPECT_EQ(e.file(), "run.yaml");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.key(), "producers[0].mni");
    EXPECT_NE(std::string(e.what()).find("min_abs"), std::string::npos) << e.what(); // lists the allowed keys
}

TEST(LibraryConfig, BadValuesNameTheirKey) {
    EXPECT_EQ(error_of([] {
                  SelectObjects::parse(step_config("collection: Muon\nfields: [pt]\nmin: {pt: abc}\n"));
              }).key(),
              "producers[0].min.pt");
    EXPECT_EQ(error_of([] {
                  SelectObjects::parse(step_config("collection: Muon\nfields: [pt]\nmin: 20\n"));
              }).key(),
              "producers[0].min");
    EXPECT_EQ(
        error_of([] { Leading::parse(step_config("collection: Jet\nfields: [pt]\nrank: -1\n")); }).key(),
        "producers[0].rank");
    EXPECT_EQ(error_of([] { FourVectorSum::parse(step_config("collection: Mu\ncount: 0\n"), true); }).key(),
              "producers[0].count");
    EXPECT_EQ(error_of([] { FourVectorSum::parse(step_config("collection: Mu\nmass: -1\n"), true); }).key(),
              "producers[0].mass");
    EXPECT_EQ(error_of([] {
                  FourVectorSum::parse(step_config("collection: Mu\nparts: [{collection: Mu, count: 2}]\n"),
                                       false);
              }).key(),
              "producers[0].collection");
    EXPECT_EQ(error_of([] {
                  FourVectorSum::parse(step_config("parts: [{collection: Mu, cnt: 2}]\n"), false);
              }).key(),
              "producers[0].parts[0].cnt");
    EXPECT_EQ(
        error_of([] { FourVectorSum::parse(step_config("collection: Mu\ncomponents: true\n"), true); }).key(),
        "producers[0].components");
    EXPECT_EQ(
        error_of([] { DeltaRMatch::parse(step_config("collection: Jet\nto: Mu\nmax_dr: far\n")); }).key(),
        "producers[0].max_dr");
    EXPECT_EQ(error_of([] {
                  MetRecompute::parse(step_config("collection: Jet\nshifted_pt: Jet_ptUp\nfactor: 1.1\n"));
              }).key(),
              "producers[0].factor");
    EXPECT_EQ(error_of([] { MetRecompute::parse(step_config("collection: Jet\n")); }).line(), 1);
    EXPECT_EQ(error_of([] { EventWeight::parse(step_config("factors: []\n")); }).key(),
              "producers[0].factors");
    EXPECT_EQ(error_of([] { EventWeight::parse(step_config("output: w\n")); }).line(), 1); // factors missing
}

TEST(LibraryConfig, EveryProducerFromYaml) {
    const auto lead = Leading::parse(step_config("collection: Jet\nfields: [pt, eta]\nrank: 1\nsort_by: pt\n"
                                                 "default: -99\nvalid: hasJet2\noutput: Jet2\n"));
    EXPECT_EQ(lead.rank, 1);
    EXPECT_EQ(lead.sort_by, "pt");
    EXPECT_EQ(lead.fallback, -99);
    EXPECT_EQ(lead.valid, "hasJet2");

    const auto mass =
        FourVectorSum::parse(step_config("collection: GoodMuon\ncount: 2\nmass: 0.1057\n"), true);
    ASSERT_EQ(mass.parts.size(), 1u);
    EXPECT_EQ(mass.parts[0].count, 2);
    EXPECT_EQ(mass.parts[0].mass, 0.1057);
    EXPECT_TRUE(mass.mass_only);

    const auto sum = FourVectorSum::parse(
        step_config(
            "parts:\n  - {collection: Mu, count: 2}\n  - {collection: El, mass: 0}\ncomponents: true\n"
            "partial: true\ndefault: -1\n"),
        false);
    ASSERT_EQ(sum.parts.size(), 2u);
    EXPECT_EQ(sum.parts[0].count, 2);
    EXPECT_FALSE(sum.parts[0].mass.has_value());
    EXPECT_EQ(sum.parts[1].count, -1);
    EXPECT_EQ(sum.parts[1].mass, 0.0);
    EXPECT_TRUE(sum.components && sum.partial);
    EXPECT_EQ(sum.fallback, -1);

    const auto match =
        DeltaRMatch::parse(step_config("collection: Jet\nto: Muon\nmax_dr: 0.3\noutput: Jet_mu\n"));
    EXPECT_EQ(match.max_dr, 0.3);
    EXPECT_EQ(match.to, "Muon");

    const auto clean = DeltaRClean::parse(
        step_config("collection: Jet\nagainst: [GoodMuon, GoodElectron]\nfields: [pt]\ncount: nClean\n"));
    EXPECT_EQ(clean.against, (std::vector<std::string>{"GoodMuon", "GoodElectron"}));
    EXPECT_EQ(clean.max_dr, 0.4);
    EXPECT_EQ(DeltaRClean::parse(step_config("collection: Jet\nagainst: Mu\nfields: pt\n")).against,
              (std::vector<std::string>{"Mu"}));

    const auto met = MetRecompute::parse(step_config("collection: Jet\nfactor: Jet_jesUp\nmin_pt: 15\n"));
    EXPECT_EQ(met.met, "MET");
    EXPECT_EQ(met.factor.product, "Jet_jesUp");
    EXPECT_EQ(met.min_pt, 15.0);
    EXPECT_EQ(MetRecompute::parse(step_config("collection: Jet\nfactor: 1.02\n")).factor.number, 1.02);

    const auto w = EventWeight::parse(step_config("factors: [genWeight, 0.5, Muon_sf]\n"));
    ASSERT_EQ(w.factors.size(), 3u);
    EXPECT_EQ(w.factors[0].product, "genWeight");
    EXPECT_EQ(w.factors[1].number, 0.5);
    EXPECT_FALSE(w.factors[1].is_product());
}

// ---- cut expressions -----------------------------------------------------------------------

TEST(LibraryExpression, CutExpressionEqualsTheBuiltInCuts) {
    Fixture fx(muons_with_count());
    SelectObjects::Config c{"Muon", "E", {"pt"}, {}, {"Muon_pt > 20", "abs(Muon_eta) < 2.4"}, true, "", ""};
    SelectObjects sel(place("e"), c);
    EXPECT_EQ(sel.inputs(), (std::vector<std::string>{"Muon_pt", "Muon_eta"}));
    fx.declare(sel);
    const Batch b = fx.run();
    EXPECT_EQ(events_of<float>(b, "E_pt"), (std::vector<V>{{25}, {}, {50, 21}, {20.5f}}));
    EXPECT_EQ(events_of<std::int32_t>(b, "E_index"), (std::vector<I>{{0}, {}, {0, 1}, {1}}));
}

TEST(LibraryExpression, CombinedWithBuiltInCutsAndPerEventScalarsOnRows) {
    // Positive muons with pT > 20 in events with at least two muons (nMuon broadcast over the
    // event's muons), rows 0, 2, 3: e0 {25 (+), 30 (+)}, e2 {21 (+)}, e3 {20.5 is −} → {}.
    Fixture fx(muons_with_count());
    SelectObjects::Config c{
        "Muon", "P", {"pt"}, {{"pt", FieldCut::Kind::min, 20}}, {"(Muon_charge > 0) * (nMuon >= 2)"},
        false,  "",  ""};
    SelectObjects sel(place("p"), c);
    fx.declare(sel);
    const Batch b = fx.run({1, 0, 1, 1});
    EXPECT_EQ(events_of<float>(b, "P_pt"), (std::vector<V>{{25, 30}, {}, {21}, {}}));
}

TEST(LibraryExpression, CutKeyTakesOneExpressionOrAList) {
    EXPECT_EQ(
        SelectObjects::parse(step_config("collection: Muon\nfields: [pt]\ncut: Muon_pt > 20\n")).expressions,
        (std::vector<std::string>{"Muon_pt > 20"}));
    const auto c = SelectObjects::parse(step_config(
        "collection: Muon\nfields: [pt]\ncut: [Muon_pt > 20, abs(Muon_eta) < 2.4]\nmin: {pt: 1}\n"));
    EXPECT_EQ(c.expressions, (std::vector<std::string>{"Muon_pt > 20", "abs(Muon_eta) < 2.4"}));
    Fixture fx(muons_with_count());
    SelectObjects sel(place("s"), c);
    fx.declare(sel);
    EXPECT_EQ(values_of<std::int32_t>(fx.run(), "ns"), (I{1, 0, 2, 1}));
}

TEST(LibraryExpression, NarrowAndUnsignedIntegerProducts) {
    // NanoAOD's flags are uint8 (Muon_tightId), some indices int16: both read as int. The muons
    // of muons_with_count(): tight {1, 0, 1}, {}, {0, 1}, {1, 1}; quality {3, 2, 1}, {}, {5, 0}, {2, 9}.
    std::vector<io::Column> in = muons_with_count();
    in.push_back(testing::jagged<std::uint8_t>("Muon_tightId", io::ColumnType::UInt8,
                                               {{1, 0, 1}, {}, {0, 1}, {1, 1}}));
    in.push_back(testing::jagged<std::int16_t>("Muon_quality", io::ColumnType::Int16,
                                               {{3, 2, 1}, {}, {5, 0}, {2, 9}}));
    Fixture fx(in);
    SelectObjects sel(
        place("t"), SelectObjects::Config{
                        "Muon", "T", {"pt"}, {}, {"Muon_tightId == 1", "Muon_quality >= 2"}, false, "", ""});
    fx.declare(sel);
    EXPECT_EQ(events_of<float>(fx.run(), "T_pt"), (std::vector<V>{{25}, {}, {}, {20, 20.5f}}));
}

TEST(LibraryExpression, Uint64BeyondInt64IsAnError) {
    std::vector<io::Column> in{f32("X_pt", {{1, 2}}), testing::jagged<std::uint64_t>(
                                                          "X_id", io::ColumnType::UInt64, {{1, 1ull << 63}})};
    Fixture fx(in);
    SelectObjects sel(place("x"), SelectObjects::Config{"X", "Y", {"pt"}, {}, {"X_id > 0"}, false, "", ""});
    fx.declare(sel);
    const InputError e = error_of([&] { fx.run(); });
    EXPECT_NE(std::string(e.what()).find("9223372036854775808"), std::string::npos) << e.what();
}

TEST(LibraryExpression, PerEventCutIsRefused) {
    Fixture fx(muons_with_count());
    SelectObjects sel(place("p"),
                      SelectObjects::Config{"Muon", "P", {"pt"}, {}, {"nMuon >= 2"}, false, "", ""});
    const InputError e = error_of([&] { fx.declare(sel); });
    EXPECT_NE(std::string(e.what()).find("one value per object"), std::string::npos) << e.what();
}

TEST(LibraryExpression, UnknownNameNamesTheClosest) {
    Fixture fx(muons_with_count());
    SelectObjects sel(place("p"),
                      SelectObjects::Config{"Muon", "P", {"pt"}, {}, {"Muon_pT > 20"}, false, "", ""});
    const InputError e = error_of([&] { fx.declare(sel); });
    EXPECT_NE(std::string(e.what()).find("Muon_pt"), std::string::npos) << e.what();
}

TEST(LibraryExpression, ConstantsAndFunctionsAreNotInputs) {
    SelectObjects sel(
        place("p"),
        SelectObjects::Config{
            "Muon", "P", {"pt"}, {}, {"abs(Muon_phi) < np.pi / 2", "sqrt(Muon_pt) > e"}, false, "", ""});
    EXPECT_EQ(sel.inputs(), (std::vector<std::string>{"Muon_pt", "Muon_phi"}));
}

} // namespace
} // namespace hepkit::events
