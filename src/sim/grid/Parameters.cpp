#include "hepkit/sim/grid/Parameters.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <climits>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

using config::YamlView;
using units::Kind;

// Value readers: each reads a YAML scalar and checks its range, failing at the value with the
// same messages as the scenario reader always gave.
double fraction(const YamlView& v) {
    const double x = v.as_double();
    if (!(x >= 0 && x <= 1))
        v.fail("must be between 0 and 1");
    return x;
}
double share(const YamlView& v) { // [0, 1): a part of something that cannot be all of it
    const double x = v.as_double();
    if (!(x >= 0 && x < 1))
        v.fail(fmt::format("{} must be in [0, 1)", x));
    return x;
}
double positive(const YamlView& v, Kind kind) {
    const double x = v.as_quantity(kind);
    if (!(x > 0))
        v.fail("must be > 0");
    return x;
}
double non_negative(const YamlView& v, Kind kind) {
    const double x = v.as_quantity(kind);
    if (!(x >= 0))
        v.fail("must be >= 0");
    return x;
}
double positive_number(const YamlView& v) {
    const double x = v.as_double();
    if (!(x > 0))
        v.fail("must be > 0");
    return x;
}
long long integer(const YamlView& v, long long lo, long long hi, const char* range) {
    const long long x = v.as_int();
    if (x < lo || x > hi)
        v.fail(fmt::format("must be {}", range));
    return x;
}
template <class Table>
auto named(const YamlView& v, const Table& table) {
    try {
        return table.parse(v.as_string());
    } catch (const std::invalid_argument& e) {
        v.fail(e.what());
    }
}
// The opportunistic site `name` (the last one of that name: the one being read).
OpportunisticSite& site(GridOptions& o, const YamlView& v, const std::string& name) {
    auto& sites = o.drones.sites;
    for (auto it = sites.rbegin(); it != sites.rend(); ++it)
        if (it->site == name)
            return *it;
    std::string list;
    for (const auto& s : sites)
        list += (list.empty() ? "" : ", ") + s.site;
    v.fail(fmt::format("'{}' is not an opportunistic site of the scenario (sites: {})", shorten(name),
                       list.empty() ? "none" : list));
}
int drone_count(const YamlView& v) {
    const long long x = v.as_int();
    if (x < 1 || x > 100000000)
        v.fail(fmt::format("{} must be between 1 and 1e8", x));
    return static_cast<int>(x);
}

using O = GridOptions;
using V = YamlView;
using N = std::string;

