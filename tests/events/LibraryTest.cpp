// The library of common producers (Library.hpp) on small hand-made batches: select_objects,
// leading, event_weight. Expected values are worked by hand in the comments.
#include "LibraryTestHelpers.hpp"

#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace hepkit::events {
namespace {

using testing::events_of;
using testing::f32;
using testing::Fixture;
using testing::place;
using testing::values_of;
using V = std::vector<float>;
using I = std::vector<std::int32_t>;

// Four events of muons:
//   e0: pT 25, 15, 30 with η 0.5, 1.0, −2.5 → pT > 20 and |η| < 2.4 keeps object 0 only
//       (15 fails pT, 30 fails |η|);
//   e1: no muon → none;
//   e2: pT 50, 21 with η −2.3, 2.39 → both;
//   e3: pT 20, 20.5 with η 0, 0 → the cut is strict: object 1 only.
std::vector<io::Column> muons() {
    return {f32("Muon_pt", {{25, 15, 30}, {}, {50, 21}, {20, 20.5f}}),
            f32("Muon_eta", {{0.5f, 1.0f, -2.5f}, {}, {-2.3f, 2.39f}, {0, 0}}),
            testing::jagged<std::int32_t>("Muon_charge", io::ColumnType::Int32,
                                          {{1, -1, 1}, {}, {-1, 1}, {1, -1}})};
}

SelectObjects::Config good_muons() {
    SelectObjects::Config c;
    c.collection = "Muon";
    c.output = "GoodMuon";
    c.fields = {"pt", "charge"};
    c.cuts = {{"pt", FieldCut::Kind::min, 20}, {"eta", FieldCut::Kind::max_abs, 2.4}};
    c.index = true;
    return c;
}

TEST(LibrarySelect, BuiltInCutsKeepOrderTypesAndIndices) {
    Fixture fx(muons());
    SelectObjects sel(place("good_muons"), good_muons());
    fx.declare(sel);
    const Batch b = fx.run();
    EXPECT_EQ(events_of<float>(b, "GoodMuon_pt"), (std::vector<V>{{25}, {}, {50, 21}, {20.5f}}));
    EXPECT_EQ(events_of<std::int32_t>(b, "GoodMuon_charge"), (std::vector<I>{{1}, {}, {-1, 1}, {-1}}));
    EXPECT_EQ(events_of<std::int32_t>(b, "GoodMuon_index"), (std::vector<I>{{0}, {}, {0, 1}, {1}}));
    EXPECT_EQ(values_of<std::int32_t>(b, "nGoodMuon"), (I{1, 0, 2, 1}));
    // The copied field keeps its input type; counts and indices are int32.
    EXPECT_EQ(b.schema().info(*b.schema().find("GoodMuon_charge")).type, io::ColumnType::Int32);
    EXPECT_EQ(b.schema().info(*b.schema().find("nGoodMuon")).type, io::ColumnType::Int32);
}

TEST(LibrarySelect, UnselectedRowsAreEmpty) {
    // Rows 0 and 2 did not pass an earlier filter: no objects, count 0.
    Fixture fx(muons());
    SelectObjects sel(place("good_muons"), good_muons());
    fx.declare(sel);
    const Batch b = fx.run({0, 1, 0, 1});
    EXPECT_EQ(events_of<float>(b, "GoodMuon_pt"), (std::vector<V>{{}, {}, {}, {20.5f}}));
    EXPECT_EQ(values_of<std::int32_t>(b, "nGoodMuon"), (I{0, 0, 0, 1}));
    EXPECT_EQ(events_of<std::int32_t>(b, "GoodMuon_index"), (std::vector<I>{{}, {}, {}, {1}}));
}

TEST(LibrarySelect, EveryKindOfCut) {
    // Each cut alone, on pT {5, 10, 15, 20}, η {−3, 0.1, −1, 2}, id {1, 1, 0, 1}: min 5 (>) drops
    // pT 5; max 20 (<) drops 20; |η| > 0.5 drops η 0.1; |η| < 2.5 drops −3; id == 1 drops object 2.
    const std::vector<io::Column> in{
        f32("J_pt", {{5, 10, 15, 20}}), f32("J_eta", {{-3, 0.1f, -1, 2}}),
        testing::jagged<std::uint8_t>("J_id", io::ColumnType::UInt8, {{1, 1, 0, 1}})};
    auto check = [&](const char* field, FieldCut::Kind kind, double threshold, const V& expected) {
        Fixture fx(in);
        SelectObjects sel(
            place("s"),
            SelectObjects::Config{"J", "S", {"pt"}, {FieldCut{field, kind, threshold}}, {}, false, "", ""});
        fx.declare(sel);
        EXPECT_EQ(events_of<float>(fx.run(), "S_pt"), (std::vector<V>{expected})) << field;
    };
    check("pt", FieldCut::Kind::min, 5, {10, 15, 20});
    check("pt", FieldCut::Kind::max, 20, {5, 10, 15});
    check("eta", FieldCut::Kind::min_abs, 0.5, {5, 15, 20});
    check("eta", FieldCut::Kind::max_abs, 2.5, {10, 15, 20});
    check("id", FieldCut::Kind::equal, 1, {5, 10, 20});
}

TEST(LibrarySelect, NaNFailsEveryCut) {
    const float nan = std::nanf("");
    Fixture fx({f32("J_pt", {{nan, 30}})});
    SelectObjects sel(
        place("s"),
        SelectObjects::Config{"J", "S", {"pt"}, {{"pt", FieldCut::Kind::max, 100}}, {}, false, "", ""});
    fx.declare(sel);
    EXPECT_EQ(events_of<float>(fx.run(), "S_pt"), (std::vector<V>{{30}}));
}

TEST(LibrarySelect, FieldOfAnotherLayoutIsMappedByEvent) {
    // Muon_iso made by an earlier producer for rows 1 and 2 only: its offsets differ from
    // Muon_pt's (row 0 empty) though the counts of the selected rows agree.
    io::Column iso = f32("Muon_iso", {{}, {0.1f, 0.5f}, {0.05f}});
    Fixture fx({f32("Muon_pt", {{1, 2, 3}, {30, 40}, {50}}), iso});
    SelectObjects sel(
        place("s"), SelectObjects::Config{
                        "Muon", "Iso", {"pt", "iso"}, {{"iso", FieldCut::Kind::max, 0.2}}, {}, true, "", ""});
    fx.declare(sel);
    const Batch b = fx.run({0, 1, 1});
    EXPECT_EQ(events_of<float>(b, "Iso_pt"), (std::vector<V>{{}, {30}, {50}}));
    // The copied field of the other layout: the same objects, found by event.
    EXPECT_EQ(events_of<float>(b, "Iso_iso"), (std::vector<V>{{}, {0.1f}, {0.05f}}));
    EXPECT_EQ(events_of<std::int32_t>(b, "Iso_index"), (std::vector<I>{{}, {0}, {0}}));
}

TEST(LibrarySelect, SortByAFieldAfterAShift) {
    // Muon pT shifted so that the stored order is no longer pT order: {10, 30, 20} with a NaN and
    // a tie: sorted decreasing {30, 20, 10, NaN}; e1 {5, 5} keeps its stored order (tie). The
    // index product follows the objects; row 2 is unselected.
    const float nan = std::nanf("");
    Fixture fx({f32("Muon_pt", {{10, 30, nan, 20}, {5, 5}, {1, 2}}),
                f32("Muon_eta", {{0, 1, 2, 3}, {4, 5}, {6, 7}})});
    SelectObjects sel(place("s"),
                      SelectObjects::Config{"Muon", "Sorted", {"pt", "eta"}, {}, {}, true, "", "pt"});
    EXPECT_EQ(sel.inputs(), (std::vector<std::string>{"Muon_pt", "Muon_eta"}));
    fx.declare(sel);
    const Batch b = fx.run({1, 1, 0});
    EXPECT_EQ(events_of<float>(b, "Sorted_eta"), (std::vector<V>{{1, 3, 0, 2}, {4, 5}, {}}));
    EXPECT_EQ(events_of<std::int32_t>(b, "Sorted_index"), (std::vector<I>{{1, 3, 0, 2}, {0, 1}, {}}));
    const auto pt = events_of<float>(b, "Sorted_pt");
    EXPECT_EQ(pt[0][0], 30);
    EXPECT_TRUE(std::isnan(pt[0][3]));
}

TEST(LibrarySelect, CountMismatchNamesTheEntry) {
    // Muon_eta has two values in event 1 where Muon_pt has one: entry 1000 + 1.
    Fixture fx({f32("Muon_pt", {{1}, {2}}), f32("Muon_eta", {{1}, {2, 3}})});
    SelectObjects sel(
        place("s"),
        SelectObjects::Config{"Muon", "S", {"pt"}, {{"eta", FieldCut::Kind::max_abs, 2}}, {}, false, "", ""});
    fx.declare(sel);
    try {
        fx.run();
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("entry 1001"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("Muon_eta"), std::string::npos) << e.what();
    }
}

TEST(LibrarySelect, DeclareErrors) {
    {
        // A product that is not there: the message names the step and the closest names.
        Fixture fx(muons());
        SelectObjects sel(place("s"), SelectObjects::Config{"Muon", "S", {"phi"}, {}, {}, false, "", ""});
        try {
            fx.declare(sel);
            FAIL() << "no error";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("producer s"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("Muon_phi"), std::string::npos) << e.what();
        }
    }
    {
        // A per-event product where an array is needed.
        Fixture fx({testing::scalar<float>("X_pt", io::ColumnType::Float32, {1, 2})});
        SelectObjects sel(place("s"), SelectObjects::Config{"X", "S", {"pt"}, {}, {}, false, "", ""});
        EXPECT_THROW(fx.declare(sel), InputError);
    }
    {
        // An output name that exists already.
        Fixture fx(muons());
        SelectObjects sel(place("s"),
                          SelectObjects::Config{"Muon", "Muon", {"pt"}, {}, {}, false, "nMuonOut", ""});
        EXPECT_THROW(fx.declare(sel), InputError);
    }
    // Bad configurations made in code.
    EXPECT_THROW(SelectObjects(place("s"), SelectObjects::Config{"", "S", {"pt"}, {}, {}, false, "", ""}),
                 InputError);
    EXPECT_THROW(SelectObjects(place("s"), SelectObjects::Config{"Muon", "S", {}, {}, {}, false, "", ""}),
                 InputError);
    EXPECT_THROW(
        SelectObjects(place("s"), SelectObjects::Config{"Muon", "S", {"pt", "pt"}, {}, {}, false, "", ""}),
        InputError);
    EXPECT_THROW(SelectObjects(place(""), SelectObjects::Config{"Muon", "", {"pt"}, {}, {}, false, "", ""}),
                 InputError);
}

TEST(LibrarySelect, OutputDefaultsToTheStepName) {
    Fixture fx(muons());
    SelectObjects sel(place("Tight"), SelectObjects::Config{"Muon", "", {"pt"}, {}, {}, false, "", ""});
    fx.declare(sel);
    EXPECT_EQ(values_of<std::int32_t>(fx.run(), "nTight"), (I{3, 0, 2, 2}));
}

// ---- leading --------------------------------------------------------------------------------

TEST(LibraryLeading, StoredOrderWithDefault) {
    // Rank 1 (the second object) of {25, 15, 30}, {}, {50, 21}, {20, 20.5}: 15, −1, 21, 20.5.
    Fixture fx(muons());
    Leading lead(place("second"), Leading::Config{"Muon", "Sub", {"pt", "charge"}, 1, "", -1, "hasSub"});
    fx.declare(lead);
    const Batch b = fx.run();
    EXPECT_EQ(values_of<float>(b, "Sub_pt"), (V{15, -1, 21, 20.5f}));
    EXPECT_EQ(values_of<std::int32_t>(b, "Sub_charge"), (I{-1, -1, 1, -1}));
    EXPECT_EQ(values_of<std::uint8_t>(b, "hasSub"), (std::vector<std::uint8_t>{1, 0, 1, 1}));
}

TEST(LibraryLeading, SortedByAField) {
    // By decreasing pT: e0 {25, 15, 30} → 30 (object 2) then 25; e3 {20, 20.5} → 20.5 then 20.
    // Ties keep the stored order; NaN ranks last.
    const float nan = std::nanf("");
    Fixture fx({f32("Muon_pt", {{25, 15, 30}, {7, 7, 9}, {nan, 3}}),
                f32("Muon_eta", {{0.1f, 0.2f, 0.3f}, {1, 2, 3}, {4, 5}})});
    Leading first(place("first"), Leading::Config{"Muon", "L0", {"pt", "eta"}, 0, "pt", 0, ""});
    Leading second(place("second"), Leading::Config{"Muon", "L1", {"eta"}, 1, "pt", 0, ""});
    Leading third(place("third"), Leading::Config{"Muon", "L2", {"eta"}, 2, "pt", -9, ""});
    fx.declare(first);
    fx.declare(second);
    fx.declare(third);
    const Batch b = fx.run();
    EXPECT_EQ(values_of<float>(b, "L0_pt"), (V{30, 9, 3}));
    EXPECT_EQ(values_of<float>(b, "L0_eta"), (V{0.3f, 3, 5}));
    EXPECT_EQ(values_of<float>(b, "L1_eta"), (V{0.1f, 1, 4}));
    EXPECT_EQ(values_of<float>(b, "L2_eta"), (V{0.2f, 2, -9}));
}

TEST(LibraryLeading, UnselectedRowsAreZero) {
    Fixture fx(muons());
    Leading lead(place("lead"), Leading::Config{"Muon", "L", {"pt"}, 0, "", -1, ""});
    fx.declare(lead);
    EXPECT_EQ(values_of<float>(fx.run({1, 1, 0, 1}), "L_pt"), (V{25, -1, 0, 20}));
}

TEST(LibraryLeading, DefaultMustFitTheFieldType) {
    Fixture fx({testing::jagged<std::uint8_t>("J_id", io::ColumnType::UInt8, {{1}})});
    Leading lead(place("lead"), Leading::Config{"J", "L", {"id"}, 0, "", -1, ""});
    EXPECT_THROW(fx.declare(lead), InputError);
    EXPECT_THROW(Leading(place("lead"), Leading::Config{"J", "L", {"id"}, -1, "", 0, ""}), InputError);
    Fixture f32fx({f32("J_pt", {{1}})});
    Leading huge(place("huge"), Leading::Config{"J", "L", {"pt"}, 0, "", 1e300, ""});
    EXPECT_THROW(f32fx.declare(huge), InputError);
}

// ---- event_weight ---------------------------------------------------------------------------

TEST(LibraryWeight, ProductOfNumbersScalarsAndObjects) {
    // genWeight × puWeight × 1.02 × 0.5 × Π muon SF:
    //   e0: −2 × 0.9 × 0.51 × (0.98 × 0.95) = −0.854658
    //   e1:  1 × 1.1 × 0.51 × 1 (no muon)   =  0.561
    //   e2:  unselected                      →  0
    Fixture fx({testing::scalar<float>("genWeight", io::ColumnType::Float32, {-2, 1, 3}),
                testing::scalar<double>("puWeight", io::ColumnType::Float64, {0.9, 1.1, 1.0}),
                testing::f64("Muon_sf", {{0.98, 0.95}, {}, {2}})});
    EventWeight w(
        place("weight"),
        EventWeight::Config{{{0, "genWeight"}, {0, "puWeight"}, {1.02, ""}, {0.5, ""}, {0, "Muon_sf"}}, ""});
    fx.declare(w);
    const auto v = values_of<double>(fx.run({1, 1, 0}), "weight");
    ASSERT_EQ(v.size(), 3u);
    EXPECT_NEAR(v[0], -2 * 0.9 * 0.51 * 0.98 * 0.95, 1e-12);
    EXPECT_NEAR(v[1], 1.1 * 0.51, 1e-12);
    EXPECT_EQ(v[2], 0.0);
    EXPECT_EQ(w.inputs(), (std::vector<std::string>{"genWeight", "puWeight", "Muon_sf"}));
}

TEST(LibraryWeight, Errors) {
    EXPECT_THROW(EventWeight(place("w"), EventWeight::Config{{}, ""}), InputError);
    EXPECT_THROW(EventWeight(place("w"), EventWeight::Config{{{NAN, ""}}, ""}), InputError);
    Fixture fx({testing::scalar<float>("genWeight", io::ColumnType::Float32, {1})});
    EventWeight w(place("w"), EventWeight::Config{{{0, "genweight"}}, ""});
    EXPECT_THROW(fx.declare(w), InputError);
}

} // namespace
} // namespace hepkit::events
