#pragma once
/// @file
/// Reading platforms: SimGrid platform XML (version 4.1, as DCSim uses) and hepkit's native YAML.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <string>

namespace hepkit::sim {

/// Reads a SimGrid platform XML file. Supported: `<config>` props (network/loopback-bw,
/// network/loopback-lat and the network model settings listed in docs/formats.md), `<zone>`
/// with routing Full, Floyd or Cluster, `<host>` (speed, core, `<prop>`, `<disk>` with
/// read_bw/write_bw and size/mount props), `<link>` (bandwidth, latency, sharing_policy
/// SHARED/FATPIPE/SPLITDUPLEX), `<router>`, `<route>`/`<zoneRoute>`/`<ASroute>` with
/// `<link_ctn>`, `<cluster>` (flat topology), `<host_link>` and `<backbone>` in Cluster zones.
/// Anything else throws InputError naming the element and its line. The result is sealed.
Platform load_simgrid_xml(const std::string& path);

/// Reads the native YAML platform (see docs/formats.md); throws InputError on bad input.
Platform load_platform_yaml(const std::string& path);

/// Reads a native platform from an already parsed YAML node (e.g. embedded in a scenario).
Platform platform_from_yaml(const config::YamlView& node);

/// Dispatches on the extension: `.xml` -> SimGrid XML, `.yaml`/`.yml` -> native.
Platform load_platform(const std::string& path);

} // namespace hepkit::sim
