// register_library (Registry.hpp): the library producers' type names, factories and one-line docs.
#include "hepkit/events/Library.hpp"

namespace hepkit::events {

namespace {

template <class P>
void add(Registry& registry, const std::string& type, std::string doc) {
    registry.add_producer(
        type,
        [](const StepConfig& c) -> std::unique_ptr<Producer> {
            return std::make_unique<P>(c.place, P::parse(c));
        },
        std::move(doc));
}

} // namespace

void register_library(Registry& registry) {
    add<SelectObjects>(
        registry, "select_objects",
        "objects of a collection passing cuts (min/max/min_abs/max_abs/equal, or a cut expression) as "
        "a new collection <output>_<field>, n<output>");
    add<Leading>(
        registry, "leading",
        "fields of the k-th object (stored order or sorted by a field) as per-event values, a default "
        "where there is none");
    registry.add_producer(
        "four_vector_sum",
        [](const StepConfig& c) -> std::unique_ptr<Producer> {
            return std::make_unique<FourVectorSum>(c.place, FourVectorSum::parse(c, false));
        },
        "pt, eta, phi, mass (and px, py, pz, e) of the sum of the first N objects of one or more "
        "collections");
    registry.add_producer(
        "invariant_mass",
        [](const StepConfig& c) -> std::unique_ptr<Producer> {
            return std::make_unique<FourVectorSum>(c.place, FourVectorSum::parse(c, true));
        },
        "invariant mass of the first N objects of one or more collections");
    add<DeltaRMatch>(
        registry, "delta_r_match",
        "for each object of a collection, the index of and the ΔR to the closest object of another "
        "within max_dr");
    add<DeltaRClean>(registry, "delta_r_clean",
                     "the objects of a collection farther than max_dr from every object of other collections "
                     "(jet-lepton cleaning), as a new collection");
    add<MetRecompute>(registry, "met_recompute",
                      "MET after shifting object momenta: MET - sum of (pT' - pT)(cos phi, sin phi), as "
                      "<output>_pt and <output>_phi");
    add<EventWeight>(registry, "event_weight",
                     "product of numbers and products (per-object products: the product over the objects), "
                     "float64");
}

} // namespace hepkit::events
