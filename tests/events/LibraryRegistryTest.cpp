// register_library (Registry.hpp): the library's type names, and steps made through the Registry
// from YAML as a configuration makes them.
#include "LibraryTestHelpers.hpp"

#include "hepkit/core/Error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace hepkit::events {
namespace {

using testing::f32;
using testing::Fixture;
using testing::step_config;
using testing::values_of;

TEST(LibraryRegistry, RegistersEveryTypeOnce) {
    Registry r;
    register_library(r);
    std::vector<std::string> types;
    for (const auto& [type, doc] : r.producer_docs()) {
        types.push_back(type);
        EXPECT_FALSE(doc.empty()) << type;
    }
    EXPECT_EQ(types,
              (std::vector<std::string>{"delta_r_clean", "delta_r_match", "event_weight", "four_vector_sum",
                                        "invariant_mass", "leading", "met_recompute", "select_objects"}));
    EXPECT_THROW(register_library(r), std::invalid_argument);
}

TEST(LibraryRegistry, DimuonMassFromYaml) {
    // Two muons back to back at η = 0, pT 45 and 40, massless: m = 2 sqrt(45 · 40) (m² = 2 pT1 pT2
    // (cosh 0 − cos π) = 4 pT1 pT2); one muon fails pT > 20.
    Registry r;
    register_library(r);
    const float pi = std::numbers::pi_v<float>;
    Fixture fx({f32("Muon_pt", {{45, 10, 40}}), f32("Muon_eta", {{0, 0, 0}}), f32("Muon_phi", {{0, 1, pi}}),
                f32("Muon_mass", {{0, 0, 0}})});
    auto sel = r.make_producer("select_objects",
                               step_config("type: select_objects\nname: GoodMuon\ncollection: Muon\n"
                                           "fields: [pt, eta, phi, mass]\nmin: {pt: 20}\n",
                                           "GoodMuon"));
    auto mass = r.make_producer(
        "invariant_mass",
        step_config("type: invariant_mass\nname: m_mumu\ncollection: GoodMuon\ncount: 2\n", "m_mumu"));
    fx.declare(*sel);
    fx.declare(*mass);
    const double m = values_of<double>(fx.run(), "m_mumu")[0];
    EXPECT_NEAR(m, 2 * std::sqrt(45.0 * 40.0), 1e-4); // float32 φ = π is π − 8.7e-8
}

TEST(LibraryRegistry, BadKeyThroughTheRegistry) {
    Registry r;
    register_library(r);
    try {
        r.make_producer("invariant_mass", step_config("collection: Mu\ncomponents: true\n"));
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.key(), "producers[0].components");
        EXPECT_EQ(e.line(), 2);
    }
}

} // namespace
} // namespace hepkit::events
