// Grid layer: hand-computed jobs (streaming, copy, calculation, cache hit vs miss), policies,
// invariants on random scenarios, determinism, and every DCSim reference file.
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

#include "Helpers.hpp"
#include "Reference.hpp"
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <unistd.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

// S (storage, disk 1 GBps) -- link 100 MBps, no latency -- W (1 core at 1 Gf, also a cache).
Platform small_platform() {
    return load_platform(hepkit::test::temp_file("gridtest", "plat.yaml", R"(routing: Full
config: {loopback_bandwidth: 10GBps}
links: [{id: l, bandwidth: 100MBps}]
hosts:
  - {id: S, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 1PB}]}
  - {id: W, speed: 1Gf, cores: 1, props: {type: "worker,cache", ram: 4GB},
     disks: [{id: c, read_bw: 500MBps, write_bw: 500MBps, size: 1TB}]}
routes: [{src: S, dst: W, links: [l]}]
)")
                             .string());
}

// The job records of a run through sim::run, in completion order.
std::vector<JobRecord> run_jobs(Platform platform, WorkloadSet set, GridOptions opt) {
    GridScenario s;
    s.platform.emplace(std::move(platform));
    s.workload = std::move(set);
    s.options = std::move(opt);
    std::vector<JobRecord> out;
    RunOptions o;
    o.job_finished = [&](const JobRecord& r) { out.push_back(r); };
    sim::run(std::move(s), o);
    return out;
}

WorkloadSet one_job(const Platform& p, JobType type, double file_size, double flops, double out) {
    WorkloadSet set;
    JobSpec job;
    job.id = "j";
    job.type = type;
    job.flops = flops;
    job.output_size = out;
    job.memory = 1e9;
    if (type != JobType::calculation)
        job.inputs.push_back(set.add_file("f", file_size, {*p.find_host("S")}));
    set.jobs.push_back(job);
    return set;
}

// one 1e8-byte block over l: weight 1.05 (acknowledgements share l), rate 0.97 x 1e8 / 1.05
constexpr double block_read = 1e8 * 1.05 / (0.97 * 1e8);
} // namespace

TEST(Grid, StreamingJobOverlapsReadAndCompute) {
    // 2.5e8 B file, blocks of 1e8 B, 10 flop/B (1 s per block on 1 Gf), output 1e8 B.
    // read b0 | exec b0 || read b1 | exec b1 || read b2 (half) | exec b2 (0.5 s) | write
    const Platform p = small_platform();
    GridOptions opt;
    opt.streaming.block_size = 1e8;
    opt.streaming.xrd_flops_per_time = 0;
    opt.cache.caching = false;
    const auto r = run_jobs(small_platform(), one_job(p, JobType::streaming, 2.5e8, 2.5e9, 1e8), opt);
    ASSERT_EQ(r.size(), 1u);
    const double t_input = block_read + std::max(1.0, block_read) + std::max(1.0, 0.5 * block_read) + 0.5;
    EXPECT_NEAR(r[0].end, t_input + block_read, 1e-9);
    EXPECT_NEAR(r[0].compute_time, 2.5, 1e-9);
    EXPECT_NEAR(r[0].infile_time, 2.5 * block_read, 1e-9);
    EXPECT_NEAR(r[0].outfile_time, block_read, 1e-9);
    EXPECT_EQ(r[0].status, "done");
    EXPECT_DOUBLE_EQ(r[0].bytes_from_remote, 2.5e8);
}

TEST(Grid, StreamingWithDcsimBlockSizesReadsTheLastBlockWhole) {
    const Platform p = small_platform();
    GridOptions opt;
    opt.streaming.block_size = 1e8;
    opt.streaming.xrd_flops_per_time = 0;
    opt.cache.caching = false;
    opt.streaming.dcsim_block_sizes = true;
    const auto r = run_jobs(small_platform(), one_job(p, JobType::streaming, 2.5e8, 2.5e9, 1e8), opt);
    EXPECT_NEAR(r[0].infile_time, 3 * block_read, 1e-9); // the third read is a whole block
}

