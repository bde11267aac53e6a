// Opportunistic resources: hand-computed drone life cycles and controller step responses.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/provisioning/DronePool.hpp"

#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::sim {
namespace {

// One HPC node (4 cores at 1 Gf), no storage; jobs are calculations without output.
std::string scenario(const std::string& jobs, const std::string& opportunistic) {
    return fmt::format(R"(
name: drones
platform:
  id: p
  routing: Full
  zones:
    - id: HPC
      routing: Full
      hosts:
        - {{id: node1, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
        - {{id: node2, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
        - {{id: node3, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
        - {{id: node4, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
jobs: {}
opportunistic:
{}
)",
                       jobs, opportunistic);
}

struct Outcome {
    std::vector<JobRecord> jobs;
    std::vector<DroneEvent> drones;
    std::vector<DroneSiteStats> stats;
};

// Writes the job list (header included) to a file, builds the scenario that `yaml_for(path)`
// returns, runs it and collects jobs, drone events and site statistics.
Outcome simulate(const std::function<std::string(const std::string&)>& yaml_for,
                 const std::string& job_list) {
    const std::string path = fmt::format("/tmp/hepkit-drones-{}.csv", ::getpid());
    {
        std::ofstream f(path);
        f << job_list;
    }
    auto s = read_grid_scenario(config::YamlView(YAML::Load(yaml_for(path)), "drones.yaml"), "");
    Outcome out;
    RunOptions o;
    o.job_finished = [&](const JobRecord& r) { out.jobs.push_back(r); };
    o.drone = [&](const DroneEvent& e) { out.drones.push_back(e); };
    out.stats = sim::run(std::move(s), o).drones;
    std::remove(path.c_str());
    return out;
}

Outcome run(const std::string& job_csv, const std::string& opp) {
    return simulate([&](const std::string& path) { return scenario(path, opp); },
                    "id,submit,cores,memory,flops,inputs,output_size\n" + job_csv);
}

double at(const Outcome& r, const std::string& drone, DroneState s) {
    for (const auto& e : r.drones)
        if (e.drone == drone && e.state == s)
            return e.time;
    return -1;
}

// Drone: boot 100 s, integration 10 s, walltime 1100 s; ROCED every 60 s.
// job1 (950 s) starts at 110 and ends at 1060. job2 (950 s, submitted at 200) starts at 200 on the
// same drone, is killed at its walltime 1100 and requeued; the next cycle (1140) requests a new
// drone, available at 1250, where job2 runs again until 2200.
TEST(Drones, HandComputedLifeCycleAndWalltimeKill) {
    const Outcome r = run(
        "job1,0,1,1GB,950Gf,,0\njob2,200,1,1GB,950Gf,,0\n",
        "  controller: {type: roced, interval: 60s}\n"
        "  sites: [{site: HPC, max_drones: 1, boot_time: 100s, integration_delay: 10s, walltime: 1100s}]\n");
    ASSERT_EQ(r.jobs.size(), 3u);
    EXPECT_EQ(r.jobs[0].tag, "job1");
    EXPECT_DOUBLE_EQ(r.jobs[0].start, 110);
    EXPECT_DOUBLE_EQ(r.jobs[0].end, 1060);
    EXPECT_EQ(r.jobs[1].tag, "job2");
    EXPECT_EQ(r.jobs[1].status, "killed-walltime");
    EXPECT_DOUBLE_EQ(r.jobs[1].start, 200);
    EXPECT_DOUBLE_EQ(r.jobs[1].end, 1100);
    EXPECT_EQ(r.jobs[2].status, "done");
    EXPECT_DOUBLE_EQ(r.jobs[2].start, 1250);
    EXPECT_DOUBLE_EQ(r.jobs[2].end, 2200);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::requested), 0);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::integrating), 100);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::available), 110);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::shutdown), 1100);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone1", DroneState::requested), 1140);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone1", DroneState::available), 1250);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone1", DroneState::shutdown), 2200);
    ASSERT_EQ(r.stats.size(), 1u);
    const auto& s = r.stats[0];
    EXPECT_EQ(s.drones_started, 2);
    EXPECT_EQ(s.jobs_run, 2u);
    EXPECT_EQ(s.jobs_killed, 1u);
    EXPECT_NEAR(s.core_hours_boot, 4 * (110 + 110) / 3600.0, 1e-9);
    EXPECT_NEAR(s.core_hours_delivered, 4 * (990 + 950) / 3600.0, 1e-9);
    EXPECT_NEAR(s.core_hours_used, (950 + 900 + 950) / 3600.0, 1e-9);
}