// The registry. One line per setting: path, scenario key, unit, doc, reader. Keep the groups
// in the order of docs/formats.md ("Parameter paths"), which lists every path.
const std::vector<Parameter> registry = {
    // caches (sim/data/CacheConfig.hpp)
    {"cache.hitrate", "options.hitrate", "fraction", "input bytes of each job staged on the caches before the run (-H)",
     [](O& o, const V& v, const N&) { o.cache.hitrate = fraction(v); }},
    {"cache.caching", "options.caching", "bool", "store missed input files in a cache (--no-caching)",
     [](O& o, const V& v, const N&) { o.cache.caching = v.as_bool(); }},
    {"cache.scope", "options.cache_scope", "name", "caches a worker reads from (--cache-scope)",
     [](O& o, const V& v, const N&) { o.cache.scope = named(v, cache_scopes); },
     [] { return cache_scopes.allowed(); }},
    {"cache.eviction", "options.eviction", "name", "eviction policy of every cache (--eviction)",
     [](O& o, const V& v, const N&) { o.cache.eviction = named(v, evictions); },
     [] { return evictions.allowed(); }},
    {"caches.*.size", "caches.HOST", "B", "size of cache host HOST (default: its disk's size)",
     [](O& o, const V& v, const N& n) { o.cache.sizes[n] = v.as_quantity(Kind::size); }},
    // output storage (sim/data/OutputStorageConfig.hpp)
    {"output_storage.host", "options.output_storage", "host", "storage host receiving outputs (--output-storage)",
     [](O& o, const V& v, const N&) { o.output_storage.host = v.as_string(); }},
    {"output_storage.to_site_storage", "options.outputs_to_site_storage", "bool",
     "write outputs to a storage host in the worker's zone when there is one",
     [](O& o, const V& v, const N&) { o.output_storage.to_site_storage = v.as_bool(); }},
    // streaming (grid/GridOptions.hpp)
    {"streaming.block_size", "options.xrd_blocksize", "B", "bytes per streamed XRootD block (-x)",
     [](O& o, const V& v, const N&) { o.streaming.block_size = positive(v, Kind::size); }},
    {"streaming.prefetch", "options.prefetch", "bool", "read block i+1 while computing block i (--prefetch-off)",
     [](O& o, const V& v, const N&) { o.streaming.prefetch = v.as_bool(); }},
    {"streaming.xrd_flops_per_time", "options.xrd_flops_per_time", "flop/s",
     "XRootD CPU overhead per second of remote streaming (--xrd-flops-per-time)",
     [](O& o, const V& v, const N&) { o.streaming.xrd_flops_per_time = v.as_quantity(Kind::speed); }},
    {"streaming.xrd_flops_per_time_local", "options.xrd_flops_per_time_local", "flop/s",
     "the same overhead when streaming from the worker's own host (--xrd-flops-per-time-local)",
     [](O& o, const V& v, const N&) { o.streaming.xrd_flops_per_time_local = v.as_quantity(Kind::speed); }},
    {"streaming.xrd_overhead_model", "options.xrd_overhead_model", "name",
     "how the XRootD overhead of a block is computed (--xrd-overhead-model)",
     [](O& o, const V& v, const N&) { o.streaming.xrd_overhead = named(v, xrd_overhead_models); },
     [] { return xrd_overhead_models.allowed(); }},
    {"streaming.dcsim_block_sizes", "options.dcsim_block_sizes", "bool",
     "reproduce DCSim's over-read of each file's last block (--dcsim-block-sizes)",
     [](O& o, const V& v, const N&) { o.streaming.dcsim_block_sizes = v.as_bool(); }},
    // jobs (grid/GridOptions.hpp)
    {"jobs.duplications", "options.duplications", "count", "run every job this many times, 1 to 10000 (-d)",
     [](O& o, const V& v, const N&) {
         o.jobs.duplications = static_cast<std::size_t>(integer(v, 1, 10000, "between 1 and 10000"));
     }},
    {"jobs.shuffle", "options.shuffle_jobs", "bool", "shuffle the submission order (--shuffle-jobs)",
     [](O& o, const V& v, const N&) { o.jobs.shuffle = v.as_bool(); }},
    {"jobs.compute_on_all_cores", "options.compute_on_all_cores", "bool",
     "streaming and copy jobs compute on all their cores (DCSim: on one)",
     [](O& o, const V& v, const N&) { o.jobs.compute_on_all_cores = v.as_bool(); }},
    // dispatcher and queue (sim/batch/DispatcherConfig.hpp, QueueConfig.hpp)
    {"dispatcher.policy", "dispatcher", "name",
     "job placement policy (--dispatcher)",
     [](O& o, const V& v, const N&) { o.dispatcher.policy = named(v, dispatch_policies); },
     [] { return dispatch_policies.allowed(); }},
    {"queue.backfill_depth", "options.backfill_depth", "count",
     "queued jobs tried past one that cannot start (0: strict order)",
     [](O& o, const V& v, const N&) {
         o.queue.backfill_depth = static_cast<std::size_t>(integer(v, 0, LLONG_MAX, ">= 0"));
     }},
    // time series (sim/output/TimeSeriesConfig.hpp)
    {"timeseries.interval", "outputs.interval", "s", "time between samples (--timeseries-interval)",
     [](O& o, const V& v, const N&) { o.timeseries.interval = positive(v, Kind::time); }},
    {"timeseries.max_samples", "outputs.max_samples", "count",
     "sampling times after which a run fails (an absurd interval or time scale), 1 to 1e9",
     [](O& o, const V& v, const N&) {
         o.timeseries.max_samples = static_cast<std::uint64_t>(integer(v, 1, 1000000000, "between 1 and 1e9"));
     }},
    // run limits (grid/GridOptions.hpp)
    {"limits.max_sim_time", "options.max_sim_time", "s", "horizon: a run with an event beyond it fails",
     [](O& o, const V& v, const N&) { o.limits.max_sim_time = positive(v, Kind::time); }},
    {"limits.max_events", "options.max_events", "count",
     "bound on the activities the workload needs, estimated before the run",
     [](O& o, const V& v, const N&) {
         o.limits.max_events = v.as_double();
         if (!(o.limits.max_events >= 1))
             v.fail("must be >= 1");
     }},
    // GPUs (sim/gpu/GpuConfig.hpp)
    {"gpu.sharing.*", "gpu_sharing.NAME", "policy",
     "GPU sharing policy of host, site or `default` NAME, e.g. mps:4 (--gpu-policy sets `default`)",
     [](O& o, const V& v, const N& n) {
         GpuPolicy p;
         try {
             p = parse_gpu_policy(v.as_string());
         } catch (const std::invalid_argument& e) {
             v.fail(e.what());
         }
         std::erase_if(o.gpu.policies, [&](const auto& kv) { return kv.first == n; });
         o.gpu.policies.emplace_back(n, std::move(p));
     }},
    {"gpu.calibration.context_latency", "gpu_calibration.context_latency", "s",
     "process and CUDA context start, in parallel",
     [](O& o, const V& v, const N&) { o.gpu.calibration.context_latency = non_negative(v, Kind::time); }},
    {"gpu.calibration.context_serial", "gpu_calibration.context_serial", "s",
     "part of a context start serialised per device",
     [](O& o, const V& v, const N&) { o.gpu.calibration.context_serial = non_negative(v, Kind::time); }},
    {"gpu.calibration.context_memory", "gpu_calibration.context_memory", "B", "device memory of one CUDA context",
     [](O& o, const V& v, const N&) { o.gpu.calibration.context_memory = non_negative(v, Kind::size); }},
    {"gpu.calibration.time_slice_overhead", "gpu_calibration.time_slice_overhead", "fraction",
     "time-slicing: extra time per unit of work with two or more jobs, [0, 10)",
     [](O& o, const V& v, const N&) {
         o.gpu.calibration.time_slice_overhead = v.as_double();
         if (!(o.gpu.calibration.time_slice_overhead >= 0 && o.gpu.calibration.time_slice_overhead < 10))
             v.fail("must be between 0 and 10");
     }},
    {"gpu.calibration.mps_max_clients", "gpu_calibration.mps_max_clients", "count",
     "clients per MPS server, 1 to 1024",
     [](O& o, const V& v, const N&) {
         o.gpu.calibration.mps_max_clients = static_cast<int>(integer(v, 1, 1024, "between 1 and 1024"));
     }},
    // drones: controller (sim/provisioning/ProvisioningConfig.hpp)
    {"drones.controller.type", "opportunistic.controller.type", "name",
     "the controller that provisions drones",
     [](O& o, const V& v, const N&) { o.drones.controller.kind = named(v, controller_kinds); },
     [] { return controller_kinds.allowed(); }},
    {"drones.controller.interval", "opportunistic.controller.interval", "s", "time between controller cycles",
     [](O& o, const V& v, const N&) { o.drones.controller.interval = positive(v, Kind::time); }},
    {"drones.controller.max_boots_per_cycle", "opportunistic.controller.max_boots_per_cycle", "count",
     "roced: drones booted per cycle at most, 1 to 1e6",
     [](O& o, const V& v, const N&) {
         o.drones.controller.max_boots_per_cycle = static_cast<int>(integer(v, 1, 1000000, "between 1 and 1e6"));
     }},
    {"drones.controller.release_delay", "opportunistic.controller.release_delay", "s",
     "roced: time a drone stays idle before it is released",
     [](O& o, const V& v, const N&) { o.drones.controller.release_delay = non_negative(v, Kind::time); }},
    {"drones.controller.low_utilisation", "opportunistic.controller.low_utilisation", "fraction",
     "cobald: below this utilisation the demand falls",
     [](O& o, const V& v, const N&) { o.drones.controller.low_utilisation = fraction(v); }},
    {"drones.controller.high_allocation", "opportunistic.controller.high_allocation", "fraction",
     "cobald: above this allocation the demand rises",
     [](O& o, const V& v, const N&) { o.drones.controller.high_allocation = fraction(v); }},
    {"drones.controller.rate", "opportunistic.controller.rate", "cores/s", "cobald-linear: demand change rate",
     [](O& o, const V& v, const N&) { o.drones.controller.rate = positive_number(v); }},
    {"drones.controller.low_scale", "opportunistic.controller.low_scale", "factor",
     "cobald-relative: supply factor at low utilisation",
     [](O& o, const V& v, const N&) { o.drones.controller.low_scale = positive_number(v); }},
    {"drones.controller.high_scale", "opportunistic.controller.high_scale", "factor",
     "cobald-relative: supply factor at high allocation",
     [](O& o, const V& v, const N&) { o.drones.controller.high_scale = positive_number(v); }},
    // drones: sites (sim/provisioning/ProvisioningConfig.hpp)
    {"drones.sites.*.max_drones", "opportunistic.sites[].max_drones", "count", "quota of drones (default: one per node)",
     [](O& o, const V& v, const N& n) { site(o, v, n).max_drones = drone_count(v); }},
    {"drones.sites.*.cores_per_drone", "opportunistic.sites[].cores_per_drone", "count",
     "cores of a drone (default: the node's)",
     [](O& o, const V& v, const N& n) { site(o, v, n).cores_per_drone = drone_count(v); }},
    {"drones.sites.*.memory_per_drone", "opportunistic.sites[].memory_per_drone", "B",
     "memory of a drone (default: the node's ram)",
     [](O& o, const V& v, const N& n) { site(o, v, n).memory_per_drone = v.as_quantity(Kind::size); }},
    {"drones.sites.*.integration_delay", "opportunistic.sites[].integration_delay", "s",
     "time from boot until the pool sees the drone",
     [](O& o, const V& v, const N& n) { site(o, v, n).integration_delay = non_negative(v, Kind::time); }},
    {"drones.sites.*.walltime", "opportunistic.sites[].walltime", "s", "drone lifetime from its start (0: unlimited)",
     [](O& o, const V& v, const N& n) { site(o, v, n).walltime = non_negative(v, Kind::time); }},
    {"drones.sites.*.drain_before", "opportunistic.sites[].drain_before", "s",
     "stop taking jobs this long before the walltime",
     [](O& o, const V& v, const N& n) { site(o, v, n).drain_before = non_negative(v, Kind::time); }},
    {"drones.sites.*.heartbeat", "opportunistic.sites[].heartbeat", "s",
     "state changes are noticed at multiples of it (0: at once)",
     [](O& o, const V& v, const N& n) { site(o, v, n).heartbeat = non_negative(v, Kind::time); }},
    {"drones.sites.*.background_share", "opportunistic.sites[].background_share", "fraction",
     "share of the nodes the site's own users hold, [0, 1)",
     [](O& o, const V& v, const N& n) { site(o, v, n).background_share = share(v); }},
    {"drones.sites.*.cost_per_core_hour", "opportunistic.sites[].cost_per_core_hour", "cost",
     "price of a core-hour of drones",
     [](O& o, const V& v, const N& n) {
         auto& s = site(o, v, n);
         s.cost_per_core_hour = v.as_double();
         if (!(s.cost_per_core_hour >= 0))
             v.fail("must be >= 0");
     }},
};

