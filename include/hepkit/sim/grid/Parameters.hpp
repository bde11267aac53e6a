#pragma once
/// @file
/// The parameters of a grid run: every field of GridOptions under a path such as
/// `cache.hitrate`, `streaming.block_size`, `dispatcher.policy` or `caches.HOST.size`, with its
/// unit, its documentation and the function that reads and checks its value. Each component
/// registers its own config's fields next to the component (`register_parameters` in
/// sim/data/CacheConfig.cpp, sim/batch/QueueConfig.cpp, ...; core/ParameterRegistry.hpp);
/// Parameters.cpp composes them under one prefix per component. Scenario files (the `options:`
/// map and the other sections), the command line (-H, -x, --set PATH=VALUE, ...) and scans all
/// set settings through it, so that a new setting is one field and one registration line in its
/// component and one line in docs/formats.md (a test checks that every path is documented there
/// and that every field of every component is registered).
///
/// A `*` segment in a path stands for a name chosen by the user: a cache host in
/// `caches.*.size`, a host, site or `default` in `gpu.sharing.*`, an opportunistic site in
/// `drones.sites.*.max_drones`.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/ParameterRegistry.hpp"
#include "hepkit/sim/grid/GridOptions.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::sim {

/// One parameter of a grid run: path, scenario key, unit, doc, `set(options, value, name)` and,
/// for a unit `name`, `allowed()` (core/ParameterRegistry.hpp).
using Parameter = ParameterRegistry<GridOptions>::Parameter;

/// Every parameter, grouped by component, in documentation order.
const std::vector<Parameter>& grid_parameters();
/// The registry they come from (the components' registrations composed; built on first use).
const ParameterRegistry<GridOptions>& grid_parameter_registry();

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
