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
/// the queue order (QueueKey) and can be added without touching the policies.

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
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
    /// False if no worker could ever host the job (it would wait for ever).
    bool can_ever_fit(int cores, double memory) const;

    int idle_cores() const { return idle_cores_; }
    const std::vector<Worker>& workers() const { return workers_; }
    const std::vector<Site>& sites() const { return sites_; }
    DispatchPolicy policy() const { return policy_; }

  private:
    std::optional<std::size_t> first_fit(const std::vector<std::size_t>& candidates, int cores,
                                         double memory) const;

    DispatchPolicy policy_;
    std::vector<Worker> workers_;
    std::vector<std::size_t> by_name_; ///< worker indices sorted by host name (dcsim policy)
    std::vector<Site> sites_;
    std::size_t cursor_ = 0; ///< round-robin position
    std::vector<std::size_t> site_of_zone_;
    std::multiset<int> free_cores_; ///< free cores of every worker: no scan when nothing fits
    int idle_cores_ = 0;
    int max_cores_ = 0;
    double max_memory_ = 0;
};

} // namespace hepkit::sim
