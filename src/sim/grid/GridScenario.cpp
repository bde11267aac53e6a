#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Parameters.hpp"

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
            opt.gpu.policies.emplace_back(name, std::move(p));
        } catch (const std::invalid_argument& e) {
            v.fail(e.what());
        }
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
    if (o.has("controller"))
        read_parameter_section(opt, o.at("controller"), "opportunistic.controller");
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
        if (s.has("queue_time"))
            site.queue_time = read_duration(s.at("queue_time"));
        if (s.has("boot_time"))
            site.boot_time = read_duration(s.at("boot_time"));
        if (s.has("overhead")) {
            site.overhead = s.at("overhead").as_double();
            if (!(site.overhead >= 0 && site.overhead < 1))
                s.at("overhead").fail(fmt::format("{} must be in [0, 1)", site.overhead));
        }
        const bool profile = s.has("background_share") && s.at("background_share").is_map();
        if (profile)
            read_background_profile(s.at("background_share"), site);
        // the scalar settings through the parameter registry (drones.sites.SITE.*)
        opt.drones.sites.push_back(std::move(site));
        const std::string& name = opt.drones.sites.back().site;
        if (profile)
            read_parameter_section(opt, s, "opportunistic.sites[]", name,
                                   {"site", "queue_time", "boot_time", "overhead", "background_share"});
        else
            read_parameter_section(opt, s, "opportunistic.sites[]", name,
                                   {"site", "queue_time", "boot_time", "overhead"});
        OpportunisticSite& site_ref = opt.drones.sites.back();
        if (site_ref.walltime > 0 && site_ref.drain_before >= site_ref.walltime)
            s.at("drain_before").fail("must be below the walltime");
        // virtualisation overhead: the drones' nodes compute slower
        if (site_ref.overhead > 0)
            for (HostIndex h = 0; h < platform.host_count(); ++h)
                for (ZoneIndex z = platform.host_zone(h); z != Platform::none; z = platform.zone_parent(z))
                    if (z == *zone) {
                        platform.set_host_speed(h, platform.host(h).speed * (1 - site_ref.overhead));
                        break;
                    }
    }
}

} // namespace

WorkloadSet build_workload(const Platform& platform, const WorkloadSources& sources, std::uint64_t seed,
                           WorkloadDetail detail) {
    const RandomStreams streams(seed);
    auto ds_rng = streams.stream("datasets");
    auto wl_rng = streams.stream("workloads");
    WorkloadSet set;
    for (const auto& [doc, origin] : sources.datasets)
        add_dcsim_datasets(doc, origin, platform, ds_rng, set);
    // Totals only: the DCSim workloads' jobs are summed as drawn. With job lists the jobs are
    // built in full and dropped after: a listed job's id must not repeat a drawn one's
    // (add_job_list checks against the jobs kept), and a scenario that cannot run must not be
    // described either.
    const bool totals_only = detail == WorkloadDetail::totals;
    const bool sum_as_drawn = totals_only && sources.job_lists.empty();
    WorkloadTotals drawn;
    for (const auto& [doc, origin] : sources.workloads)
        add_dcsim_workloads(doc, origin, platform, wl_rng, set, sum_as_drawn ? &drawn : nullptr);
    for (const auto& path : sources.job_lists)
        add_job_list(path, platform, set);
    if (set.jobs.empty() && drawn.jobs == 0)
        throw InputError(sources.workloads.empty() ? "" : sources.workloads.front().second, 0, "",
                         "the workload has no job");
    set.totals = sum_as_drawn ? drawn : sum_jobs(set);
    if (totals_only) {
        set.jobs.clear();
        set.jobs.shrink_to_fit();
        set.totals_only = true;
    }
    return set;
}

bool is_grid_scenario(const YAML::Node& root) {
    return root.IsMap() && (root["workloads"] || root["datasets"] || root["jobs"]);
}

std::pair<GridScenario, WorkloadSources> read_grid_settings(const YamlView& root, const std::string& base_dir,
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
        read_parameter_section(s.options, root.at("options"), "options");
        const YamlView o = root.at("options");
        if (o.has("output_storage")) {
            const auto h = s.platform->find_host(s.options.output_storage.host);
            if (!h || !host_has_role(*s.platform, *h, "storage"))
                o.at("output_storage")
                    .fail(fmt::format("'{}' is not a storage host of the platform",
                                      shorten(s.options.output_storage.host)));
        }
    }
    if (root.has("dispatcher"))
        set_parameter(s.options, "dispatcher.policy", root.at("dispatcher"));
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
        read_parameter_section(s.options, root.at("gpu_calibration"), "gpu_calibration");
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
            find_parameter("caches.*.size")->set(s.options, v, name);
        }
    }
    if (root.has("outputs")) {
        const YamlView o = root.at("outputs");
        read_parameter_section(s.options, o, "outputs", "", {"trace", "summary", "timeseries", "drones"});
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
    return {std::move(s), std::move(sources)};
}

GridScenario read_grid_scenario(const YamlView& root, const std::string& base_dir,
                                std::optional<std::uint64_t> seed, WorkloadDetail detail) {
    auto [s, sources] = read_grid_settings(root, base_dir, seed);
    s.workload = build_workload(*s.platform, sources, s.options.seed, detail);
    return s;
}

GridScenario default_grid_scenario(std::optional<std::uint64_t> seed) {
    return read_grid_scenario(YamlView(YAML::Load(builtin_grid), "<built-in>"), "", seed);
}

} // namespace hepkit::sim