TEST(Grid, CopyJobReadsThenComputes) {
    const Platform p = small_platform();
    GridOptions opt;
    opt.cache.caching = false;
    const auto r = run_jobs(small_platform(), one_job(p, JobType::copy, 2.5e8, 2.5e9, 1e8), opt);
    EXPECT_NEAR(r[0].end, 2.5 * block_read + 2.5 + block_read, 1e-9);
}

TEST(Grid, CalculationJobUsesAllItsCores) {
    Platform p = load_platform(hepkit::test::temp_file("gridtest", "calc.yaml", R"(routing: Full
links: [{id: l, bandwidth: 100MBps}]
hosts:
  - {id: S, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps}]}
  - {id: W, speed: 1Gf, cores: 4, props: {type: worker}}
routes: [{src: S, dst: W, links: [l]}]
)")
                                   .string());
    WorkloadSet set = one_job(p, JobType::calculation, 0, 8e9, 0);
    set.jobs[0].cores = 4;
    const auto r = run_jobs(std::move(p), std::move(set), {});
    EXPECT_NEAR(r[0].compute_time, 2.0, 1e-12); // 8e9 flop on 4 x 1 Gf
}

TEST(Grid, CacheHitIsFasterThanMiss) {
    // hit rate 1: the file is on W's own cache disk (500 MBps, via the loopback): a block takes
    // 1e8 / (0.97 x 5e8) s, so the job is compute-bound: 0.206 + 1 + 1 + 0.5, then the write.
    const Platform p = small_platform();
    GridOptions opt;
    opt.streaming.block_size = 1e8;
    opt.streaming.xrd_flops_per_time = 0;
    opt.cache.hitrate = 1;
    const auto hit = run_jobs(small_platform(), one_job(p, JobType::streaming, 2.5e8, 2.5e9, 1e8), opt);
    EXPECT_NEAR(hit[0].end, 1e8 / (0.97 * 5e8) + 2.5 + block_read, 1e-9);
    EXPECT_DOUBLE_EQ(hit[0].hitrate, 1.0);
    EXPECT_DOUBLE_EQ(hit[0].bytes_from_cache, 2.5e8);
    opt.cache.hitrate = 0;
    opt.cache.caching = false;
    const auto miss = run_jobs(small_platform(), one_job(p, JobType::streaming, 2.5e8, 2.5e9, 1e8), opt);
    EXPECT_GT(miss[0].end, hit[0].end + 0.5);
    EXPECT_DOUBLE_EQ(miss[0].hitrate, 0.0);
}

TEST(Grid, MissesFillTheCacheForLaterJobs) {
    // two jobs reading the same file one after the other (1 core): the second one hits.
    const Platform p = small_platform();
    WorkloadSet set = one_job(p, JobType::streaming, 2e8, 1e9, 0);
    JobSpec second = set.jobs[0];
    second.id = "j2";
    set.jobs.push_back(second);
    GridOptions opt;
    opt.streaming.xrd_flops_per_time = 0;
    const auto r = run_jobs(small_platform(), std::move(set), opt);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_DOUBLE_EQ(r[0].hitrate, 0.0);
    EXPECT_DOUBLE_EQ(r[1].hitrate, 1.0);
}

TEST(Grid, LruEvictsTheLeastRecentlyUsed) {
    Cache c(0, 0, 10, Eviction::lru);
    c.insert(1, 4);
    c.insert(2, 4);
    c.touch(1);
    c.insert(3, 4); // evicts 2, the least recently used
    EXPECT_TRUE(c.has(1));
    EXPECT_FALSE(c.has(2));
    EXPECT_TRUE(c.has(3));
    EXPECT_FALSE(c.insert(4, 11)); // larger than the cache
    Cache f(0, 0, 10, Eviction::fifo);
    f.insert(1, 4);
    f.insert(2, 4);
    f.touch(1);
    f.insert(3, 4); // evicts 1, the oldest
    EXPECT_FALSE(f.has(1));
    EXPECT_TRUE(f.has(2));
}

