#include "hepkit/sim/grid/Parameters.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

// The registry: each component's registration (`register_parameters` next to its config:
// sim/data/CacheConfig, OutputStorageConfig; sim/grid/StreamingConfig, JobsConfig, RunLimits;
// sim/batch/DispatcherConfig, QueueConfig; sim/output/TimeSeriesConfig; sim/gpu/GpuConfig;
// sim/provisioning/ProvisioningConfig) under its path prefix and the prefix of its scenario
// keys. Keep the order of docs/formats.md ("Parameter paths"), which lists every path;
// `hepkit sim --list-parameters` prints them in this order.
ParameterRegistry<GridOptions> compose() {
    using O = GridOptions;
    ParameterRegistry<O> r;
    r.add("cache.", "options.", &O::cache, register_parameters);
    r.add("caches.*.", "caches.", &O::cache, register_host_parameters);
    r.add("output_storage.", "options.", &O::output_storage, register_parameters);
    r.add("streaming.", "options.", &O::streaming, register_parameters);
    r.add("jobs.", "options.", &O::jobs, register_parameters);
    r.add("dispatcher.", "", &O::dispatcher, register_parameters);
    r.add("queue.", "options.", &O::queue, register_parameters);
    r.add("timeseries.", "outputs.", &O::timeseries, register_parameters);
    r.add("limits.", "options.", &O::limits, register_parameters);
    r.add("gpu.", "", &O::gpu, register_parameters);
    r.add("drones.", "opportunistic.", &O::drones, register_parameters);
    return r;
}

} // namespace

const ParameterRegistry<GridOptions>& grid_parameter_registry() {
    static const ParameterRegistry<GridOptions> r = compose();
    return r;
}

const std::vector<Parameter>& grid_parameters() {
    return grid_parameter_registry().parameters();
}

const Parameter* find_parameter(std::string_view path, std::string* name) {
    return grid_parameter_registry().find(path, name);
}

void set_parameter(GridOptions& options, std::string_view path, const config::YamlView& value) {
    std::string name;
    const Parameter* p = find_parameter(path, &name);
    if (!p) {
        value.fail(fmt::format("'{}' is not a parameter path (paths start with: {}; `hepkit sim "
                               "--list-parameters` lists them all)",
                               shorten(std::string(path)), grid_parameter_registry().prefixes()));
    }
    p->set(options, value, name);
}

void set_parameter(GridOptions& options, std::string_view path, const std::string& text,
                   const std::string& origin) {
    set_parameter(options, path, config::YamlView(YAML::Node(text), origin, std::string(path)));
}

std::string_view parameter_of_scenario_key(std::string_view section, std::string_view key) {
    for (const auto& p : grid_parameter_registry().parameters()) {
        const std::string_view s = p.scenario;
        if (s.size() == section.size() + 1 + key.size() && s.substr(0, section.size()) == section &&
            s[section.size()] == '.' && s.substr(section.size() + 1) == key)
            return p.path;
    }
    return {};
}

void read_parameter_section(GridOptions& options, const config::YamlView& map, std::string_view section,
                            const std::string& name, std::initializer_list<const char*> others) {
    if (!map.is_map())
        map.fail("expected a map");
    for (const auto& kv : map.node()) {
        const std::string key = kv.first.Scalar();
        if (std::find_if(others.begin(), others.end(), [&](const char* o) { return key == o; }) !=
            others.end())
            continue;
        const std::string_view path = parameter_of_scenario_key(section, key);
        if (path.empty()) {
            std::string list;
            for (const char* o : others)
                list += (list.empty() ? "" : ", ") + std::string(o);
            for (const auto& p : grid_parameter_registry().parameters())
                if (p.scenario.size() > section.size() && p.scenario.substr(0, section.size()) == section &&
                    p.scenario[section.size()] == '.')
                    list += (list.empty() ? "" : ", ") + std::string(p.scenario.substr(section.size() + 1));
            throw InputError(map.file(), static_cast<int>(kv.first.Mark().line + 1),
                             map.key().empty() ? key : map.key() + "." + key,
                             fmt::format("unknown key; allowed here: {}", list));
        }
        const config::YamlView value(kv.second, map.file(), map.key().empty() ? key : map.key() + "." + key);
        std::string star;
        const Parameter* p = find_parameter(path, &star);
        p->set(options, value, name.empty() ? star : name);
    }
}

} // namespace hepkit::sim
