// Kinematic producers of the library (Library.hpp): four_vector_sum / invariant_mass,
// delta_r_match / delta_r_clean, met_recompute. Expected values are closed forms written in the
// test, or numbers computed with python3/numpy (the script is quoted where they are used).
#include "LibraryTestHelpers.hpp"

#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace hepkit::events {
namespace {

using testing::events_of;
using testing::f32;
using testing::f64;
using testing::Fixture;
using testing::place;
using testing::values_of;
using D = std::vector<double>;
using I = std::vector<std::int32_t>;
constexpr double pi = std::numbers::pi;

// The massless pair mass, m² = 2 pT1 pT2 (cosh Δη − cos Δφ).
double massless_pair(double pt1, double eta1, double phi1, double pt2, double eta2, double phi2) {
    return std::sqrt(2 * pt1 * pt2 * (std::cosh(eta1 - eta2) - std::cos(phi1 - phi2)));
}

FourVectorSum::Config mass_of(std::vector<SumPart> parts, const std::string& output) {
    FourVectorSum::Config c;
    c.parts = std::move(parts);
    c.output = output;
    c.mass_only = true;
    return c;
}

TEST(LibraryFourVector, MasslessPairEqualsTheClosedForm) {
    // e0: (30, 0.5, 0.1) + (40, −1.2, 2.9): numpy gives 95.12775996805927 for the closed form.
    // e1: a boosted, nearly collinear pair (1000, 3.0, 0.2) + (800, 3.1, 0.25): cancellation in
    //     E² − p², which double precision keeps to ~1e-9 relative.
    // e2: back to back at η = 0: 2 × 45 = 90 exactly.
    Fixture fx({f64("Mu_pt", {{30, 40}, {1000, 800}, {45, 45}}),
                f64("Mu_eta", {{0.5, -1.2}, {3.0, 3.1}, {0, 0}}),
                f64("Mu_phi", {{0.1, 2.9}, {0.2, 0.25}, {0, pi}})});
    FourVectorSum m(place("m"), mass_of({SumPart{"Mu", 2, 0.0}}, "m_mumu"));
    fx.declare(m);
    const D v = values_of<double>(fx.run(), "m_mumu");
    EXPECT_NEAR(v[0], 95.12775996805927, 1e-10);
    EXPECT_NEAR(v[0], massless_pair(30, 0.5, 0.1, 40, -1.2, 2.9), 1e-10);
    EXPECT_NEAR(v[1], massless_pair(1000, 3.0, 0.2, 800, 3.1, 0.25), 1e-9 * v[1]);
    EXPECT_NEAR(v[2], 90, 1e-12);
}

TEST(LibraryFourVector, MassiveBackToBackPair) {
    // Two muons of pT 45 back to back at η = 0: |p⃗ sum| = 0, M = 2 sqrt(45² + m_μ²).
    const double mmu = 0.1056583755;
    Fixture fx({f32("Mu_pt", {{45, 45}}), f32("Mu_eta", {{0, 0}}),
                f32("Mu_phi", {{0, static_cast<float>(pi)}}),
                f32("Mu_mass", {{static_cast<float>(mmu), static_cast<float>(mmu)}})});
    FourVectorSum m(place("m"), mass_of({SumPart{"Mu", 2, std::nullopt}}, "m"));
    fx.declare(m);
    const double mf = static_cast<float>(mmu);
    EXPECT_NEAR(values_of<double>(fx.run(), "m")[0], 2 * std::sqrt(45.0 * 45.0 + mf * mf), 1e-4);
}

TEST(LibraryFourVector, SumOfThreeObjectsFromTwoCollections) {
    // Two muons (m = 0.105658) and one electron (m = 0.000511); numpy:
    //   objs = [(35, .3, 1.2, .105658), (22, -1.1, -2.0, .105658), (48, 2.0, .4, .000511)]
    //   px, py, pz = pt cos φ, pt sin φ, pt sinh η; E = sqrt(p² + m²); summed
    //   → pt 57.08927273542241, eta 1.7264617219059877, phi 0.5804736989605588,
    //     mass 192.5048095533309, (px, py, pz, E) = (47.73821871478492, 31.30890504950315,
    //     155.363265504575, 253.87995397602526)
    Fixture fx({f64("Mu_pt", {{35, 22, 99}}), f64("Mu_eta", {{0.3, -1.1, 0}}),
                f64("Mu_phi", {{1.2, -2.0, 0}}), f64("El_pt", {{48}}), f64("El_eta", {{2.0}}),
                f64("El_phi", {{0.4}})});
    FourVectorSum::Config c;
    c.parts = {SumPart{"Mu", 2, 0.105658}, SumPart{"El", -1, 0.000511}};
    c.output = "X";
    c.components = true;
    FourVectorSum sum(place("x"), c);
    fx.declare(sum);
    const Batch b = fx.run();
    EXPECT_NEAR(values_of<double>(b, "X_pt")[0], 57.08927273542241, 1e-11);
    EXPECT_NEAR(values_of<double>(b, "X_eta")[0], 1.7264617219059877, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "X_phi")[0], 0.5804736989605588, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "X_mass")[0], 192.5048095533309, 1e-10);
    EXPECT_NEAR(values_of<double>(b, "X_px")[0], 47.73821871478492, 1e-11);
    EXPECT_NEAR(values_of<double>(b, "X_py")[0], 31.30890504950315, 1e-11);
    EXPECT_NEAR(values_of<double>(b, "X_pz")[0], 155.363265504575, 1e-10);
    EXPECT_NEAR(values_of<double>(b, "X_e")[0], 253.87995397602526, 1e-10);
}

