// GPU sharing model: policies, MIG profiles, hand-computed schedules, platform formats, the
// gpu-bench script. Context start costs are set to zero unless a case is about them, so that
// the expected times follow from the equations of docs/models.md §9 by hand.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/gpu/GpuBenchReport.hpp"
#include "hepkit/sim/grid/GpuNode.hpp"
#include "hepkit/sim/grid/GpuPlan.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

GpuCalibration no_context() {
    GpuCalibration c;
    c.context_latency = 0;
    c.context_serial = 0;
    c.context_memory = 0;
    return c;
}

JobSpec gpu_job(const std::string& id, double seconds, double intensity, double memory = 1e9,
                const std::string& user = "default", double duty = 1) {
    JobSpec j;
    j.id = id;
    j.user = user;
    j.gpu.gpus = 1;
    j.gpu.seconds = seconds;
    j.gpu.intensity = intensity;
    j.gpu.duty = duty;
    j.gpu.memory = memory;
    return j;
}

GpuNodeResult run(const std::string& policy, std::vector<JobSpec> jobs, GpuCalibration cal = no_context()) {
    return run_gpu_node(*gpu_catalogue("H100"), 1, parse_gpu_policy(policy), std::move(jobs), cal);
}

TEST(GpuPolicy, ParsesTextForms) {
    EXPECT_EQ(parse_gpu_policy("exclusive").describe(), "exclusive");
    const GpuPolicy d = parse_gpu_policy("divide:4");
    EXPECT_EQ(d.slots, GpuPolicy::Slots::divide);
    EXPECT_EQ(d.count, 4);
    EXPECT_EQ(d.execution, GpuPolicy::Execution::time_slicing);
    const GpuPolicy m = parse_gpu_policy("mps:8,thread_percentage=25,memory_limit=10GB,multi_user=true");
    EXPECT_EQ(m.execution, GpuPolicy::Execution::mps);
    EXPECT_EQ(m.count, 8);
    EXPECT_DOUBLE_EQ(m.thread_percentage, 25);
    EXPECT_DOUBLE_EQ(m.memory_limit, 10e9);
    EXPECT_TRUE(m.multi_user);
    EXPECT_EQ(parse_gpu_policy("repeat:2,mps=true").execution, GpuPolicy::Execution::mps);
    EXPECT_EQ(parse_gpu_policy("mig:3g.40gb+2g.20gb").profiles.size(), 2u);
}

