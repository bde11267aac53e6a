#pragma once
/// @file
/// The YAML configuration of `hepkit events run` (docs/events.md): inputs, plugins, producers,
/// filters, consumers, shifts and pipelines, with `include:` of other files. Read into a Plan;
/// every bad key or value is an InputError naming file, line and key, before any event is read.

#include "hepkit/events/Plan.hpp"
#include "hepkit/events/Registry.hpp"

#include <string>

namespace hepkit::events {

/// Reads `path` (and its includes), loads its plugins into `registry` and makes every step.
/// Input file paths are taken relative to the configuration file's folder.
Plan load_plan(const std::string& path, Registry& registry);

} // namespace hepkit::events
