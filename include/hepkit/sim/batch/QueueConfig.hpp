#pragma once
/// @file
/// Settings of the job queue: its backfilling and its bound on pending jobs.

#include "hepkit/core/ParameterRegistry.hpp"

#include <cstddef>

namespace hepkit::sim {

/// Parameter paths `queue.*` (docs/formats.md, "Parameter paths").
struct QueueConfig {
    /// Queued jobs tried past one that cannot start, per scheduling pass (count; 0: strict order).
    std::size_t backfill_depth = 100;
    /// Jobs pending in the queue at most (count; 0: no bound). Jobs submitted while it is full
    /// wait outside it, in submission order, and enter as places free (a schedd's limit on idle
    /// jobs, a workload manager's throttle): priorities order only the pending jobs, and drone
    /// controllers see only their demand. Queue wait still counts from submission.
    std::size_t max_pending = 0;
};

/// Registers `backfill_depth` and `max_pending`.
void register_parameters(ParameterRegistry<QueueConfig>& r);

} // namespace hepkit::sim