// Splits "a.b.c" at dots.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i)
        if (i == path.size() || path[i] == '.') {
            out.push_back(path.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

} // namespace

const std::vector<Parameter>& grid_parameters() {
    return registry;
}

const Parameter* find_parameter(std::string_view path, std::string* name) {
    const auto want = segments(path);
    for (const auto& p : registry) {
        const auto have = segments(p.path);
        if (have.size() != want.size())
            continue;
        bool match = true;
        std::string_view star;
        for (std::size_t i = 0; i < have.size() && match; ++i) {
            if (have[i] == "*" && !want[i].empty())
                star = want[i];
            else
                match = have[i] == want[i];
        }
        if (match) {
            if (name)
                *name = std::string(star);
            return &p;
        }
    }
    return nullptr;
}

void set_parameter(GridOptions& options, std::string_view path, const config::YamlView& value) {
    std::string name;
    const Parameter* p = find_parameter(path, &name);
    if (!p) {
        std::string prefixes;
        for (const auto& q : registry) {
            const auto head = segments(q.path).front();
            if (prefixes.find(std::string(head) + ",") == std::string::npos)
                prefixes += std::string(head) + ",";
        }
        prefixes.pop_back();
        std::replace(prefixes.begin(), prefixes.end(), ',', ' ');
        value.fail(fmt::format("'{}' is not a parameter path (paths start with: {}; `hepkit sim "
                               "--list-parameters` lists them all)",
                               shorten(std::string(path)), prefixes));
    }
    p->set(options, value, name);
}

void set_parameter(GridOptions& options, std::string_view path, const std::string& text,
                   const std::string& origin) {
    set_parameter(options, path, config::YamlView(YAML::Node(text), origin, std::string(path)));
}

std::string_view parameter_of_scenario_key(std::string_view section, std::string_view key) {
    for (const auto& p : registry) {
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
            for (const auto& p : registry)
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