// Drones on GPU nodes (an HPC GPU partition): GPU jobs start only once a drone runs on the node
// (not at t = 0 although the dispatcher has free cores on the CPU site),
// wait for the one H100 (exclusive), and a GPU job killed at the drone's walltime frees the device
// and runs again on the next drone.
TEST(Drones, GpuNodesAsDrones) {
    const std::string list = "id,submit,cores,memory,flops,inputs,output_size,gpus,gpu_time\n"
                             "gpu1,0,1,1GB,1Gf,,0,1,500s\n"
                             "gpu2,0,1,1GB,1Gf,,0,1,800s\n";
    const Outcome r = simulate(
        [](const std::string& jobs) {
            return fmt::format(R"(
name: gpu-drones
platform:
  id: p
  routing: Full
  zones:
    - id: HPC
      routing: Full
      hosts:
        - {{id: gnode, speed: 1Gf, cores: 4, gpus: {{model: H100}}, props: {{type: worker, ram: 64GB}}}}
    - id: T2 # a grid site without GPUs, with free cores all along
      routing: Full
      hosts:
        - {{id: cpu1, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
jobs: {}
opportunistic:
  controller: {{type: roced, interval: 60s}}
  sites: [{{site: HPC, max_drones: 1, boot_time: 100s, integration_delay: 10s, walltime: 1000s}}]
)",
                               jobs);
        },
        list);
    const double first = at(r, "HPC-drone0", DroneState::available);
    const double second = at(r, "HPC-drone1", DroneState::available);
    ASSERT_EQ(first, 110);
    ASSERT_GT(second, 1000);
    // gpu1 on drone0, gpu2 after it on the same device, killed at the walltime (t = 1000), then
    // whole again on drone1
    ASSERT_EQ(r.jobs.size(), 3u);
    const JobRecord& g1 = r.jobs[0];
    EXPECT_EQ(g1.tag, "gpu1");
    EXPECT_EQ(g1.status, "done");
    EXPECT_DOUBLE_EQ(g1.start, first);
    EXPECT_EQ(g1.gpu_devices, "gnode/gpu0");
    EXPECT_NEAR(g1.gpu_time, 500, 1.0);
    const JobRecord& killed = r.jobs[1];
    EXPECT_EQ(killed.tag, "gpu2");
    EXPECT_EQ(killed.status, "killed-walltime");
    EXPECT_DOUBLE_EQ(killed.end, 1000);
    const JobRecord& again = r.jobs[2];
    EXPECT_EQ(again.tag, "gpu2");
    EXPECT_EQ(again.status, "done");
    EXPECT_GE(again.start, second);
    EXPECT_EQ(again.gpu_devices, "gnode/gpu0");
    EXPECT_NEAR(again.gpu_time, 800, 1.0);
    EXPECT_NEAR(again.end - again.start, 801, 1.0); // 1 s on the CPU, then the full GPU work
}

// Only GPU jobs wait: the controller boots drones on the GPU partition only; the CPU-only HPC
// site gets none (its drones could never run them).
TEST(Drones, GpuJobsAskForGpuDronesOnly) {
    std::string list = "id,submit,cores,memory,flops,inputs,output_size,gpus,gpu_time\n";
    for (int i = 0; i < 4; ++i)
        list += fmt::format("g{},0,1,1GB,1Gf,,0,1,300s\n", i);
    const Outcome r = simulate(
        [](const std::string& jobs) {
            return fmt::format(R"(
name: gpu-demand
platform:
  id: p
  routing: Full
  zones:
    - id: CPU
      routing: Full
      hosts:
        - {{id: c1, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
        - {{id: c2, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
    - id: GPU
      routing: Full
      hosts:
        - {{id: g1, speed: 1Gf, cores: 4, gpus: {{model: H100, count: 2}}, props: {{type: worker, ram: 64GB}}}}
        - {{id: g2, speed: 1Gf, cores: 4, gpus: {{model: H100, count: 2}}, props: {{type: worker, ram: 64GB}}}}
jobs: {}
opportunistic:
  controller: {{type: roced, interval: 60s}}
  sites: [{{site: CPU, boot_time: 100s}}, {{site: GPU, boot_time: 100s}}]
)",
                               jobs);
        },
        list);
    int cpu = 0, gpu = 0;
    for (const auto& e : r.drones)
        if (e.state == DroneState::requested)
            (e.site == "CPU" ? cpu : gpu) += 1;
    EXPECT_EQ(cpu, 0);
    EXPECT_EQ(gpu, 1); // 4 one-core jobs: one 4-core drone (ROCED), two H100s, two rounds
    ASSERT_EQ(r.jobs.size(), 4u);
    for (const auto& j : r.jobs)
        EXPECT_EQ(j.status, "done");
}

// Jobs that no drone could ever host are unschedulable at submission, and the run ends (it used
// to wait for ever: controller cycles kept the clock running).
TEST(Drones, JobsNoDroneCanHostEndTheRun) {
    const Outcome big =
        run("big,0,8,1GB,10Gf,,0\nsmall,0,1,1GB,10Gf,,0\n", "  controller: {type: roced, interval: 60s}\n"
                                                            "  sites: [{site: HPC, boot_time: 100s}]\n");
    ASSERT_EQ(big.jobs.size(), 2u);
    EXPECT_EQ(big.jobs[0].tag, "big"); // 8 cores > the 4-core drones
    EXPECT_EQ(big.jobs[0].status, "unschedulable");
    EXPECT_EQ(big.jobs[1].status, "done");
    // the site's own users hold 80% of the 4 nodes for ever: no drone can start
    const Outcome none = run("small,0,1,1GB,10Gf,,0\n", "  controller: {type: roced, interval: 60s}\n"
                                                        "  sites: [{site: HPC, background_share: 0.8}]\n");
    ASSERT_EQ(none.jobs.size(), 1u);
    EXPECT_EQ(none.jobs[0].status, "unschedulable");
    EXPECT_TRUE(none.drones.empty());
}

// A queued 8-core job fits the permanent 8-core worker but no 4-core drone: it asks for no drone
// (before, ROCED booted two drones for its cores, in vain).
TEST(Drones, JobsLargerThanDronesAskForNone) {
    const std::string list = "id,submit,cores,memory,flops,inputs,output_size\n"
                             "big1,0,8,1GB,8000Gf,,0\n"
                             "big2,0,8,1GB,8000Gf,,0\n";
    const Outcome r = simulate(
        [](const std::string& jobs) {
            return fmt::format(R"(
name: big-demand
platform:
  id: p
  routing: Full
  zones:
    - id: HPC
      routing: Full
      hosts:
        - {{id: n1, speed: 1Gf, cores: 4, props: {{type: worker, ram: 64GB}}}}
    - id: T2
      routing: Full
      hosts:
        - {{id: w1, speed: 1Gf, cores: 8, props: {{type: worker, ram: 64GB}}}}
jobs: {}
opportunistic:
  controller: {{type: roced, interval: 60s}}
  sites: [{{site: HPC, boot_time: 100s}}]
)",
                               jobs);
        },
        list);
    EXPECT_TRUE(r.drones.empty());
    ASSERT_EQ(r.jobs.size(), 2u);
    EXPECT_EQ(r.jobs[1].status, "done");
    EXPECT_DOUBLE_EQ(r.jobs[1].end, 2000); // one after the other on the 8-core worker
}

// The site's own users' share as a time profile: 0 until t = 1000, then 0.5. The four drones
// started at t = 0 run the first 16 jobs (110..1110) and keep their nodes (no preemption) until
// their walltime at 1500, where the second 16 jobs (from 1200) are killed; after that at most two
// drones hold nodes at once, and the killed jobs finish on them.
TEST(Drones, BackgroundShareProfile) {
    std::string jobs;
    for (int i = 0; i < 32; ++i)
        jobs += fmt::format("job{},{},1,1GB,1000Gf,,0\n", i, i < 16 ? 0 : 1200);
    const Outcome r =
        run(jobs, "  controller: {type: roced, interval: 60s}\n"
                  "  sites: [{site: HPC, boot_time: 100s, integration_delay: 10s, walltime: 1500s,\n"
                  "           background_share: {steps: [[0s, 0.0], [1000s, 0.5]]}}]\n");
    std::map<std::string, std::pair<double, double>> life; // requested .. shutdown
    for (const auto& e : r.drones) {
        if (e.state == DroneState::requested)
            life[e.drone].first = e.time;
        if (e.state == DroneState::shutdown)
            life[e.drone].second = e.time;
    }
    int early = 0, late = 0;
    for (const auto& [name, span] : life)
        (span.first < 1000 ? early : late) += 1;
    EXPECT_EQ(early, 4);
    EXPECT_GT(late, 0);
    for (const auto& [name, span] : life) { // at every later request, at most two drones alive
        if (span.first < 1000)
            continue;
        int alive = 0;
        for (const auto& [other, o] : life)
            alive += o.first <= span.first && span.first < o.second;
        EXPECT_LE(alive, 2) << name << " requested at " << span.first;
    }
    int done = 0, killed = 0;
    for (const auto& j : r.jobs)
        (j.status == "done" ? done : killed) += 1;
    EXPECT_EQ(done, 32);
    EXPECT_GE(killed, 16); // 16 at 1500; a later drone may kill a second round at its walltime
}

TEST(Drones, BackgroundProfileWrapsAndRejectsBadSteps) {
    OpportunisticSite site;
    site.background_share = 0.1;
    site.background_steps = {{2 * 3600.0, 0.2}, {8 * 3600.0, 0.6}, {18 * 3600.0, 0.3}};
    EXPECT_DOUBLE_EQ(background_share_at(site, 3600), 0.1); // before the first step, no period
    site.background_period = 24 * 3600;
    EXPECT_DOUBLE_EQ(background_share_at(site, 3600), 0.3); // wraps: the last step holds
    EXPECT_DOUBLE_EQ(background_share_at(site, 7 * 3600), 0.2);
    EXPECT_DOUBLE_EQ(background_share_at(site, 9 * 3600), 0.6);
    EXPECT_DOUBLE_EQ(background_share_at(site, 20 * 3600), 0.3);
    EXPECT_DOUBLE_EQ(background_share_at(site, 33 * 3600), 0.6); // next day, 9 h
    auto parse = [](const std::string& share) {
        const std::string yaml =
            scenario("/dev/null", "  sites: [{site: HPC, background_share: " + share + "}]\n");
        return read_grid_scenario(config::YamlView(YAML::Load(yaml), "drones.yaml"), "");
    };
    auto message = [&](const std::string& share) {
        try {
            parse(share);
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("{steps: [[2h, 0.2], [1h, 0.3]]}").find("times must increase"), std::string::npos);
    EXPECT_NE(message("{steps: [[2h, 1.2]]}").find("must be in [0, 1)"), std::string::npos);
    EXPECT_NE(message("{steps: [[2h, 0.2]], period: 1h}").find("must exceed"), std::string::npos);
    EXPECT_NE(message("{steps: [0.2]}").find("[time, share]"), std::string::npos);
    EXPECT_NE(message("{step: [[0h, 0.2]]}").find("step"), std::string::npos);
}

// Draining before the walltime: no job starts in the last drain_before seconds; a draining drone
// shuts down at the next heartbeat after its last job.
TEST(Drones, DrainBeforeWalltimeAndHeartbeat) {
    const Outcome r =
        run("job1,0,1,1GB,500Gf,,0\njob2,700,1,1GB,100Gf,,0\n",
            "  controller: {type: roced, interval: 60s, release_delay: 10000s}\n"
            "  sites: [{site: HPC, max_drones: 1, boot_time: 100s, integration_delay: 10s, walltime: 1000s,\n"
            "           drain_before: 400s, heartbeat: 50s}]\n");
    // drone0 booted at 100, integration ends 110 -> noticed at heartbeat 150; job1 150..650;
    // draining from 600 (walltime 1000 - 400): job2 (t=700) cannot start there; drone0 shuts down
    // at 650 (its last job ended at a heartbeat); drone1 requested at the cycle at 720, booted 820,
    // noticed at 850 -> job2 850..950
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::available), 150);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::draining), 600);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone0", DroneState::shutdown), 650);
    ASSERT_EQ(r.jobs.size(), 2u);
    EXPECT_DOUBLE_EQ(r.jobs[0].start, 150);
    EXPECT_DOUBLE_EQ(r.jobs[0].end, 650);
    EXPECT_DOUBLE_EQ(at(r, "HPC-drone1", DroneState::requested), 720);
    EXPECT_DOUBLE_EQ(r.jobs[1].start, 850);
    EXPECT_DOUBLE_EQ(r.jobs[1].end, 950);
}

