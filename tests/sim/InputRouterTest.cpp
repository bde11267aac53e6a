// InputRouter: cache scopes, hit and miss sources, caching of misses, the initial staging and the
// copies of a file, on a hand-made grid (expected values worked out in each case).
#include "hepkit/sim/data/InputRouter.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;

namespace {
// Zones A (a1: worker and cache, a2: worker) and B (b1: worker and cache) under `grid`; the
// storage host `se` in zone Store.
Platform grid() {
    return platform_from_yaml(config::YamlView(YAML::Load(R"(id: grid
routing: Full
zones:
  - {id: Store, routing: Full, hosts: [{id: se, speed: 1Gf, props: {type: storage}}]}
  - id: A
    routing: Full
    hosts:
      - {id: a1, speed: 1Gf, cores: 8, props: {type: "worker,cache"}, disks: [{id: c, read_bw: 1GBps, write_bw: 1GBps, size: 100GB}]}
      - {id: a2, speed: 1Gf, cores: 4, props: {type: worker}}
  - id: B
    routing: Full
    hosts: [{id: b1, speed: 1Gf, cores: 6, props: {type: "worker,cache"}, disks: [{id: c, read_bw: 1GBps, write_bw: 1GBps, size: 50GB}]}]
)"),
                                               "grid.yaml"));
}

struct Fixture {
    Platform p = grid();
    WorkloadSet set;
    std::vector<HostIndex> workers{*p.find_host("a1"), *p.find_host("a2"), *p.find_host("b1")};
    Fixture() {
        set.datasets.push_back(DatasetSpec{"ds", {*p.find_host("se")}, {}});
        for (double size : {1e9, 2e9, 1e9})
            set.add_dataset_file(0, size);
        JobSpec job;
        job.inputs = {0, 1, 2};
        set.jobs.push_back(job);
    }
};

std::vector<std::vector<std::size_t>> scopes(const InputRouter& r, std::size_t n) {
    std::vector<std::vector<std::size_t>> out;
    for (std::size_t w = 0; w < n; ++w)
        out.push_back(r.scope(w));
    return out;
}
} // namespace

TEST(InputRouter, ScopeSaysWhichCachesAWorkerReads) {
    Fixture f;
    // caches: 0 on a1, 1 on b1
    InputRouter::Config c;
    c.scope = CacheScope::local; // its own host only
    EXPECT_EQ(scopes(InputRouter(f.p, f.set, f.workers, c, 42), 3),
              (std::vector<std::vector<std::size_t>>{{0}, {}, {1}}));
    c.scope = CacheScope::network; // its zone
    EXPECT_EQ(scopes(InputRouter(f.p, f.set, f.workers, c, 42), 3),
              (std::vector<std::vector<std::size_t>>{{0}, {0}, {1}}));
    c.scope = CacheScope::sibling_network; // zones with the same parent: A and B
    EXPECT_EQ(scopes(InputRouter(f.p, f.set, f.workers, c, 42), 3),
              (std::vector<std::vector<std::size_t>>{{0, 1}, {0, 1}, {0, 1}}));
}

TEST(InputRouter, AMissIsReadFromTheReplicaAndCachedForTheNextJob) {
    Fixture f;
    InputRouter r(f.p, f.set, f.workers, {}, 42);
    const HostIndex se = *f.p.find_host("se"), a1 = *f.p.find_host("a1");
    std::vector<InputSource> sources;
    double from_cache = 0, from_remote = 0;
    const std::vector<FileIndex> file0{0};
    r.choose_sources(file0, 0, sources, from_cache, from_remote);
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].host, se);
    EXPECT_FALSE(sources[0].from_cache);
    EXPECT_DOUBLE_EQ(from_remote, 1e9);
    EXPECT_DOUBLE_EQ(r.caches()[0].used(), 1e9); // the only cache in a1's scope took the copy
    // a1 again: a hit on its cache's disk 0
    r.choose_sources(file0, 0, sources, from_cache, from_remote);
    EXPECT_EQ(sources[1].host, a1);
    EXPECT_EQ(sources[1].disk, 0u);
    EXPECT_TRUE(sources[1].from_cache);
    EXPECT_DOUBLE_EQ(from_cache, 1e9);
    // a2 has no cache in its local scope: remote, and nothing cached
    r.choose_sources(file0, 1, sources, from_cache, from_remote);
    EXPECT_EQ(sources[2].host, se);
    EXPECT_DOUBLE_EQ(from_remote, 2e9);
    // copies of file 0: the replica, then a1's cache
    std::vector<std::pair<HostIndex, double>> copies;
    r.copies(file0, copies);
    EXPECT_EQ(copies, (std::vector<std::pair<HostIndex, double>>{{se, 1e9}, {a1, 1e9}}));
}

TEST(InputRouter, WithoutCachingAMissStaysRemote) {
    Fixture f;
    InputRouter::Config c;
    c.caching = false;
    InputRouter r(f.p, f.set, f.workers, c, 42);
    std::vector<InputSource> sources;
    double from_cache = 0, from_remote = 0;
    r.choose_sources(f.set.jobs[0].inputs, 0, sources, from_cache, from_remote);
    EXPECT_DOUBLE_EQ(from_remote, 4e9);
    EXPECT_DOUBLE_EQ(r.caches()[0].used(), 0);
}

TEST(InputRouter, HitrateStagesTheFirstFilesOfEachJobOnEveryCache) {
    // Inputs 1, 2 and 1 GB, hit rate 0.5 of 4 GB: file 0 (0 < 2 GB staged), file 1 (1 < 2 GB),
    // not file 2 (3 GB >= 2 GB). Every cache holds 3 GB.
    Fixture f;
    InputRouter::Config c;
    c.hitrate = 0.5;
    InputRouter r(f.p, f.set, f.workers, c, 42);
    for (const JobSpec& job : f.set.jobs)
        r.stage(job.inputs);
    for (const Cache& cache : r.caches()) {
        EXPECT_TRUE(cache.has(0));
        EXPECT_TRUE(cache.has(1));
        EXPECT_FALSE(cache.has(2));
        EXPECT_DOUBLE_EQ(cache.used(), 3e9);
    }
}

TEST(InputRouter, CacheSizesAreChecked) {
    Fixture f;
    InputRouter::Config c;
    c.sizes = {{"a1", 10e9}};
    EXPECT_DOUBLE_EQ(InputRouter(f.p, f.set, f.workers, c, 42).caches()[0].capacity(), 10e9);
    c.sizes = {{"a2", 1e9}};
    try {
        InputRouter(f.p, f.set, f.workers, c, 42);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "cache size given for 'a2', which is not a cache host");
    }
    c.sizes = {{"b1", 60e9}};
    try {
        InputRouter(f.p, f.set, f.workers, c, 42);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "cache 'b1' of 6e+10 B is larger than its disk (5e+10 B)");
    }
}
