// Activities workload: parsing errors and dependency handling.
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/ActivityRunner.hpp"
#include "hepkit/sim/workload/Scenario.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {
Platform platform() {
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-activities-platform.yaml");
    std::ofstream(p) << "links: [{id: l, bandwidth: 100MBps}]\n"
                        "hosts: [{id: a, speed: 1Gf, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps}]}, "
                        "{id: b, speed: 1Gf}]\n"
                        "routes: [{src: a, dst: b, links: [l]}]\n";
    return load_platform(p.string());
}

void expect_error(const std::string& csv, int line, const std::string& fragment) {
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-activities-bad.csv");
    std::ofstream(p) << csv;
    const Platform plat = platform();
    try {
        read_activities(p.string(), plat);
        FAIL() << "no error for:\n" << csv;
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}
const std::string header = "id,type,source,destination,amount,start,after\n";
} // namespace

TEST(ActivityList, BadRowsNameLineAndKey) {
    expect_error(header + "t,transfer,a,zz,1,0,\n", 2, "unknown host 'zz'");
    expect_error(header + "t,transfer,a,b,1,0,\nt,compute,a,,1,0,\n", 3, "duplicate id 't'");
    expect_error(header + "t,teleport,a,b,1,0,\n", 2, "not an activity type");
    expect_error(header + "t,transfer,a,b,-5,0,\n", 2, "amount");
    expect_error(header + "t,transfer,a,b,1e999,0,\n", 2, "finite");
    expect_error(header + "t,transfer,a,b,1,soon,\n", 2, "start");
    expect_error(header + "t,transfer,a,b,1,0,x\n", 2, "unknown activity id 'x'");
    expect_error(header + "t,read,b,,1,0,\n", 2, "has no disk");
    expect_error(header + "t,compute,a,b,1,0,\n", 2, "must be empty");
    expect_error("id,type,source,amount,start\n", 1, "missing column 'destination'");
    expect_error(header + "t,transfer,a,b,1,0\n", 2, "fields");
}

TEST(ActivityList, CyclesAreRejected) {
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-activities-cycle.csv");
    std::ofstream(p) << header << "x,compute,a,,1,0,z\ny,compute,a,,1,0,x\nz,compute,a,,1,0,y\n";
    const Platform plat = platform();
    EXPECT_THROW(read_activities(p.string(), plat), InputError);
}

TEST(ActivityRunner, DependenciesStartAtMaxOfStartAndPredecessorEnd) {
    // c1: 1 Gflop on a (1 s). c2 after c1 with start 0 -> starts at 1 ends at 2.
    // c3 after c1 with start 5 -> starts at 5 ends at 6.
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-activities-deps.csv");
    std::ofstream(p) << header << "c1,compute,a,,1e9,0,\nc2,compute,b,,1e9,0,c1\nc3,compute,b,,1e9,5,c1\n";
    Simulation sim(platform(), {});
    const auto rows = read_activities(p.string(), sim.platform());
    ActivityRunner runner(sim, rows);
    runner.run();
    EXPECT_DOUBLE_EQ(runner.times()[1].start, 1);
    EXPECT_DOUBLE_EQ(runner.times()[1].end, 2);
    EXPECT_DOUBLE_EQ(runner.times()[2].start, 5);
    EXPECT_DOUBLE_EQ(runner.times()[2].end, 6);
}

TEST(Scenario, CampaignExampleIsDeterministic) {
    auto run = [] {
        Scenario s = load_scenario(std::string(HEPKIT_SOURCE_DIR) + "/examples/campaign/scenario.yaml");
        Simulation sim(std::move(*s.platform), {});
        ActivityRunner runner(sim, s.activities);
        runner.run();
        std::vector<double> ends;
        for (const auto& t : runner.times())
            ends.push_back(t.end);
        return ends;
    };
    const auto a = run();
    EXPECT_EQ(a.size(), 1000u);
    EXPECT_EQ(a, run());
    for (double e : a)
        EXPECT_GT(e, 0);
}
