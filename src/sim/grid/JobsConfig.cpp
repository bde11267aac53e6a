#include "hepkit/sim/grid/JobsConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<JobsConfig>& r) {
    r.field("duplications", "duplications", "count", "run every job this many times, 1 to 10000 (-d)",
            &JobsConfig::duplications, Bounds::between(1, 10000));
    r.field("shuffle", "shuffle_jobs", "shuffle the submission order (--shuffle-jobs)", &JobsConfig::shuffle);
    r.field("compute_on_all_cores", "compute_on_all_cores",
            "streaming and copy jobs compute on all their cores (DCSim: on one)",
            &JobsConfig::compute_on_all_cores);
}

} // namespace hepkit::sim