TEST(LibraryFourVector, TooFewObjectsDefaultOrPartialAndUnselectedRows) {
    // e0 has one muon: not enough for count 2 → default −1, or (partial) that muon alone: its
    // mass 0 (massless) and its pT 30. e1 is unselected → 0. e2: two massless muons.
    Fixture fx({f64("Mu_pt", {{30}, {10, 10}, {30, 40}}), f64("Mu_eta", {{0.5}, {0, 0}, {0.5, -1.2}}),
                f64("Mu_phi", {{0.1}, {0, 1}, {0.1, 2.9}})});
    FourVectorSum::Config strict;
    strict.parts = {SumPart{"Mu", 2, 0.0}};
    strict.output = "Z";
    strict.fallback = -1;
    FourVectorSum::Config partial = strict;
    partial.output = "P";
    partial.partial = true;
    FourVectorSum a(place("a"), strict), p(place("p"), partial);
    fx.declare(a);
    fx.declare(p);
    const Batch b = fx.run({1, 0, 1});
    EXPECT_EQ(values_of<double>(b, "Z_mass")[0], -1);
    EXPECT_EQ(values_of<double>(b, "Z_pt")[0], -1);
    EXPECT_EQ(values_of<double>(b, "Z_mass")[1], 0);
    EXPECT_NEAR(values_of<double>(b, "Z_mass")[2], 95.12775996805927, 1e-10);
    EXPECT_NEAR(values_of<double>(b, "P_pt")[0], 30, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "P_eta")[0], 0.5, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "P_phi")[0], 0.1, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "P_mass")[0], 0, 1e-6);
    EXPECT_EQ(values_of<double>(b, "P_pt")[1], 0);
}

TEST(LibraryFourVector, MixedColumnTypes) {
    // pT float32, η float64, φ int32 (0 and 3 rad): converted, same closed form.
    Fixture fx({f32("Mu_pt", {{30, 40}}), f64("Mu_eta", {{0.5, -1.2}}),
                testing::jagged<std::int32_t>("Mu_phi", io::ColumnType::Int32, {{0, 3}})});
    FourVectorSum m(place("m"), mass_of({SumPart{"Mu", 2, 0.0}}, "m"));
    fx.declare(m);
    EXPECT_NEAR(values_of<double>(fx.run(), "m")[0], massless_pair(30, 0.5, 0, 40, -1.2, 3), 1e-9);
}

TEST(LibraryFourVector, Errors) {
    EXPECT_THROW(FourVectorSum(place("m"), mass_of({}, "m")), InputError);
    EXPECT_THROW(FourVectorSum(place("m"), mass_of({SumPart{"Mu", 0, 0.0}}, "m")), InputError);
    EXPECT_THROW(FourVectorSum(place("m"), mass_of({SumPart{"Mu", 2, -1.0}}, "m")), InputError);
    // Without a constant mass it reads Mu_mass, which is missing.
    Fixture fx({f64("Mu_pt", {{1}}), f64("Mu_eta", {{1}}), f64("Mu_phi", {{1}})});
    FourVectorSum m(place("m"), mass_of({SumPart{"Mu", 2, std::nullopt}}, "m"));
    EXPECT_EQ(m.inputs(), (std::vector<std::string>{"Mu_pt", "Mu_eta", "Mu_phi", "Mu_mass"}));
    EXPECT_THROW(fx.declare(m), InputError);
}

