#pragma once
// Where a scenario's jobs would run at once, and what their reads would share (the `pack_*`
// scenario features, docs/surrogate.md "Features"): the workload's job groups placed on the
// workers as the dispatcher places them, in one burst, without simulating.

#include "hepkit/sim/batch/Dispatcher.hpp"
#include "hepkit/sim/platform/Platform.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <vector>

namespace hepkit::surrogate::detail {

/// What packed_reads needs of a scenario besides its platform: the worker, storage and cache hosts
/// (each in host order), every worker's routes to the storage and to the cache hosts (as
/// routes_from gives them), the storage and cache disks' summed read bandwidths, the hit rate and
/// the dispatcher's policy.
struct ReadContext {
    const std::vector<sim::HostIndex>* workers = nullptr;
    const std::vector<sim::HostIndex>* storages = nullptr;
    const std::vector<sim::HostIndex>* caches = nullptr;
    const std::vector<std::vector<sim::Route>>* storage_routes = nullptr; ///< per worker
    const std::vector<std::vector<sim::Route>>* cache_routes = nullptr;   ///< per worker
    double storage_bw = 0, cache_bw = 0;                                  ///< B/s
    double hitrate = 0;
    sim::DispatchPolicy policy = sim::DispatchPolicy::dcsim;
};

struct PackedReads {
    double readers = 0;          ///< jobs with input files running at once
    double transfer_crowd_s = 0; ///< a reader's input with every placed reader reading, mean
    double transfer_mean_s = 0;  ///< alone + crowd × the readers' duty cycle (Placement.cpp), mean
    double transfer_max_s = 0;   ///< the same on the worker where it is longest
    double transfer_alone_s = 0; ///< a placed reader's input read alone (route bottleneck, disk), mean
    double reader_compute_s = 0; ///< a reader's flops at its worker's speed on one core, mean
    double compute_mean_s = 0;   ///< a placed job's flops at its worker's speed, mean
};

/// The job groups (WorkloadTotals::groups), in submission order, placed at once as the dispatcher
/// would while no job has ended: `dcsim` first fit over the workers by name; `data-locality` a
/// reading group first fit over the sites of the storage and cache hosts, then, as
/// `least-loaded` (and `round-robin`, taken alike), over the sites so that their shares of busy
/// cores level, first fit within a site. Jobs of one group take its mean cores (memory is not
/// looked at); a placement may leave a fraction of a job (a mean over many placements). Jobs that
/// do not fit wait and are not counted. Each reader then reads its group's mean input (misses from the
/// storage, the hit rate's share from the caches) at the least, along its route, of each link's bandwidth
/// over the readers whose routes cross it, and at most the disks' bandwidth over all their readers.
PackedReads packed_reads(const sim::Platform& p, const std::vector<sim::JobGroup>& groups,
                         const ReadContext& c);

} // namespace hepkit::surrogate::detail
