#pragma once
/// @file
/// The settings of a grid run: one typed config struct per component, each defined next to its
/// component with its defaults, units and the function that registers its fields as parameters
/// (`register_parameters`). grid/Parameters.cpp composes those registrations under a path
/// prefix per component (`cache.hitrate`, `streaming.block_size`, `caches.HOST.size`, ...),
/// through which scenario files, the command line and scans override every field (the paths are
/// listed in docs/formats.md; docs/architecture.md, "Adding a setting").

#include "hepkit/sim/batch/DispatcherConfig.hpp"
#include "hepkit/sim/batch/QueueConfig.hpp"
#include "hepkit/sim/data/CacheConfig.hpp"
#include "hepkit/sim/data/OutputStorageConfig.hpp"
#include "hepkit/sim/gpu/GpuConfig.hpp"
#include "hepkit/sim/grid/JobsConfig.hpp"
#include "hepkit/sim/grid/RunLimits.hpp"
#include "hepkit/sim/grid/StreamingConfig.hpp"
#include "hepkit/sim/output/TimeSeriesConfig.hpp"
#include "hepkit/sim/provisioning/ProvisioningConfig.hpp"

#include <cstdint>

namespace hepkit::sim {

struct GridOptions {
    std::uint64_t seed = 42;            ///< seed of every random stream (-s)
    CacheConfig cache;                  ///< `cache.*`, `caches.HOST.size` (sim/data)
    OutputStorageConfig output_storage; ///< `output_storage.*` (sim/data)
    StreamingConfig streaming;          ///< `streaming.*` (the job state machine, sim/grid)
    JobsConfig jobs;                    ///< `jobs.*` (sim/grid)
    DispatcherConfig dispatcher;        ///< `dispatcher.*` (sim/batch)
    QueueConfig queue;                  ///< `queue.*` (sim/batch)
    TimeSeriesConfig timeseries;        ///< `timeseries.*` (sim/output)
    GpuConfig gpu;                      ///< `gpu.*` (sim/gpu)
    ProvisioningConfig drones;          ///< `drones.*` (sim/provisioning)
    RunLimits limits;                   ///< `limits.*` (sim/grid)
};

} // namespace hepkit::sim
