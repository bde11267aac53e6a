#pragma once
/// @file
/// `hepkit generate wlcg`: a realistic, documented WLCG scenario (sites in tiers, WAN, datasets
/// with replicas, a day of production, reprocessing, analysis and ML-training jobs), written as
/// files that `hepkit sim DIR/scenario.yaml` runs (SimGrid XML platform, DCSim JSON workloads).
/// Figures and their sources: docs/wlcg.md.

#include <cstdint>
#include <string>

namespace hepkit::sim {

struct WlcgSpec {
    int tier1 = 13;               ///< Tier-1 sites (WLCG has 13-14)
    int tier2 = 150;              ///< Tier-2/3 sites
    std::uint64_t jobs = 1200000; ///< jobs in the day
    double hours = 24;            ///< simulated horizon: submissions spread over hours - 4
    std::uint64_t seed = 1;

    /// Presets: tiny (10 sites, 2000 jobs, 6 h), small (30 sites, 20 000 jobs, 12 h),
    /// medium (100 sites, 200 000 jobs, 24 h), full (164 sites, 1 200 000 jobs, 24 h).
    static WlcgSpec preset(const std::string& name); ///< throws std::invalid_argument
};

/// What was generated, for the command's summary.
struct WlcgSummary {
    int sites = 0;
    long long cores = 0;
    double disk_bytes = 0;
    std::uint64_t jobs = 0;
    std::uint64_t files = 0;
};

/// Writes DIR/platform.xml, DIR/datasets.json, DIR/workloads.json and DIR/scenario.yaml
/// (creating DIR; every file written atomically). Throws InputError if DIR cannot be written.
WlcgSummary generate_wlcg(const WlcgSpec& spec, const std::string& dir);

} // namespace hepkit::sim
