#include "hepkit/sim/grid/GridScenario.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

using config::YamlView;

// The built-in scenario. Sizes are round, plausible figures for a small WLCG slice (a Tier-1
// with an XCache in front of remote storage, three Tier-2s of different size and distance),
// chosen so that the run takes a few seconds; they are not measurements of a real site.
constexpr const char* builtin_grid = R"(
name: builtin-grid
seed: 42
platform:
  id: grid
  routing: Full
  links:
    - {id: wan-t1, bandwidth: 100Gbps, latency: 5ms}
    - {id: wan-t2a, bandwidth: 40Gbps, latency: 8ms}
    - {id: wan-t2b, bandwidth: 20Gbps, latency: 12ms}
    - {id: wan-t2c, bandwidth: 10Gbps, latency: 20ms}
  zones:
    - id: Remote
      routing: Full
      links: [{id: se-nic, bandwidth: 200Gbps, latency: 50us}]
      hosts:
        - {id: remote-se, speed: 100Gf, cores: 16, props: {type: storage},
           disks: [{id: pool, read_bw: 20GBps, write_bw: 10GBps, size: 20PB}]}
      routers: [remote-gw]
      routes: [{src: remote-se, dst: remote-gw, links: [se-nic]}]
    - id: T1
      routing: Floyd
      links:
        - {id: t1-xcache-nic, bandwidth: 100Gbps, latency: 50us}
        - {id: t1-wn01-nic, bandwidth: 25Gbps, latency: 50us}
        - {id: t1-wn02-nic, bandwidth: 25Gbps, latency: 50us}
        - {id: t1-wn03-nic, bandwidth: 25Gbps, latency: 50us}
        - {id: t1-wn04-nic, bandwidth: 25Gbps, latency: 50us}
      hosts:
        - {id: t1-xcache, speed: 50Gf, cores: 16, props: {type: cache},
           disks: [{id: ssd, read_bw: 10GBps, write_bw: 8GBps, size: 200TB}]}
        - {id: t1-wn01, speed: 10Gf, cores: 64, props: {type: worker, ram: 256GiB}}
        - {id: t1-wn02, speed: 10Gf, cores: 64, props: {type: worker, ram: 256GiB}}
        - {id: t1-wn03, speed: 10Gf, cores: 64, props: {type: worker, ram: 256GiB}}
        - {id: t1-wn04, speed: 10Gf, cores: 64, props: {type: worker, ram: 256GiB}}
      routers: [t1-gw]
      routes:
        - {src: t1-xcache, dst: t1-gw, links: [t1-xcache-nic]}
        - {src: t1-wn01, dst: t1-gw, links: [t1-wn01-nic]}
        - {src: t1-wn02, dst: t1-gw, links: [t1-wn02-nic]}
        - {src: t1-wn03, dst: t1-gw, links: [t1-wn03-nic]}
        - {src: t1-wn04, dst: t1-gw, links: [t1-wn04-nic]}
    - id: T2A
      routing: Floyd
      links:
        - {id: t2a-wn01-nic, bandwidth: 10Gbps, latency: 50us}
        - {id: t2a-wn02-nic, bandwidth: 10Gbps, latency: 50us}
        - {id: t2a-wn03-nic, bandwidth: 10Gbps, latency: 50us}
      hosts:
        - {id: t2a-wn01, speed: 9Gf, cores: 48, props: {type: worker, ram: 192GiB}}
        - {id: t2a-wn02, speed: 9Gf, cores: 48, props: {type: worker, ram: 192GiB}}
        - {id: t2a-wn03, speed: 9Gf, cores: 48, props: {type: worker, ram: 192GiB}}
      routers: [t2a-gw]
      routes:
        - {src: t2a-wn01, dst: t2a-gw, links: [t2a-wn01-nic]}
        - {src: t2a-wn02, dst: t2a-gw, links: [t2a-wn02-nic]}
        - {src: t2a-wn03, dst: t2a-gw, links: [t2a-wn03-nic]}
    - id: T2B
      routing: Floyd
      links:
        - {id: t2b-wn01-nic, bandwidth: 10Gbps, latency: 50us}
        - {id: t2b-wn02-nic, bandwidth: 10Gbps, latency: 50us}
      hosts:
        - {id: t2b-wn01, speed: 8Gf, cores: 48, props: {type: worker, ram: 128GiB}}
        - {id: t2b-wn02, speed: 8Gf, cores: 48, props: {type: worker, ram: 128GiB}}
      routers: [t2b-gw]
      routes:
        - {src: t2b-wn01, dst: t2b-gw, links: [t2b-wn01-nic]}
        - {src: t2b-wn02, dst: t2b-gw, links: [t2b-wn02-nic]}
    - id: T2C
      routing: Floyd
      links:
        - {id: t2c-wn01-nic, bandwidth: 10Gbps, latency: 50us}
        - {id: t2c-wn02-nic, bandwidth: 10Gbps, latency: 50us}
      hosts:
        - {id: t2c-wn01, speed: 7Gf, cores: 32, props: {type: worker, ram: 128GiB}}
        - {id: t2c-wn02, speed: 7Gf, cores: 32, props: {type: worker, ram: 128GiB}}
      routers: [t2c-gw]
      routes:
        - {src: t2c-wn01, dst: t2c-gw, links: [t2c-wn01-nic]}
        - {src: t2c-wn02, dst: t2c-gw, links: [t2c-wn02-nic]}
  zone_routes:
    - {src: Remote, dst: T1, gw_src: remote-gw, gw_dst: t1-gw, links: [wan-t1]}
    - {src: Remote, dst: T2A, gw_src: remote-gw, gw_dst: t2a-gw, links: [wan-t2a]}
    - {src: Remote, dst: T2B, gw_src: remote-gw, gw_dst: t2b-gw, links: [wan-t2b]}
    - {src: Remote, dst: T2C, gw_src: remote-gw, gw_dst: t2c-gw, links: [wan-t2c]}