TEST(Grid, JobTooBigForAnyWorkerIsUnschedulable) {
    const Platform p = small_platform();
    WorkloadSet set = one_job(p, JobType::calculation, 0, 1e9, 0);
    set.jobs[0].cores = 2; // W has 1 core
    JobSpec big_memory = set.jobs[0];
    big_memory.id = "mem";
    big_memory.cores = 1;
    big_memory.memory = 1e12; // W has 4 GB
    set.jobs.push_back(big_memory);
    const auto r = run_jobs(small_platform(), std::move(set), {});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].status, "unschedulable");
    EXPECT_EQ(r[1].status, "unschedulable");
}

namespace {
// A random scenario: 3 sites of random workers, one storage, random jobs of all types.
WorkloadSet random_workload(const Platform& p, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    WorkloadSet set;
    const HostIndex storage = *p.find_host("se");
    for (int f = 0; f < 60; ++f)
        set.add_file(fmt::format("f{}", f), 1e8 + static_cast<double>(rng() % 1000) * 1e6, {storage});
    for (int j = 0; j < 80; ++j) {
        JobSpec job;
        job.id = fmt::format("job{}", j);
        job.type = static_cast<JobType>(rng() % 3);
        job.cores = 1 + static_cast<int>(rng() % 4);
        job.memory = static_cast<double>(1 + rng() % 8) * 1e9;
        job.flops = static_cast<double>(1 + rng() % 100) * 1e10;
        job.output_size = static_cast<double>(rng() % 100) * 1e6;
        job.submit = static_cast<double>(rng() % 50);
        if (job.type != JobType::calculation)
            for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
                job.inputs.push_back(static_cast<FileIndex>(rng() % 60));
        set.jobs.push_back(job);
    }
    return set;
}

Platform random_platform() {
    return load_platform(hepkit::test::temp_file("gridtest", "random.yaml", R"(id: grid
routing: Full
links: [{id: wan1, bandwidth: 1Gbps, latency: 10ms}, {id: wan2, bandwidth: 2Gbps, latency: 5ms}]
zones:
  - id: Store
    routing: Full
    hosts: [{id: se, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 2GBps, write_bw: 1GBps, size: 1PB}]}]
  - id: A
    routing: Floyd
    links: [{id: a1, bandwidth: 1GBps}, {id: a2, bandwidth: 1GBps}]
    hosts:
      - {id: a-wn1, speed: 2Gf, cores: 8, props: {type: "worker,cache", ram: 16GB}, disks: [{id: c, read_bw: 1GBps, write_bw: 1GBps, size: 500GB}]}
      - {id: a-wn2, speed: 2Gf, cores: 4, props: {type: worker, ram: 8GB}}
    routers: [a-gw]
    routes: [{src: a-wn1, dst: a-gw, links: [a1]}, {src: a-wn2, dst: a-gw, links: [a2]}]
  - id: B
    routing: Full
    links: [{id: b1, bandwidth: 1GBps}]
    hosts: [{id: b-wn1, speed: 3Gf, cores: 6, props: {type: worker, ram: 12GB}}]
    routers: [b-gw]
    routes: [{src: b-wn1, dst: b-gw, links: [b1]}]
zone_routes:
  - {src: Store, dst: A, gw_src: se, gw_dst: a-gw, links: [wan1]}
  - {src: Store, dst: B, gw_src: se, gw_dst: b-gw, links: [wan2]}
)")
                             .string());
}
} // namespace

