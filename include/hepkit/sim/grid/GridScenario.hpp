#pragma once
/// @file
/// Grid scenarios: a platform, DCSim workload and dataset files (or their YAML equivalents),
/// job lists, policies, options, seed and outputs. See docs/formats.md.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridSimulation.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

struct GridScenario {
    std::string name;
    std::string origin;
    std::optional<Platform> platform;
    WorkloadSet workload;
    GridOptions options;
    std::string trace, summary, timeseries; ///< output paths (empty: not written)
    std::string drones;                     ///< drone trace path (opportunistic sites)
};

/// Where the workload of a grid run comes from.
struct WorkloadSources {
    std::vector<std::pair<nlohmann::json, std::string>> datasets;  ///< document, origin
    std::vector<std::pair<nlohmann::json, std::string>> workloads; ///< document, origin
    std::vector<std::string> job_lists;                            ///< CSV paths
};

/// Builds the jobs and files: datasets from the "datasets" random stream, jobs from the
/// "workloads" stream of `seed`, then the job lists.
/// WorkloadDetail::totals draws the same and keeps the totals only (WorkloadSet::totals_only).
WorkloadSet build_workload(const Platform& platform, const WorkloadSources& sources, std::uint64_t seed,
                           WorkloadDetail detail = WorkloadDetail::jobs);

/// True if a scenario document describes a grid run (it has workloads, datasets or jobs).
bool is_grid_scenario(const YAML::Node& root);
/// Reads a grid scenario; paths are relative to `base_dir`. `seed`, if given, replaces the
/// scenario's seed (the command line's -s). `detail`: build_workload's.
GridScenario read_grid_scenario(const config::YamlView& root, const std::string& base_dir,
                                std::optional<std::uint64_t> seed = std::nullopt,
                                WorkloadDetail detail = WorkloadDetail::jobs);
/// read_grid_scenario but for the workload: the scenario (its workload empty) and where its
/// workload comes from, for a caller that builds it (build_workload with the scenario's seed) or
/// takes one built before from the same sources and seed.
std::pair<GridScenario, WorkloadSources> read_grid_settings(const config::YamlView& root,
                                                            const std::string& base_dir,
                                                            std::optional<std::uint64_t> seed = std::nullopt);
/// The built-in scenario of `hepkit sim`: one Tier-1 with a cache layer, three Tier-2s and a
/// remote storage element, running a mix of analysis, reconstruction, simulation and merge jobs.
GridScenario default_grid_scenario(std::optional<std::uint64_t> seed = std::nullopt);

} // namespace hepkit::sim
