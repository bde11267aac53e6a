#pragma once
// Where a scenario's jobs would run at once, and what their reads would share (the `pack_*`
// scenario features, docs/surrogate.md "Features"): the workload's job groups placed on the
// workers as the dispatcher places them, in one burst, without simulating.

#include "hepkit/sim/batch/Dispatcher.hpp"
#include "hepkit/sim/batch/QueueConfig.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/platform/Platform.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <vector>

namespace hepkit::surrogate::detail {

/// What packed_reads needs of a scenario besides its platform: the worker, storage and cache hosts
/// (each in host order), every worker's routes to the storage hosts and to the cache hosts in its
/// scope (as routes_from gives them; a cache on the worker itself has no route and is read at its
/// disk's speed), whether it has a cache in scope at all, the storage and cache disks' summed read
/// bandwidths, the hit rate, the dispatcher's policy and whether streaming and copy jobs compute
/// on all their cores.
struct ReadContext {
    const std::vector<sim::HostIndex>* workers = nullptr;
    const std::vector<sim::HostIndex>* storages = nullptr;
    const std::vector<sim::HostIndex>* caches = nullptr;
    const std::vector<std::vector<sim::Route>>* storage_routes = nullptr; ///< per worker
    const std::vector<std::vector<sim::Route>>* cache_routes = nullptr;   ///< per worker, caches in scope
    const std::vector<char>* cached = nullptr; ///< per worker: a cache in its scope (sim::CacheScope)
    double storage_bw = 0, cache_bw = 0;       ///< B/s
    double hitrate = 0;
    sim::DispatchPolicy policy = sim::DispatchPolicy::dcsim;
    bool compute_on_all_cores = false; ///< sim::JobsConfig::compute_on_all_cores
    /// The queue's backfill depth (sim::QueueConfig; timed_jobs, TimedPlacement.hpp)
    std::size_t backfill_depth = sim::QueueConfig{}.backfill_depth;
    /// A streaming job's XRootD overhead (sim::StreamingConfig), flop per second of its remote
    /// reads, and whether it is counted over each block's whole step, from its read's start to its
    /// compute's start (the `dcsim` overhead model with prefetch), rather than over its reads
    /// (timed_jobs)
    double xrd_flops_per_time = 0;
    bool xrd_over_steps = false;
    /// For placed_outputs (PlacedOutputs.hpp), per worker: the routes its input flows along (from
    /// each storage host, and from each cache in its scope, to it: on split-duplex links not those
    /// of storage_routes), the route to the storage host its outputs go to (sim::OutputRouter's
    /// rule; no links where it writes to itself — the simulator's loopback is not modelled), that
    /// host (-1: none) and its first disk's write bandwidth (B/s). Null: no output estimates
    /// (placed_outputs gives zeros).
    const std::vector<std::vector<sim::Route>>* storage_routes_in = nullptr;
    const std::vector<std::vector<sim::Route>>* cache_routes_in = nullptr;
    /// Per worker, the host each of those routes starts from (parallel to storage_routes_in and
    /// cache_routes_in): a read shares its source disk with the writes to it (sim::DiskModel's
    /// resource of both). Either null: the disks are not shared. Set, they must match the routes
    /// (std::logic_error otherwise).
    const std::vector<std::vector<sim::HostIndex>>* storage_sources_in = nullptr;
    const std::vector<std::vector<sim::HostIndex>>* cache_sources_in = nullptr;
    const std::vector<sim::Route>* output_routes = nullptr;
    /// Per worker, the route back from its output host (the acknowledgements' way): with the
    /// network model's cross-traffic on, a write's rate is also held to its fair share on these
    /// links (the simulator puts each flow on its reverse route at weight 0.05, and a max-min
    /// share binds a flow whatever its weight there). Null: not looked at.
    const std::vector<sim::Route>* output_routes_back = nullptr;
    const std::vector<int>* output_hosts = nullptr;
    const std::vector<double>* output_write_bw = nullptr;
    /// The network model's latency factor, TCP window (bytes) and bandwidth factor
    /// (sim::NetworkModel::Config with the platform's <config> applied).
    double latency_factor = 0, tcp_gamma = 0, bandwidth_factor = 1;
};

struct PackedReads {
    double readers = 0;          ///< jobs with input files running at once
    double transfer_crowd_s = 0; ///< a reader's input with every placed reader reading, mean
    double transfer_mean_s = 0;  ///< alone + crowd × the readers' duty cycle (Placement.cpp), mean
    double transfer_max_s = 0;   ///< the same on the worker where it is longest
    double transfer_alone_s = 0; ///< a placed reader's input read alone (route bottleneck, disk), mean
    double reader_compute_s = 0; ///< a reader's flops at its worker's speed on one core, mean
    double compute_mean_s = 0;   ///< a placed job's flops at its worker's speed, mean
    /// The latest end of a placed group's largest job's computation (its flops at its worker's
    /// speed after the group's submission; its reads not counted), s
    double compute_end_max_s = 0;
};

/// A context that reads these lists (which must outlive it), its numbers and policy at their
/// defaults.
ReadContext context_over(const std::vector<sim::HostIndex>& workers,
                         const std::vector<sim::HostIndex>& storages,
                         const std::vector<sim::HostIndex>& caches,
                         const std::vector<std::vector<sim::Route>>& storage_routes,
                         const std::vector<std::vector<sim::Route>>& cache_routes,
                         const std::vector<char>& cached);

/// A scenario's workers, storage and cache hosts, routes and disks as packed_reads reads them,
/// built once and owned here (`context` points into this object, which therefore stays put).
struct ReadSetup {
    /// `outputs`: also what placed_outputs reads (the routes inputs flow along, the output
    /// routes, the network model's numbers); the summary model's features do not need them.
    explicit ReadSetup(const sim::GridScenario& s, bool outputs = false);
    ReadSetup(const ReadSetup&) = delete;
    ReadSetup& operator=(const ReadSetup&) = delete;

