#include "hepkit/sim/batch/DispatcherConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<DispatcherConfig>& r) {
    r.field("policy", "dispatcher", "job placement policy (--dispatcher)", &DispatcherConfig::policy,
            dispatch_policies);
}

} // namespace hepkit::sim
