#pragma once
/// @file
/// The settings of a grid run, one typed struct per component. Every field has a default, a
/// unit and a parameter path (`cache.hitrate`, `streaming.block_size`, `caches.HOST.size`, ...)
/// under which scenario files, the command line and scans override it through one registry
/// (grid/Parameters.hpp; the paths are listed in docs/formats.md).

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/batch/DispatcherConfig.hpp"
#include "hepkit/sim/batch/QueueConfig.hpp"
#include "hepkit/sim/data/CacheConfig.hpp"
#include "hepkit/sim/data/OutputStorageConfig.hpp"
#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/gpu/GpuConfig.hpp"
#include "hepkit/sim/output/TimeSeriesConfig.hpp"
#include "hepkit/sim/provisioning/ProvisioningConfig.hpp"

#include <cstddef>
#include <cstdint>

namespace hepkit::sim {

/// How the XRootD CPU overhead of a streamed block is computed (docs/models.md, "XRootD overhead").
/// Both charge `xrd_flops_per_time` flop per second to the block's computation:
///  - read_time (hepkit's default): per second of the block's own read;
///  - dcsim: per second from the start of the last read to the start of the computation, as
///    DCSim does. With prefetch that interval also covers the previous block's computation, so the
///    overhead feeds on itself and grows by a factor xrd_flops_per_time / core speed per block.
enum class XrdOverhead { read_time, dcsim };
inline constexpr auto xrd_overhead_models = make_enum_table<XrdOverhead>(
    "XRootD overhead model", {{"read-time", XrdOverhead::read_time}, {"dcsim", XrdOverhead::dcsim}});

/// Streaming jobs (XRootD): parameter paths `streaming.*`.
struct StreamingConfig {
    double block_size = 1e9;             ///< B per streamed block (-x)
    bool prefetch = true;                ///< read block i+1 while computing block i (--prefetch-off)
    double xrd_flops_per_time = 2e10;    ///< flop/s of CPU overhead per second of remote streaming
    double xrd_flops_per_time_local = 0; ///< flop/s of overhead when streaming from the worker's host
    XrdOverhead xrd_overhead = XrdOverhead::read_time; ///< overhead model (--xrd-overhead-model)
    bool dcsim_block_sizes = false; ///< reproduce DCSim's over-read of each file's last block
};

/// The jobs' submission and execution: parameter paths `jobs.*`.
struct JobsConfig {
    std::size_t duplications = 1;      ///< count: run each job this many times (-d)
    bool shuffle = false;              ///< shuffle the submission order (--shuffle-jobs)
    bool compute_on_all_cores = false; ///< streaming/copy jobs compute on all their cores (DCSim: one)
};

/// Bounds of a run: parameter paths `limits.*`.
struct RunLimits {
    /// s: the run fails with an error naming `max_sim_time` if an event lies beyond it.
    double max_sim_time = Engine::default_max_time;
    /// Bound on the activities the workload needs (reads, computations, writes), estimated before
    /// the run; beyond it the scenario is refused (error naming `max_events`).
    double max_events = 1e9;
};

struct GridOptions {
    std::uint64_t seed = 42; ///< seed of every random stream (-s)
    CacheConfig cache;
    OutputStorageConfig output_storage;
    StreamingConfig streaming;
    JobsConfig jobs;
    DispatcherConfig dispatcher;
    QueueConfig queue;
    TimeSeriesConfig timeseries;
    GpuConfig gpu;
    ProvisioningConfig drones;
    RunLimits limits;
};

} // namespace hepkit::sim