TEST(LibraryFourVector, CountMismatchNamesTheEntry) {
    // Mu_phi has one value in event 1 where Mu_pt has two: entry 1000 + 1, read for the mass.
    Fixture fx(
        {f64("Mu_pt", {{1, 2}, {3, 4}}), f64("Mu_eta", {{0, 0}, {0, 0}}), f64("Mu_phi", {{0, 1}, {2}})});
    FourVectorSum m(place("m"), mass_of({SumPart{"Mu", 2, 0.0}}, "m"));
    fx.declare(m);
    try {
        fx.run();
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("entry 1001"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("Mu_phi"), std::string::npos) << e.what();
    }
}

// ---- ΔR ---------------------------------------------------------------------------------------

TEST(LibraryDeltaR, MatchClosestWithinTheCutAndWrapPhi) {
    // Jets of e0: j0 (η 0, φ 3.1), j1 (η 1, φ 0), j2 (η −2, φ 1).
    // Muons of e0: m0 (η 0.1, φ −3.1), m1 (η 1.3, φ 0.1).
    //   j0–m0: Δη −0.1, Δφ = 6.2 − 2π = −0.0831853 → ΔR 0.1300306 (without the wrap it is 6.2);
    //   j1–m1: Δη −0.3, Δφ −0.1 → ΔR sqrt(0.1) = 0.3162278; j1–m0 is far.
    //   j2: nearest muon m0, ΔR ≈ 3 > 0.4 → −1.
    // e1: no muons → −1 for its jet. e2 unselected → no entries.
    Fixture fx({f64("Jet_eta", {{0, 1, -2}, {0}, {0}}), f64("Jet_phi", {{3.1, 0, 1}, {0}, {0}}),
                f64("Mu_eta", {{0.1, 1.3}, {}, {0}}), f64("Mu_phi", {{-3.1, 0.1}, {}, {0}})});
    DeltaRMatch match(place("m"), DeltaRMatch::Config{"Jet", "Mu", 0.4, "Jet_mu"});
    fx.declare(match);
    const Batch b = fx.run({1, 1, 0});
    EXPECT_EQ(events_of<std::int32_t>(b, "Jet_mu_index"), (std::vector<I>{{0, 1, -1}, {-1}, {}}));
    const auto dr = events_of<double>(b, "Jet_mu_dr");
    ASSERT_EQ(dr[0].size(), 3u);
    EXPECT_NEAR(dr[0][0], std::hypot(0.1, 2 * pi - 6.2), 1e-12);
    EXPECT_NEAR(dr[0][1], std::sqrt(0.1), 1e-12);
    EXPECT_EQ(dr[0][2], -1);
    EXPECT_EQ(dr[1], (D{-1}));
    EXPECT_TRUE(dr[2].empty());
}

TEST(LibraryDeltaR, MatchTakesTheClosestOfSeveral) {
    // Jet at (0, 0); muons at ΔR 0.3 (η 0.3), 0.1 (φ 0.1), 0.2 (η −0.2): the closest is index 1.
    Fixture fx({f64("Jet_eta", {{0}}), f64("Jet_phi", {{0}}), f64("Mu_eta", {{0.3, 0, -0.2}}),
                f64("Mu_phi", {{0, 0.1, 0}})});
    DeltaRMatch match(place("m"), DeltaRMatch::Config{"Jet", "Mu", 0.4, "J"});
    fx.declare(match);
    const Batch b = fx.run();
    EXPECT_EQ(events_of<std::int32_t>(b, "J_index")[0], (I{1}));
    EXPECT_NEAR(events_of<double>(b, "J_dr")[0][0], 0.1, 1e-15);
}