    std::vector<sim::HostIndex> workers, storages, caches;
    std::vector<std::vector<sim::Route>> storage_routes, cache_routes;             ///< per worker
    std::vector<char> cached;                                                      ///< per worker
    std::vector<std::vector<sim::Route>> storage_routes_in, cache_routes_in;       ///< per worker
    std::vector<std::vector<sim::HostIndex>> storage_sources_in, cache_sources_in; ///< per worker
    std::vector<sim::Route> output_routes, output_routes_back;                     ///< per worker
    std::vector<int> output_hosts;                                                 ///< per worker
    std::vector<double> output_write_bw;                                           ///< per worker
    ReadContext context;
};

/// One job as placed_jobs sees it: placed at once (1) or waiting (0); its flops at the speed of where it was
/// placed (on one core for streaming and copy jobs, as put() counts); and its input at the placed readers'
/// rate on those workers (s: as transfer_mean_s, alone + crowd² / (compute + crowd)). (Its transfer alone and
/// with all at once as two more inputs were tried: docs/surrogate.md, ninth session.)
struct PlacedJob {
    double placed = 0;
    double compute_s = 0;
    double transfer_s = 0;
    int worker = -1;    ///< index into ReadContext::workers where a job was placed whole; -1 otherwise
    double start_s = 0; ///< its estimated start: placed_jobs gives the submission (TimedPlacement.hpp)
    /// The input read in three views of its crowd (timed_jobs; placed_jobs sets all three to
    /// transfer_s): alone on its routes; with every reader counted as reading all its life (by the
    /// share of the job's window its life overlaps: a streaming job's life, a copy job's read);
    /// with each counted by the share of its life it reads. Where the truth lies between them
    /// depends on how the readers' reads line up (TimedPlacement.cpp), which no single rule
    /// caught: the per-job model gets all three beside transfer_s.
    double transfer_alone_s = 0, transfer_crowd_s = 0, transfer_shared_s = 0;
    /// From its start to its output write (placed_jobs: compute_s + transfer_s; timed_jobs: a
    /// streaming job's reads overlapped with its compute, TimedPlacement.hpp)
    double duration_s = 0;
};

/// The job groups (WorkloadTotals::groups), in submission order, placed at once as the dispatcher
/// would while no job has ended: `dcsim` first fit over the workers by name; `data-locality` a
/// reading group first fit over the sites of the storage and cache hosts (the simulator ranks the
/// sites holding each job's own files), then, as `least-loaded`, over the sites so that their
/// shares of busy cores level; `round-robin` so that their job counts level; first fit within a
/// site. The queue's backfill limit and priorities are not looked at. Jobs of one group take its
/// mean cores (memory is not looked at); a placement may leave a fraction of a job (a mean over
/// many placements). Jobs that do not fit wait and are not counted. Each reader then reads its
/// group's mean input — misses from the storage, the hit rate's share from the caches in its scope
/// where it has one (the run stages whole files, so the true share of k files is ⌈h·k⌉/k) — at
/// the least, along its route, of each link's bandwidth over the readers whose routes cross it,
/// and at most the disks' bandwidth over all their readers.
PackedReads packed_reads(const sim::Platform& p, const std::vector<sim::JobGroup>& groups,
                         const ReadContext& c);

/// The jobs one by one (each a group of one: `jobs[i].jobs == 1`, its flops as flops_max too), in
/// the queue's order (a stable sort of `jobs`, given in the workload's order, by submit time;
/// priorities not looked at), each whole on the worker sim::Dispatcher::pick would give it, while
/// no job ends: where each would run in the first burst and what its compute and input would take
/// there — the per-job inputs of the platform-aware sequence model. (packed_reads places a group
/// of one job so too.)
/// A job that waits (placed 0) gets its flops at the workers' core-weighted mean speed and its
/// input at the placed readers' mean rate. Results in the order of `jobs`.
std::vector<PlacedJob> placed_jobs(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                                   const ReadContext& c);

} // namespace hepkit::surrogate::detail
