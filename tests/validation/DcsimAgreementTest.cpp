// Agreement with DCSim: hepkit on the inputs of DCSim's own traces
// (reference data bench/dcsim-traces), DCSim's options -s 42 -b 0 --xrd-flops-per-time 0.
//
// hepkit's draws of job and file properties come from its own portable generators, so a single
// run is a different sample of the same distributions than DCSim's. The test therefore averages
// five seeds (42..46) and requires makespan, mean job wall time, mean compute time and mean
// input-transfer time to agree with DCSim's trace within 10%. It runs with
// `dcsim_block_sizes` (DCSim reads each file's last streamed block whole); the default model
// reads exact sizes, and the difference is printed and documented in docs/models.md.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Csv.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include "Reference.hpp"
#include <array>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {
const fs::path ref = test::reference_dir();

using Metrics = std::array<double, 4>; // makespan, mean wall, mean compute, mean input transfer
const char* names[] = {"makespan", "mean wall time", "mean compute time", "mean input transfer time"};

Metrics dcsim_metrics(const fs::path& trace) {
    std::ifstream in(trace);
    std::string line;
    std::getline(in, line);
    Metrics m{0, 0, 0, 0};
    int n = 0;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::vector<std::string> f;
        std::string x;
        while (std::getline(ss, x, ','))
            f.push_back(x);
        if (f.size() < 11)
            continue;
        const double start = std::stod(f[3]), end = std::stod(f[4]);
        m[0] = std::max(m[0], end);
        m[1] += end - start;
        m[2] += std::stod(f[5]);
        m[3] += std::stod(f[7]);
        ++n;
    }
    for (int i = 1; i < 4; ++i)
        m[static_cast<std::size_t>(i)] /= n;
    return m;
}

Metrics hepkit_metrics(const fs::path& platform, const fs::path& wl, const fs::path& ds, bool dcsim_blocks) {
    Metrics mean{0, 0, 0, 0};
    const int seeds = 5;
    for (int s = 0; s < seeds; ++s) {
        Platform p = load_platform(platform.string());
        WorkloadSources src;
        src.datasets.emplace_back(config::load_json_file(ds.string()), ds.string());
        src.workloads.emplace_back(config::load_json_file(wl.string()), wl.string());
        GridScenario scenario;
        GridOptions& opt = scenario.options;
        opt.seed = 42 + static_cast<std::uint64_t>(s);
        opt.streaming.xrd_flops_per_time = 0;
        opt.streaming.dcsim_block_sizes = dcsim_blocks;
        scenario.workload = build_workload(p, src, opt.seed);
        scenario.platform.emplace(std::move(p));
        Metrics m{0, 0, 0, 0};
        int n = 0;
        RunOptions run;
        run.job_finished = [&](const JobRecord& r) {
            m[0] = std::max(m[0], r.end);
            m[1] += r.end - r.start;
            m[2] += r.compute_time;
            m[3] += r.infile_time;
            ++n;
        };
        sim::run(std::move(scenario), run);
        mean[0] += m[0] / seeds;
        for (std::size_t i = 1; i < 4; ++i)
            mean[i] += m[i] / n / seeds;
    }
    return mean;
}

void compare(const std::string& label, const fs::path& platform, const std::string& dir, int n) {
    const fs::path d = ref / "bench/dcsim-traces" / dir;
    if (!fs::exists(d))
        GTEST_SKIP() << "DCSim traces not found in " << d;
    const auto wl = d / fmt::format("wl_{}.json", n);
    const auto ds = d / fmt::format("ds_{}.json", n);
    const Metrics dcsim = dcsim_metrics(d / fmt::format("out_{}.csv", n));
    const Metrics compat = hepkit_metrics(platform, wl, ds, true);
    const Metrics exact = hepkit_metrics(platform, wl, ds, false);
    for (std::size_t i = 0; i < 4; ++i) {
        const double ratio = compat[i] / dcsim[i];
        std::printf("%-16s %-26s DCSim %10.1f  hepkit %10.1f  ratio %.3f  (exact block sizes: ratio %.3f)\n",
                    label.c_str(), names[i], dcsim[i], compat[i], ratio, exact[i] / dcsim[i]);
        EXPECT_NEAR(ratio, 1.0, 0.10) << label << " " << names[i];
    }
}
} // namespace

TEST(DcsimAgreement, JobScanN100) {
    compare("scaletest N=100", ref / "dcsim-data/platform-files/sgbatch_scaletest.xml", "scaletest_N100",
            100);
}

TEST(DcsimAgreement, JobScanN1000) {
    compare("scaletest N=1000", ref / "dcsim-data/platform-files/sgbatch_scaletest.xml", "scaletest_N1000",
            1000);
}

TEST(DcsimAgreement, HostScanK10N160) {
    compare("K10 N=160", ref / "bench/plat_K10.xml", "K10_N160", 160);
}
