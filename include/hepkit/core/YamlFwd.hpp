#pragma once
/// @file
/// yaml-cpp's node type, declared and not defined: public headers name `YAML::Node` in the
/// signatures that src/ uses (YamlView's constructor, load_yaml_file) without including yaml-cpp,
/// so that the installed headers compile without it and hepkit links it PRIVATE (docs/install.md).
/// A translation unit that calls those functions includes <yaml-cpp/yaml.h> itself.

namespace YAML {
class Node;
} // namespace YAML
