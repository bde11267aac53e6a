#pragma once
// Keys written twice in one YAML map or JSON object, refused (UniqueKeys.cpp; used by
// ConfigReader.cpp's load_yaml_file and load_json_file).

#include "hepkit/core/YamlFwd.hpp"

#include <string>
#include <string_view>

namespace hepkit::config::detail {

/// A child's key as the readers name it: `parent.name` (`site.cores`), or `name` at the top; an
/// empty name as `""`, so that it shows in a message.
std::string child_key(const std::string& parent, std::string_view name);

/// InputError naming the key's place, its line and the first one's when a map of `root` (file
/// `path`) holds a key twice.
void check_unique_yaml_keys(const YAML::Node& root, const std::string& path);

/// The same for `text`, a JSON document that parsed (its syntax is not checked again).
void check_unique_json_keys(const std::string& text, const std::string& path);

} // namespace hepkit::config::detail
