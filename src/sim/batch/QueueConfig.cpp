#include "hepkit/sim/batch/QueueConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<QueueConfig>& r) {
    r.field("backfill_depth", "backfill_depth", "count",
            "queued jobs tried past one that cannot start (0: strict order)", &QueueConfig::backfill_depth,
            Bounds::at_least(0));
    r.field("max_pending", "max_pending", "count",
            "jobs pending in the queue at most; later submissions wait outside it in order (0: no bound)",
            &QueueConfig::max_pending, Bounds::at_least(0));
}

} // namespace hepkit::sim
