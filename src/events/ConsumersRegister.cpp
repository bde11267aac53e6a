// register_consumers (Registry.hpp): the `histogram` and `ntuple` types. A file of its own so that
// programs using the consumers without a Registry do not link one.

#include "hepkit/events/Consumers.hpp"
#include "hepkit/events/Registry.hpp"

namespace hepkit::events {

void register_consumers(Registry& registry) {
    registry.add_consumer(
        "histogram",
        [](const StepConfig& c) -> std::unique_ptr<Consumer> { return HistogramConsumer::from_config(c); },
        "weighted 1D/2D histogram of expressions (x, y, bins | edges, weight, cut): NAME.json and NAME.root");
    registry.add_consumer(
        "ntuple",
        [](const StepConfig& c) -> std::unique_ptr<Consumer> { return NtupleConsumer::from_config(c); },
        "the chosen products of the selected events (products, format: root | hdf5 | csv)");
}

} // namespace hepkit::events
