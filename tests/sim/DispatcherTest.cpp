// Dispatcher: the data-locality ranking of sites and the placement of GPU jobs, on small
// platforms whose expected choices are worked out by hand in each case.
#include "hepkit/sim/batch/Dispatcher.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;

namespace {
Platform platform(const char* yaml) {
    return platform_from_yaml(config::YamlView(YAML::Load(yaml), "test.yaml"));
}

std::vector<HostIndex> workers(const Platform& p) {
    std::vector<HostIndex> out;
    for (HostIndex h = 0; h < p.host_count(); ++h)
        if (p.host(h).props.count("type") && p.host(h).props.at("type").find("worker") != std::string::npos)
            out.push_back(h);
    return out;
}

// Site A: a1 (8 cores), a2 (4 cores); site B: b1 (6 cores); storage `se` in a zone of its own.
const char* two_sites = R"(id: grid
routing: Full
zones:
  - {id: Store, routing: Full, hosts: [{id: se, speed: 1Gf, props: {type: storage}}]}
  - id: A
    routing: Full
    hosts:
      - {id: a1, speed: 1Gf, cores: 8, props: {type: worker, ram: 16GB}}
      - {id: a2, speed: 1Gf, cores: 4, props: {type: worker, ram: 8GB}}
  - {id: B, routing: Full, hosts: [{id: b1, speed: 1Gf, cores: 6, props: {type: worker, ram: 12GB}}]}
)";

// g1 with two H100, g2 with one, cpu without GPUs; all in one zone `Farm`.
const char* gpu_farm = R"(id: Farm
routing: Full
hosts:
  - {id: cpu, speed: 1Gf, cores: 8, props: {type: worker}}
  - {id: g1, speed: 1Gf, cores: 8, props: {type: worker}, gpus: [{model: H100, count: 2}]}
  - {id: g2, speed: 1Gf, cores: 8, props: {type: worker}, gpus: [{model: H100}]}
)";

GpuRequest one_gpu() {
    GpuRequest r;
    r.gpus = 1;
    r.seconds = 10;
    return r;
}
} // namespace

TEST(Dispatcher, LocalityRanksSitesByInputBytesThenLoad) {
    const Platform p = platform(two_sites);
    Dispatcher d(p, workers(p), DispatchPolicy::data_locality);
    ASSERT_EQ(d.sites().size(), 2u);
    EXPECT_EQ(d.sites()[0].name, "A");
    const HostIndex se = *p.find_host("se"), a1 = *p.find_host("a1"), a2 = *p.find_host("a2"),
                    b1 = *p.find_host("b1");
    // A holds 1 + 1 = 2 GB, B 2 GB, the storage zone is no site: a tie at zero load -> site order.
    std::vector<Dispatcher::Holding> holdings{{se, 5e9}, {a1, 1e9}, {b1, 2e9}, {a2, 1e9}};
    Dispatcher::Preferred out;
    d.rank_by_locality(holdings, out);
    EXPECT_EQ(out, (Dispatcher::Preferred{0, 1}));
    // 4 busy cores of A's 12 (load 1/3) against B's 0: B first at equal bytes.
    d.take(0, 4, 1e9);
    out.clear();
    d.rank_by_locality(holdings, out);
    EXPECT_EQ(out, (Dispatcher::Preferred{1, 0}));
    // One more GB in A: bytes decide before load.
    holdings.emplace_back(a1, 1e9);
    out.clear();
    d.rank_by_locality(holdings, out);
    EXPECT_EQ(out, (Dispatcher::Preferred{0, 1}));
    // Only the storage zone holds data: no preferred site.
    out.clear();
    const std::vector<Dispatcher::Holding> remote{{se, 1e9}};
    d.rank_by_locality(remote, out);
    EXPECT_TRUE(out.empty());
}

TEST(Dispatcher, GpuJobsGoToTheWorkerWithTheLeastClaimedSlots) {
    const Platform p = platform(gpu_farm);
    Engine engine;
    Dispatcher d(p, workers(p), DispatchPolicy::dcsim);
    EXPECT_TRUE(d.any_gpu_worker());
    EXPECT_EQ(d.gpus(), nullptr);
    d.setup_gpus(engine, {}, GpuCalibration{}, [](ActivityId, GpuPool::Owner) {});
    ASSERT_NE(d.gpus(), nullptr);
    // Workers: 0 cpu, 1 g1 (2 slots), 2 g2 (1 slot). Loads 0 and 0: the first, g1 (now 1/2).
    auto first = d.pick_gpu(1, 0, one_gpu(), "u", 7);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->first, 1u);
    // g2's 0 beats g1's 1/2.
    auto second = d.pick_gpu(1, 0, one_gpu(), "u", 8);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->first, 2u);
    // g2 is full (1): g1's last slot.
    auto third = d.pick_gpu(1, 0, one_gpu(), "u", 9);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->first, 1u);
    // All slots claimed.
    EXPECT_FALSE(d.pick_gpu(1, 0, one_gpu(), "u", 10));
    // A released slot is free again; a worker without the cores is skipped.
    d.gpus()->release(second->second);
    d.take(2, 8, 0);
    EXPECT_FALSE(d.pick_gpu(1, 0, one_gpu(), "u", 11));
    d.give(2, 8, 0);
    auto again = d.pick_gpu(1, 0, one_gpu(), "u", 12);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->first, 2u);
}

TEST(Dispatcher, GpuPolicyForAnUnknownNameIsRefused) {
    const Platform p = platform(gpu_farm);
    Engine engine;
    Dispatcher d(p, workers(p), DispatchPolicy::dcsim);
    try {
        d.setup_gpus(engine, {{"nowhere", GpuPolicy{}}}, GpuCalibration{}, [](ActivityId, GpuPool::Owner) {});
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "GPU policy given for 'nowhere', which is neither a host, a zone nor 'default'");
    }
    // A zone's entry applies to its hosts.
    d.setup_gpus(engine, {{"Farm", GpuPolicy{}}}, GpuCalibration{}, [](ActivityId, GpuPool::Owner) {});
    EXPECT_NE(d.gpus(), nullptr);
}