datasets:
  - analysis_ds: {location: remote-se, num_files: 800, filesize: {type: gaussian, average: 2.0e9, sigma: 4.0e8}}
    raw_ds: {location: [remote-se], num_files: 120, filesize: {type: gaussian, average: 4.0e9, sigma: 5.0e8}}
    merge_ds: {location: remote-se, num_files: 100, filesize: {type: gaussian, average: 5.0e8, sigma: 1.0e8}}
workloads:
  - analysis:
      num_jobs: 160
      cores: {type: histogram, counts: [0, 1]}
      flops: {type: gaussian, average: 3.0e12, sigma: 6.0e11}
      memory: {type: gaussian, average: 2.0e9, sigma: 2.0e8}
      outfilesize: {type: gaussian, average: 2.0e8, sigma: 5.0e7}
      workload_type: streaming
      submission_time: 0
      infile_datasets: analysis_ds
    reconstruction:
      num_jobs: 60
      cores: {type: histogram, counts: [0, 0, 0, 0, 1]}
      flops: {type: gaussian, average: 8.0e12, sigma: 1.0e12}
      memory: {type: gaussian, average: 8.0e9, sigma: 1.0e9}
      outfilesize: {type: gaussian, average: 3.0e9, sigma: 5.0e8}
      workload_type: streaming
      submission_time: 300
      infile_datasets: raw_ds
    simulation:
      num_jobs: 120
      cores: {type: histogram, counts: [0, 0, 0, 0, 0, 0, 0, 0, 1]}
      flops: {type: gaussian, average: 2.0e13, sigma: 3.0e12}
      memory: {type: gaussian, average: 1.6e10, sigma: 2.0e9}
      outfilesize: {type: gaussian, average: 1.0e9, sigma: 2.0e8}
      workload_type: calculation
      submission_time: 0
    merge:
      num_jobs: 20
      cores: {type: histogram, counts: [0, 1]}
      flops: {type: gaussian, average: 1.0e11, sigma: 1.0e10}
      memory: {type: gaussian, average: 1.0e9, sigma: 1.0e8}
      outfilesize: {type: gaussian, average: 2.4e9, sigma: 2.0e8}
      workload_type: copy
      submission_time: 600
      infile_datasets: merge_ds
options:
  hitrate: 0.2
  cache_scope: network
  xrd_flops_per_time: 1.0e9
dispatcher: least-loaded
)";

std::string resolve(const std::string& base_dir, const std::string& p) {
    const std::filesystem::path path(p);
    return path.is_absolute() || base_dir.empty() ? p : (std::filesystem::path(base_dir) / path).string();
}

