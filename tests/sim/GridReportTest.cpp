// The grid run's summary table and trace columns (issue 12 §4: a 164-site run printed 164 rows;
// traces of CPU-only platforms carried empty GPU columns; GPU time was not counted as work).
#include "hepkit/sim/output/GridReport.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {
JobRecord job(const std::string& site, double start, double end, double compute, double gpu_time = 0) {
    JobRecord r;
    r.site = site;
    r.start = start;
    r.end = end;
    r.compute_time = compute;
    r.gpu_time = gpu_time;
    r.cores = 1;
    r.status = "done";
    return r;
}
int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1))
        ++n;
    return n;
}
} // namespace

// 12 sites of 10 cores; site S01 runs 1 job, S02 2 jobs, ..., S12 12 jobs (78 jobs), each of
// 10 s wall and 5 s compute on 1 core, all in [0, 10]. The table lists S12 down to S03 (the 10
// with most jobs), says 2 more sites, and totals: 120 cores, 78 jobs, efficiency 5/10 = 0.500,
// utilisation 78 core x 10 s / (120 cores x 10 s) = 0.650.
TEST(GridReport, SummaryShowsTopTenSitesAndTotals) {
    std::map<std::string, int> cores;
    for (int s = 1; s <= 12; ++s)
        cores[fmt::format("S{:02}", s)] = 10;
    Summary b;
    b.site_cores = cores;
    b.wall_seconds = 1;
    b.events = 100;
    for (int s = 1; s <= 12; ++s)
        for (int j = 0; j < s; ++j)
            b.add(job(fmt::format("S{:02}", s), 0, 10, 5));
    const std::string t = b.table("test");
    for (int s = 3; s <= 12; ++s)
        EXPECT_NE(t.find(fmt::format("  S{:02} ", s)), std::string::npos) << s << "\n" << t;
    EXPECT_EQ(t.find("  S01 "), std::string::npos) << t;
    EXPECT_EQ(t.find("  S02 "), std::string::npos) << t;
    EXPECT_NE(t.find("... 2 more sites (--all-sites lists every site)"), std::string::npos) << t;
    EXPECT_NE(t.find("  all 12 sites            120      78     0.500       0.650"), std::string::npos) << t;
    // order: most jobs first
    EXPECT_LT(t.find("  S12 "), t.find("  S11 "));
    EXPECT_LT(t.find("  S04 "), t.find("  S03 "));
    const std::string all = b.table("test", SIZE_MAX);
    EXPECT_EQ(count(all, "\n  S"), 12) << all;
    EXPECT_EQ(all.find("more site"), std::string::npos);
}

// One GPU job: 100 s wall, 10 s on the CPU, then 80 s on the GPU. CPU efficiency (DCSim's
// compute / wall) is 0.1; the efficiency that counts GPU time is (10 + 80) / 100 = 0.9.
TEST(GridReport, EfficiencyCountsGpuTime) {
    Summary b;
    b.site_cores = {{"G", 4}};
    b.add(job("G", 0, 100, 10, 80));
    const auto j = b.to_json();
    EXPECT_DOUBLE_EQ(j["overall"]["cpu_efficiency"].get<double>(), 0.1);
    EXPECT_DOUBLE_EQ(j["overall"]["compute_efficiency"].get<double>(), 0.9);
    EXPECT_DOUBLE_EQ(j["sites"]["G"]["compute_efficiency"].get<double>(), 0.9);
    const std::string t = b.table("gpu");
    EXPECT_NE(t.find("efficiency          0.900 ((CPU compute + GPU time) / wall time; CPU alone 0.100)"),
              std::string::npos)
        << t;
    // a single site: no total row
    EXPECT_EQ(t.find("all 1 site"), std::string::npos) << t;
}

TEST(GridReport, TraceColumnsFollowThePlatform) {
    const fs::path dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-trace-cols");
    fs::create_directories(dir);
    auto header = [&](TraceWriter::Columns c) {
        {
            TraceWriter w((dir / "t.csv").string(), c);
            w.add(job("S", 0, 1, 1));
            w.commit();
        }
        std::ifstream in(dir / "t.csv");
        std::string h, row;
        std::getline(in, h);
        std::getline(in, row);
        EXPECT_EQ(count(h, ", "), count(row, ", ")) << h << "\n" << row;
        return h;
    };
    const std::string dcsim =
        "job.tag, machine.name, hitrate, job.start, job.end, job.computetime, job.flops, "
        "infiles.transfertime, infiles.size, outfiles.transfertime, outfiles.size, ";
    const std::string cpu = header({false, false});
    EXPECT_EQ(cpu.rfind(dcsim, 0), 0u) << cpu; // DCSim's columns first
    EXPECT_EQ(cpu.substr(cpu.size() - 8), ", status") << cpu;
    const std::string power = header({false, true});
    EXPECT_EQ(power.substr(power.size() - 16), ", status, energy") << power;
    const std::string gpu = header({true, true});
    EXPECT_NE(gpu.find(", status, gpu_device, gpu_policy, gpu_time, gpu_memory, energy"), std::string::npos);
    fs::remove_all(dir);
}
