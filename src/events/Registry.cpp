// Registry (Registry.hpp): step types by name, their factories and docs, and plugins loaded
// from shared libraries.
#include "hepkit/events/Registry.hpp"
#include "hepkit/core/EditDistance.hpp"

#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <dlfcn.h>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>
#include <yaml-cpp/yaml.h>

namespace hepkit::events {
namespace {

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        out.append(out.empty() ? "" : ", ").append(w);
    return out;
}

// The names within a third of the longer name's length (at least 2 edits) of `type`, closest
// first: typos, not unrelated names.
std::vector<std::string> closest(const std::string& type, const std::vector<std::string>& known) {
    std::vector<std::pair<std::size_t, std::string>> near;
    for (const auto& k : known) {
        const std::size_t d = edit_distance(type, k);
        if (d <= std::max<std::size_t>(2, std::max(type.size(), k.size()) / 3))
            near.emplace_back(d, k);
    }
    std::sort(near.begin(), near.end());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < near.size() && i < 3; ++i)
        out.push_back(near[i].second);
    return out;
}

template <class Map>
std::vector<std::string> keys_of(const Map& map) {
    std::vector<std::string> out;
    for (const auto& kv : map)
        out.push_back(kv.first);
    return out;
}

// Where the type is named: the step's `type:`, else the step.
config::YamlView type_node(const StepConfig& c) {
    if (c.yaml.is_map() && c.yaml.has("type"))
        return c.yaml.at("type");
    return c.yaml;
}

template <class Factory>
const Factory& find_factory(const std::map<std::string, Factory>& table, const Registry& registry,
                            const char* kind, const std::string& type, const StepConfig& c) {
    if (auto it = table.find(type); it != table.end())
        return it->second;
    const config::YamlView at = type_node(c);
    const int line = at.line() > 0 ? at.line() : c.place.line;
    const std::string file = c.place.file.empty() ? at.file() : c.place.file;
    const auto other = registry.kinds(type);
    if (!other.empty())
        throw InputError(file, line, at.key(),
                         std::string("'")
                             .append(type)
                             .append("' is a ")
                             .append(join(other))
                             .append(" type, not a ")
                             .append(kind)
                             .append(" type; move the step or choose a ")
                             .append(kind)
                             .append(" type"));
    const auto known = keys_of(table);
    std::string message = std::string("unknown ").append(kind).append(" type '").append(type).append("'");
    if (const auto near = closest(type, known); !near.empty())
        message.append(" (closest: ").append(join(near)).append(")");
    message.append("; known ").append(kind).append(" types: ");
    message.append(known.empty() ? std::string("none") : join(known));
    message.append(" ('hepkit events types' describes them; a plugin library adds more)");
    throw InputError(file, line, at.key(), message);
}

template <class Factory>
void add(std::map<std::string, Factory>& table, std::map<std::string, std::string>& docs, const char* kind,
         const std::string& type, Factory make, std::string doc) {
    if (type.empty() || type.find_first_of(" \t\n:") != std::string::npos)
        throw std::invalid_argument(std::string("Registry: '")
                                        .append(type)
                                        .append("' is no valid ")
                                        .append(kind)
                                        .append(" type name (non-empty, no blanks or ':')"));
    if (!make)
        throw std::invalid_argument(
            std::string("Registry: ").append(kind).append(" type '").append(type).append("' has no factory"));
    if (table.count(type))
        throw std::invalid_argument(std::string("Registry: ")
                                        .append(kind)
                                        .append(" type '")
                                        .append(type)
                                        .append("' is registered twice"));
    table.emplace(type, std::move(make));
    docs.emplace(type, std::move(doc));
}

// A factory returning null is a bug of the step type (a plugin's): say whose, not crash later.
template <class T>
std::unique_ptr<T> checked(std::unique_ptr<T> step, const char* kind, const std::string& type) {
    if (!step)
        throw std::logic_error(std::string("the factory of ")
                                   .append(kind)
                                   .append(" type '")
                                   .append(type)
                                   .append("' returned no step"));
    return step;
}

} // namespace

