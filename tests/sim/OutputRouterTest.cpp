// OutputRouter: the output host of each worker, free space after the initial replicas, and the
// refusals (full storage, bad output host, no storage), worked out by hand.
#include "hepkit/sim/data/OutputRouter.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/Job.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;

namespace {
// se (10 GB) in Store; zone A: worker a1 and storage ase (5 GB); zone B: worker b1.
Platform output_grid(bool storage = true) {
    const std::string store =
        storage
            ? R"(  - {id: Store, routing: Full, hosts: [{id: se, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 10GB}]}]}
  - id: A
    routing: Full
    hosts:
      - {id: a1, speed: 1Gf, cores: 8, props: {type: worker}}
      - {id: ase, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 5GB}]}
)"
            : R"(  - {id: A, routing: Full, hosts: [{id: a1, speed: 1Gf, cores: 8, props: {type: worker}}]}
)";
    return platform_from_yaml(
        config::YamlView(YAML::Load("id: grid\nrouting: Full\nzones:\n" + store +
                                    "  - {id: B, routing: Full, hosts: [{id: b1, speed: "
                                    "1Gf, cores: 6, props: {type: worker}}]}\n"),
                         "grid.yaml"));
}

std::vector<HostIndex> output_workers(const Platform& p) {
    return {*p.find_host("a1"), *p.find_host("b1")};
}

// One 3 GB dataset on se, one job writing `output` bytes.
WorkloadSet workload(const Platform& p, double output = 1e9) {
    WorkloadSet set;
    if (auto se = p.find_host("se")) {
        set.datasets.push_back(DatasetSpec{"ds", {*se}, {}});
        set.add_dataset_file(0, 3e9);
    }
    JobSpec job;
    job.output_size = output;
    set.jobs.push_back(job);
    return set;
}

// The router of `set` with configuration `c`, told (as the grid tells it) whether jobs write outputs.
OutputRouter router(const Platform& p, const WorkloadSet& set, const OutputRouter::Config& c) {
    bool outputs = false;
    for (const JobSpec& job : set.jobs)
        outputs = outputs || job.output_size > 0;
    return OutputRouter(p, set, output_workers(p), c, outputs);
}

std::string error(const Platform& p, const WorkloadSet& set, const OutputRouter::Config& c) {
    try {
        router(p, set, c);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(OutputRouter, OutputsFillTheSpaceTheReplicasLeave) {
    const Platform p = output_grid();
    const HostIndex se = *p.find_host("se");
    OutputRouter r = router(p, workload(p), {});
    ASSERT_TRUE(r.has_storage());
    EXPECT_DOUBLE_EQ(r.free(se), 7e9); // 10 GB - the 3 GB dataset
    const auto first = r.reserve(0, 5e9);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->host, se); // default: the first storage host
    EXPECT_EQ(first->disk, 0u);
    EXPECT_DOUBLE_EQ(r.free(se), 2e9);
    EXPECT_FALSE(r.reserve(1, 3e9)); // 3 GB > 2 GB left: refused, nothing booked
    EXPECT_DOUBLE_EQ(r.free(se), 2e9);
    EXPECT_TRUE(r.reserve(1, 2e9));
    EXPECT_DOUBLE_EQ(r.free(se), 0);
}

TEST(OutputRouter, SiteStorageAndNamedOutputHost) {
    const Platform p = output_grid();
    const HostIndex se = *p.find_host("se"), ase = *p.find_host("ase");
    // a1's zone A has `ase`; b1's zone B has none: the output host, `se`.
    OutputRouter site = router(p, workload(p), {"", true});
    EXPECT_EQ(site.host_of_worker(0), ase);
    EXPECT_EQ(site.host_of_worker(1), se);
    OutputRouter named = router(p, workload(p), {"ase", false});
    EXPECT_EQ(named.host_of_worker(0), ase);
    EXPECT_EQ(named.host_of_worker(1), ase);
    EXPECT_DOUBLE_EQ(named.free(ase), 5e9);
}

TEST(OutputRouter, BadStorageIsRefused) {
    const Platform p = output_grid();
    EXPECT_EQ(error(p, workload(p), {"a1", false}), "output storage 'a1' is not a storage host");
    WorkloadSet big = workload(p);
    big.add_dataset_file(0, 8e9); // 11 GB on a 10 GB disk
    EXPECT_EQ(error(p, big, {}), "the datasets on 'se' need 1.1e+10 B but its disk 'd' holds 1e+10 B");
    const Platform none = output_grid(false);
    EXPECT_EQ(error(none, workload(none), {}), "jobs write outputs but the platform has no storage host");
    // without outputs a platform needs no storage host
    OutputRouter r = router(none, workload(none, 0), {});
    EXPECT_FALSE(r.has_storage());
}