TEST(GpuPolicy, RejectsBadPolicies) {
    auto message = [](const char* text) {
        try {
            parse_gpu_policy(text);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("fair-share").find("not a GPU sharing policy (allowed: exclusive"), std::string::npos);
    EXPECT_NE(message("mps").find("needs its jobs per device"), std::string::npos);
    EXPECT_NE(message("mps:4,thread_percentage=0").find("(0, 100]"), std::string::npos);
    EXPECT_NE(message("mps:4,thread_percentage=120").find("(0, 100]"), std::string::npos);
    EXPECT_NE(message("time-slicing:2,memory_limit=1GB").find("needs MPS"), std::string::npos);
    EXPECT_NE(message("mps:2,colour=red").find("unknown key 'colour'"), std::string::npos);
    EXPECT_NE(message("mig").find("needs its partitions"), std::string::npos);
    const GpuSpec h100 = *gpu_catalogue("H100");
    EXPECT_THROW(check_gpu_policy(parse_gpu_policy("mps:49"), h100, 48), std::invalid_argument);
    EXPECT_THROW(check_gpu_policy(parse_gpu_policy("mps:2,memory_limit=100GB"), h100, 48),
                 std::invalid_argument);
    EXPECT_THROW(check_gpu_policy(parse_gpu_policy("mig:4g.40gb+4g.40gb"), h100, 48), std::invalid_argument);
    EXPECT_THROW(parse_mig_profile("5g.50gb", h100), std::invalid_argument);
    EXPECT_THROW(parse_mig_profile("1g.15gb", h100), std::invalid_argument);
    EXPECT_THROW(parse_mig_profile("2g.20gb", *gpu_catalogue("V100")), std::invalid_argument);
    EXPECT_EQ(parse_mig_profile("3g.40gb", h100).sms, 60);
}

TEST(GpuRequestCheck, FractionsAndWork) {
    GpuRequest r;
    r.gpus = 0.5;
    r.seconds = 10;
    EXPECT_EQ(check_gpu_request(r), "");
    r.intensity = 1.5;
    EXPECT_NE(check_gpu_request(r).find("gpu_intensity = 1.5 must be in (0, 1]"), std::string::npos);
    r.intensity = 1;
    r.duty = 0;
    EXPECT_NE(check_gpu_request(r).find("gpu_duty"), std::string::npos);
    r.duty = 1;
    r.gpus = 1.5;
    EXPECT_NE(check_gpu_request(r).find("gpus = 1.5"), std::string::npos);
    r.gpus = 2;
    r.seconds = 0;
    EXPECT_NE(check_gpu_request(r).find("needs gpu_time"), std::string::npos);
}

// Exclusive: two 10 s jobs on one device run one after the other: 20 s.
TEST(GpuSharing, ExclusiveSerialises) {
    const auto r = run("exclusive", {gpu_job("a", 10, 0.2), gpu_job("b", 10, 0.2)});
    EXPECT_EQ(r.jobs_ok, 2u);
    EXPECT_NEAR(r.makespan, 20, 1e-6);
}

// Time-slicing with overhead o = 0.1: two 10 s jobs progress at 1/(2 x 1.1): both end at 22 s.
TEST(GpuSharing, TimeSlicingOverhead) {
    GpuCalibration cal = no_context();
    cal.time_slice_overhead = 0.1;
    const auto r = run("time-slicing:2", {gpu_job("a", 10, 0.2), gpu_job("b", 10, 0.2)}, cal);
    EXPECT_NEAR(r.makespan, 22, 1e-6);
    EXPECT_NEAR(r.mean_gpu_time, 22, 1e-6);
    // unequal jobs: 4 s and 10 s. Both at 1/2.2 until the short one ends at 8.8 s (4 units
    // done each), then the long one alone at rate 1 for its last 6 s: 14.8 s.
    const auto u = run("time-slicing:2", {gpu_job("a", 4, 0.2), gpu_job("b", 10, 0.2)}, cal);
    EXPECT_NEAR(u.makespan, 14.8, 1e-6);
}

// MPS: small clients (u = 0.3) run side by side at full speed; large ones (u = 0.8) share the
// SMs max-min: 0.5 each, progress 0.5 / 0.8, 10 s of work take 16 s.
TEST(GpuSharing, MpsMaxMinShares) {
    EXPECT_NEAR(run("mps:2", {gpu_job("a", 10, 0.3), gpu_job("b", 10, 0.3)}).makespan, 10, 1e-6);
    EXPECT_NEAR(run("mps:2", {gpu_job("a", 10, 0.8), gpu_job("b", 10, 0.8)}).makespan, 16, 1e-6);
    // SM shares, not progress rates, are equalised: u = 0.2 keeps its 0.2, u = 1 gets 0.8.
    const auto mixed = run("mps:2", {gpu_job("small", 10, 0.2), gpu_job("big", 10, 1.0)});
    EXPECT_NEAR(mixed.makespan, 12, 1e-6); // big: 8 of 10 done at t = 10, then alone for 2 s
}

// Thread percentage p caps a client's SM share: u = 1, d = 1, p = 50% -> twice as long; with a
// duty of 0.5 only the kernel half stretches: 10 x (0.5 / 0.5 + 0.5) = 15 s.
TEST(GpuSharing, ThreadPercentage) {
    EXPECT_NEAR(run("mps:1,thread_percentage=50", {gpu_job("a", 10, 1.0)}).makespan, 20, 1e-6);
    EXPECT_NEAR(run("mps:1,thread_percentage=50", {gpu_job("a", 10, 1.0, 1e9, "u", 0.5)}).makespan, 15, 1e-6);
    EXPECT_NEAR(run("mps:1,thread_percentage=50", {gpu_job("a", 10, 0.3)}).makespan, 10, 1e-6);
}

// Clients of different users are serialised unless multi-user MPS is on.
TEST(GpuSharing, MpsUsers) {
    const std::vector<JobSpec> jobs = {gpu_job("a", 10, 0.2, 1e9, "alice"),
                                       gpu_job("b", 10, 0.2, 1e9, "bob")};
    EXPECT_NEAR(run("mps:4", jobs).makespan, 20, 1e-6);
    EXPECT_NEAR(run("mps:4,multi_user=true", jobs).makespan, 10, 1e-6);
}

// MIG 3g.40gb (60 of 132 SMs) + 2g.20gb (32 SMs): a full-device job of 10 s takes 22 s on the
// 3g partition and 41.25 s on a 2g one; a 30 GB job fits only the 3g partition.
TEST(GpuSharing, MigPartitions) {
    EXPECT_NEAR(run("mig:3g.40gb", {gpu_job("a", 10, 1.0)}).makespan, 22, 1e-6);
    EXPECT_NEAR(run("mig:2g.20gb", {gpu_job("a", 10, 1.0)}).makespan, 41.25, 1e-6);
    const auto r = run("mig:3g.40gb+2g.20gb", {gpu_job("a", 10, 1.0, 30e9), gpu_job("b", 10, 1.0, 30e9)});
    EXPECT_NEAR(r.makespan, 44, 1e-6); // both on the 3g partition, one after the other
    // a small job is unaffected by its partition: 16 SMs > 0.1 x 132
    EXPECT_NEAR(run("mig:1g.10gb", {gpu_job("a", 10, 0.1)}).makespan, 10, 1e-6);
}

// Without isolation, memory overflows fail the later job; -divide advertises memory / N.
TEST(GpuSharing, MemoryWithoutIsolation) {
    const auto r = run("repeat:2", {gpu_job("a", 10, 0.2, 50e9), gpu_job("b", 10, 0.2, 50e9)});
    EXPECT_EQ(r.status.at("done"), 1u);
    EXPECT_EQ(r.status.at("gpu-out-of-memory"), 1u);
    EXPECT_THROW(run("divide:4", {gpu_job("a", 10, 0.2, 30e9)}),
                 ScenarioError); // a job no slot can hold: the scenario cannot run
}

// Context start: latency in parallel, serial part shared per device: k starts end at t0 + k ts.
TEST(GpuSharing, ContextStart) {
    GpuCalibration cal = no_context();
    cal.context_latency = 0.2;
    cal.context_serial = 0.1;
    const auto r =
        run("mps:4", {gpu_job("a", 1, 0.1), gpu_job("b", 1, 0.1), gpu_job("c", 1, 0.1), gpu_job("d", 1, 0.1)},
            cal);
    EXPECT_NEAR(r.makespan, 0.2 + 4 * 0.1 + 1, 1e-6);
}

// Energy: idle 70 W, active 118.6 W, a job of declared power 200 W alone for 10 s: 2000 J.
// Two such jobs under MPS (u = 0.3, both at rate 1): 118.6 + 2 x 81.4 = 281.4 W for 10 s.
TEST(GpuSharing, Energy) {
    JobSpec a = gpu_job("a", 10, 0.3);
    a.gpu.power = 200;
    JobSpec b = a;
    b.id = "b";
    EXPECT_NEAR(run("exclusive", {a}).energy, 2000, 1e-6);
    EXPECT_NEAR(run("mps:2", {a, b}).energy, 2814, 1e-6);
    // default power: active + (max - active) u d = 118.6 + 581.4 x 0.3 = 293.02 W
    EXPECT_NEAR(run("exclusive", {gpu_job("c", 10, 0.3)}).energy, 2930.2, 1e-6);
}

TEST(GpuPlatform, YamlAndXmlDeclareGpus) {
    const auto yaml = YAML::Load(R"(
hosts:
  - {id: n1, speed: 1Gf, cores: 8, gpus: [{model: H100, count: 2}, {model: T4}], power: {idle: 100W, max: 400W}}
)");
    const Platform p = platform_from_yaml(config::YamlView(yaml, "inline.yaml"));
    ASSERT_EQ(p.host(0).gpus.size(), 3u);
    EXPECT_EQ(p.host(0).gpus[0].sms, 132);
    EXPECT_EQ(p.host(0).gpus[2].model, "T4");
    EXPECT_DOUBLE_EQ(p.host(0).power_max, 400);
    double idle = 0, max = 0;
    const auto gpus = gpus_from_props(
        {{"gpu_model", "A100-40GB"}, {"gpu_count", "4"}, {"wattage_per_state", "95:120:200"}}, idle, max);
    EXPECT_EQ(gpus.size(), 4u);
    EXPECT_DOUBLE_EQ(gpus[0].memory, 40e9);
    EXPECT_DOUBLE_EQ(idle, 95);
    EXPECT_DOUBLE_EQ(max, 200);
    EXPECT_THROW(gpus_from_props({{"gpu_model", "Mystery9000"}}, idle, max), std::invalid_argument);
    EXPECT_THROW(gpus_from_props({{"gpu_model", "H100"}, {"gpu_count", "0"}}, idle, max),
                 std::invalid_argument);
    EXPECT_THROW(gpus_from_props({{"gpu_colour", "green"}}, idle, max), std::invalid_argument);
    const auto bad = YAML::Load("hosts:\n  - {id: n1, speed: 1Gf, gpus: {model: H100, memory: -1GB}}\n");
    EXPECT_THROW(platform_from_yaml(config::YamlView(bad, "bad.yaml")), std::exception);
}

// The measurement script queries the card and never changes it; MPS runs in private directories
// and is stopped on every exit.
TEST(GpuBench, ScriptNeverChangesTheCard) {
    GpuBenchPlan plan;
    plan.out_dir = "/tmp/x";
    plan.kernel = "/opt/hepkit-gpu-kernel";
    const std::string s = gpu_bench_script(plan);
    for (const char* forbidden : {"nvidia-smi -pl", "nvidia-smi -c", "--compute-mode", "-lgc", "-ac ",
                                  "mig -cgi", "nvidia-smi -mig", "--power-limit", "-pm "})
        EXPECT_EQ(s.find(forbidden), std::string::npos) << forbidden;
    EXPECT_NE(s.find("trap cleanup EXIT INT TERM"), std::string::npos);
    EXPECT_NE(s.find("mktemp -d \"$OUT/mps.XXXXXX\""), std::string::npos);
    EXPECT_NE(s.find("CUDA_MPS_PIPE_DIRECTORY=\"$MPSDIR/pipe\""), std::string::npos);
    EXPECT_NE(s.find("echo quit"), std::string::npos);
    EXPECT_NE(s.find("batch \"$1\" 8 16 20000 50000"), std::string::npos);
    plan.ks = {0};
    EXPECT_THROW(gpu_bench_script(plan), std::invalid_argument);
}

// The planner runs every candidate and recommends one that beats exclusive on small jobs.
TEST(GpuPlan, RecommendsSharingForSmallJobs) {
    std::vector<JobSpec> jobs;
    for (int i = 0; i < 16; ++i)
        jobs.push_back(gpu_job(fmt::format("j{}", i), 100, 0.1, 4e9));
    GpuPlanOptions opt;
    opt.gpu = *gpu_catalogue("H100");
    const GpuPlan plan = plan_gpu_sharing(jobs, opt);
    EXPECT_EQ(plan.rows.front().policy.describe(), "exclusive");
    const GpuPlanRow& best = plan.rows[plan.best];
    EXPECT_EQ(best.policy.execution, GpuPolicy::Execution::mps);
    EXPECT_GT(best.throughput_gain, 4.0); // up to 8 jobs of 10% of the SMs fit side by side
    EXPECT_GT(best.energy_gain, 2.0);
    EXPECT_NE(gpu_plan_report(plan, opt).find("GPU_DISCOVERY_EXTRA = $(GPU_DISCOVERY_EXTRA) -repeat"),
              std::string::npos);
}

} // namespace
} // namespace hepkit::sim
