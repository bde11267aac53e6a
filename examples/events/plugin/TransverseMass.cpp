// A user's producer for `hepkit events run`, built against the installed hepkit (CMakeLists.txt
// of this folder) and loaded by the configuration's `plugins:` list (transverse_mass.yaml).
//
// transverse_mass: mT of a lepton and the missing transverse momentum, for massless particles
//     mT = sqrt(2 pT(l) pT(miss) (1 - cos(phi(l) - phi(miss))))
// (PDG Review of Particle Physics, "Kinematics", the transverse mass of W -> l nu), from four
// per-event products (float32 or float64) named by the keys pt, phi, met_pt, met_phi; the
// output, a float64 product, takes the step's name.
//
// A producer's life (hepkit/events/Step.hpp): made from its configuration, declare() once
// against the schema (every error here, before any event is read), then produce() on many
// batches from several threads at once — so produce() is const and keeps no state.

#include "hepkit/core/Error.hpp"
#include "hepkit/events/Registry.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace hepkit::events;

class TransverseMass : public Producer {
  public:
    explicit TransverseMass(const StepConfig& c) : Producer(c.place) {
        c.check_keys({"pt", "phi", "met_pt", "met_phi"}); // a typo is an error naming file, line, key
        for (const char* key : {"pt", "phi", "met_pt", "met_phi"})
            inputs_.push_back(c.yaml.at(key).as_string());
    }

    std::vector<std::string> inputs() const override { return inputs_; }

    std::vector<ProductInfo> declare(const Schema& schema) override {
        const std::string who = std::string("producer ").append(name());
        for (std::size_t i = 0; i < inputs_.size(); ++i) {
            ids_[i] = schema.require(inputs_[i], who);
            const ProductInfo& info = schema.info(ids_[i]);
            if (info.jagged || (info.type != hepkit::io::ColumnType::Float32 &&
                                info.type != hepkit::io::ColumnType::Float64))
                throw hepkit::InputError(place().file, place().line, inputs_[i],
                                         who + ": '" + inputs_[i] + "' is " + describe(info) +
                                             "; transverse_mass reads one float32 or float64 per event");
        }
        return {ProductInfo{name(), hepkit::io::ColumnType::Float64, false}};
    }

    void outputs_declared(std::span<const ProductId> ids) override { output_ = ids[0]; }

    void produce(Batch& batch) const override {
        auto out = hepkit::io::Column::make(name(), hepkit::io::ColumnType::Float64);
        std::vector<double>& mt = out.mut<double>();
        mt.assign(batch.size(), 0.0); // rows that did not pass earlier filters stay 0
        const auto pt = values(batch, 0), phi = values(batch, 1), met = values(batch, 2),
                   met_phi = values(batch, 3);
        for (const std::uint32_t r : batch.rows())
            mt[r] = std::sqrt(2 * pt[r] * met[r] * (1 - std::cos(phi[r] - met_phi[r])));
        batch.put(output_, std::move(out));
    }

  private:
    // Input k as doubles (a copy for float32: four small columns per batch).
    std::vector<double> values(const Batch& batch, std::size_t k) const {
        const hepkit::io::Column& c = batch.get(ids_[k]);
        if (c.type == hepkit::io::ColumnType::Float64) {
            const auto v = c.as<double>();
            return {v.begin(), v.end()};
        }
        const auto v = c.as<float>();
        return {v.begin(), v.end()};
    }

    std::vector<std::string> inputs_;
    ProductId ids_[4] = {};
    ProductId output_ = 0;
};

} // namespace

// The one function hepkit looks for in the library (extern "C": its name is not mangled).
extern "C" void hepkit_events_register(hepkit::events::Registry& registry) {
    registry.add_producer(
        "transverse_mass",
        [](const hepkit::events::StepConfig& c) { return std::make_unique<TransverseMass>(c); },
        "mT = sqrt(2 pt met_pt (1 - cos(phi - met_phi))) of a lepton and MET (keys pt, phi, met_pt, met_phi: "
        "per-event float products); example plugin");
}
