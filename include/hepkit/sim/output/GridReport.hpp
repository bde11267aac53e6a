#pragma once
/// @file
/// Outputs of a grid run: the job trace (streamed to disk), the summary (JSON and a table on
/// stdout) and the time series. All files are written atomically.

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/sim/gpu/GpuPool.hpp"
#include "hepkit/sim/output/JobRecord.hpp"
#include "hepkit/sim/provisioning/DronePool.hpp"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace hepkit::sim {

/// The job trace: DCSim's columns first (same header and ", " separator, so DCSim's analysis
/// scripts read it), then hepkit's: site, submit, queue_wait, cores, memory, bytes_from_cache,
/// bytes_from_remote, status; then, only on platforms with GPUs, gpu_device, gpu_policy,
/// gpu_time, gpu_memory; then, only when a host has GPUs or a power model, energy. One line per
/// job in completion order, written as jobs end.
class TraceWriter {
  public:
    struct Columns {
        bool gpu = true;    ///< gpu_device, gpu_policy, gpu_time, gpu_memory
        bool energy = true; ///< energy (J)
    };
    /// Every column.
    explicit TraceWriter(const std::string& path);
    TraceWriter(const std::string& path, Columns columns);
    void add(const JobRecord& r);
    void commit() { file_.commit(); }

  private:
    AtomicFile file_;
    Columns columns_;
};

/// Aggregates finished jobs into the run's summary.
class SummaryBuilder {
  public:
    /// `site_cores`: cores per site (for utilisation).
    explicit SummaryBuilder(std::map<std::string, int> site_cores) : site_cores_(std::move(site_cores)) {}
    void add(const JobRecord& r);
    /// GPU statistics per policy and the hosts' energy, known at the end of the run.
    void set_energy(std::vector<GpuPolicyStats> gpu, double host_energy) {
        gpu_ = std::move(gpu);
        host_energy_ = host_energy;
    }
    nlohmann::json json(double wall_seconds, std::uint64_t events) const;
    double makespan() const { return makespan_; }
    void set_drones(std::vector<DroneSiteStats> d) { drones_ = std::move(d); }
    /// Human-readable table: overall figures, the `max_sites` sites with most jobs and the
    /// totals over all sites, GPU policies, energy, opportunistic sites.
    std::string table(const std::string& title, double wall_seconds, std::uint64_t events,
                      std::size_t max_sites = 10) const;

  private:
    struct Totals {
        std::size_t done = 0, failed = 0;
        double wall = 0, compute = 0, gpu = 0, infile = 0, outfile = 0, queue = 0, core_seconds = 0;
        double bytes_cache = 0, bytes_remote = 0, bytes_out = 0;
        void add(const JobRecord& r);
        nlohmann::json json() const;
        /// (CPU compute time + GPU time) / wall time: the fraction of the jobs' wall time spent
        /// computing on their cores or their GPUs (a job's GPU phase follows its CPU phase); the
        /// same as DCSim's CPU efficiency (compute / wall) when no job uses a GPU.
        double efficiency() const { return wall > 0 ? (compute + gpu) / wall : 0.0; }
    };
    std::string site_rows(std::size_t max_sites) const;
    std::map<std::string, int> site_cores_;
    Totals all_;
    std::map<std::string, Totals> sites_;
    std::map<std::string, std::size_t> status_;
    double makespan_ = 0;
    std::vector<GpuPolicyStats> gpu_;
    std::vector<DroneSiteStats> drones_;
    double host_energy_ = 0;
};

/// Time series in long format: `time,kind,name,value`.
class TimeSeriesWriter {
  public:
    explicit TimeSeriesWriter(const std::string& path);
    void add(double time, const char* kind, const std::string& name, double value);
    void commit() { file_.commit(); }

  private:
    CsvWriter file_;
};

/// The drone trace: `time,drone,site,state,running_jobs`, one line per transition.
class DroneTraceWriter {
  public:
    explicit DroneTraceWriter(const std::string& path);
    void add(const DroneEvent& e);
    void commit() { file_.commit(); }

  private:
    CsvWriter file_;
};

/// Writes JSON atomically.
void write_json(const std::string& path, const nlohmann::json& doc);

} // namespace hepkit::sim