TEST(Grid, InvariantsOnRandomScenarios) {
    for (const char* policy : {"dcsim", "round-robin", "least-loaded", "data-locality"})
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            const Platform p = random_platform();
            WorkloadSet set = random_workload(p, seed);
            const WorkloadSet copy = set;
            GridOptions opt;
            opt.dispatcher.policy = dispatch_policies.parse(policy);
            opt.streaming.block_size = 3e8;
            opt.cache.hitrate = 0.3;
            opt.cache.scope = CacheScope::network;
            const auto records = run_jobs(random_platform(), std::move(set), opt);
            ASSERT_EQ(records.size(), copy.jobs.size());
            std::map<std::string, const JobSpec*> by_id;
            for (const auto& j : copy.jobs)
                by_id[j.id] = &j;
            // cores and memory per machine never over-committed: sweep start/end events
            std::map<std::string, std::vector<std::pair<double, std::pair<int, double>>>> events;
            for (const auto& r : records) {
                const JobSpec& job = *by_id.at(r.tag);
                EXPECT_GE(r.start, job.submit) << r.tag;
                EXPECT_GE(r.end, r.start) << r.tag;
                if (r.status != "done")
                    continue;
                double input = 0;
                for (FileIndex f : job.inputs)
                    input += copy.files[f].size;
                EXPECT_DOUBLE_EQ(r.bytes_from_cache + r.bytes_from_remote, input) << r.tag;
                events[r.machine].push_back({r.start, {job.cores, job.memory}});
                events[r.machine].push_back({r.end, {-job.cores, -job.memory}});
            }
            const std::map<std::string, std::pair<int, double>> capacity = {
                {"a-wn1", {8, 16e9}}, {"a-wn2", {4, 8e9}}, {"b-wn1", {6, 12e9}}};
            for (auto& [machine, ev] : events) {
                // at equal times releases come first (a job may start when another ends)
                std::sort(ev.begin(), ev.end(), [](const auto& x, const auto& y) {
                    return x.first != y.first ? x.first < y.first : x.second.first < y.second.first;
                });
                int cores = 0;
                double memory = 0;
                for (const auto& [t, d] : ev) {
                    cores += d.first;
                    memory += d.second;
                    ASSERT_LE(cores, capacity.at(machine).first)
                        << policy << " seed " << seed << " " << machine;
                    ASSERT_LE(memory, capacity.at(machine).second + 1) << policy << " seed " << seed;
                }
            }
        }
}

TEST(Grid, DeterministicRuns) {
    auto once = [] {
        const Platform p = random_platform();
        GridOptions opt;
        opt.jobs.shuffle = true;
        opt.dispatcher.policy = DispatchPolicy::round_robin;
        const auto r = run_jobs(random_platform(), random_workload(p, 9), opt);
        std::string text;
        for (const auto& x : r)
            text += x.tag + x.machine + std::to_string(x.end) + ";";
        return text;
    };
    EXPECT_EQ(once(), once());
}

TEST(Grid, DefaultScenarioRuns) {
    std::size_t cache_hits = 0;
    RunOptions o;
    o.job_finished = [&](const JobRecord& r) { cache_hits += r.bytes_from_cache > 0; };
    const Summary summary = sim::run(default_grid_scenario(), o);
    EXPECT_EQ(summary.overall.done, 360u);
    EXPECT_EQ(summary.status.at("done"), 360u);
    EXPECT_GT(cache_hits, 0u);
    EXPECT_GT(summary.overall.cache_hit_rate(), 0.0);
}