// COBalD linear controller: with jobs waiting and every drone busy, demand rises by
// rate x interval = 4 cores per cycle: one more 4-core drone every 60 s.
TEST(Drones, CobaldLinearRamp) {
    std::string jobs;
    for (int i = 0; i < 4; ++i)
        jobs += fmt::format("j{},0,4,1GB,3000Gf,,0\n", i);
    const Outcome r = run(jobs, "  controller: {type: cobald-linear, interval: 60s, rate: 0.0666666666667}\n"
                                "  sites: [{site: HPC, boot_time: 100s, integration_delay: 10s}]\n");
    for (int k = 0; k < 4; ++k)
        EXPECT_DOUBLE_EQ(at(r, fmt::format("HPC-drone{}", k), DroneState::requested), 60.0 * k) << k;
    EXPECT_EQ(r.jobs.size(), 4u);
}

// Background load: a share of 0.5 of the 4 nodes leaves 2 for drones.
TEST(Drones, BackgroundShareLimitsDrones) {
    std::string jobs;
    for (int i = 0; i < 8; ++i)
        jobs += fmt::format("j{},0,4,1GB,100Gf,,0\n", i);
    const Outcome r = run(jobs, "  sites: [{site: HPC, boot_time: 10s, background_share: 0.5}]\n");
    EXPECT_EQ(r.stats[0].drones_started, 2); // two drones ran the eight jobs in four waves, then left
    EXPECT_EQ(r.jobs.size(), 8u);
}

