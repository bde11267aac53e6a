// A sample written as a scenario: what each parameter changes, checked on the scenario as
// hepkit sim loads it (the platform loader and the workload builder read the written files).

#include "Helpers.hpp"
#include "RandomPlatform.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/Generate.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

const std::string kBase = std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml";

sim::GridScenario load(const std::string& scenario) {
    return sim::read_grid_scenario(config::YamlView(config::load_yaml_file(scenario), scenario),
                                   fs::path(scenario).parent_path().string());
}

Sample sample(std::map<std::string, double> values, std::size_t k = 3) {
    Sample s;
    s.index = k;
    s.scenario_seed = 42;
    s.values = std::move(values);
    return s;
}

TEST(SurrogateVariation, EachParameterChangesWhatItSays) {
    Space space;
    space.origin = "test";
    space.bases = {kBase};
    const sim::GridScenario base = load(kBase);
    const auto dir = hepkit::test::temp_dir("variation", "all");
    const std::string file = write_variation(space,
                                             sample({{"cores_factor", 2},
                                                     {"speed_factor", 0.5},
                                                     {"workers_fraction", 0.5},
                                                     {"disk_bandwidth_factor", 2},
                                                     {"link_bandwidth_factor", 0.5},
                                                     {"latency_factor", 2},
                                                     {"cache_size_factor", 0.5},
                                                     {"jobs_factor", 1.5},
                                                     {"flops_factor", 2},
                                                     {"file_size_factor", 3},
                                                     {"output_size_factor", 0.5},
                                                     {"hitrate", 0.4}}),
                                             dir.string());
    const sim::GridScenario s = load(file);
    const auto& p = *s.platform;
    // The Tier-1's two worker hosts: half kept (the first), the other gone with its route.
    ASSERT_TRUE(p.find_host("t1-wn1"));
    EXPECT_FALSE(p.find_host("t1-wn2"));
    EXPECT_EQ(p.host(*p.find_host("t1-wn1")).cores, 128);
    EXPECT_DOUBLE_EQ(p.host(*p.find_host("t1-wn1")).speed, 5e9);
    // The Tier-2 cluster of 8: 4 nodes, each with twice the cores at half the speed.
    for (int i = 1; i <= 4; ++i) {
        const auto h = p.find_host("t2-wn" + std::to_string(i));
        ASSERT_TRUE(h) << i;
        EXPECT_EQ(p.host(*h).cores, 64);
        EXPECT_DOUBLE_EQ(p.host(*h).speed, 4e9);
    }
    EXPECT_FALSE(p.find_host("t2-wn5"));
    // Storage and caches keep their cores; disks twice as fast; links half the bandwidth, twice
    // the latency.
    const auto& se = p.host(*p.find_host("t1-se"));
    EXPECT_EQ(se.cores, 16);
    EXPECT_DOUBLE_EQ(se.disks.at(0).read_bw, 40e9);
    EXPECT_DOUBLE_EQ(se.disks.at(0).write_bw, 20e9);
    const auto wan = p.link(*p.find_link("wan"));
    EXPECT_DOUBLE_EQ(wan.bandwidth, 20e9 / 8 * 0.5);
    EXPECT_DOUBLE_EQ(wan.latency, 20e-3);
    // Routes still lead from the remaining worker to the storage.
    EXPECT_NO_THROW(p.route(*p.find_host("t2-wn1"), *p.find_host("t1-se")));
    // Workload: 1.5 times the jobs of each workload (80, 16, 24), flops and sizes scaled.
    EXPECT_EQ(s.workload.jobs.size(), 120U + 24U + 36U);
    EXPECT_EQ(base.workload.jobs.size(), 120U);
    double flops = 0, base_flops = 0;
    for (const auto& j : s.workload.jobs)
        flops += j.flops / static_cast<double>(s.workload.jobs.size());
    for (const auto& j : base.workload.jobs)
        base_flops += j.flops / static_cast<double>(base.workload.jobs.size());
    EXPECT_NEAR(flops / base_flops, 2.0, 0.25); // means of other draws: within ~10 %
    EXPECT_DOUBLE_EQ(s.options.cache.hitrate, 0.4);
    EXPECT_DOUBLE_EQ(s.options.cache.sizes.at("t1-xcache"), 10e12);
    EXPECT_EQ(s.options.seed, 21U); // the sample's seed, halved into a signed 64-bit integer
    EXPECT_EQ(s.name, "surrogate-base-000003");
    // The files are self-contained: they name each other by relative paths, the dataset files
    // were written with three times the file sizes.
    std::ifstream in(dir / "datasets_0.json");
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("7500000000"), std::string::npos) << text.substr(0, 300);
}

