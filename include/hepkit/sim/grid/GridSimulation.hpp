#pragma once
/// @file
/// The grid layer: HEP jobs on worker nodes, reading inputs from grid storage or caches,
/// computing and writing outputs, as DCSim models them, on hepkit's engine and models.
///
/// Job life cycle: submitted -> queued -> matched to a worker with enough free cores and memory
/// (Dispatcher) -> inputs -> compute -> output written to storage -> done. A job that needs more
/// cores or memory than any worker has ends at submission with status `unschedulable`.
///
/// Input modes (docs/models.md, "Grid layer"):
///  - copy: every input file is read whole, one after the other, then the job computes;
///  - streaming: each file is read in blocks of `streaming.block_size`; block i+1 is read while block i
///    is computed (prefetch on), the flops of a block are proportional to its bytes, plus an
///    optional XRootD CPU overhead per second of streaming;
///  - calculation: no input; the flops run on all the job's cores.
/// A read is one activity that uses the network route from the source host to the worker and
/// the source disk's read bandwidth (SimGrid's streamed I/O); an output write uses the route to
/// the storage host and its disk's write bandwidth.
///
/// GridSimulation is the job state machine (one `Stage` per running job) that ties the services
/// together: the queue and placement of sim/batch (JobQueue; Dispatcher, GPUs included), the
/// input and output routing of sim/data (InputRouter with the caches, OutputRouter), the drones
/// of sim/provisioning and the time series of sim/output (TimeSeriesSampler).

#include "hepkit/core/SlotPool.hpp"
#include "hepkit/sim/Simulation.hpp"
#include "hepkit/sim/batch/Dispatcher.hpp"
#include "hepkit/sim/batch/JobQueue.hpp"
#include "hepkit/sim/data/InputRouter.hpp"
#include "hepkit/sim/data/OutputRouter.hpp"
#include "hepkit/sim/gpu/GpuPool.hpp"
#include "hepkit/sim/grid/GridOptions.hpp"
#include "hepkit/sim/output/JobRecord.hpp"
#include "hepkit/sim/output/TimeSeriesSampler.hpp"
#include "hepkit/sim/provisioning/DronePool.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <functional>
#include <optional>
#include <unordered_map>

namespace hepkit::sim {

class GridSimulation : private Engine::Listener, private DronePool::Batch {
  public:
    struct Observers {
        std::function<void(const JobRecord&)> job_finished;
        std::function<void(const TimeSample&)> sample;
        std::function<void(std::size_t done, std::size_t total, double now)> progress;
        std::function<void(const DroneEvent&)> drone; ///< drone state transitions
    };

    /// Checks the workload against the platform (roles, capacities) and places initial replicas.
    /// Throws InputError / std::invalid_argument with the reason.
    GridSimulation(Simulation& sim, WorkloadSet workload, GridOptions options);

    void run(Observers observers);
    /// Where warnings about the run go (e.g. an XRootD overhead that dominates); without a
    /// handler they are printed on stderr as `hepkit: warning: ...`.
    void set_warning_handler(std::function<void(const std::string&)> handler) {
        warning_ = std::move(handler);
    }

    const Dispatcher& dispatcher() const { return dispatcher_; }
    std::size_t jobs_total() const { return order_.size(); }
    /// GPU statistics per policy, as of the end of the run (empty without GPUs).
    std::vector<GpuPolicyStats> gpu_stats();
    /// Energy of the worker hosts that declare a power model, over [0, end] (J; 0 if none does):
    /// idle power all the time plus (max - idle) x the flops they computed / their capacity.
    double host_energy(double end) const;
    /// Opportunistic accounting per site, up to the end of the run (empty without drones).
    std::vector<DroneSiteStats> drone_stats();

