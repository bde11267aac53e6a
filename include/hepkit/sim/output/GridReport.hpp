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

/// The job trace: DCSim's columns (same header and ", " separator, so DCSim's analysis scripts
/// read it), then hepkit's: site, submit, queue_wait, cores, memory, bytes_from_cache,
/// bytes_from_remote, status, gpu_device, gpu_policy, gpu_time, gpu_memory, energy. One line per job in
/// completion order, written as jobs end.
class TraceWriter {
  public:
    explicit TraceWriter(const std::string& path);
    void add(const JobRecord& r);
    void commit() { file_.commit(); }

  private:
    AtomicFile file_;
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
    /// Human-readable table.
    std::string table(const std::string& title, double wall_seconds, std::uint64_t events) const;

  private:
    struct Totals {
        std::size_t done = 0, failed = 0;
        double wall = 0, compute = 0, infile = 0, outfile = 0, queue = 0, core_seconds = 0;
        double bytes_cache = 0, bytes_remote = 0, bytes_out = 0;
        void add(const JobRecord& r);
        nlohmann::json json() const;
    };
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