TEST(SurrogateVariation, RemovedHostsLeaveAWorkerAndDependOnTheSeed) {
    Space space;
    space.origin = "test";
    space.bases = {kBase};
    std::set<std::string> gone_sets;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        Sample s = sample({{"removed_hosts", 3}});
        s.scenario_seed = seed;
        const auto dir = hepkit::test::temp_dir("variation", "removed" + std::to_string(seed));
        std::map<std::string, double> applied;
        const sim::GridScenario sc = load(write_variation(space, s, dir.string(), &applied));
        EXPECT_TRUE(applied.empty()); // all 3 removed, as drawn
        const auto& p = *sc.platform;
        std::string gone;
        int workers = 0;
        for (const std::string h : {"t1-wn1", "t1-wn2", "t2-wn1", "t2-wn2", "t2-wn3", "t2-wn4", "t2-wn5",
                                    "t2-wn6", "t2-wn7", "t2-wn8"}) {
            if (p.find_host(h))
                ++workers;
            else
                gone += h + " ";
        }
        EXPECT_EQ(workers, 10 - 3) << gone;
        gone_sets.insert(gone);
    }
    EXPECT_GT(gone_sets.size(), 1U); // which hosts go follows the sample's seed
    // All but one: the last worker stays, and the sample records the 9 removed, not the 1000 drawn.
    Sample all = sample({{"removed_hosts", 1000}});
    std::map<std::string, double> applied;
    const sim::GridScenario sc =
        load(write_variation(space, all, hepkit::test::temp_dir("variation", "all-gone").string(), &applied));
    EXPECT_EQ(applied, (std::map<std::string, double>{{"removed_hosts", 9}}));
    int workers = 0;
    for (sim::HostIndex h = 0; h < sc.platform->host_count(); ++h)
        workers +=
            sc.platform->host(h).props.count("type") && sc.platform->host(h).props.at("type") == "worker";
    EXPECT_EQ(workers, 1);
}

TEST(SurrogateVariation, ABaseWithoutAnXmlPlatformIsRefusedNamingTheKey) {
    const auto dir = hepkit::test::temp_dir("variation", "yaml-base");
    fs::create_directories(dir);
    std::ofstream(dir / "base.yaml") << "name: b\nplatform: p.yaml\nworkloads: [w.json]\n";
    Space space;
    space.origin = "test";
    space.bases = {(dir / "base.yaml").string()};
    try {
        write_variation(space, sample({}), (dir / "out").string());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "base.yaml:2: platform: the surrogate's variations act on a SimGrid XML "
                      "platform file"),
                  std::string::npos)
            << e.what();
    }
}

} // namespace

