#include "hepkit/sim/grid/RunLimits.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<RunLimits>& r) {
    r.field("max_sim_time", "max_sim_time", "s", "horizon: a run with an event beyond it fails",
            &RunLimits::max_sim_time, Bounds::above(0));
    r.field("max_events", "max_events", "count",
            "bound on the activities the workload needs, estimated before the run", &RunLimits::max_events,
            Bounds::at_least(1));
}

} // namespace hepkit::sim
