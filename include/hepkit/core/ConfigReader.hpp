#pragma once
/// @file
/// Reading YAML and JSON input into typed values, with errors that name file, line and key.
///
/// Components read their `Config` structs through these helpers so that every bad value is
/// reported the same way: `platform.yaml:14: hosts[2].cores: -1, must be > 0`.

#include "hepkit/core/Units.hpp"
#include "hepkit/core/YamlFwd.hpp"

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace hepkit::config {

/// Loads a YAML file; syntax errors become InputError with the parser's line. Files above 64 MiB
/// and nesting beyond yaml-cpp's bound (about 500 levels) are InputErrors too, and so is a key
/// written twice in one map (YAML requires unique keys; the error names the key and both lines).
/// (The result is yaml-cpp's: a caller includes <yaml-cpp/yaml.h>; load_yaml_view needs nothing.)
YAML::Node load_yaml_file(const std::string& path);
/// Loads a JSON file; syntax errors become InputError with the line of the error. Files above
/// 64 MiB and nesting deeper than 256 levels are refused before parsing.
nlohmann::json load_json_file(const std::string& path);

/// Converts YAML to JSON (maps, lists, and scalars as integers, doubles, booleans or strings),
/// so that documents in DCSim's JSON formats can also be embedded in YAML scenarios. Throws
/// InputError (naming `file` and the line) for nesting deeper than 256 levels (a recursive
/// alias) or more than 1e6 values (aliases expanding without bound).
nlohmann::json to_json(const YAML::Node& node, const std::string& file = "");

/// A JSON value for an error message: shortened to about 120 characters, bytes that are not
/// UTF-8 replaced (nlohmann's dump() would throw on them).
std::string show(const nlohmann::json& value);

/// A YAML node together with where it came from, so that errors can name file, line and key.
/// The node is held behind a pointer so that this header does not need yaml-cpp (YamlFwd.hpp);
/// views are cheap to copy and share the node, which they never modify.
class YamlView {
  public:
    /// (Needs <yaml-cpp/yaml.h> at the call, as does node().)
    YamlView(const YAML::Node& node, std::string file, std::string key = "");

    const YAML::Node& node() const { return *node_; }
    const std::string& file() const { return file_; }
    const std::string& key() const { return key_; }
    /// 1-based line of this node in its file (0 if unknown).
    int line() const;

    bool has(const std::string& name) const;
    /// Child of a map; throws InputError if absent.
    YamlView at(const std::string& name) const;
    /// Element of a sequence.
    YamlView at(std::size_t index) const;
    std::size_t size() const;
    bool is_map() const;
    bool is_sequence() const;

    std::string as_string() const;
    double as_double() const;
    long long as_int() const;
    bool as_bool() const;
    /// A quantity with a unit string (or a bare number in base units), see units::parse.
    double as_quantity(units::Kind kind) const;

    /// Throws InputError if the map has a key not in `allowed` (catches typos early).
    void check_keys(std::initializer_list<const char*> allowed) const;

    /// Throws InputError at this node with `message`.
    [[noreturn]] void fail(const std::string& message) const;

  private:
    std::shared_ptr<const YAML::Node> node_; // never null
    std::string file_;
    std::string key_;
};

/// load_yaml_file(path) as a view of the whole document (key ""): for readers outside hepkit,
/// which then need no yaml-cpp of their own.
YamlView load_yaml_view(const std::string& path);

/// Same idea for JSON (DCSim's workload and dataset files). nlohmann::json keeps no line
/// numbers, so errors name the file and the key path.
class JsonView {
  public:
    JsonView(const nlohmann::json& node, std::string file, std::string key = "")
        : node_(&node), file_(std::move(file)), key_(std::move(key)) {}
    const nlohmann::json& node() const { return *node_; }
    const std::string& file() const { return file_; }
    const std::string& key() const { return key_; }
    bool has(const std::string& name) const { return node_->is_object() && node_->contains(name); }
    JsonView at(const std::string& name) const;
    std::string as_string() const;
    double as_double() const;
    long long as_int() const;
    [[noreturn]] void fail(const std::string& message) const;

  private:
    const nlohmann::json* node_;
    std::string file_;
    std::string key_;
};

} // namespace hepkit::config
