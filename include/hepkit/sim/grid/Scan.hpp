#pragma once
/// @file
/// Parameter scans: one or more grid scenarios run over the cartesian product of parameter
/// values, in parallel threads, into one summary table. Each point is an independent
/// Simulation, so its result is the same whatever the number of threads.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hepkit::sim {

/// One scan parameter and its values (kept as text, parsed when applied).
struct ScanParameter {
    /// A parameter path (grid/Parameters.hpp; `*` for every cache host or opportunistic site),
    /// `seed`, `link_bandwidth_factor`, or an older name: hitrate, cache_size, dispatcher,
    /// xrd_blocksize.
    std::string name;
    std::vector<std::string> values;
};

struct ScanSpec {
    std::string origin;
    std::vector<std::string> scenarios; ///< grid scenario files
    std::vector<ScanParameter> parameters;
    std::string link_match; ///< link_bandwidth_factor applies to links whose id contains this
    unsigned threads = 0;   ///< 0: all cores

    /// Number of points: scenarios x product of value counts.
    std::size_t points() const;
    /// The scenario and parameter values of point k (0-based, scenario slowest).
    std::pair<std::string, std::vector<std::string>> point(std::size_t k) const;
};

/// Reads a scan file: `scenarios: [...]`, `parameters: {name: [values...]}`, optional
/// `link_match`, `threads`. Paths are relative to the file. Unknown parameters are errors.
/// Each point is run by sim::run (grid/Run.hpp).
ScanSpec read_scan(const std::string& path);

/// Runs points [first, last) and returns one CSV line per point (in point order), after the
/// header `header()`. `progress(done, total)` is called as points finish.
std::vector<std::string> run_scan(const ScanSpec& spec, std::size_t first, std::size_t last,
                                  const std::function<void(std::size_t, std::size_t)>& progress = {});
std::string scan_header(const ScanSpec& spec);

/// The scenario of point k, read and with the point's parameter values applied: what run_scan
/// simulates (a surrogate predicts it instead, `hepkit sim --scan --surrogate`). Throws
/// InputError naming the scan file and parameter for a value that does not apply. `detail`:
/// WorkloadDetail::totals for a scenario that is described, not run (build_workload).
GridScenario scan_point_scenario(const ScanSpec& spec, std::size_t k,
                                 WorkloadDetail detail = WorkloadDetail::jobs);
/// Scan points described rather than run (a scan through a summary surrogate). Each scenario
/// file is read once (its settings and platform; a point's seed only sets options.seed) and each
/// file and seed's workload drawn once for its totals (WorkloadDetail::totals): the parameters a
/// scan applies after reading change the platform and the options, never the workload. A point's
/// scenario is a copy with its seed and values applied: the platform, options and workload totals
/// of scan_point_scenario(spec, k, WorkloadDetail::totals); its workload holds the totals only (no
/// files, datasets or listed jobs) — what the surrogate's features read. Thread-safe.
class ScanDescriber {
  public:
    explicit ScanDescriber(const ScanSpec& spec) : spec_(spec) {}
    /// Point k's scenario, described.
    GridScenario scenario(std::size_t k);
    /// How many workloads were drawn so far (the distinct scenario files and seeds).
    std::size_t drawn() const;

  private:
    const ScanSpec& spec_;
    mutable std::mutex mutex_;
    /// By file: the scenario without its workload and the workload's sources (never erased, never
    /// changed after insertion: read outside the lock).
    std::map<std::string, std::pair<GridScenario, WorkloadSources>> read_;
    std::map<std::pair<std::string, std::uint64_t>, WorkloadTotals> totals_; ///< by file and seed
    std::size_t drawn_ = 0;
};

/// The point's parameter values as the CSV fields of scan_header (point, scenario, values).
std::string scan_point_fields(const ScanSpec& spec, std::size_t k);

/// Writes a batch-system job array that runs every point separately (`hepkit sim --scan FILE
/// --point $INDEX`): DIR/scan.sub (HTCondor, `queue N`) or DIR/scan.sbatch (Slurm,
/// `--array=0-N-1`), DIR/run_point.sh and DIR/merge.sh. `kind` is condor or slurm.
void emit_batch_array(const ScanSpec& spec, const std::string& scan_file, const std::string& kind,
                      const std::string& dir, const std::string& hepkit_path);

} // namespace hepkit::sim
