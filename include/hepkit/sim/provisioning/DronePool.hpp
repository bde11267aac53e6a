#pragma once
/// @file
/// Opportunistic resources: drones (virtual machines or batch jobs on HPC and cloud sites) that
/// boot on demand, join the batch pool, run grid jobs and leave — and the controllers that
/// decide how many to run, as ROCED and COBalD/TARDIS do (docs/opportunistic.md).
///
/// Drone life cycle (TARDIS): requested → booting → integrating → available → draining →
/// shutdown. A request waits `queue_time` in the HPC batch system, then boots (`boot_time`,
/// the walltime clock starts), integrates into the pool (`integration_delay`, noticed at the
/// next heartbeat) and accepts jobs while available. A drone drains when the controller
/// releases it or `drain_before` seconds before its walltime: it takes no new job and shuts
/// down when its last job ends (at the next heartbeat). At its walltime it shuts down, and the
/// jobs still running are killed and requeued.
///
/// Controllers (one per scenario, applied to every opportunistic site):
///  - `roced`: every `interval`, target = ⌈Σ requested cores of idle jobs and of jobs running on
///    the site's drones / cores per drone⌉ (at most the quota); boots at most
///    `max_boots_per_cycle` drones per cycle; releases drones idle for `release_delay`;
///  - `cobald-linear`: demand (cores) −= rate × interval when utilisation < low_utilisation,
///    += rate × interval when allocation > high_allocation (COBalD's LinearController);
///  - `cobald-relative`: demand = supply × low_scale / high_scale under the same conditions
///    (COBalD's RelativeSupplyController);
///  the COBalD factory spawns drones up to ⌈demand / cores per drone⌉ and retires the least used
///  (fewest running jobs, idle first) above it.

#include "hepkit/core/Distribution.hpp"
#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/output/DroneStats.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

/// A time that is a fixed number or a distribution.
struct Duration {
    double fixed = 0;
    std::optional<Distribution> dist;
    double sample(std::mt19937_64& rng) const { return dist ? dist->sample(rng) : fixed; }
    double mean() const { return dist ? dist->mean() : fixed; }
};

struct OpportunisticSite {
    std::string site;             ///< the zone whose worker hosts are the nodes drones run on
    int max_drones = 0;           ///< quota; 0 = one per node
    int cores_per_drone = 0;      ///< 0 = the node's cores
    double memory_per_drone = 0;  ///< B; 0 = the node's ram
    Duration queue_time;          ///< s in the HPC queue before the drone starts
    Duration boot_time;           ///< s from start to a booted drone
    double integration_delay = 0; ///< s until the pool sees it
    double walltime = 0;          ///< s from start; 0 = unlimited
    double drain_before = 0;      ///< s before the walltime at which it stops taking jobs
    double overhead = 0;          ///< fraction of compute speed lost to virtualisation, [0, 1)
    double cost_per_core_hour = 0;
    double background_share = 0; ///< fraction of the nodes the site's own users hold, [0, 1)
    /// Optional time profile of that share: (from time s, share) steps in increasing time, the
    /// share holding until the next step; before the first step `background_share` holds, or,
    /// with a `background_period`, the profile repeats and the last step wraps around.
    std::vector<std::pair<double, double>> background_steps;
    double background_period = 0;
    double heartbeat = 0; ///< s; state changes are noticed at multiples of it (0: at once)
};

struct ControllerSpec {
    enum class Kind { roced, cobald_linear, cobald_relative };
    Kind kind = Kind::roced;
    double interval = 60;         ///< s between controller cycles
    int max_boots_per_cycle = 10; ///< roced
    double release_delay = 300;   ///< roced: s a drone stays idle before it is released
    double low_utilisation = 0.5, high_allocation = 0.9; ///< cobald
    double rate = 1;                                     ///< cobald-linear: cores per second
    double low_scale = 0.9, high_scale = 1.1;            ///< cobald-relative
};
/// `cobald` is an older spelling of `cobald-linear`.
inline constexpr auto controller_kinds = make_enum_table<ControllerSpec::Kind>(
    "controller", {{"roced", ControllerSpec::Kind::roced},
                   {"cobald-linear", ControllerSpec::Kind::cobald_linear},
                   {"cobald", ControllerSpec::Kind::cobald_linear, true},
                   {"cobald-relative", ControllerSpec::Kind::cobald_relative}});
/// The share of the site's nodes its own users hold at time t (the profile, or the constant).
double background_share_at(const OpportunisticSite& site, double t);

// Controller laws, free functions so that their step responses can be tested alone.
/// ROCED: drones wanted for `job_cores` of idle and running jobs.
int roced_target(double job_cores, int cores_per_drone, int quota);
/// COBalD linear controller: the new demand (cores, >= 0).
double cobald_linear(double demand, double utilisation, double allocation, const ControllerSpec& c);
/// COBalD relative-supply controller: the new demand (cores, >= 0).
double cobald_relative(double supply, double utilisation, double allocation, const ControllerSpec& c);