TEST(Controllers, StepResponses) {
    ControllerSpec c;
    c.interval = 60;
    c.rate = 0.5;                                            // 30 cores per cycle
    EXPECT_DOUBLE_EQ(cobald_linear(100, 0.3, 0.95, c), 70);  // low utilisation wins
    EXPECT_DOUBLE_EQ(cobald_linear(100, 0.8, 0.95, c), 130); // high allocation
    EXPECT_DOUBLE_EQ(cobald_linear(100, 0.8, 0.5, c), 100);  // in band: unchanged
    EXPECT_DOUBLE_EQ(cobald_linear(10, 0.1, 0.1, c), 0);     // never negative
    EXPECT_DOUBLE_EQ(cobald_relative(100, 0.3, 0.95, c), 90);
    EXPECT_DOUBLE_EQ(cobald_relative(100, 0.8, 0.95, c), 110);
    EXPECT_EQ(roced_target(9, 4, 10), 3);
    EXPECT_EQ(roced_target(8, 4, 10), 2);
    EXPECT_EQ(roced_target(100, 4, 10), 10); // quota
    EXPECT_EQ(roced_target(0, 4, 10), 0);
    EXPECT_THROW(controller_kinds.parse("pid"), std::invalid_argument);
}

} // namespace
} // namespace hepkit::sim
