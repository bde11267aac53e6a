// Inputs that crashed or hung the simulator (issue 12, section 4; reproducers in
// ../shared/reference/robustness, rewritten here as hepkit's own inputs), and the XRootD
// overhead models against hand-worked recursions.
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Distribution.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

#include "Helpers.hpp"
#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

using test::input_error;

// wn (1 core at 1 Gf) reads from se over one 1 GBps link and se's 1 GBps disk. Bandwidth factor
// 1 and no cross traffic: a 1 GB block takes exactly 1 s.
const char* exact_platform = R"(<?xml version="1.0"?>
<platform version="4.1">
  <config><prop id="network/bandwidth-factor" value="1"/><prop id="network/crosstraffic" value="no"/></config>
  <zone id="site" routing="Full">
    <host id="wn" speed="1Gf" core="1"><prop id="type" value="worker"/></host>
    <host id="se" speed="1Gf" core="1"><prop id="type" value="storage"/>
      <disk id="d" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1TB"/><prop id="mount" value="/"/></disk></host>
    <link id="l" bandwidth="1GBps" latency="0"/>
    <route src="wn" dst="se"><link_ctn id="l"/></route>
  </zone>
</platform>
)";

Platform platform() {
    return load_platform(hepkit::test::temp_file("robust", "exact.xml", exact_platform).string());
}

// One streaming job: a 10 GB file in 1 GB blocks, 1e10 flop (1 s of computation per block).
WorkloadSet streaming_job(const Platform& p) {
    WorkloadSet set;
    JobSpec job;
    job.id = "j";
    job.type = JobType::streaming;
    job.flops = 1e10;
    job.memory = 1e9;
    job.inputs.push_back(set.add_file("f", 1e10, {*p.find_host("se")}));
    set.jobs.push_back(job);
    return set;
}

struct Outcome {
    double makespan = 0;
    std::vector<std::string> warnings;
};

// The one streaming job on platform(), in 1e9-byte blocks.
GridScenario one_job_scenario(GridOptions opt) {
    GridScenario s;
    s.platform.emplace(platform());
    s.workload = streaming_job(*s.platform);
    s.options = std::move(opt);
    s.options.streaming.block_size = 1e9;
    return s;
}

Outcome run_job(GridOptions opt) {
    opt.cache.caching = false;
    Outcome out;
    RunOptions o;
    o.warning = [&](const std::string& w) { out.warnings.push_back(w); };
    out.makespan = sim::run(one_job_scenario(std::move(opt)), o).makespan;
    return out;
}

nlohmann::json dataset_doc(const char* location) {
    return nlohmann::json::parse(
        std::string(R"({"ds": {"location": )") + location +
        R"(, "num_files": 1, "filesize": {"type": "gaussian", "average": 1e9, "sigma": 0}}})");
}
} // namespace

TEST(Robustness, XrdReadTimeModelChargesEachBlocksOwnRead) {
    // Block 0 read (1 s); then 10 computations of 1 s + F x 1 s / 1 Gf, each overlapping the next
    // read (1 s): makespan = 1 + 10 (1 + F / 1e9).
    for (double f : {0.0, 0.5e9, 2e10}) {
        GridOptions opt;
        opt.streaming.xrd_flops_per_time = f;
        EXPECT_NEAR(run_job(opt).makespan, 1 + 10 * (1 + f / 1e9), 1e-6) << f;
    }
}

TEST(Robustness, XrdDcsimModelFollowsDcsimsRecursion) {
    // DCSim: the overhead of block k is F x (time since the start of the last read) = F x the
    // previous step, max(e_{k-1}, read 1 s); e_0 = 1 + F/1e9 x 1 s. Makespan = 1 + sum e_k.
    GridOptions opt;
    opt.streaming.xrd_overhead = XrdOverhead::dcsim;
    opt.streaming.xrd_flops_per_time = 0.5e9;
    double expected = 1, step = 1;
    for (int k = 0; k < 10; ++k) {
        step = 1 + 0.5 * std::max(step, 1.0);
        expected += step;
    }
    EXPECT_NEAR(run_job(opt).makespan, expected, 1e-6);
}

TEST(Robustness, XrdModelsAgreeWithoutPrefetch) {
    // Without prefetch the read follows the computation: both models charge the read's 1 s.
    // 1 + 9 x (21 + 1) + 21 with F = 2e10 on a 1 Gf core.
    for (XrdOverhead m : {XrdOverhead::read_time, XrdOverhead::dcsim}) {
        GridOptions opt;
        opt.streaming.xrd_overhead = m;
        opt.streaming.prefetch = false;
        opt.streaming.xrd_flops_per_time = 2e10;
        EXPECT_NEAR(run_job(opt).makespan, 220, 1e-6);
    }
}