TEST(Grid, EveryDcsimReferenceFileLoadsAndRuns) {
    HEPKIT_REQUIRE_REFERENCE("dcsim-data");
    const fs::path data = test::reference("dcsim-data");
    // Platforms, each paired with a small workload on its first storage host.
    int platforms = 0;
    for (const auto& e : fs::directory_iterator(data / "platform-files")) {
        if (e.path().filename().string().find("template") != std::string::npos)
            continue;
        Platform p = load_platform(e.path().string());
        std::string storage;
        for (HostIndex h = 0; h < p.host_count() && storage.empty(); ++h)
            if (host_has_role(p, h, "storage"))
                storage = p.host(h).id;
        ASSERT_FALSE(storage.empty()) << e.path();
        const nlohmann::json ds = {
            {"small",
             {{"location", storage},
              {"num_files", 20},
              {"filesize", {{"type", "gaussian"}, {"average", 1e9}, {"sigma", 1e8}}}}}};
        const nlohmann::json wl = {
            {"small",
             {{"num_jobs", 10},
              {"cores", {{"type", "histogram"}, {"counts", {0, 1}}}},
              {"flops", {{"type", "gaussian"}, {"average", 1e11}, {"sigma", 1e10}}},
              {"memory", {{"type", "gaussian"}, {"average", 1e3}, {"sigma", 1e2}}},
              {"outfilesize", {{"type", "gaussian"}, {"average", 1e8}, {"sigma", 1e7}}},
              {"workload_type", "streaming"},
              {"submission_time", 0},
              {"infile_dataset", "small"}}}};
        WorkloadSources src;
        src.datasets.emplace_back(ds, "generated");
        src.workloads.emplace_back(wl, "generated");
        WorkloadSet set = build_workload(p, src, 42);
        GridOptions opt;
        opt.streaming.xrd_flops_per_time = 0;
        const auto r = run_jobs(std::move(p), std::move(set), opt);
        EXPECT_EQ(r.size(), 10u) << e.path();
        for (const auto& x : r)
            EXPECT_EQ(x.status, "done") << e.path();
        ++platforms;
    }
    EXPECT_GE(platforms, 18); // all 19 files but the template
    // Every workload file with the dataset files that define its datasets, on a platform that
    // has their storage hosts; job counts cut to 30 per workload to keep the test short.
    std::vector<std::pair<nlohmann::json, std::string>> dataset_docs;
    for (const auto& e : fs::directory_iterator(data / "dataset-configs"))
        dataset_docs.emplace_back(config::load_json_file(e.path().string()), e.path().string());
    int workloads = 0;
    for (const auto& e : fs::directory_iterator(data / "workload-configs")) {
        nlohmann::json wl = config::load_json_file(e.path().string());
        std::set<std::string> needed;
        for (auto& [name, w] : wl.items()) {
            w["num_jobs"] = std::min<long long>(w["num_jobs"].get<long long>(), 30);
            for (const char* key : {"infile_dataset", "infile_datasets"})
                if (w.contains(key)) {
                    if (w[key].is_string())
                        needed.insert(w[key].get<std::string>());
                    else
                        for (const auto& n : w[key])
                            needed.insert(n.get<std::string>());
                }
        }
        WorkloadSources src;
        std::set<std::string> locations;
        // Several dataset files define the same names (crown_ttbar_*): take the first that
        // provides a needed dataset, as a user would pass one of them.
        std::sort(dataset_docs.begin(), dataset_docs.end(),
                  [](const auto& a, const auto& b) { return a.second < b.second; });
        std::set<std::string> covered;
        for (const auto& [doc, origin] : dataset_docs) {
            bool useful = true, any = false;
            for (const auto& [name, ds] : doc.items()) {
                useful = useful && !covered.count(name);
                any = any || needed.count(name);
            }
            if (!useful || !any)
                continue;
            for (const auto& [name, ds] : doc.items())
                covered.insert(name);
            src.datasets.emplace_back(doc, origin);
            for (const auto& [name, ds] : doc.items()) {
                if (ds["location"].is_string())
                    locations.insert(ds["location"].get<std::string>());
                else
                    for (const auto& l : ds["location"])
                        locations.insert(l.get<std::string>());
            }
        }
        // the platform: sgbatch has RemoteStorage, WLCG_disklessTier2 has GridKA_dCache
        const std::string plat = locations.count("GridKA_dCache") ? "WLCG_disklessTier2.xml" : "sgbatch.xml";
        Platform p = load_platform((data / "platform-files" / plat).string());
        src.workloads.emplace_back(wl, e.path().string());
        WorkloadSet set;
        try {
            set = build_workload(p, src, 42);
        } catch (const InputError& err) {
            ADD_FAILURE() << e.path() << ": " << err.what();
            continue;
        }
        GridOptions opt;
        opt.streaming.xrd_flops_per_time = 0;
        const std::size_t n = set.jobs.size();
        const auto r = run_jobs(std::move(p), std::move(set), opt);
        EXPECT_EQ(r.size(), n) << e.path();
        ++workloads;
    }
    EXPECT_GE(workloads, 10); // all 10 workload files
}