// A list whose items are file paths (JSON documents) or inline maps.
void documents(const YamlView& list, const std::string& base_dir,
               std::vector<std::pair<nlohmann::json, std::string>>& out) {
    if (!list.is_sequence())
        list.fail("expected a list of file paths or inline maps");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YamlView item = list.at(i);
        if (item.is_map()) {
            out.emplace_back(config::to_json(item.node(), list.file()),
                             fmt::format("{}:{}", list.file(), item.line()));
        } else {
            const std::string path = resolve(base_dir, item.as_string());
            out.emplace_back(config::load_json_file(path), path);
        }
    }
}

void read_options(const YamlView& o, GridOptions& opt) {
    o.check_keys({"hitrate", "xrd_blocksize", "prefetch", "caching", "cache_scope", "xrd_flops_per_time",
                  "xrd_flops_per_time_local", "duplications", "shuffle_jobs", "dcsim_block_sizes",
                  "output_storage", "eviction", "outputs_to_site_storage", "backfill_depth",
                  "compute_on_all_cores", "xrd_overhead_model", "max_sim_time", "max_events"});
    if (o.has("hitrate")) {
        opt.hitrate = o.at("hitrate").as_double();
        if (!(opt.hitrate >= 0 && opt.hitrate <= 1))
            o.at("hitrate").fail("must be between 0 and 1");
    }
    if (o.has("xrd_blocksize")) {
        opt.xrd_block_size = o.at("xrd_blocksize").as_quantity(units::Kind::size);
        if (!(opt.xrd_block_size > 0))
            o.at("xrd_blocksize").fail("must be > 0");
    }
    if (o.has("prefetch"))
        opt.prefetch = o.at("prefetch").as_bool();
    if (o.has("caching"))
        opt.caching = o.at("caching").as_bool();
    if (o.has("cache_scope")) {
        try {
            opt.cache_scope = parse_cache_scope(o.at("cache_scope").as_string());
        } catch (const std::invalid_argument& e) {
            o.at("cache_scope").fail(e.what());
        }
    }
    if (o.has("xrd_flops_per_time"))
        opt.xrd_flops_per_time = o.at("xrd_flops_per_time").as_quantity(units::Kind::speed);
    if (o.has("xrd_flops_per_time_local"))
        opt.xrd_flops_per_time_local = o.at("xrd_flops_per_time_local").as_quantity(units::Kind::speed);
    if (o.has("xrd_overhead_model")) {
        try {
            opt.xrd_overhead = parse_xrd_overhead(o.at("xrd_overhead_model").as_string());
        } catch (const std::invalid_argument& e) {
            o.at("xrd_overhead_model").fail(e.what());
        }
    }
    // The run's bounds (docs/formats.md): raise them only for scenarios that really need it.
    if (o.has("max_sim_time")) {
        opt.max_sim_time = o.at("max_sim_time").as_quantity(units::Kind::time);
        if (!(opt.max_sim_time > 0))
            o.at("max_sim_time").fail("must be > 0");
    }
    if (o.has("max_events")) {
        opt.max_events = o.at("max_events").as_double();
        if (!(opt.max_events >= 1))
            o.at("max_events").fail("must be >= 1");
    }
    if (o.has("duplications")) {
        const long long d = o.at("duplications").as_int();
        if (d < 1 || d > 10000)
            o.at("duplications").fail("must be between 1 and 10000");
        opt.duplications = static_cast<std::size_t>(d);
    }
    if (o.has("shuffle_jobs"))
        opt.shuffle_jobs = o.at("shuffle_jobs").as_bool();
    if (o.has("dcsim_block_sizes"))
        opt.dcsim_block_sizes = o.at("dcsim_block_sizes").as_bool();
    if (o.has("output_storage"))
        opt.output_storage = o.at("output_storage").as_string();
    if (o.has("compute_on_all_cores"))
        opt.compute_on_all_cores = o.at("compute_on_all_cores").as_bool();
    if (o.has("outputs_to_site_storage"))
        opt.outputs_to_site_storage = o.at("outputs_to_site_storage").as_bool();
    if (o.has("backfill_depth")) {
        const long long d = o.at("backfill_depth").as_int();
        if (d < 0)
            o.at("backfill_depth").fail("must be >= 0");
        opt.backfill_depth = static_cast<std::size_t>(d);
    }
    if (o.has("eviction")) {
        try {
            opt.eviction = parse_eviction(o.at("eviction").as_string());
        } catch (const std::invalid_argument& e) {
            o.at("eviction").fail(e.what());
        }
    }
}