  private:
    enum class Op : std::uint8_t { read, exec, write, gpu };
    /// Where a running job is; each stage waits for the activities it started.
    enum class Stage : std::uint8_t {
        calc_exec,            ///< calculation job computing
        copy_read,            ///< copy job reading file `file`
        copy_exec,            ///< copy job computing after all reads
        first_read,           ///< streaming: reading the first block of file `file`
        step_both,            ///< streaming: computing block `block`, reading the next (prefetch)
        step_exec_then_read,  ///< streaming without prefetch: computing block `block`
        step_read_after_exec, ///< streaming without prefetch: reading the next block
        final_exec,           ///< streaming: computing the file's last block
        gpu,                  ///< running its GPU part (after the CPU part)
        output                ///< writing the output file
    };
    struct Run {
        Stage stage = Stage::calc_exec;
        JobIndex job = 0;
        std::size_t worker = 0;
        std::vector<InputSource> sources;
        std::size_t file = 0;
        std::uint64_t block = 0, blocks = 0;
        double to_process = 0; ///< bytes of the current file not yet computed
        double total_bytes = 0;
        bool read_pending = false, exec_pending = false;
        double read_start = 0, exec_start = 0, xrd_block_start = 0;
        double xrd_read_time = 0; ///< duration of the last completed read (read_time model)
        double pending_read_bytes = 0;
        std::optional<GpuPool::TaskId> gpu;
        std::size_t slot = 0; ///< position in the submission order (to requeue)
        bool live = false;
        JobRecord record;
    };
    struct Pending {
        std::uint32_t run = ~std::uint32_t{0}; ///< none
        Op op = Op::read;
    };
    /// Where a queued job starts: a worker, and its claimed GPU slots for a GPU job.
    struct Placement {
        std::size_t worker;
        std::optional<GpuPool::TaskId> gpu;
    };

    void expect(ActivityId id, std::uint32_t run, Op op);
    void on_activity_done(ActivityId id, double now) override;
    void on_timer(std::uint64_t token, double now) override;

    /// Checks the options and the workload's size; runs before the data services are built.
    const Platform& checked_platform() const;
    std::vector<HostIndex> worker_hosts() const;
    void submit(std::size_t slot, double now);
    void schedule(double now);
    std::optional<Placement> place(JobIndex job);
    void start_job(JobIndex job, const Placement& placement, double now, std::size_t slot);
    void after_compute(std::uint32_t r, double now);
    void setup_gpus();
    void setup_drones();
    void add_probes(TimeSeriesSampler& sampler);
    // DronePool::Batch
    void open_worker(std::size_t worker, int cores, double memory) override;
    void close_worker(std::size_t worker) override;
    void kill_jobs(std::size_t worker, double now) override;
    double idle_job_cores(int cores, double memory, bool gpus) const override;
    /// False if no permanent worker and no drone that a site could ever start can host the job
    /// (it would wait for ever: recorded as unschedulable at submission).
    bool can_ever_run(const JobSpec& job) const;
    double compute_rate(std::size_t worker) const override;
    double core_speed(std::size_t worker) const override;
    void timer(double when, std::uint64_t token) override;
    void next_file(std::uint32_t r, double now);
    void stream_step(std::uint32_t r, double now);
    void start_read(std::uint32_t r, double bytes, double now);
    void start_exec(std::uint32_t r, double flops, int cores, double now);
    void start_output(std::uint32_t r, double now);
    void finish(std::uint32_t r, double now, const char* status);
    SpecId io_spec(HostIndex src, std::size_t disk, HostIndex dst, DiskModel::Op op);
    double block_flops(const Run& run, double bytes, double now);
    void warn(const std::string& message) const;
    void check_event_count() const;
    /// Ratio xrd_flops_per_time / core speed of the slowest worker when the dcsim overhead model
    /// feeds on itself (prefetch on, ratio >= 1); 0 otherwise.
    double xrd_runaway_ratio() const;

    Simulation& sim_;
    WorkloadSet workload_;
    GridOptions options_;
    Dispatcher dispatcher_;
    // Built in this order after checked_platform(): the order in which input errors are found.
    OutputRouter outputs_;
    InputRouter inputs_;
    std::vector<JobIndex> order_; ///< submission order (with duplications)
    JobQueue queue_;
    SlotPool<Run> runs_;
    /// What each engine activity belongs to, indexed by activity id (the engine recycles ids,
    /// so this stays as small as the number of activities in flight).
    std::vector<Pending> pending_;
    std::function<void(const std::string&)> warning_;
    std::optional<TimeSeriesSampler> sampler_;
    double xrd_overhead_flops_ = 0; ///< XRootD overhead charged so far (flop)
    double block_flops_ = 0;        ///< the streamed blocks' own flops so far
    std::unordered_map<std::uint64_t, SpecId> io_specs_;
    Observers observers_;
    std::vector<std::pair<HostIndex, double>> scratch_copies_; ///< copies of one job's inputs
    Dispatcher::Preferred scratch_preferred_;
    std::optional<DronePool> drones_;
    std::vector<double> flops_done_; ///< per worker, for host energy
    std::size_t done_ = 0;
};

} // namespace hepkit::sim