TEST(LibraryDeltaR, CleanJetsAgainstTwoCollections) {
    // Jets (η, φ): j0 (0, 0), j1 (1, 1), j2 (−1, 3.1), j3 (2, −2).
    // Muon (0.2, 0.1): ΔR to j0 = 0.2236 < 0.4 → j0 removed.
    // Electron (−1, −3.1): Δφ to j2 wraps to 0.0832 → j2 removed.
    // j1, j3 are far from both: kept, in order, with indices 1 and 3.
    Fixture fx({f32("Jet_pt", {{50, 40, 30, 20}}), f32("Jet_eta", {{0, 1, -1, 2}}),
                f32("Jet_phi", {{0, 1, 3.1f, -2}}), f32("Mu_eta", {{0.2f}}), f32("Mu_phi", {{0.1f}}),
                f32("El_eta", {{-1}}), f32("El_phi", {{-3.1f}})});
    DeltaRClean clean(place("c"),
                      DeltaRClean::Config{"Jet", {"Mu", "El"}, 0.4, "CleanJet", {"pt"}, true, ""});
    fx.declare(clean);
    const Batch b = fx.run();
    EXPECT_EQ(events_of<float>(b, "CleanJet_pt")[0], (std::vector<float>{40, 20}));
    EXPECT_EQ(events_of<std::int32_t>(b, "CleanJet_index")[0], (I{1, 3}));
    EXPECT_EQ(values_of<std::int32_t>(b, "nCleanJet"), (I{2}));
}

TEST(LibraryDeltaR, Errors) {
    EXPECT_THROW(DeltaRMatch(place("m"), DeltaRMatch::Config{"Jet", "", 0.4, "J"}), InputError);
    EXPECT_THROW(DeltaRMatch(place("m"), DeltaRMatch::Config{"Jet", "Mu", 0, "J"}), InputError);
    EXPECT_THROW(DeltaRMatch(place("m"), DeltaRMatch::Config{"Jet", "Mu", NAN, "J"}), InputError);
    EXPECT_THROW(DeltaRClean(place("c"), DeltaRClean::Config{"Jet", {}, 0.4, "C", {"pt"}, false, ""}),
                 InputError);
}

// ---- MET --------------------------------------------------------------------------------------

TEST(LibraryMet, ScaledJetShiftsMet) {
    // MET (50, φ 0) and one jet pT 100 at φ π/2 scaled by 1.1: the jet gains 10 along +y, so
    // MET' = (50, 0) − (0, 10) = (50, −10): pT sqrt(2600), φ atan2(−10, 50).
    const float half_pi = static_cast<float>(pi / 2);
    Fixture fx({testing::scalar<float>("MET_pt", io::ColumnType::Float32, {50}),
                testing::scalar<float>("MET_phi", io::ColumnType::Float32, {0}), f32("Jet_pt", {{100}}),
                f32("Jet_phi", {{half_pi}})});
    MetRecompute::Config c;
    c.collection = "Jet";
    c.factor = {1.1, ""};
    c.output = "MET_up";
    MetRecompute met(place("met"), c);
    fx.declare(met);
    const Batch b = fx.run();
    // φ is float32(π/2): its cosine is −4.37e-8, not 0, hence the tolerance.
    EXPECT_NEAR(values_of<double>(b, "MET_up_pt")[0], std::sqrt(2600.0), 1e-5);
    EXPECT_NEAR(values_of<double>(b, "MET_up_phi")[0], std::atan2(-10.0, 50.0), 1e-6);
}