// `gpu_sharing: {default: "mps:4", KIT: {policy: divide, slots: 2}, wn01: exclusive}`
void read_gpu_sharing(const YamlView& g, GridOptions& opt) {
    if (!g.is_map())
        g.fail("expected a map of host, site or 'default' to a policy, e.g. {default: \"mps:4\"}");
    for (const auto& kv : g.node()) {
        const std::string name = kv.first.Scalar();
        const YamlView v(kv.second, g.file(), "gpu_sharing." + name);
        try {
            GpuPolicy p;
            if (v.is_map()) {
                if (!v.has("policy"))
                    v.fail("a policy map needs 'policy' (exclusive, repeat, divide, time-slicing, mps, mig)");
                std::string text = v.at("policy").as_string();
                for (const auto& item : v.node()) {
                    const std::string key = item.first.Scalar();
                    if (key == "policy")
                        continue;
                    std::string value;
                    if (item.second.IsSequence())
                        for (const auto& e : item.second)
                            value += (value.empty() ? "" : "+") + e.Scalar();
                    else
                        value = item.second.Scalar();
                    text += "," + key + "=" + value;
                }
                p = parse_gpu_policy(text);
            } else {
                p = parse_gpu_policy(v.as_string());
            }
            opt.gpu_policies.emplace_back(name, std::move(p));
        } catch (const std::invalid_argument& e) {
            v.fail(e.what());
        }
    }
}

void read_gpu_calibration(const YamlView& c, GpuCalibration& cal) {
    c.check_keys(
        {"context_latency", "context_serial", "time_slice_overhead", "context_memory", "mps_max_clients"});
    auto non_negative = [&](const char* key, units::Kind kind, double& out) {
        if (!c.has(key))
            return;
        out = c.at(key).as_quantity(kind);
        if (!(out >= 0))
            c.at(key).fail("must be >= 0");
    };
    non_negative("context_latency", units::Kind::time, cal.context_latency);
    non_negative("context_serial", units::Kind::time, cal.context_serial);
    non_negative("context_memory", units::Kind::size, cal.context_memory);
    if (c.has("time_slice_overhead")) {
        cal.time_slice_overhead = c.at("time_slice_overhead").as_double();
        if (!(cal.time_slice_overhead >= 0 && cal.time_slice_overhead < 10))
            c.at("time_slice_overhead").fail("must be between 0 and 10");
    }
    if (c.has("mps_max_clients")) {
        const long long n = c.at("mps_max_clients").as_int();
        if (n < 1 || n > 1024)
            c.at("mps_max_clients").fail("must be between 1 and 1024");
        cal.mps_max_clients = static_cast<int>(n);
    }
}

// background_share: {steps: [[0h, 0.2], [8h, 0.6], [18h, 0.3]], period: 24h}: the share the
// site's own users hold from each time on (piecewise constant), repeating with the period.
void read_background_profile(const YamlView& b, OpportunisticSite& site) {
    b.check_keys({"steps", "period"});
    const YamlView steps = b.at("steps");
    if (!steps.is_sequence() || steps.size() == 0)
        steps.fail("must be a list of [time, share] pairs, e.g. [[0h, 0.2], [8h, 0.6]]");
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const YamlView st = steps.at(i);
        if (!st.is_sequence() || st.size() != 2)
            st.fail("each step is [time, share], e.g. [8h, 0.6]");
        const double t = st.at(std::size_t{0}).as_quantity(units::Kind::time);
        const double share = st.at(std::size_t{1}).as_double();
        if (!(t >= 0))
            st.fail(fmt::format("time {} must be >= 0", t));
        if (!(share >= 0 && share < 1))
            st.fail(fmt::format("share {} must be in [0, 1)", share));
        if (!site.background_steps.empty() && !(t > site.background_steps.back().first))
            st.fail(fmt::format("times must increase (step at {} s after one at {} s)", t,
                                site.background_steps.back().first));
        site.background_steps.emplace_back(t, share);
    }
    if (b.has("period")) {
        site.background_period = b.at("period").as_quantity(units::Kind::time);
        if (!(site.background_period > site.background_steps.back().first))
            b.at("period").fail(fmt::format("period {} s must exceed the last step's time ({} s)",
                                            site.background_period, site.background_steps.back().first));
    }
}

