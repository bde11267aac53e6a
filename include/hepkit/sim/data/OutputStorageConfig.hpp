#pragma once
/// @file
/// Where the jobs of a grid run write their outputs.

#include "hepkit/core/ParameterRegistry.hpp"

#include <string>

namespace hepkit::sim {

/// Parameter paths `output_storage.*` (docs/formats.md, "Parameter paths").
struct OutputStorageConfig {
    /// Storage host receiving every job's output; empty: the first storage host (--output-storage).
    std::string host;
    /// Write each output to a storage host in the worker's own zone when there is one.
    bool to_site_storage = false;
};

/// Registers `host` and `to_site_storage`.
void register_parameters(ParameterRegistry<OutputStorageConfig>& r);

} // namespace hepkit::sim
