#include "hepkit/sim/output/TimeSeriesConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<TimeSeriesConfig>& r) {
    r.field("interval", "interval", "s", "time between samples (--timeseries-interval)",
            &TimeSeriesConfig::interval, Bounds::above(0));
    r.field("max_samples", "max_samples", "count",
            "sampling times after which a run fails (an absurd interval or time scale), 1 to 1e9",
            &TimeSeriesConfig::max_samples, Bounds::between(1, 1e9, "between 1 and 1e9"));
}

} // namespace hepkit::sim
