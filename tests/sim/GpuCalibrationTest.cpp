// Calibration of the GPU model against the H100 measurements in
// the reference measurement gpu-sharing-h100 (docs/models.md §9); skipped where it is absent.
//
// The jobs are described as a user would describe them after running each alone once: GPU
// time = the loop measured alone (k = 1), intensity = blocks / SMs (16 / 132 for the small
// kernel; the large kernel fills the device), duty of the large kernel from the two
// thread-percentage runs, power = the device power measured alone. The sharing model is then
// asked for k = 1, 2, 4, 8 under time-slicing and MPS and compared with the measured batches:
// jobs per second and joules per job within 15%.

#include "hepkit/sim/gpu/GpuBenchReport.hpp"
#include "hepkit/sim/grid/GpuNode.hpp"

#include "Reference.hpp"
#include <cmath>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hepkit::sim {
namespace {

const std::string ref_dir = test::reference("gpu-sharing-h100").string();

// The H100 measurement is reference data, not part of the repository.
class GpuCalibrationRef : public ::testing::Test {
  protected:
    void SetUp() override { HEPKIT_REQUIRE_REFERENCE("gpu-sharing-h100/res_run2.txt"); }
};

GpuBenchRun reference() {
    return read_gpu_bench(ref_dir + "/res_run2.txt", ref_dir + "/per_run2.txt", ref_dir + "/pw_run2.csv");
}

struct Kernel {
    long blocks;
    GpuRequest req;
};

// Job parameters from the k = 1 batches and the thread-percentage runs.
Kernel kernel(const GpuBenchRun& run, long blocks, const GpuSpec& gpu) {
    Kernel k{blocks, {}};
    double alone = 0, power = 0;
    int n = 0;
    for (const auto& b : run.batches)
        if (b.blocks == blocks && b.k == 1 && !b.loops.empty()) {
            alone += b.loops[0];
            ++n;
            if (b.mode == "MPS") // the first (TS) batch includes the card's warm-up from idle
                power = b.mean_power;
        }
    k.req.gpus = 1;
    k.req.seconds = alone / n;
    k.req.intensity = std::min(1.0, static_cast<double>(blocks) / gpu.sms);
    // Duty d from T(p) = W (d u / p + 1 - d) at thread percentages p < u (large kernel only).
    double d = 0;
    int nd = 0;
    for (const auto& t : run.thread_percentage)
        if (!t.small && t.percent < 100 && blocks > gpu.sms) {
            const double p = t.percent / 100;
            d += (t.seconds / k.req.seconds - 1) / (1 / p - 1);
            ++nd;
        }
    k.req.duty = nd > 0 ? std::min(1.0, d / nd) : 1.0;
    // Power while running alone: the batch mean includes the context start at idle power.
    const double ctx = 0.3;
    const double wall = k.req.seconds + ctx;
    k.req.power = (power * wall - gpu.idle_power * ctx) / k.req.seconds;
    return k;
}

GpuNodeResult simulate(const GpuSpec& gpu, const std::string& mode, int k, const GpuRequest& req) {
    const GpuPolicy pol = parse_gpu_policy(fmt::format("{}:{}", mode == "MPS" ? "mps" : "time-slicing", k));
    std::vector<JobSpec> jobs(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i) {
        jobs[static_cast<std::size_t>(i)].id = fmt::format("job{}", i);
        jobs[static_cast<std::size_t>(i)].flops = 0;
        jobs[static_cast<std::size_t>(i)].gpu = req;
    }
    return run_gpu_node(gpu, 1, pol, std::move(jobs), GpuCalibration{});
}

TEST_F(GpuCalibrationRef, ReferenceParses) {
    const GpuBenchRun run = reference();
    EXPECT_EQ(run.card, "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(run.batches.size(), 14u);
    EXPECT_EQ(run.thread_percentage.size(), 5u);
    EXPECT_NEAR(run.idle_power, 69.6, 0.5);
    // README's table: small TS k=1 0.353 jobs/s (311 J), MPS k=8 2.292 jobs/s (81 J)
    EXPECT_NEAR(run.batches[0].jobs_per_second(), 0.353, 0.001);
    EXPECT_NEAR(run.batches[0].joules_per_job(), 311, 2);
    EXPECT_NEAR(run.batches[10].jobs_per_second(), 2.292, 0.001);
    EXPECT_NEAR(run.batches[10].joules_per_job(), 81, 1);
    for (const auto& b : run.batches)
        EXPECT_EQ(b.loops.size(), static_cast<std::size_t>(b.k));
}

TEST_F(GpuCalibrationRef, JobsPerSecondAndJoulesPerJobWithin15Percent) {
    const GpuBenchRun run = reference();
    const GpuSpec gpu = *gpu_catalogue("H100");
    double worst_rate = 0, worst_energy = 0;
    for (const auto& b : run.batches) {
        const Kernel kern = kernel(run, b.blocks, gpu);
        const GpuNodeResult r = simulate(gpu, b.mode, b.k, kern.req);
        ASSERT_EQ(r.jobs_ok, static_cast<std::size_t>(b.k));
        const double rate = r.jobs_per_second() / b.jobs_per_second();
        const double energy = r.joules_per_job() / b.joules_per_job();
        std::printf(
            "%-4s B=%-5ld k=%d  jobs/s %.3f (measured %.3f, x%.3f)  J/job %.0f (measured %.0f, x%.3f)\n",
            b.mode.c_str(), b.blocks, b.k, r.jobs_per_second(), b.jobs_per_second(), rate, r.joules_per_job(),
            b.joules_per_job(), energy);
        EXPECT_NEAR(rate, 1.0, 0.15) << b.mode << " B=" << b.blocks << " k=" << b.k;
        EXPECT_NEAR(energy, 1.0, 0.15) << b.mode << " B=" << b.blocks << " k=" << b.k;
        worst_rate = std::max(worst_rate, std::fabs(rate - 1));
        worst_energy = std::max(worst_energy, std::fabs(energy - 1));
    }
    std::printf("worst deviation: jobs/s %.1f%%, J/job %.1f%%\n", 100 * worst_rate, 100 * worst_energy);
}

} // namespace
} // namespace hepkit::sim

