// The library producers on a real CMS NanoAOD file (the reference data's 2015 ttbar file, 200
// events, branches of NanoAOD's own types: float32 kinematics, int32 charges): sums against the
// jsroot statistics of expected/nanoAOD_2015_CMS_Open_Data_ttbar.tree-stats.json, and per-event
// values against formulas written out here, evaluated on the raw columns. Skipped without the
// reference data.
#include "LibraryTestHelpers.hpp"
#include "Reference.hpp"

#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace hepkit::events {
namespace {

using testing::events_of;
using testing::Fixture;
using testing::place;
using testing::values_of;

const char* kFile = "root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root";

std::vector<io::Column> read_nano() {
    const io::RootFile file(test::reference(kFile).string());
    const io::Tree tree(file, "Events");
    const std::vector<std::string> branches{
        "Muon_pt", "Muon_eta", "Muon_phi",     "Muon_mass",    "Muon_charge", "Jet_pt",  "Jet_eta",
        "Jet_phi", "Jet_mass", "Electron_eta", "Electron_phi", "MET_pt",      "MET_phi", "genWeight"};
    return tree.read(branches, 0, tree.entries());
}

double sum_of(const Batch& b, const std::string& name) {
    const io::Column& c = b.get(*b.schema().find(name));
    double s = 0;
    for (std::size_t k = 0; k < c.size(); ++k)
        s += c.value_as_double(k);
    return s;
}

TEST(LibraryNano, SelectionWithoutCutsKeepsEveryMuon) {
    // jsroot: Muon_pt n 41 sum 1449.5771398544312; Muon_charge sum 9; nMuon sum 41.
    HEPKIT_REQUIRE_REFERENCE(kFile);
    Fixture fx(read_nano());
    SelectObjects all(place("all"),
                      SelectObjects::Config{"Muon", "All", {"pt", "charge"}, {}, {}, false, "", ""});
    fx.declare(all);
    const Batch b = fx.run();
    EXPECT_NEAR(sum_of(b, "All_pt"), 1449.5771398544312, 1e-4);
    EXPECT_EQ(sum_of(b, "All_charge"), 9);
    EXPECT_EQ(sum_of(b, "nAll"), 41);
    EXPECT_EQ(b.schema().info(*b.schema().find("All_charge")).type, io::ColumnType::Int32);
}

TEST(LibraryNano, PairMassesAgainstTheFormulas) {
    // Every event with two muons (one in this file) or two jets (most events): the mass of the
    // first two, massless and with <collection>_mass, against m² = 2 pT1 pT2 (cosh Δη − cos Δφ)
    // and m² = m1² + m2² + 2 (E1 E2 − p⃗1·p⃗2) with E = sqrt(pT² cosh² η + m²),
    // p⃗1·p⃗2 = pT1 pT2 (cos Δφ + sinh η1 sinh η2).
    HEPKIT_REQUIRE_REFERENCE(kFile);
    const std::vector<io::Column> cols = read_nano();
    Fixture fx(cols);
    std::vector<std::unique_ptr<FourVectorSum>> producers;
    for (const std::string c : {"Muon", "Jet"})
        for (const bool massive : {false, true}) {
            FourVectorSum::Config config;
            config.parts = {SumPart{c, 2, massive ? std::nullopt : std::optional<double>(0.0)}};
            config.output = std::string("m_").append(c).append(massive ? "" : "0");
            config.mass_only = true;
            producers.push_back(std::make_unique<FourVectorSum>(place(config.output), config));
            fx.declare(*producers.back());
        }
    const Batch b = fx.run();
    int pairs = 0;
    for (const std::size_t first : {std::size_t{0}, std::size_t{5}}) { // Muon_pt, Jet_pt
        const std::string c = first == 0 ? "Muon" : "Jet";
        const io::Column& ptc = cols[first];
        const auto pt = ptc.as<float>(), eta = cols[first + 1].as<float>(), phi = cols[first + 2].as<float>(),
                   mass = cols[first + 3].as<float>();
        const auto m0 = values_of<double>(b, std::string("m_").append(c).append("0")),
                   m = values_of<double>(b, std::string("m_").append(c));
        for (std::size_t e = 0; e < b.size(); ++e) {
            const std::int64_t o = ptc.offsets[e];
            if (ptc.offsets[e + 1] - o < 2) {
                EXPECT_EQ(m0[e], 0);
                continue;
            }
            ++pairs;
            const double pt1 = pt[o], pt2 = pt[o + 1], eta1 = eta[o], eta2 = eta[o + 1];
            const double dphi = static_cast<double>(phi[o]) - phi[o + 1];
            const double expected0 = std::sqrt(2 * pt1 * pt2 * (std::cosh(eta1 - eta2) - std::cos(dphi)));
            EXPECT_NEAR(m0[e], expected0, 1e-9 * expected0) << c << " entry " << e;
            const double ma = mass[o], mb = mass[o + 1];
            const double e1 = std::sqrt(pt1 * pt1 * std::cosh(eta1) * std::cosh(eta1) + ma * ma);
            const double e2 = std::sqrt(pt2 * pt2 * std::cosh(eta2) * std::cosh(eta2) + mb * mb);
            const double dot = pt1 * pt2 * (std::cos(dphi) + std::sinh(eta1) * std::sinh(eta2));
            const double expected = std::sqrt(ma * ma + mb * mb + 2 * (e1 * e2 - dot));
            EXPECT_NEAR(m[e], expected, 1e-9 * expected) << c << " entry " << e;
        }
    }
    EXPECT_GT(pairs, 100);
}

TEST(LibraryNano, JetCleaningAndMatchingAgainstBruteForce) {
    // Jets farther than 0.4 from every muon and electron, and each jet's closest muon, by a
    // direct double loop over the raw columns.
    HEPKIT_REQUIRE_REFERENCE(kFile);
    const std::vector<io::Column> cols = read_nano();
    Fixture fx(cols);
    DeltaRClean clean(place("c"),
                      DeltaRClean::Config{"Jet", {"Muon", "Electron"}, 0.4, "CleanJet", {"pt"}, true, ""});
    DeltaRMatch match(place("m"), DeltaRMatch::Config{"Jet", "Muon", 0.4, "Jet_mu"});
    fx.declare(clean);
    fx.declare(match);
    const Batch b = fx.run();
    const auto cleaned = events_of<std::int32_t>(b, "CleanJet_index");
    const auto matched = events_of<std::int32_t>(b, "Jet_mu_index");
    const auto jeta = cols[6].as<float>(), jphi = cols[7].as<float>();
    auto dr = [](double e1, double p1, double e2, double p2) {
        double d = std::abs(p1 - p2);
        if (d > std::numbers::pi)
            d = 2 * std::numbers::pi - d;
        return std::sqrt((e1 - e2) * (e1 - e2) + d * d);
    };
    int removed = 0, matches = 0;
    for (std::size_t e = 0; e < b.size(); ++e) {
        std::vector<std::int32_t> keep, closest;
        for (std::int64_t j = cols[5].offsets[e]; j < cols[5].offsets[e + 1]; ++j) {
            bool near = false;
            double best = 0.4;
            std::int32_t best_index = -1;
            for (const std::size_t c : {std::size_t{1}, std::size_t{9}}) { // Muon_eta, Electron_eta
                for (std::int64_t k = cols[c].offsets[e]; k < cols[c].offsets[e + 1]; ++k) {
                    const double d = dr(jeta[j], jphi[j], cols[c].as<float>()[k], cols[c + 1].as<float>()[k]);
                    near = near || d < 0.4;
                    if (c == 1 && d < best) {
                        best = d;
                        best_index = static_cast<std::int32_t>(k - cols[c].offsets[e]);
                    }
                }
            }
            if (!near)
                keep.push_back(static_cast<std::int32_t>(j - cols[5].offsets[e]));
            closest.push_back(best_index);
            removed += near;
            matches += best_index >= 0;
        }
        EXPECT_EQ(cleaned[e], keep) << "entry " << e;
        EXPECT_EQ(matched[e], closest) << "entry " << e;
    }
    EXPECT_GT(removed, 0);
    EXPECT_GT(matches, 0);
}

TEST(LibraryNano, MetShiftAndWeights) {
    // Jets × 1.05: MET⃗' − MET⃗ = −0.05 Σ pT (cos φ, sin φ), summed directly. A factor 1 gives MET
    // back. Weights: genWeight × 2, whose sum is 2 × 33432083.0625 (jsroot).
    HEPKIT_REQUIRE_REFERENCE(kFile);
    const std::vector<io::Column> cols = read_nano();
    Fixture fx(cols);
    MetRecompute::Config up, same;
    up.collection = same.collection = "Jet";
    up.factor = {1.05, ""};
    same.factor = {1.0, ""};
    up.output = "MET_up";
    same.output = "MET_same";
    MetRecompute pu(place("up"), up), ps(place("same"), same);
    EventWeight w(place("w"), EventWeight::Config{{{0, "genWeight"}, {2, ""}}, ""});
    fx.declare(pu);
    fx.declare(ps);
    fx.declare(w);
    const Batch b = fx.run();
    EXPECT_NEAR(sum_of(b, "w"), 2 * 33432083.0625, 1e-3);
    const auto met_pt = cols[11].as<float>(), met_phi = cols[12].as<float>();
    const auto jpt = cols[5].as<float>(), jphi = cols[7].as<float>();
    const auto up_pt = values_of<double>(b, "MET_up_pt"), up_phi = values_of<double>(b, "MET_up_phi");
    const auto same_pt = values_of<double>(b, "MET_same_pt");
    for (std::size_t e = 0; e < b.size(); ++e) {
        double x = met_pt[e] * std::cos(static_cast<double>(met_phi[e]));
        double y = met_pt[e] * std::sin(static_cast<double>(met_phi[e]));
        EXPECT_NEAR(same_pt[e], met_pt[e], 1e-9 * met_pt[e]) << "entry " << e;
        for (std::int64_t j = cols[5].offsets[e]; j < cols[5].offsets[e + 1]; ++j) {
            x -= 0.05 * jpt[j] * std::cos(static_cast<double>(jphi[j]));
            y -= 0.05 * jpt[j] * std::sin(static_cast<double>(jphi[j]));
        }
        EXPECT_NEAR(up_pt[e] * std::cos(up_phi[e]), x, 1e-9 * (1 + std::abs(x))) << "entry " << e;
        EXPECT_NEAR(up_pt[e] * std::sin(up_phi[e]), y, 1e-9 * (1 + std::abs(y))) << "entry " << e;
    }
}

} // namespace
} // namespace hepkit::events
