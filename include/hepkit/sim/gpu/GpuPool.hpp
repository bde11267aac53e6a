#pragma once
/// @file
/// The GPUs of the worker hosts: slots, placement of jobs' GPU parts, their execution under a
/// sharing policy on the engine, and energy accounting (docs/models.md §9).
///
/// A job's GPU part is a *task*: one *part* per device. Each part first starts its CUDA
/// context (a delay that runs in parallel plus a part serialised per device), then checks its
/// memory (an MPS client whose memory plus context exceeds the pinned limit, or a device whose
/// memory would overflow, ends the task with an out-of-memory status: GPUs do not swap), then
/// runs its work as one engine activity on the device's SM resource:
///  - time-slicing (and exclusive): weight 1 on a resource of capacity 1; with k >= 2 parts
///    computing, each progresses at 1 / (k (1 + overhead));
///  - MPS: the solver shares the SMs max-min between clients; a client's SM share is bounded
///    by its intensity x duty and by the active thread percentage;
///  - MIG: each partition is its own resource with the partition's SM fraction.
/// The pool is not the engine's listener: the grid layer forwards the completions of the
/// activities the pool registered through its `Registrar`.

#include "hepkit/core/SlotPool.hpp"
#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/gpu/GpuPolicy.hpp"
#include "hepkit/sim/output/GpuPolicyStats.hpp"
#include "hepkit/sim/platform/Platform.hpp"
#include "hepkit/sim/workload/GpuRequest.hpp"

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

/// One sample of a device for the time series.
struct GpuSample {
    std::string name;   ///< host/gpu<i>
    double utilisation; ///< fraction of the device's SMs busy
    double power;       ///< W
};

class GpuPool {
  public:
    using Owner = std::uint32_t;
    using TaskId = std::uint32_t;
    using Registrar = std::function<void(ActivityId, Owner)>;

    /// `policies[w]` is the policy of worker `w` (`workers[w]`); hosts without GPUs are allowed.
    /// Throws std::invalid_argument if a policy does not fit a device.
    GpuPool(Engine& engine, const Platform& platform, const std::vector<HostIndex>& workers,
            const std::vector<GpuPolicy>& policies, GpuCalibration calibration, Registrar registrar);

    bool empty() const { return devices_.empty(); }
    /// Why the request can never run on any worker ("" if it can): too many devices, or more
    /// memory than any slot advertises.
    std::string never_fits(const GpuRequest& req) const;
    /// Claims slots on `worker` for the request now, or returns nothing.
    std::optional<TaskId> claim(std::size_t worker, const GpuRequest& req, const std::string& user,
                                Owner owner);
    /// Fraction of the worker's GPU slots in use (0 if it has none), for spreading jobs.
    double load(std::size_t worker) const;
    bool has_gpus(std::size_t worker) const { return !devices_of_worker_[worker].empty(); }

    /// Starts the task's contexts.
    void start(TaskId task, double now);
    /// Forwards the completion of an activity registered by the pool. Returns the owner of a
    /// task that has ended (all parts done or one out of memory).
    struct Ended {
        Owner owner;
        TaskId task;
        bool out_of_memory;
    };
    std::optional<Ended> on_activity_done(ActivityId id, double now);

    /// What the trace reports about a task (valid until release()).
    struct TaskReport {
        std::string devices; ///< host/gpu0[+gpu1], MIG: host/gpu0:3g.40gb
        std::string policy;
        double gpu_time = 0; ///< s from the first part's work start to the last part's end
        double memory = 0;   ///< B per device
        double energy = 0;   ///< J: its share of device power while its kernels ran
    };
    TaskReport report(TaskId task) const;
    /// Frees the task's slots.
    void release(TaskId task);
    /// Ends a task early (its job was killed, e.g. at a drone's walltime): cancels the activity
    /// of every unfinished part, frees the device memory of parts that were computing, settles
    /// their energy up to `now`, and frees the slots.
    void abort(TaskId task, double now);

    void sample(double now, const std::function<void(const GpuSample&)>& out);
    /// Per-policy statistics, with device energy accounted up to `now`.
    std::vector<GpuPolicyStats> stats(double now);

  private:
    struct Slot {
        double memory; ///< B advertised to the batch system
        int partition; ///< MIG partition, or -1
        bool busy = false;
    };
    struct Device {
        HostIndex host;
        std::string name; ///< host/gpu<i>
        std::size_t worker;
        int index;
        std::size_t policy;
        GpuSpec spec;
        ResourceId sm, ctx;
        std::vector<Slot> slots;
        std::vector<MigProfile> partitions;
        std::vector<ResourceId> partition_res;
        int claimed = 0;
        std::string user;                     ///< MPS: the user whose clients hold the device
        double memory_used = 0;               ///< B of initialised parts (memory + context)
        std::vector<std::uint64_t> computing; ///< parts in their work phase (task << 32 | part)
        double last = 0;                      ///< time energy was settled
        double active_time = 0, dynamic_energy = 0;
        double first_use = std::numeric_limits<double>::infinity(), last_use = 0;
    };
    struct Part {
        std::uint32_t device, slot;
        ActivityId act = 0;
        bool computing = false, done = false;
        double dynamic_power = 0; ///< W above the active baseline at full progress rate
        double energy = 0;
        double left = 0; ///< work remaining at the last settle()
        double rate = 0; ///< progress rate over the last settled interval
        double work_start = 0, end = 0;
    };
    struct Task {
        Owner owner;
        GpuRequest req;
        std::vector<Part> parts;
        int left = 0;
        bool oom = false, live = false;
    };

    SharingSpec work_spec(const Device& d, const Part& p, const GpuRequest& r, std::size_t computing) const;
    void settle(Device& d, double now);
    void join(TaskId t, std::uint32_t part, double now);
    void leave(TaskId t, std::uint32_t part, double now, bool cancel);
    void respec_time_slicing(Device& d, std::size_t before, std::uint64_t skip);
    double power_now(const Device& d) const;
    void track(ActivityId id, TaskId t, std::uint32_t part);

    Engine& engine_;
    GpuCalibration cal_;
    Registrar registrar_;
    std::vector<GpuPolicy> policies_; ///< distinct policies in use (by describe())
    std::vector<Device> devices_;
    std::vector<std::vector<std::uint32_t>> devices_of_worker_;
    SlotPool<Task, TaskId> tasks_;
    std::vector<std::uint64_t> by_activity_; ///< activity id -> task << 32 | part, or ~0
    std::vector<std::size_t> jobs_, oom_;    ///< per policy
};

} // namespace hepkit::sim