Duration read_duration(const YamlView& v) {
    Duration d;
    if (v.is_map()) {
        const nlohmann::json j = config::to_json(v.node(), v.file());
        d.dist = Distribution::from_json(config::JsonView(j, v.file(), v.key()), false);
    } else {
        d.fixed = v.as_quantity(units::Kind::time);
        if (!(d.fixed >= 0))
            v.fail(fmt::format("{} must be >= 0", v.as_string()));
    }
    return d;
}

// opportunistic: {controller: {type, interval, ...}, sites: [{site, max_drones, ...}]}
void read_opportunistic(const YamlView& o, Platform& platform, GridOptions& opt) {
    o.check_keys({"controller", "sites"});
    if (o.has("controller")) {
        const YamlView c = o.at("controller");
        c.check_keys({"type", "interval", "max_boots_per_cycle", "release_delay", "low_utilisation",
                      "high_allocation", "rate", "low_scale", "high_scale"});
        ControllerSpec& k = opt.controller;
        if (c.has("type")) {
            try {
                k.kind = parse_controller(c.at("type").as_string());
            } catch (const std::invalid_argument& e) {
                c.at("type").fail(e.what());
            }
        }
        auto positive = [&](const char* key, units::Kind kind, double& out) {
            if (!c.has(key))
                return;
            out = kind == units::Kind::time ? c.at(key).as_quantity(kind) : c.at(key).as_double();
            if (!(out > 0))
                c.at(key).fail("must be > 0");
        };
        positive("interval", units::Kind::time, k.interval);
        positive("rate", units::Kind::speed, k.rate);
        positive("low_scale", units::Kind::speed, k.low_scale);
        positive("high_scale", units::Kind::speed, k.high_scale);
        if (c.has("release_delay")) {
            k.release_delay = c.at("release_delay").as_quantity(units::Kind::time);
            if (!(k.release_delay >= 0))
                c.at("release_delay").fail("must be >= 0");
        }
        if (c.has("max_boots_per_cycle")) {
            const long long b = c.at("max_boots_per_cycle").as_int();
            if (b < 1 || b > 1000000)
                c.at("max_boots_per_cycle").fail("must be between 1 and 1e6");
            k.max_boots_per_cycle = static_cast<int>(b);
        }
        for (const char* key : {"low_utilisation", "high_allocation"})
            if (c.has(key)) {
                const double v = c.at(key).as_double();
                if (!(v >= 0 && v <= 1))
                    c.at(key).fail("must be between 0 and 1");
                (std::string(key) == "low_utilisation" ? k.low_utilisation : k.high_allocation) = v;
            }
    }
    if (!o.has("sites"))
        o.fail("opportunistic needs sites: [{site: ZONE, ...}]");
    const YamlView sites = o.at("sites");
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const YamlView s = sites.at(i);
        s.check_keys({"site", "max_drones", "cores_per_drone", "memory_per_drone", "queue_time", "boot_time",
                      "integration_delay", "walltime", "drain_before", "overhead", "cost_per_core_hour",
                      "background_share", "heartbeat"});
        OpportunisticSite site;
        site.site = s.at("site").as_string();
        const auto zone = platform.find_zone(site.site);
        if (!zone)
            s.at("site").fail(fmt::format("'{}' is not a zone of the platform", site.site));
        auto count = [&](const char* key, int& out) {
            if (!s.has(key))
                return;
            const long long v = s.at(key).as_int();
            if (v < 1 || v > 100000000)
                s.at(key).fail(fmt::format("{} must be between 1 and 1e8", v));
            out = static_cast<int>(v);
        };
        count("max_drones", site.max_drones);
        count("cores_per_drone", site.cores_per_drone);
        if (s.has("memory_per_drone"))
            site.memory_per_drone = s.at("memory_per_drone").as_quantity(units::Kind::size);
        if (s.has("queue_time"))
            site.queue_time = read_duration(s.at("queue_time"));
        if (s.has("boot_time"))
            site.boot_time = read_duration(s.at("boot_time"));
        auto time = [&](const char* key, double& out) {
            if (!s.has(key))
                return;
            out = s.at(key).as_quantity(units::Kind::time);
            if (!(out >= 0))
                s.at(key).fail("must be >= 0");
        };
        time("integration_delay", site.integration_delay);
        time("walltime", site.walltime);
        time("drain_before", site.drain_before);
        time("heartbeat", site.heartbeat);
        auto fraction = [&](const char* key, double& out) {
            if (!s.has(key))
                return;
            out = s.at(key).as_double();
            if (!(out >= 0 && out < 1))
                s.at(key).fail(fmt::format("{} must be in [0, 1)", out));
        };
        fraction("overhead", site.overhead);
        if (s.has("background_share") && s.at("background_share").is_map())
            read_background_profile(s.at("background_share"), site);
        else
            fraction("background_share", site.background_share);
        if (s.has("cost_per_core_hour")) {
            site.cost_per_core_hour = s.at("cost_per_core_hour").as_double();
            if (!(site.cost_per_core_hour >= 0))
                s.at("cost_per_core_hour").fail("must be >= 0");
        }
        if (site.walltime > 0 && site.drain_before >= site.walltime)
            s.at("drain_before").fail("must be below the walltime");
        // virtualisation overhead: the drones' nodes compute slower
        if (site.overhead > 0)
            for (HostIndex h = 0; h < platform.host_count(); ++h)
                for (ZoneIndex z = platform.host_zone(h); z != Platform::none; z = platform.zone_parent(z))
                    if (z == *zone) {
                        platform.set_host_speed(h, platform.host(h).speed * (1 - site.overhead));
                        break;
                    }
        opt.opportunistic.push_back(std::move(site));
    }
}

} // namespace

