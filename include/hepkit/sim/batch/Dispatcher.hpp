#pragma once
/// @file
/// Batch slots and the global dispatcher that places jobs on worker nodes.
///
/// Workers are partitionable slots (HTCondor's model): a job takes the cores and memory it
/// requests from one worker and gives them back when it ends. Sites are the zones that contain
/// the workers. Jobs wait in one queue ordered by (priority, submission time, arrival order);
/// the dispatcher binds a job to a site and worker only when it can start there (late binding,
/// as pilot-based WLCG workload management does), so no job waits in a site queue behind a
/// busy node while another site is free. Queue wait is measured from submission.
///
/// Policies, chosen by name:
///  - `dcsim`: DCSim's single scheduler: the first worker, in name order, with enough free cores
///    and memory;
///  - `round-robin`: sites in turn, first fitting worker within the site;
///  - `least-loaded`: the site with the smallest fraction of busy cores that fits the job;
///  - `data-locality`: the site holding most of the job's input bytes (caches or storage in the
///    site's zone), ties broken by load.
/// A new policy adds an enumerator and a branch in pick(); fair share per user would change
/// the queue order (JobQueue) and can be added without touching the policies.
///
/// GPU jobs are placed by pick_gpu(), whatever the policy: the worker with the smallest
/// fraction of claimed GPU slots (DispatcherGpu.cpp; the devices' sharing is sim/gpu's).

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/gpu/GpuPool.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::sim {

enum class DispatchPolicy { dcsim, round_robin, least_loaded, data_locality };
inline constexpr auto dispatch_policies =
    make_enum_table<DispatchPolicy>("dispatcher policy", {{"dcsim", DispatchPolicy::dcsim},
                                                          {"round-robin", DispatchPolicy::round_robin},
                                                          {"least-loaded", DispatchPolicy::least_loaded},
                                                          {"data-locality", DispatchPolicy::data_locality}});

class Dispatcher {
  public:
    struct Worker {
        HostIndex host;
        std::size_t site;
        int cores_total, cores_free;
        double memory_total, memory_free; ///< bytes; infinity when the host declares no `ram`
        bool open = true;                 ///< accepts new jobs (drones: only while available)
    };
    struct Site {
        std::string name;
        ZoneIndex zone;
        std::vector<std::size_t> workers;
        int cores_total = 0, cores_busy = 0;
    };
    /// Sites holding the job's input, best first (data-locality policy only).
    using Preferred = std::vector<std::size_t>;

    Dispatcher(const Platform& platform, const std::vector<HostIndex>& workers, DispatchPolicy policy);

    /// A worker where a job of `cores` and `memory` can start now, or nothing.
    /// With `data-locality`, the `preferred` sites are tried in order, then the least-loaded one.
    std::optional<std::size_t> pick(int cores, double memory, const Preferred& preferred = {});
    /// The site index of a zone, or `npos` if the zone holds no worker.
    std::size_t site_of_zone(ZoneIndex z) const { return z < site_of_zone_.size() ? site_of_zone_[z] : npos; }
    static constexpr std::size_t npos = ~std::size_t{0};
    /// Takes the resources of a placed job / gives them back.
    void take(std::size_t worker, int cores, double memory);
    void give(std::size_t worker, int cores, double memory);
    /// Opens or closes a worker to new jobs (opportunistic drones); running jobs are unaffected.
    void set_open(std::size_t worker, bool open);
    /// Sets the cores and memory a worker offers (a drone's size); only while it is closed and idle.
    void resize(std::size_t worker, int cores, double memory);

    /// Bytes of a job's input held on a host (one replica or cached copy of one file).
    using Holding = std::pair<HostIndex, double>;
    /// The data-locality preference for one job, into `out`: the sites whose zones hold some of
    /// its `holdings`, most bytes first; equal bytes, the less loaded site first, then site order.
    void rank_by_locality(std::span<const Holding> holdings, Preferred& out);

    /// True if some worker host has GPUs.
    bool any_gpu_worker() const;
    /// Sets up GPU placement: each worker's sharing policy and the pool of the workers' devices.
    /// A worker's policy is its host's entry in `policies`, else its zone's or an enclosing
    /// zone's, else `default`'s, else exclusive. Throws std::invalid_argument for an entry that
    /// names neither a host, a zone nor `default`, or a policy that does not fit a device.
    void setup_gpus(Engine& engine, const std::vector<std::pair<std::string, GpuPolicy>>& policies,
                    const GpuCalibration& calibration, GpuPool::Registrar registrar);
    /// The GPU pool; null until setup_gpus().
    GpuPool* gpus() { return gpus_ ? &*gpus_ : nullptr; }
    const GpuPool* gpus() const { return gpus_ ? &*gpus_ : nullptr; }
    /// A worker for a GPU job, with its GPU slots claimed for `owner`, or nothing: among the open
    /// workers with the cores, memory and GPU slots free, the one with the smallest fraction of
    /// claimed slots (ties: worker order). Precondition: setup_gpus() ran.
    std::optional<std::pair<std::size_t, GpuPool::TaskId>> pick_gpu(int cores, double memory,
                                                                    const GpuRequest& request,
                                                                    const std::string& user,
                                                                    GpuPool::Owner owner);

    int idle_cores() const { return idle_cores_; }
    const std::vector<Worker>& workers() const { return workers_; }
    const std::vector<Site>& sites() const { return sites_; }
    DispatchPolicy policy() const { return policy_; }

  private:
    std::optional<std::size_t> first_fit(const std::vector<std::size_t>& candidates, int cores,
                                         double memory) const;

    const Platform* platform_;
    DispatchPolicy policy_;
    std::vector<Worker> workers_;
    std::vector<std::size_t> by_name_; ///< worker indices sorted by host name (dcsim policy)
    std::vector<Site> sites_;
    std::size_t cursor_ = 0; ///< round-robin position
    std::vector<std::size_t> site_of_zone_;
    std::multiset<int> free_cores_; ///< free cores of every worker: no scan when nothing fits
    int idle_cores_ = 0;
    std::vector<std::pair<double, std::size_t>> local_; ///< scratch of rank_by_locality: (-bytes, site)
    std::optional<GpuPool> gpus_;
};

} // namespace hepkit::sim
