#pragma once
/// @file
/// Settings of the global dispatcher (Dispatcher.hpp describes the policies).

#include "hepkit/core/ParameterRegistry.hpp"
#include "hepkit/sim/batch/Dispatcher.hpp"

namespace hepkit::sim {

/// Parameter paths `dispatcher.*` (docs/formats.md, "Parameter paths").
struct DispatcherConfig {
    /// Job placement policy (--dispatcher; the scenario's top-level `dispatcher:`).
    DispatchPolicy policy = DispatchPolicy::dcsim;
};

/// Registers `policy`.
void register_parameters(ParameterRegistry<DispatcherConfig>& r);

} // namespace hepkit::sim