TEST(LibraryMet, BalanceIsKeptForEveryWayOfGivingTheShift) {
    // Events whose MET balances the jets exactly (MET⃗ = −Σ jets). After any shift, the
    // recomputed MET must balance the shifted jets: MET⃗' = −Σ pT'(cos φ, sin φ). Shifts given as
    // shifted pT, a factor per jet, a factor per event and a number; min_pt leaves jets with
    // pT' ≤ 30 out of the change.
    const std::vector<std::vector<double>> pt{{60, 35, 20}, {80}, {}};
    const std::vector<std::vector<double>> phi{{0.3, 2.5, -1.9}, {-0.7}, {}};
    const std::vector<std::vector<double>> factor{{1.05, 0.9, 1.3}, {0.8}, {}};
    const std::vector<double> event_factor{1.02, 0.97, 1.5};
    std::vector<double> met_pt, met_phi;
    std::vector<std::vector<double>> shifted = pt;
    for (std::size_t e = 0; e < pt.size(); ++e) {
        double x = 0, y = 0;
        for (std::size_t j = 0; j < pt[e].size(); ++j) {
            x -= pt[e][j] * std::cos(phi[e][j]);
            y -= pt[e][j] * std::sin(phi[e][j]);
            shifted[e][j] = pt[e][j] * factor[e][j];
        }
        met_pt.push_back(std::hypot(x, y));
        met_phi.push_back(std::atan2(y, x));
    }
    Fixture fx({testing::scalar<double>("MET_pt", io::ColumnType::Float64, met_pt),
                testing::scalar<double>("MET_phi", io::ColumnType::Float64, met_phi), f64("Jet_pt", pt),
                f64("Jet_phi", phi), f64("Jet_ptShifted", shifted), f64("Jet_factor", factor),
                testing::scalar<double>("jes", io::ColumnType::Float64, event_factor)});
    auto config = [](const std::string& out) {
        MetRecompute::Config c;
        c.collection = "Jet";
        c.output = out;
        return c;
    };
    MetRecompute::Config a = config("A"), f = config("F"), e = config("E"), n = config("N"), t = config("T");
    a.shifted_pt = "Jet_ptShifted";
    f.factor = {0, "Jet_factor"};
    e.factor = {0, "jes"};
    n.factor = {1.2, ""};
    t.factor = {0, "Jet_factor"};
    t.min_pt = 30;
    MetRecompute pa(place("a"), a), pf(place("f"), f), pe(place("e"), e), pn(place("n"), n),
        pthr(place("t"), t);
    for (MetRecompute* p : {&pa, &pf, &pe, &pn, &pthr})
        fx.declare(*p);
    const Batch b = fx.run();
    const double none = -1e300;
    auto expect_balance = [&](const std::string& out, auto shifted_pt, double threshold) {
        for (std::size_t ev = 0; ev < pt.size(); ++ev) {
            double x = 0, y = 0;
            for (std::size_t j = 0; j < pt[ev].size(); ++j) {
                const double s = shifted_pt(ev, j);
                // A jet left out by the threshold keeps its old pT in the balance.
                const double used = s > threshold ? s : pt[ev][j];
                x -= used * std::cos(phi[ev][j]);
                y -= used * std::sin(phi[ev][j]);
            }
            EXPECT_NEAR(values_of<double>(b, out + "_pt")[ev], std::hypot(x, y), 1e-10)
                << out << " event " << ev;
            if (std::hypot(x, y) > 0) {
                EXPECT_NEAR(values_of<double>(b, out + "_phi")[ev], std::atan2(y, x), 1e-10)
                    << out << " event " << ev;
            }
        }
    };
    expect_balance(
        "A", [&](std::size_t ev, std::size_t j) { return shifted[ev][j]; }, none);
    expect_balance(
        "F", [&](std::size_t ev, std::size_t j) { return shifted[ev][j]; }, none);
    expect_balance(
        "E", [&](std::size_t ev, std::size_t j) { return pt[ev][j] * event_factor[ev]; }, none);
    expect_balance(
        "N", [&](std::size_t ev, std::size_t j) { return pt[ev][j] * 1.2; }, none);
    // Jet 2 of event 0 (20 × 1.3 = 26 ≤ 30) is left out; 60 × 1.05, 35 × 0.9 = 31.5 and
    // 80 × 0.8 are shifted.
    expect_balance(
        "T", [&](std::size_t ev, std::size_t j) { return shifted[ev][j]; }, 30.0);
}

TEST(LibraryMet, ThresholdLeavesSoftJetsOut) {
    // MET (0, 0); jets pT 10 (φ 0) and 40 (φ π/2), all scaled by 2; min_pt 30: only the second
    // (pT' 80) changes MET, by −(40, along +y) → MET' = (0, −40): pT 40, φ −π/2.
    Fixture fx({testing::scalar<double>("MET_pt", io::ColumnType::Float64, {0}),
                testing::scalar<double>("MET_phi", io::ColumnType::Float64, {0}), f64("Jet_pt", {{10, 40}}),
                f64("Jet_phi", {{0, pi / 2}})});
    MetRecompute::Config c;
    c.collection = "Jet";
    c.factor = {2, ""};
    c.min_pt = 30;
    c.output = "M";
    MetRecompute met(place("met"), c);
    fx.declare(met);
    const Batch b = fx.run();
    EXPECT_NEAR(values_of<double>(b, "M_pt")[0], 40, 1e-12);
    EXPECT_NEAR(values_of<double>(b, "M_phi")[0], -pi / 2, 1e-12);
}

TEST(LibraryMet, Errors) {
    MetRecompute::Config c;
    c.collection = "Jet";
    c.shifted_pt = "Jet_ptUp";
    c.factor = {0, "Jet_factor"};
    EXPECT_THROW(MetRecompute(place("m"), c), InputError);
    // A shifted pT that is per event, not per jet.
    Fixture fx({testing::scalar<double>("MET_pt", io::ColumnType::Float64, {0}),
                testing::scalar<double>("MET_phi", io::ColumnType::Float64, {0}), f64("Jet_pt", {{10}}),
                f64("Jet_phi", {{0}}), testing::scalar<double>("up", io::ColumnType::Float64, {1})});
    MetRecompute::Config d;
    d.collection = "Jet";
    d.shifted_pt = "up";
    d.output = "M";
    MetRecompute met(place("m"), d);
    EXPECT_THROW(fx.declare(met), InputError);
}

} // namespace
} // namespace hepkit::events