namespace hepkit::sim {
namespace {

GpuRequest alone_job(double seconds, double intensity, double duty = 1.0, double memory = 1e9) {
    GpuRequest r;
    r.gpus = 1;
    r.seconds = seconds;
    r.intensity = intensity;
    r.duty = duty;
    r.memory = memory;
    return r;
}

GpuNodeResult one_job(const std::string& policy, const GpuRequest& req) {
    JobSpec job;
    job.id = "job";
    job.gpu = req;
    return run_gpu_node(*gpu_catalogue("H100"), 1, parse_gpu_policy(policy), {job}, GpuCalibration{});
}

// Thread percentage: the large kernel slows about 100/p, the small one does not (it already fits).
TEST_F(GpuCalibrationRef, ThreadPercentageBehaviour) {
    const GpuBenchRun run = reference();
    const GpuSpec gpu = *gpu_catalogue("H100");
    const Kernel large = kernel(run, 1056, gpu), small = kernel(run, 16, gpu);
    for (const auto& t : run.thread_percentage) {
        const GpuRequest& req = t.small ? small.req : large.req;
        const GpuNodeResult r = one_job(fmt::format("mps:1,thread_percentage={}", t.percent), req);
        std::printf("ATP=%g %s: simulated %.3f s, measured %.3f s\n", t.percent, t.small ? "small" : "large",
                    r.mean_gpu_time, t.seconds);
        EXPECT_NEAR(r.mean_gpu_time / t.seconds, 1.0, 0.05) << "ATP=" << t.percent;
    }
}

// Pinned memory limit of 1 GiB: the context (514 MiB) counts inside it, so 512 MiB and 2 GiB
// allocations fail with out-of-memory; 256 MiB fits. Without MPS the limit does not exist.
TEST_F(GpuCalibrationRef, MemoryLimitBehaviour) {
    const double MiB = 1024.0 * 1024;
    for (const auto& [mb, expect] : {std::pair{2048.0, "gpu-out-of-memory"},
                                     std::pair{512.0, "gpu-out-of-memory"}, std::pair{256.0, "done"}}) {
        const GpuNodeResult r = one_job("mps:1,memory_limit=1GiB", alone_job(1, 0.1, 1, mb * MiB));
        EXPECT_EQ(r.status.count(expect), 1u) << mb << " MiB";
    }
    EXPECT_EQ(one_job("time-slicing:1", alone_job(1, 0.1, 1, 2048 * MiB)).status.count("done"), 1u);
}

} // namespace
} // namespace hepkit::sim