TEST(Robustness, XrdDcsimRunawayEndsAtTheHorizonWithItsCause) {
    // Regression: DCSim's default overhead (2e10 flop/s) on a 1 Gf core grows 20-fold per block:
    // the job would end after ~1e13 s (3.4e9 h in the issue) and the run never finished.
    GridOptions opt;
    opt.streaming.xrd_overhead = XrdOverhead::dcsim;
    opt.streaming.xrd_flops_per_time = 2e10;
    std::vector<std::string> warnings;
    const InputError e = input_error([&] {
        RunOptions o;
        o.warning = [&](const std::string& w) { warnings.push_back(w); };
        sim::run(one_job_scenario(opt), o);
    });
    EXPECT_EQ(e.key(), "max_sim_time");
    EXPECT_NE(e.message().find("dcsim XRootD overhead model"), std::string::npos) << e.what();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("20 x the slowest worker's core speed"), std::string::npos) << warnings[0];
}

TEST(Robustness, XrdOverheadThatDominatesIsReported) {
    GridOptions opt;
    opt.streaming.xrd_flops_per_time = 2e10;
    const Outcome o = run_job(opt);
    ASSERT_EQ(o.warnings.size(), 1u);
    EXPECT_NE(o.warnings[0].find("exceeded the streamed blocks' own work"), std::string::npos);
    opt.streaming.xrd_flops_per_time = 1e8; // 10 % of the work: no warning
    EXPECT_TRUE(run_job(opt).warnings.empty());
}

TEST(Robustness, EngineRefusesToRunPastItsHorizon) {
    Engine engine;
    engine.schedule_timer(2e12, 1);
    const InputError e = input_error([&] { engine.run(); });
    EXPECT_EQ(e.key(), "max_sim_time");
    EXPECT_NE(e.message().find("beyond the horizon of 1e+12 s"), std::string::npos) << e.what();
    Engine raised;
    raised.set_max_time(1e13);
    raised.schedule_timer(2e12, 1);
    EXPECT_DOUBLE_EQ(raised.run(), 2e12);
}

TEST(Robustness, AbsurdActivityCountsAreRefusedBeforeTheRun) {
    // A 1 EB file in 1 kB blocks: 2e15 activities.
    GridScenario s = one_job_scenario({});
    s.workload.files[0].size = 1e18;
    s.options.streaming.block_size = 1e3;
    const InputError e = input_error([&] { sim::run(std::move(s)); });
    EXPECT_EQ(e.key(), "max_events");
}

TEST(Robustness, EmptyDatasetLocationIsAnInputError) {
    // Regression: `"location": []` crashed in GridSimulation::choose_sources (SIGSEGV).
    const Platform p = platform();
    std::mt19937_64 rng(1);
    WorkloadSet set;
    const InputError e = input_error([&] { add_dcsim_datasets(dataset_doc("[]"), "d.json", p, rng, set); });
    EXPECT_EQ(e.file(), "d.json");
    EXPECT_EQ(e.key(), "ds.location");
    EXPECT_NE(e.message().find("give at least one storage host"), std::string::npos);
}

TEST(Robustness, AbsurdSubmissionTimesAreRefusedWhenRead) {
    // Regression: submission_time 1e308 ran for ever (from ~1e17 s on, t + 60 == t).
    const Platform p = platform();
    std::mt19937_64 rng(1);
    WorkloadSet set;
    add_dcsim_datasets(dataset_doc(R"(["se"])"), "d.json", p, rng, set);
    const auto wl =
        nlohmann::json::parse(R"({"w": {"num_jobs": 1, "flops": {"type": "gaussian", "average": 1e9,
        "sigma": 0}, "memory": {"type": "gaussian", "average": 1e9, "sigma": 0}, "outfilesize": {"type":
        "gaussian", "average": 0, "sigma": 0}, "workload_type": "copy", "submission_time": 1e308,
        "infile_dataset": "ds"}})");
    const InputError e = input_error([&] { add_dcsim_workloads(wl, "w.json", p, rng, set); });
    EXPECT_EQ(e.key(), "w.submission_time");
    EXPECT_NE(e.message().find("between 0 and 1e+12"), std::string::npos) << e.what();
}

