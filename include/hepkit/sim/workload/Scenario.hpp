#pragma once
/// @file
/// A scenario: a platform plus a workload and settings, read from YAML (or built in).
///
/// Until the grid layer exists, a scenario's workload is an activities list and/or a generated
/// data-movement campaign (transfers of random sizes from source hosts to destination hosts,
/// optionally followed by a computation on the destination). See docs/formats.md.

#include "hepkit/sim/platform/Platform.hpp"
#include "hepkit/sim/workload/ActivityList.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

struct CampaignSpec {
    std::size_t transfers = 0;             ///< number of transfers
    std::vector<std::string> sources;      ///< host names data is read from
    std::vector<std::string> destinations; ///< host names data goes to
    double size_min = 1e9, size_max = 1e9; ///< bytes, uniform
    double start_min = 0, start_max = 0;   ///< s, uniform
    double compute_per_byte = 0;           ///< flop per byte processed after arrival (0: none)
};

struct Scenario {
    std::string name;
    std::string origin; ///< file name, or "<built-in>"
    std::optional<Platform> platform;
    std::vector<ActivityRow> activities;
    std::uint64_t seed = 1;
    std::string output; ///< trace path from the scenario (CLI -o overrides)
};

/// Reads a scenario file: keys `name`, `platform` (path relative to the file, or an inline
/// native platform), `activities` (CSV path), `campaign`, `seed`, `output`.
Scenario load_scenario(const std::string& path);
/// Appends the campaign's activities to `rows`, drawn from the "campaign" random stream.
void generate_campaign(const CampaignSpec& spec, const Platform& platform, std::uint64_t seed,
                       std::vector<ActivityRow>& rows, const std::string& origin);

} // namespace hepkit::sim
