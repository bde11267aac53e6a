#pragma once
/// @file
/// Outputs of a grid run: the job trace (streamed to disk), the summary (JSON and a table on
/// stdout) and the time series. All files are written atomically.

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/sim/output/DroneStats.hpp"
#include "hepkit/sim/output/GpuPolicyStats.hpp"
#include "hepkit/sim/output/JobRecord.hpp"

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

/// Sums over the finished jobs of a site or of all sites. Jobs that did not end `done` count
/// only in `failed`.
struct JobTotals {
    std::size_t done = 0, failed = 0;
    double wall = 0;                                         ///< s, sum of wall times (end - start)
    double compute = 0;                                      ///< s, CPU compute time
    double gpu = 0;                                          ///< s, GPU time
    double infile = 0;                                       ///< s, input transfer time
    double outfile = 0;                                      ///< s, output transfer time
    double queue = 0;                                        ///< s, queue wait
    double core_seconds = 0;                                 ///< cores x wall time
    double bytes_cache = 0, bytes_remote = 0, bytes_out = 0; ///< B
    void add(const JobRecord& r);
    /// CPU compute time / wall time (DCSim's CPU efficiency).
    double cpu_efficiency() const { return wall > 0 ? compute / wall : 0.0; }
    /// (CPU compute time + GPU time) / wall time: the fraction of the jobs' wall time spent
    /// computing on their cores or their GPUs (a job's GPU phase follows its CPU phase); the
    /// same as cpu_efficiency() when no job uses a GPU.
    double efficiency() const { return wall > 0 ? (compute + gpu) / wall : 0.0; }
    /// Mean of a sum over the jobs done (0 without any).
    double mean(double sum) const { return sum / (done > 0 ? static_cast<double>(done) : 1.0); }
    /// Bytes read from caches / all bytes read.
    double cache_hit_rate() const {
        return bytes_cache + bytes_remote > 0 ? bytes_cache / (bytes_cache + bytes_remote) : 0.0;
    }
    /// The summary's per-site and overall object (docs/formats.md, "Summary JSON").
    nlohmann::json to_json() const;
};

/// What a grid run produced, as typed figures: returned by sim::run (grid/Run.hpp), written
/// by to_json() as the summary JSON and by table() as the summary on stdout.
struct Summary {
    std::string scenario;       ///< scenario name
    std::size_t jobs_total = 0; ///< jobs submitted (with duplications)
    std::size_t workers = 0;    ///< permanent worker hosts
    std::size_t site_count = 0; ///< sites (zones with workers)
    std::string dispatcher;     ///< dispatcher policy name
    double makespan = 0;        ///< s, the last job's end
    JobTotals overall;
    std::map<std::string, JobTotals> sites;    ///< by site (zone) name
    std::map<std::string, int> site_cores;     ///< cores per site (for utilisation)
    std::map<std::string, std::size_t> status; ///< jobs by final status
    std::vector<GpuPolicyStats> gpu;           ///< per GPU sharing policy (empty without GPUs)
    std::vector<DroneSiteStats> drones;        ///< per opportunistic site (empty without drones)
    double host_energy = 0;                    ///< J of the hosts with a power model
    double wall_seconds = 0;                   ///< s of real time the run took
    std::uint64_t events = 0;                  ///< engine events processed

    /// Adds a finished job.
    void add(const JobRecord& r);
    /// Busy core time / (cores x makespan) of a site (0 for an unknown site).
    double utilisation(const std::string& site) const;
    /// The summary JSON (docs/formats.md).
    nlohmann::json to_json() const;
    /// Human-readable table: overall figures, the `max_sites` sites with most jobs and the
    /// totals over all sites, GPU policies, energy, opportunistic sites.
    std::string table(const std::string& title, std::size_t max_sites = 10) const;
    /// The title `hepkit sim` prints: scenario, jobs, workers, sites, dispatcher.
    std::string title() const;

  private:
    std::string site_rows(std::size_t max_sites) const;
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

} // namespace hepkit::sim
