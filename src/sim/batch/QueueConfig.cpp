#include "hepkit/sim/batch/QueueConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<QueueConfig>& r) {
    r.field("backfill_depth", "backfill_depth", "count",
            "queued jobs tried past one that cannot start (0: strict order)", &QueueConfig::backfill_depth,
            Bounds::at_least(0));
}

} // namespace hepkit::sim