namespace {

// The base's features by hand from examples/grid/platform.xml: 2 Tier-1 workers of 64 cores at
// 10 Gf behind 25 Gbps NICs, 8 Tier-2 nodes of 32 cores at 8 Gf on 10 Gbps / 50 us links behind
// the 20 Gbps / 10 ms WAN, the storage behind a 100 Gbps / 20 us NIC.
TEST(SurrogateFeatures, TheBaseScenarioByHand) {
    const sim::GridScenario s = load(kBase);
    const auto f = hepkit::surrogate::scenario_features(s);
    const auto& names = hepkit::surrogate::feature_names();
    ASSERT_EQ(f.size(), names.size());
    const auto at = [&](const std::string& n) {
        return f[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
    };
    EXPECT_EQ(at("jobs"), 120);
    EXPECT_EQ(at("workers"), 10);
    EXPECT_EQ(at("sites"), 2);
    EXPECT_EQ(at("worker_cores"), 2 * 64 + 8 * 32);
    EXPECT_DOUBLE_EQ(at("flop_rate"), 2 * 64 * 10e9 + 8 * 32 * 8e9);
    EXPECT_DOUBLE_EQ(at("cache_bytes"), 20e12);
    EXPECT_DOUBLE_EQ(at("hitrate"), 0.1);
    EXPECT_DOUBLE_EQ(at("storage_read_bw"), 20e9);
    // bottlenecks: Tier-1 workers their 25 Gbps NIC, Tier-2 nodes their 10 Gbps link
    EXPECT_DOUBLE_EQ(at("route_bw_mean"), (128 * 25e9 / 8 + 256 * 10e9 / 8) / 384);
    EXPECT_NEAR(at("route_latency_mean"), (128 * 40e-6 + 256 * (50e-6 + 10e-3 + 20e-6)) / 384, 1e-12);
    // per-core shares: the storage NIC (100 Gbps) is crossed by all 384 cores, the WAN (20 Gbps)
    // by the 256 Tier-2 cores, a Tier-1 NIC (25 Gbps) by its 64, a Tier-2 link (10 Gbps) by 32:
    // Tier-1 cores get min(3.125e9/64, 12.5e9/384) = 12.5e9/384, Tier-2 cores 2.5e9/256
    EXPECT_NEAR(at("route_bw_per_core_mean"), (128 * 12.5e9 / 384 + 256 * 2.5e9 / 256) / 384, 1);
    EXPECT_NEAR(at("route_bw_per_core_min"), 2.5e9 / 256, 1e-3);
    // the XCache's NIC is the storage's (100 Gbps, 20 us): the same routes' figures
    EXPECT_DOUBLE_EQ(at("cache_route_bw_mean"), at("route_bw_mean"));
    EXPECT_DOUBLE_EQ(at("cache_route_latency_mean"), at("route_latency_mean"));
    // per cluster, largest first: the Tier-2 cluster (256 cores at 8 Gf, its 10 Gbps share and the
    // WAN's latency), the Tier-1 workers (128 cores at 10 Gf); no third or fourth
    EXPECT_EQ(at("cluster1_cores"), 256);
    EXPECT_DOUBLE_EQ(at("cluster1_core_speed"), 8e9);
    EXPECT_NEAR(at("cluster1_bw_per_core"), 2.5e9 / 256, 1e-3);
    EXPECT_NEAR(at("cluster1_latency"), 50e-6 + 10e-3 + 20e-6, 1e-12);
    EXPECT_EQ(at("cluster2_cores"), 128);
    EXPECT_DOUBLE_EQ(at("cluster2_core_speed"), 10e9);
    EXPECT_NEAR(at("cluster2_bw_per_core"), 12.5e9 / 384, 1e-3);
    EXPECT_NEAR(at("cluster2_latency"), 40e-6, 1e-12);
    for (const char* absent :
         {"cluster3_cores", "cluster3_core_speed", "cluster4_bw_per_core", "cluster4_latency"})
        EXPECT_EQ(at(absent), 0) << absent;
    // the data-locality dispatcher fills the site of the storage and the cache first (the Tier-1's
    // 128 cores), then the least loaded (the Tier-2 cluster)
    const double demand = std::min(at("jobs") * at("job_cores_mean"), 384.0);
    const double t1 = std::min(demand, 128.0), t2 = demand - t1;
    EXPECT_DOUBLE_EQ(at("fill_cores"), demand);
    EXPECT_DOUBLE_EQ(at("fill_core_speed"), (t1 * 10e9 + t2 * 8e9) / demand);
    EXPECT_NEAR(at("fill_bw_per_core"), (t1 * 12.5e9 / 384 + t2 * 2.5e9 / 256) / demand, 1e-3);
    EXPECT_NEAR(at("fill_latency"), (t1 * 40e-6 + t2 * (50e-6 + 10e-3 + 20e-6)) / demand, 1e-12);
    {
        // dcsim fills in name order (t1-wn1, t1-wn2 come first here too); round-robin spreads
        // over every worker in proportion to its cores
        const std::size_t speed = static_cast<std::size_t>(
            std::find(names.begin(), names.end(), "fill_core_speed") - names.begin());
        sim::GridScenario other = s;
        other.options.dispatcher.policy = sim::DispatchPolicy::dcsim;
        EXPECT_DOUBLE_EQ(hepkit::surrogate::scenario_features(other)[speed], at("fill_core_speed"));
        other.options.dispatcher.policy = sim::DispatchPolicy::round_robin;
        EXPECT_DOUBLE_EQ(hepkit::surrogate::scenario_features(other)[speed], at("core_speed_mean"));
    }
    double flops = 0, in = 0;
    for (const auto& j : s.workload.jobs) {
        flops += j.flops;
        for (const auto file : j.inputs)
            in += s.workload.files[file].size;
    }
    EXPECT_DOUBLE_EQ(at("flops_total"), flops);
    EXPECT_DOUBLE_EQ(at("input_bytes_total"), in);
    // the workload's totals are kept when its jobs are built (the features walk no jobs): the sums
    // over the jobs, and a scenario without them (its jobs changed afterwards) gives the same
    ASSERT_TRUE(s.workload.totals.has_value());
    EXPECT_DOUBLE_EQ(s.workload.totals->flops, flops);
    EXPECT_EQ(s.workload.totals->jobs, s.workload.jobs.size());
    sim::GridScenario walked = s;
    walked.workload.totals.reset();
    EXPECT_EQ(hepkit::surrogate::scenario_features(walked), f);
    walked.workload.jobs.pop_back();
    EXPECT_EQ(hepkit::surrogate::scenario_features(walked)[0], 119); // "jobs"
}

} // namespace

// cache_moved: the example grid's XCache (role and disk) goes to one of the Tier-1's two worker
// hosts (the Tier-2 is a <cluster>, whose nodes cannot hold a disk), drawn by the sample's seed;
// the scenario's `caches:` follows (resized too), and the cache's routes change.
TEST(SurrogateVariation, CacheMovedToAWorkerHost) {
    Space space;
    space.origin = "test";
    space.bases = {kBase};
    std::set<std::string> to;
    for (std::size_t k = 0; k < 8; ++k) {
        const auto dir = hepkit::test::temp_dir("variation", "cache-moved-" + std::to_string(k));
        Sample drawn = sample({{"cache_moved", 1}, {"cache_size_factor", 2}}, k);
        drawn.scenario_seed = 100 + k; // the seed picks the host
        const sim::GridScenario s = load(write_variation(space, drawn, dir.string()));
        ASSERT_EQ(s.options.cache.sizes.size(), 1U);
        const std::string host = s.options.cache.sizes.begin()->first;
        EXPECT_TRUE(host == "t1-wn1" || host == "t1-wn2") << host;
        EXPECT_DOUBLE_EQ(s.options.cache.sizes.begin()->second, 40e12); // resized too, under its new host
        to.insert(host);
        const YAML::Node written = YAML::LoadFile((dir / "scenario.yaml").string());
        EXPECT_TRUE(written["caches"][host]) << "caches: names the new host";
        const auto f = scenario_features(s);
        const auto& names = feature_names();
        const auto at = [&](const std::string& n) {
            return f[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
        };
        // the other Tier-1 worker reaches the cache through both NICs (25 Gbps), the Tier-2
        // nodes through the WAN and that NIC: 256 cores at 10 Gbps, 64 at 25 Gbps
        EXPECT_DOUBLE_EQ(at("cache_route_bw_mean"), (64 * 25e9 / 8 + 256 * 10e9 / 8) / 320);
    }
    EXPECT_EQ(to.size(), 2U); // both workers drawn over the samples
}

// Workers with a disk of their own: the cache's disk goes first (the simulator's cache disk is a
// host's first), and a worker that is a cache already is no destination.
TEST(SurrogateVariation, CacheMovedBeforeTheWorkersOwnDisk) {
    const auto dir = hepkit::test::temp_dir("variation", "cache-disks");
    fs::create_directories(dir);
    const std::string grid = std::string(HEPKIT_SOURCE_DIR) + "/examples/grid/";
    std::ifstream in(grid + "platform.xml");
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string scratch =
        R"(<disk id="scratch" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1TB"/><prop id="mount" value="/scratch"/></disk></host>)";
    for (const char* w : {"t1-wn1", "t1-wn2"}) {
        const auto at = xml.find(std::string("<host id=\"") + w + "\"");
        ASSERT_NE(at, std::string::npos);
        const auto end = xml.find("</host>", at);
        xml.replace(end, 7, scratch);
    }
    // t1-wn2 is a cache already: only t1-wn1 may take the XCache
    const auto wn2 = xml.find(R"(<host id="t1-wn2")");
    const auto role = xml.find(R"(value="worker")", wn2);
    xml.replace(role, std::string(R"(value="worker")").size(), R"(value="worker,cache")");
    std::ofstream(dir / "platform.xml") << xml;
    std::ofstream(dir / "base.yaml") << "name: b\nseed: 1\nplatform: platform.xml\ndatasets: [" << grid
                                     << "datasets.json]\nworkloads: [" << HEPKIT_SOURCE_DIR
                                     << "/examples/surrogate/workloads.json]\ncaches: {t1-xcache: 20TB}\n";
    Space space;
    space.origin = "test";
    space.bases = {(dir / "base.yaml").string()};
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        Sample drawn = sample({{"cache_moved", 1}});
        drawn.scenario_seed = seed;
        const auto out = dir / ("out" + std::to_string(seed));
        const sim::GridScenario s = load(write_variation(space, drawn, out.string()));
        ASSERT_EQ(s.options.cache.sizes.count("t1-wn1"), 1U);
        const auto h = s.platform->find_host("t1-wn1");
        ASSERT_TRUE(h.has_value());
        const auto& disks = s.platform->host(*h).disks;
        ASSERT_EQ(disks.size(), 2U);
        EXPECT_DOUBLE_EQ(disks[0].size, 50e12); // the XCache's SSD, then the scratch disk
        EXPECT_DOUBLE_EQ(disks[1].size, 1e12);
    }
}

