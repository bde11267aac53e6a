#pragma once
/// @file
/// Settings of the job queue and its backfilling.

#include "hepkit/core/ParameterRegistry.hpp"

#include <cstddef>

namespace hepkit::sim {

/// Parameter paths `queue.*` (docs/formats.md, "Parameter paths").
struct QueueConfig {
    /// Queued jobs tried past one that cannot start, per scheduling pass (count; 0: strict order).
    std::size_t backfill_depth = 100;
};

/// Registers `backfill_depth`.
void register_parameters(ParameterRegistry<QueueConfig>& r);

} // namespace hepkit::sim
