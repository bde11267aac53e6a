#pragma once
/// @file
/// The parameter registry: every setting of a grid run (GridOptions) under a path such as
/// `cache.hitrate`, `streaming.block_size`, `dispatcher.policy` or `caches.HOST.size`, with
/// its unit, its documentation and the one function that reads and checks its value.
/// Scenario files (the `options:` map and the other sections), the command line (-H, -x,
/// --set PATH=VALUE, ...) and scans all set settings through it, so that a new setting is
/// one field in its component's config struct, one line in the registry (Parameters.cpp) and
/// one line in docs/formats.md (a test checks that every path is documented there).
///
/// A `*` segment in a path stands for a name chosen by the user: a cache host in
/// `caches.*.size`, a host, site or `default` in `gpu.sharing.*`, an opportunistic site in
/// `drones.sites.*.max_drones`.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridOptions.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::sim {

struct Parameter {
    std::string_view path;     ///< e.g. `cache.hitrate`; `*` stands for a name
    std::string_view scenario; ///< where a scenario file sets it, e.g. `options.hitrate`
    std::string_view unit;     ///< B, s, flop/s, fraction, count, bool, host, policy, name (see allowed)
    std::string_view doc;      ///< one line: what it does
    /// Reads `value` (a YAML scalar; from the command line or a scan, its text) into `options`;
    /// `name` is the path's `*` segment (empty without one). Throws InputError at `value`.
    void (*set)(GridOptions& options, const config::YamlView& value, const std::string& name);
    /// For a unit `name`: the allowed names, from the enum's table (core/EnumTable.hpp).
    std::string (*allowed)() = nullptr;
};

/// Every parameter, grouped by component, in documentation order.
const std::vector<Parameter>& grid_parameters();

/// The parameter of `path` and the name its `*` segment matched; nullptr if none matches.
const Parameter* find_parameter(std::string_view path, std::string* name = nullptr);

/// Sets the parameter at `path` from `value`. Throws InputError naming `value`'s file and key
/// for a bad value, and for an unknown path (listing the components' prefixes).
void set_parameter(GridOptions& options, std::string_view path, const config::YamlView& value);
/// The same from text (command line, scans): `origin` names where the text came from.
void set_parameter(GridOptions& options, std::string_view path, const std::string& text,
                   const std::string& origin = "");

/// Reads a map of a scenario file whose keys are parameters set at `section.KEY` (`options`,
/// `gpu_calibration`, `opportunistic.controller`); `name` fills the paths' `*` segment. Keys in
/// `others` are skipped (the caller reads them); any other key that is not a parameter of the
/// section is an error listing the allowed ones.
void read_parameter_section(GridOptions& options, const config::YamlView& map, std::string_view section,
                            const std::string& name = "", std::initializer_list<const char*> others = {});

/// The path of a parameter set by a scenario key `section.KEY`, or empty.
std::string_view parameter_of_scenario_key(std::string_view section, std::string_view key);

} // namespace hepkit::sim