// A seed's platform is fixed text on every compiler (each draw in its own statement: argument
// evaluation order is unspecified). These lines are seed 12345's as GCC 12 and clang 14 both
// write them: a change here changes every random-platform space.
TEST(SurrogateRandomPlatform, ASeedGivesTheSameTextEverywhere) {
    const std::string x = hepkit::surrogate::detail::random_platform_xml(12345);
    for (
        const char* line :
        {R"(<host id="t1-wn1" speed="11Gf" core="32">)",
         R"(<link id="t1-se-nic" bandwidth="54.3Gbps" latency="30us"/>)",
         R"(<cluster id="C1" prefix="c1-wn" suffix="" radical="1-18" speed="14.4Gf" core="16" bw="21.9Gbps" lat="85.7us" router_id="c1-gw">)",
         R"(<link id="to-c1" bandwidth="25.4Gbps" latency="401us"/>)"})
        EXPECT_NE(x.find(line), std::string::npos) << line;
    EXPECT_EQ(hepkit::surrogate::detail::random_platform_xml(12345), x);
    EXPECT_NE(hepkit::surrogate::detail::random_platform_xml(12346), x);
}

// A sample on a random platform: written, loaded by hepkit sim's loader, its own platform per
// seed and the same one for the same seed (RandomPlatform.cpp).
TEST(SurrogateVariation, RandomPlatformsLoadAndDependOnTheirSeed) {
    Space space;
    space.origin = "test";
    space.bases = {kBase};
    const auto dir = hepkit::test::temp_dir("variation", "random");
    const auto write = [&](std::uint64_t seed, const std::string& name) {
        Sample s = sample({});
        s.platform_seed = seed;
        return load(write_variation(space, s, (dir / name).string()));
    };
    std::set<std::size_t> hosts;
    for (std::uint64_t seed = 1; seed <= 15; seed += 2) {
        const sim::GridScenario a = write(seed, "a" + std::to_string(seed));
        const auto f = scenario_features(a);
        const auto& names = feature_names();
        const auto at = [&](const std::string& n) {
            return f[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
        };
        EXPECT_GE(at("workers"), 2); // a cluster of at least 2 nodes
        EXPECT_GT(at("route_bw_per_core_min"), 0);
        EXPECT_LE(at("route_bw_per_core_min"), at("route_bw_per_core_mean") * (1 + 1e-12)); // a mean rounds
        hosts.insert(a.platform->host_count());
        const sim::GridScenario b = write(seed, "b" + std::to_string(seed));
        EXPECT_EQ(scenario_features(b), f);
    }
    EXPECT_GE(hosts.size(), 4U); // platforms of other sizes
}

namespace {

// A worker removed from a Cluster-routed zone takes its <host_link> along (else the loader meets
// a host_link naming no host).
TEST(SurrogateVariation, RemovedHostsTakeTheirHostLinks) {
    const auto dir = hepkit::test::temp_dir("variation", "host-links");
    fs::create_directories(dir);
    std::ofstream(dir / "p.xml") << R"(<?xml version='1.0'?>
<platform version="4.1">
  <zone id="grid" routing="Full">
    <zone id="st" routing="Full">
      <host id="t1-se" speed="1Gf" core="4"><prop id="type" value="storage"/>
        <disk id="d" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1PB"/><prop id="mount" value="/"/></disk></host>
    </zone>
    <zone id="c" routing="Cluster">
      <router id="c-gw"/>
      <host id="w1" speed="1Gf" core="8"><prop id="type" value="worker"/></host>
      <host id="w2" speed="1Gf" core="8"><prop id="type" value="worker"/></host>
      <host id="w3" speed="1Gf" core="8"><prop id="type" value="worker"/></host>
      <link id="w1_up" bandwidth="1GBps" latency="1us"/><link id="w1_down" bandwidth="1GBps" latency="1us"/>
      <link id="w2_up" bandwidth="1GBps" latency="1us"/><link id="w2_down" bandwidth="1GBps" latency="1us"/>
      <link id="w3_up" bandwidth="1GBps" latency="1us"/><link id="w3_down" bandwidth="1GBps" latency="1us"/>
      <host_link id="w1" up="w1_up" down="w1_down"/>
      <host_link id="w2" up="w2_up" down="w2_down"/>
      <host_link id="w3" up="w3_up" down="w3_down"/>
      <backbone id="bb" bandwidth="10GBps" latency="1us"/>
    </zone>
    <link id="wan" bandwidth="1GBps" latency="1ms"/>
    <zoneRoute src="st" dst="c" gw_src="t1-se" gw_dst="c-gw"><link_ctn id="wan"/></zoneRoute>
  </zone>
</platform>
)";
    std::ofstream(dir / "w.json")
        << R"({"a": {"num_jobs": 3, "cores": {"type": "histogram", "counts": [0, 1]},
        "flops": {"type": "gaussian", "average": 1e9, "sigma": 1e8},
        "memory": {"type": "gaussian", "average": 1e9, "sigma": 1e8},
        "outfilesize": {"type": "gaussian", "average": 1e6, "sigma": 1e5},
        "workload_type": "calculation", "submission_time": 0}})";
    std::ofstream(dir / "base.yaml") << "name: hl\nplatform: p.xml\nworkloads: [w.json]\n";
    Space space;
    space.origin = "test";
    space.bases = {(dir / "base.yaml").string()};
    const sim::GridScenario s =
        load(write_variation(space, sample({{"removed_hosts", 2}}), (dir / "out").string()));
    int workers = 0;
    for (const std::string h : {"w1", "w2", "w3"})
        workers += s.platform->find_host(h) ? 1 : 0;
    EXPECT_EQ(workers, 1);
    std::ifstream in(dir / "out" / "platform.xml");
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    std::size_t links = 0;
    for (auto at = text.find("<host_link"); at != std::string::npos; at = text.find("<host_link", at + 1))
        ++links;
    EXPECT_EQ(links, 1U);
}

} // namespace