class DronePool {
  public:
    /// What the pool needs from the batch system (implemented by the grid layer).
    struct Batch {
        virtual ~Batch() = default;
        virtual void open_worker(std::size_t worker, int cores, double memory) = 0;
        virtual void close_worker(std::size_t worker) = 0;
        /// Kills and requeues the jobs running on the worker (walltime).
        virtual void kill_jobs(std::size_t worker, double now) = 0;
        /// Cores requested by queued jobs that could run on a drone of `cores` and `memory`, with
        /// GPUs or without (GPU jobs count only for drones on GPU nodes).
        virtual double idle_job_cores(int cores, double memory, bool gpus) const = 0;
        virtual double compute_rate(std::size_t worker) const = 0; ///< flop/s now
        virtual double core_speed(std::size_t worker) const = 0;   ///< flop/s per core
        virtual void timer(double when, std::uint64_t token) = 0;
    };
    struct Node {
        std::size_t worker;
        int cores;
        double memory;
        bool gpus = false; ///< the node has GPUs (its drones can take GPU jobs)
    };
    static constexpr std::uint64_t token_bit = std::uint64_t{1} << 62;

    /// `nodes[s]`: the worker nodes of site s. Throws std::invalid_argument on drones larger
    /// than the nodes, or a quota that the nodes cannot hold.
    DronePool(std::vector<OpportunisticSite> sites, std::vector<std::vector<Node>> nodes,
              ControllerSpec controller, std::uint64_t seed, Batch& batch);

    void start(double now);
    /// Stops the controller (no more cycles; drones shut down as their jobs end).
    void stop(double now);
    void on_timer(std::uint64_t token, double now);
    /// The batch system started or ended a job of `cores` on a worker (any worker).
    void job_started(std::size_t worker, int cores, double now);
    void job_ended(std::size_t worker, int cores, double now, bool killed);
    /// Whether some site could ever run a drone that hosts a job of `cores`, `memory` (and GPUs):
    /// drone size, GPU nodes, and a quota that is not zero at every time of its profile.
    bool can_ever_host(int cores, double memory, bool gpus) const;
    bool is_drone_worker(std::size_t worker) const;
    /// Whether the worker is a node of an opportunistic site (with or without a drone now).
    bool is_node(std::size_t worker) const {
        return worker < node_of_worker_.size() && node_of_worker_[worker];
    }

    std::function<void(const DroneEvent&)> on_event;
    /// supply, demand, allocation, utilisation (and drones per state) per site.
    void sample(double now, const std::function<void(const char*, const std::string&, double)>& out) const;
    std::vector<DroneSiteStats> stats(double now);

  private:
    struct Drone {
        std::size_t site, node;
        DroneState state = DroneState::requested;
        double since = 0, started = 0, last = 0;
        int cores = 0, running_cores = 0, jobs = 0;
        double idle_since = 0;
        double memory = 0;
        bool accounted = false;
    };
    void request(std::size_t site, double now);
    void set_state(std::size_t d, DroneState s, double now);
    void account(Drone& d, double now);
    void drain(std::size_t d, double now);
    void shutdown(std::size_t d, double now);
    double notice(const Drone& d, double t) const; ///< t rounded up to the site's heartbeat
    void cycle(double now);
    /// What a site's drones hold now: counts per state group and the pool's load figures.
    struct SiteLoad {
        int alive = 0;    ///< requested, booting, integrating or available
        int existing = 0; ///< holding a node (not shut down): the quota counts these
        int starting = 0; ///< requested, booting or integrating
        double supply = 0, busy = 0, rate = 0, capacity = 0; ///< available and draining drones
    };
    SiteLoad load(std::size_t site) const;
    std::size_t drone_of_worker(std::size_t worker) const;

    std::vector<OpportunisticSite> sites_;
    std::vector<std::vector<Node>> nodes_;
    std::vector<std::vector<bool>> node_busy_;
    ControllerSpec controller_;
    std::mt19937_64 rng_;
    Batch& batch_;
    std::vector<Drone> drones_;
    std::vector<std::size_t> drone_on_worker_; ///< worker -> drone + 1, 0 = none
    std::vector<double> demand_;               ///< cobald: demand in cores per site
    std::vector<DroneSiteStats> stats_;
    std::vector<char> node_of_worker_; ///< per worker: a node of some site
    std::vector<int> quota_;           ///< max_drones, or one per node
    /// Drones the site may hold at `now`: the quota, less the nodes its own users hold then.
    int quota(std::size_t site, double now) const;
    bool running_ = false;
};

} // namespace hepkit::sim