TEST(Grid, JobListReadsDatasetFilesAndNamedFiles) {
    const Platform p = small_platform();
    WorkloadSet set;
    const nlohmann::json ds = {{"d",
                                {{"location", "S"},
                                 {"num_files", 3},
                                 {"filesize", {{"type", "gaussian"}, {"average", 1e8}, {"sigma", 0}}}}}};
    std::mt19937_64 rng(1);
    add_dcsim_datasets(ds, "ds", p, rng, set);
    const auto csv =
        hepkit::test::temp_file("gridtest", "jobs.csv",
                                "id,submit,cores,memory,flops,inputs,output_size,type,user,priority\n"
                                "a,10s,1,1GB,2Gf,infile_d_0;extra.root:50MB@S,1MB,copy,alice,5\n"
                                "b,0,1,1GB,1Gf,,0,,bob,\n");
    add_job_list(csv.string(), p, set);
    ASSERT_EQ(set.jobs.size(), 2u);
    EXPECT_EQ(set.jobs[0].type, JobType::copy);
    EXPECT_DOUBLE_EQ(set.jobs[0].submit, 10);
    EXPECT_DOUBLE_EQ(set.jobs[0].flops, 2e9);
    ASSERT_EQ(set.jobs[0].inputs.size(), 2u);
    EXPECT_EQ(set.file_name(set.jobs[0].inputs[0]), "infile_d_0");
    EXPECT_EQ(set.file_name(set.jobs[0].inputs[1]), "extra.root");
    EXPECT_DOUBLE_EQ(set.files[set.jobs[0].inputs[1]].size, 50e6);
    EXPECT_EQ(set.jobs[0].priority, 5);
    EXPECT_EQ(set.jobs[1].type, JobType::calculation);
    EXPECT_EQ(set.jobs[1].user, "bob");
}

TEST(Grid, JobListErrorsNameLineAndColumn) {
    const Platform p = small_platform();
    auto expect_error = [&](const std::string& row, int line, const std::string& fragment) {
        WorkloadSet set;
        const auto csv = hepkit::test::temp_file(
            "gridtest", "badjobs.csv", "id,submit,cores,memory,flops,inputs,output_size\n" + row + "\n");
        try {
            add_job_list(csv.string(), p, set);
            ADD_FAILURE() << "no error for " << row;
        } catch (const InputError& e) {
            EXPECT_EQ(e.line(), line) << e.what();
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expect_error("a,0,two,1GB,1Gf,,0", 2, "cores: 'two' must be an integer >= 1");
    expect_error("a,0,1,1GB,1Gf,nofile,0", 2, "'nofile' is neither a known dataset file nor name:size@host");
    expect_error("a,0,1,1GB,1Gf,x:1GB@W,0", 2, "'W' is not a storage host");
    expect_error("a,0,1,-1GB,1Gf,,0", 2, "memory");
}

TEST(Grid, BadDistributionsAreRejected) {
    const Platform p = small_platform();
    auto expect_error = [&](const nlohmann::json& filesize, const std::string& fragment) {
        WorkloadSet set;
        std::mt19937_64 rng(1);
        const nlohmann::json ds = {{"d", {{"location", "S"}, {"num_files", 3}, {"filesize", filesize}}}};
        try {
            add_dcsim_datasets(ds, "ds.json", p, rng, set);
            ADD_FAILURE() << "no error for " << filesize.dump();
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expect_error({{"type", "histogram"}, {"counts", {1, 2}}, {"bins", {0, 1}}}, "2 bin edges for 2 counts");
    expect_error({{"type", "histogram"}, {"counts", {1, -2}}, {"bins", {0, 1, 2}}},
                 "counts must be numbers >= 0");
    expect_error({{"type", "gaussian"}, {"average", -1e9}, {"sigma", 1}}, "no draw >= 0");
    expect_error({{"type", "uniform"}}, "'uniform' is not a distribution type");
    expect_error({{"type", "gaussian"}, {"average", 1e9}}, "missing required key 'sigma'");
}