namespace {

// A base with a replayed job list (examples/grid): the sample refers to the list relative to its
// own folder, so that a data folder copied together with its bases still finds it.
TEST(SurrogateVariation, JobListsAreReferredToRelatively) {
    const auto dir = hepkit::test::temp_dir("variation", "job-list");
    const fs::path src = fs::path(HEPKIT_SOURCE_DIR) / "examples" / "grid";
    fs::create_directories(dir / "project" / "base");
    for (const char* f : {"scenario.yaml", "platform.xml", "datasets.json", "workloads.json", "jobs.csv"})
        fs::copy_file(src / f, dir / "project" / "base" / f);
    Space space;
    space.origin = (dir / "project" / "space.yaml").string();
    space.bases = {(dir / "project" / "base" / "scenario.yaml").string()};
    const std::string file =
        write_variation(space, sample({}), (dir / "project" / "data" / "000003").string());
    const YAML::Node written = YAML::LoadFile(file);
    ASSERT_TRUE(written["jobs"].IsSequence());
    EXPECT_EQ(written["jobs"][0].as<std::string>(), "../../base/jobs.csv");
    const std::size_t jobs = load(file).workload.jobs.size();
    EXPECT_GT(jobs, 0U);
    // The whole project moved: the sample still loads the same jobs.
    fs::rename(dir / "project", dir / "moved");
    EXPECT_EQ(load((dir / "moved" / "data" / "000003" / "scenario.yaml").string()).workload.jobs.size(),
              jobs);

    // A base reached through a symbolic link whose list is named with `..`: the kernel resolves
    // the link first (real/base/../lists), and so must the sample's relative path.
    fs::create_directories(dir / "real" / "lists");
    fs::create_directories(dir / "linked");
    fs::rename(dir / "moved" / "base", dir / "real" / "base");
    fs::rename(dir / "real" / "base" / "jobs.csv", dir / "real" / "lists" / "jobs.csv");
    {
        std::ifstream in(dir / "real" / "base" / "scenario.yaml");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        text.replace(text.find("jobs: jobs.csv"), 14, "jobs: ../lists/jobs.csv");
        std::ofstream(dir / "real" / "base" / "scenario.yaml") << text;
    }
    fs::create_directory_symlink(fs::path("..") / "real" / "base", dir / "linked" / "base");
    space.bases = {(dir / "linked" / "base" / "scenario.yaml").string()};
    const std::string linked =
        write_variation(space, sample({}), (dir / "linked" / "data" / "000001").string());
    EXPECT_EQ(load(linked).workload.jobs.size(), jobs);
    // Absolute lists stay as the base gives them.
    const std::string abs_list = (dir / "real" / "lists" / "jobs.csv").string();
    std::ofstream(dir / "real" / "base" / "abs.yaml")
        << "platform: platform.xml\ndatasets: [datasets.json]\nworkloads: [workloads.json]\njobs: ["
        << abs_list << "]\n";
    space.bases = {(dir / "real" / "base" / "abs.yaml").string()};
    const YAML::Node abs = YAML::LoadFile(write_variation(space, sample({}), (dir / "abs").string()));
    EXPECT_EQ(abs["jobs"][0].as<std::string>(), abs_list);
    EXPECT_EQ(load((dir / "abs" / "scenario.yaml").string()).workload.jobs.size(), jobs);
}

} // namespace