TEST(Robustness, NanInAnEmbeddedWorkloadIsRejected) {
    // Regression: `memory: {type: gaussian, average: NaN, sigma: 0}` hung in Distribution::sample.
    const fs::path plat = hepkit::test::temp_file("robust", "plat.xml", exact_platform);
    const std::string text = "platform: " + plat.string() + R"(
workloads:
  - w: {num_jobs: 1, flops: {type: gaussian, average: 1e9, sigma: 0},
        memory: {type: gaussian, average: NaN, sigma: 0}, outfilesize: {type: gaussian, average: 0, sigma: 0},
        workload_type: calculation, submission_time: 0}
)";
    const InputError e =
        input_error([&] { read_grid_scenario(config::YamlView(YAML::Load(text), "s.yaml"), ""); });
    EXPECT_EQ(e.key(), "w.memory.average");
    EXPECT_NE(e.message().find("'NaN' is not a finite number"), std::string::npos) << e.what();
}

TEST(Robustness, SamplingGivesUpAfterBoundedRedraws) {
    // counts [1, 1]: cores 0 or 1, never >= 5: the rejection loop must end, with the key.
    const auto doc = nlohmann::json::parse(R"({"type": "histogram", "counts": [1, 1]})");
    const Distribution d = Distribution::from_json(config::JsonView(doc, "w.json", "w.cores"), true);
    std::mt19937_64 rng(3);
    const InputError e = input_error([&] { d.sample_int(rng, 5); });
    EXPECT_EQ(e.key(), "w.cores");
    EXPECT_NE(e.message().find("no draw >= 5 in 100000 tries"), std::string::npos);
}

TEST(Robustness, DistributionsThatAlmostNeverGiveAnAcceptableDrawAreRefused) {
    // P(x >= 0) = P(z >= 4) = 3e-5 < 1e-3: refused when read (a 6-sigma rule let 1e-9 through).
    const auto doc = nlohmann::json::parse(R"({"type": "gaussian", "average": -4, "sigma": 1})");
    const InputError e =
        input_error([&] { Distribution::from_json(config::JsonView(doc, "d.json", "ds.filesize"), false); });
    EXPECT_NE(e.message().find("less than 1 in 1000"), std::string::npos);
    const auto counts = nlohmann::json::parse(R"({"type": "histogram", "counts": ["nan", 1]})");
    const InputError c = input_error(
        [&] { Distribution::from_json(config::JsonView(counts, "d.json", "ds.filesize"), false); });
    EXPECT_NE(c.message().find("'nan' is not a finite number"), std::string::npos);
}

TEST(Robustness, NetworkSettingsOutOfRangeNameFileAndLine) {
    // Regression: a bandwidth factor of 1e-300 ran for ever; loopback-bw 0 failed later as
    // "link '__loopback__': bandwidth must be > 0" without a file.
    std::string tiny = exact_platform;
    tiny.replace(tiny.find("value=\"1\""), 9, "value=\"1e-300\"");
    const fs::path p = hepkit::test::temp_file("robust", "tiny.xml", tiny);
    const InputError e = input_error([&] { load_platform(p.string()); });
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("network/bandwidth-factor: 1e-300 is out of range"), std::string::npos)
        << e.what();
    std::string zero = exact_platform;
    zero.replace(zero.find("<prop id=\"network/crosstraffic\""), 0,
                 "<prop id=\"network/loopback-bw\" value=\"0\"/>");
    const fs::path q = hepkit::test::temp_file("robust", "zero.xml", zero);
    const InputError z = input_error([&] { load_platform(q.string()); });
    EXPECT_EQ(z.line(), 3);
    EXPECT_NE(z.message().find("the loopback bandwidth must be > 0"), std::string::npos) << z.what();
}

TEST(Robustness, CacheLargerThanItsDiskNamesTheLineOfItsSize) {
    // Section 5: semantic checks made after reading named line 0; the scenario's own line now.
    const std::string plat = R"(<?xml version="1.0"?>
<platform version="4.1"><zone id="z" routing="Full">
  <host id="wn" speed="1Gf" core="1"><prop id="type" value="worker,cache"/>
    <disk id="c" read_bw="1GBps" write_bw="1GBps"><prop id="size" value="1TB"/><prop id="mount" value="/"/></disk></host>
</zone></platform>
)";
    const std::string text =
        "platform: " + hepkit::test::temp_file("robust", "cacheplat.xml", plat).string() + R"(
workloads:
  - w: {num_jobs: 1, flops: {type: gaussian, average: 1e9, sigma: 0},
        memory: {type: gaussian, average: 1e9, sigma: 0}, outfilesize: {type: gaussian, average: 0, sigma: 0},
        workload_type: calculation, submission_time: 0}
caches:
  wn: 10PB
)";
    const InputError e =
        input_error([&] { read_grid_scenario(config::YamlView(YAML::Load(text), "s.yaml"), ""); });
    EXPECT_EQ(e.line(), 7);
    EXPECT_EQ(e.key(), "caches.wn");
    EXPECT_NE(e.message().find("larger than its disk"), std::string::npos);
}