namespace hepkit::events {
namespace {

// Every producer of the library chained on one batch: select → leading, sums, ΔR match and
// cleaning, MET, weights.
struct Chain {
    std::vector<std::unique_ptr<Producer>> steps;
    explicit Chain(Fixture& fx) {
        steps.push_back(std::make_unique<SelectObjects>(
            place("Good"),
            SelectObjects::Config{
                "Mu", "Good", {"pt", "eta", "phi"}, {{"pt", FieldCut::Kind::min, 1}}, {}, true, "", "pt"}));
        steps.push_back(
            std::make_unique<Leading>(place("L"), Leading::Config{"Good", "L", {"pt"}, 0, "pt", -1, "hasL"}));
        FourVectorSum::Config sum;
        sum.parts = {SumPart{"Good", 2, 0.0}, SumPart{"Jet", -1, 5.0}};
        sum.output = "S";
        sum.components = true;
        steps.push_back(std::make_unique<FourVectorSum>(place("S"), sum));
        steps.push_back(
            std::make_unique<DeltaRMatch>(place("M"), DeltaRMatch::Config{"Jet", "Good", 0.4, "M"}));
        steps.push_back(std::make_unique<DeltaRClean>(
            place("C"), DeltaRClean::Config{"Jet", {"Good"}, 0.4, "C", {"pt"}, true, ""}));
        MetRecompute::Config met;
        met.collection = "Jet";
        met.factor = {1.1, ""};
        met.output = "MET2";
        steps.push_back(std::make_unique<MetRecompute>(place("MET2"), met));
        steps.push_back(
            std::make_unique<EventWeight>(place("w"), EventWeight::Config{{{2, ""}, {0, "Good_pt"}}, ""}));
        for (auto& s : steps)
            fx.declare(*s);
    }
};

std::vector<io::Column> chain_inputs(std::size_t events) {
    std::vector<std::vector<double>> mu(events, std::vector<double>{3, 2}),
        jet(events, std::vector<double>{0.5});
    return {f64("Mu_pt", mu),
            f64("Mu_eta", mu),
            f64("Mu_phi", mu),
            f64("Jet_pt", jet),
            f64("Jet_eta", jet),
            f64("Jet_phi", jet),
            testing::scalar<double>("MET_pt", io::ColumnType::Float64, std::vector<double>(events, 10)),
            testing::scalar<double>("MET_phi", io::ColumnType::Float64, std::vector<double>(events, 0))};
}

TEST(LibraryEdges, ZeroEventsAndNoSelectedRows) {
    {
        // A batch of no events: every product has no entries.
        Fixture fx(chain_inputs(0));
        Chain chain(fx);
        const Batch b = fx.run();
        for (ProductId id = 8; id < b.schema().size(); ++id)
            EXPECT_EQ(b.get(id).entries(), 0u) << b.schema().info(id).name;
    }
    {
        // Three events, none selected: scalars 0, arrays empty.
        Fixture fx(chain_inputs(3));
        Chain chain(fx);
        const Batch b = fx.run({0, 0, 0});
        for (ProductId id = 8; id < b.schema().size(); ++id) {
            const io::Column& c = b.get(id);
            EXPECT_EQ(c.entries(), 3u) << b.schema().info(id).name;
            if (c.jagged())
                EXPECT_EQ(c.size(), 0u) << b.schema().info(id).name;
            else
                for (std::size_t k = 0; k < c.size(); ++k)
                    EXPECT_EQ(c.value_as_double(k), 0) << b.schema().info(id).name;
        }
    }
    {
        // The same three events all selected, as a check that the chain computes something:
        // muons {3, 2} pass pT > 1; the weight is 2 · 3 · 2 = 12.
        Fixture fx(chain_inputs(3));
        Chain chain(fx);
        const Batch b = fx.run();
        EXPECT_EQ(values_of<double>(b, "w"), (D{12, 12, 12}));
        EXPECT_EQ(values_of<double>(b, "L_pt"), (D{3, 3, 3}));
    }
}

} // namespace
} // namespace hepkit::events