WorkloadSet build_workload(const Platform& platform, const WorkloadSources& sources, std::uint64_t seed) {
    const RandomStreams streams(seed);
    auto ds_rng = streams.stream("datasets");
    auto wl_rng = streams.stream("workloads");
    WorkloadSet set;
    for (const auto& [doc, origin] : sources.datasets)
        add_dcsim_datasets(doc, origin, platform, ds_rng, set);
    for (const auto& [doc, origin] : sources.workloads)
        add_dcsim_workloads(doc, origin, platform, wl_rng, set);
    for (const auto& path : sources.job_lists)
        add_job_list(path, platform, set);
    if (set.jobs.empty())
        throw InputError(sources.workloads.empty() ? "" : sources.workloads.front().second, 0, "",
                         "the workload has no job");
    return set;
}

bool is_grid_scenario(const YAML::Node& root) {
    return root.IsMap() && (root["workloads"] || root["datasets"] || root["jobs"]);
}

GridScenario read_grid_scenario(const YamlView& root, const std::string& base_dir,
                                std::optional<std::uint64_t> seed) {
    root.check_keys({"name", "platform", "seed", "datasets", "workloads", "jobs", "options", "dispatcher",
                     "caches", "outputs", "gpu_sharing", "gpu_calibration", "opportunistic"});
    GridScenario s;
    s.origin = root.file();
    s.name =
        root.has("name") ? root.at("name").as_string() : std::filesystem::path(root.file()).stem().string();
    const YamlView plat = root.at("platform");
    s.platform.emplace(plat.is_map() ? platform_from_yaml(plat)
                                     : load_platform(resolve(base_dir, plat.as_string())));
    if (root.has("seed")) {
        const long long seed = root.at("seed").as_int();
        if (seed < 0)
            root.at("seed").fail("must be >= 0");
        s.options.seed = static_cast<std::uint64_t>(seed);
    }
    if (seed)
        s.options.seed = *seed;
    if (root.has("options")) {
        read_options(root.at("options"), s.options);
        const YamlView o = root.at("options");
        if (o.has("output_storage")) {
            const auto h = s.platform->find_host(s.options.output_storage);
            if (!h || !host_has_role(*s.platform, *h, "storage"))
                o.at("output_storage")
                    .fail(fmt::format("'{}' is not a storage host of the platform",
                                      shorten(s.options.output_storage)));
        }
    }
    if (root.has("dispatcher")) {
        try {
            s.options.dispatcher = parse_dispatch_policy(root.at("dispatcher").as_string());
        } catch (const std::invalid_argument& e) {
            root.at("dispatcher").fail(e.what());
        }
    }
    if (root.has("opportunistic"))
        read_opportunistic(root.at("opportunistic"), *s.platform, s.options);
    if (root.has("gpu_sharing")) {
        read_gpu_sharing(root.at("gpu_sharing"), s.options);
        // Names are checked against the platform here, where the line is known.
        // a named view: node() refers into it, so a temporary would leave the loop dangling
        const YamlView sharing = root.at("gpu_sharing");
        for (const auto& kv : sharing.node()) {
            const std::string name = kv.first.Scalar();
            if (name != "default" && !s.platform->find_host(name) && !s.platform->find_zone(name))
                YamlView(kv.second, root.file(), "gpu_sharing." + name)
                    .fail(fmt::format("'{}' is neither a host, a zone nor 'default'", shorten(name)));
        }
    }
    if (root.has("gpu_calibration"))
        read_gpu_calibration(root.at("gpu_calibration"), s.options.gpu_calibration);
    if (root.has("caches")) {
        const YamlView caches = root.at("caches");
        if (!caches.is_map())
            caches.fail("expected a map of cache host to size, e.g. {t1-xcache: 100TB}");
        for (const auto& kv : caches.node()) {
            const YamlView v(kv.second, root.file(), "caches." + kv.first.Scalar());
            const std::string& name = kv.first.Scalar();
            const double size = v.as_quantity(units::Kind::size);
            // Checked here, against the platform, so that the error names this line (the
            // simulation's own check cannot).
            const auto h = s.platform->find_host(name);
            if (!h || !host_has_role(*s.platform, *h, "cache"))
                v.fail(fmt::format("'{}' is not a cache host of the platform (no host with the 'cache' role "
                                   "has that name)",
                                   shorten(name)));
            const auto& disks = s.platform->host(*h).disks;
            if (disks.empty())
                v.fail(fmt::format("cache host '{}' has no disk", name));
            if (disks[0].size > 0 && size > disks[0].size)
                v.fail(fmt::format("cache '{}' of {:.4g} B is larger than its disk '{}' ({:.4g} B)", name,
                                   size, disks[0].id, disks[0].size));
            s.options.cache_sizes[name] = size;
        }
    }
    if (root.has("outputs")) {
        const YamlView o = root.at("outputs");
        o.check_keys({"trace", "summary", "timeseries", "interval", "drones"});
        // Outputs are relative to the working directory, like -o: resolving them next to the
        // scenario made the examples write into the source tree (docs/formats.md).
        if (o.has("drones"))
            s.drones = o.at("drones").as_string();
        if (o.has("trace"))
            s.trace = o.at("trace").as_string();
        if (o.has("summary"))
            s.summary = o.at("summary").as_string();
        if (o.has("timeseries"))
            s.timeseries = o.at("timeseries").as_string();
        if (o.has("interval")) {
            s.options.timeseries_interval = o.at("interval").as_quantity(units::Kind::time);
            if (!(s.options.timeseries_interval > 0))
                o.at("interval").fail("must be > 0");
        }
    }
    WorkloadSources sources;
    if (root.has("datasets"))
        documents(root.at("datasets"), base_dir, sources.datasets);
    if (root.has("workloads"))
        documents(root.at("workloads"), base_dir, sources.workloads);
    if (root.has("jobs")) {
        const YamlView jobs = root.at("jobs");
        if (jobs.is_sequence())
            for (std::size_t i = 0; i < jobs.size(); ++i)
                sources.job_lists.push_back(resolve(base_dir, jobs.at(i).as_string()));
        else
            sources.job_lists.push_back(resolve(base_dir, jobs.as_string()));
    }
    s.workload = build_workload(*s.platform, sources, s.options.seed);
    return s;
}

GridScenario default_grid_scenario(std::optional<std::uint64_t> seed) {
    return read_grid_scenario(YamlView(YAML::Load(builtin_grid), "<built-in>"), "", seed);
}

} // namespace hepkit::sim
