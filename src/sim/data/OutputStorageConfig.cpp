#include "hepkit/sim/data/OutputStorageConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<OutputStorageConfig>& r) {
    r.field("host", "output_storage", "host", "storage host receiving outputs (--output-storage)",
            &OutputStorageConfig::host);
    r.field("to_site_storage", "outputs_to_site_storage",
            "write outputs to a storage host in the worker's zone when there is one",
            &OutputStorageConfig::to_site_storage);
}

} // namespace hepkit::sim