void StepConfig::check_keys(std::initializer_list<const char*> own) const {
    if (!yaml.is_map())
        yaml.fail("expected a map of the step's settings");
    std::vector<std::string> allowed(own.begin(), own.end());
    for (const char* r : reserved_keys)
        allowed.emplace_back(r);
    for (const auto& kv : yaml.node()) {
        const std::string key = kv.first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
            continue;
        std::string message = std::string("unknown key '").append(key).append("' of ").append(place.kind);
        message.append(" ").append(place.name);
        if (const auto near = closest(key, allowed); !near.empty())
            message.append(" (closest: ").append(join(near)).append(")");
        message.append("; allowed: ").append(join(allowed));
        const std::string prefix = yaml.key().empty() ? "" : yaml.key() + ".";
        throw InputError(yaml.file(), static_cast<int>(kv.first.Mark().line + 1), prefix + key, message);
    }
}

void Registry::add_producer(const std::string& type, ProducerFactory make, std::string doc) {
    add(producers_, producer_docs_, "producer", type, std::move(make), std::move(doc));
}
void Registry::add_filter(const std::string& type, FilterFactory make, std::string doc) {
    add(filters_, filter_docs_, "filter", type, std::move(make), std::move(doc));
}
void Registry::add_consumer(const std::string& type, ConsumerFactory make, std::string doc) {
    add(consumers_, consumer_docs_, "consumer", type, std::move(make), std::move(doc));
}

std::vector<std::string> Registry::kinds(const std::string& type) const {
    std::vector<std::string> out;
    if (producers_.count(type))
        out.emplace_back("producer");
    if (filters_.count(type))
        out.emplace_back("filter");
    if (consumers_.count(type))
        out.emplace_back("consumer");
    return out;
}

std::vector<std::string> Registry::similar(const std::string& type) const {
    std::vector<std::string> all = keys_of(producers_);
    for (const auto* table : {&filter_docs_, &consumer_docs_})
        for (const auto& kv : *table)
            if (std::find(all.begin(), all.end(), kv.first) == all.end())
                all.push_back(kv.first);
    return closest(type, all);
}

std::unique_ptr<Producer> Registry::make_producer(const std::string& type, const StepConfig& config) const {
    return checked(find_factory(producers_, *this, "producer", type, config)(config), "producer", type);
}
std::unique_ptr<Filter> Registry::make_filter(const std::string& type, const StepConfig& config) const {
    return checked(find_factory(filters_, *this, "filter", type, config)(config), "filter", type);
}
std::unique_ptr<Consumer> Registry::make_consumer(const std::string& type, const StepConfig& config) const {
    return checked(find_factory(consumers_, *this, "consumer", type, config)(config), "consumer", type);
}

void Registry::load_plugin(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(path, 0, "", "cannot load the plugin library: no such file");
    const std::string canonical = fs::canonical(path, ec).string();
    const std::string key = ec ? path : canonical;
    if (plugins_.count(key))
        return;
    // A name without '/' would make dlopen search the library path instead of the folder meant.
    const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
    // RTLD_NOW: an undefined symbol (a plugin built against other hepkit headers) fails here,
    // named by dlerror(), instead of at its first call in the middle of a run.
    void* handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        throw InputError(
            path, 0, "",
            std::string("cannot load the plugin library: ").append(why ? why : "unknown reason"));
    }
    dlerror(); // clear, so that a null symbol is told apart from an error
    void* symbol = dlsym(handle, "hepkit_events_register");
    if (!symbol) {
        const char* why = dlerror();
        throw InputError(
            path, 0, "",
            std::string("is no hepkit events plugin: it exports no function hepkit_events_register "
                        "(define it extern \"C\", docs/events-config.md)")
                .append(why ? std::string(" (").append(why).append(")") : std::string()));
    }
    using RegisterFn = void (*)(Registry&);
    const auto register_steps = reinterpret_cast<RegisterFn>(symbol);
    try {
        register_steps(*this);
    } catch (const std::exception& e) {
        throw InputError(path, 0, "", std::string("hepkit_events_register failed: ").append(e.what()));
    }
    plugins_.insert(key);
}

} // namespace hepkit::events
