// build_workload with WorkloadDetail::totals (a scenario described, not run: a scan through a
// summary surrogate): the same draws, the jobs not kept, and totals equal to the bit to those of
// the jobs built in full — on every example grid scenario (job lists, GPU workloads, caches),
// the older DCSim format and DCSim's own workload files.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/grid/Scan.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include "Reference.hpp"
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

// Bit for bit: the same additions in the same order give the same doubles.
void expect_same_bits(const WorkloadTotals& a, const WorkloadTotals& b, const std::string& what) {
    EXPECT_EQ(a.jobs, b.jobs) << what;
    const std::pair<double, double> pairs[] = {{a.cores, b.cores},
                                               {a.flops, b.flops},
                                               {a.input_bytes, b.input_bytes},
                                               {a.output_bytes, b.output_bytes},
                                               {a.first_submit, b.first_submit},
                                               {a.last_submit, b.last_submit}};
    for (const auto& [x, y] : pairs)
        EXPECT_EQ(std::memcmp(&x, &y, sizeof x), 0) << what << ": " << x << " vs " << y;
    ASSERT_EQ(a.groups.size(), b.groups.size()) << what;
    for (std::size_t g = 0; g < a.groups.size(); ++g) {
        const JobGroup &x = a.groups[g], &y = b.groups[g];
        EXPECT_EQ(x.jobs, y.jobs) << what << " group " << g;
        EXPECT_EQ(x.reads, y.reads) << what << " group " << g;
        for (const auto& [u, v] : {std::pair{x.submit, y.submit},
                                   {x.cores, y.cores},
                                   {x.flops, y.flops},
                                   {x.input_bytes, y.input_bytes},
                                   {x.flops_max, y.flops_max}})
            EXPECT_EQ(std::memcmp(&u, &v, sizeof u), 0) << what << " group " << g << ": " << u << " vs " << v;
    }
}

// The groups add up to the totals and split where the submission time or the reading changes.
void expect_groups_add_up(const WorkloadSet& set, const std::string& what) {
    const WorkloadTotals& t = *set.totals;
    std::size_t jobs = 0;
    double cores = 0, input = 0;
    for (std::size_t g = 0; g < t.groups.size(); ++g) {
        const JobGroup& x = t.groups[g];
        EXPECT_GT(x.jobs, 0u) << what;
        EXPECT_EQ(x.reads, x.input_bytes > 0) << what << " group " << g;
        if (g > 0) {
            EXPECT_TRUE(x.submit != t.groups[g - 1].submit || x.reads != t.groups[g - 1].reads) << what;
        }
        jobs += x.jobs;
        cores += x.cores;
        input += x.input_bytes;
    }
    EXPECT_EQ(jobs, t.jobs) << what;
    EXPECT_DOUBLE_EQ(cores, t.cores) << what;
    EXPECT_NEAR(input, t.input_bytes, 1e-9 * t.input_bytes) << what;
    // against the jobs themselves
    std::size_t at = 0, in_group = 0;
    double flops_max = 0; // the group's largest job so far
    for (const JobSpec& j : set.jobs) {
        ASSERT_LT(at, t.groups.size()) << what;
        EXPECT_EQ(j.submit, t.groups[at].submit) << what << " " << j.id;
        EXPECT_EQ(j.type != JobType::calculation && !j.inputs.empty(), t.groups[at].reads)
            << what << " " << j.id;
        flops_max = std::max(flops_max, j.flops);
        if (++in_group == t.groups[at].jobs) {
            EXPECT_EQ(t.groups[at].flops_max, flops_max) << what << " group " << at;
            ++at;
            in_group = 0;
            flops_max = 0;
        }
    }
}

GridScenario read(const fs::path& file, WorkloadDetail detail, std::uint64_t seed) {
    return read_grid_scenario(config::YamlView(config::load_yaml_file(file.string()), file.string()),
                              file.parent_path().string(), seed, detail);
}

} // namespace

TEST(WorkloadTotals, EveryExampleScenarioGivesTheSameTotalsWithoutItsJobs) {
    int scenarios = 0;
    for (const char* name :
         {"grid/scenario.yaml", "gpu/scenario.yaml", "opportunistic/scenario.yaml", "scan/scenario.yaml",
          "surrogate/base.yaml", "surrogate/base-three-sites.yaml"}) {
        const fs::path file = fs::path(HEPKIT_SOURCE_DIR) / "examples" / name;
        for (const std::uint64_t seed : {1u, 7u, 12345u}) {
            const GridScenario full = read(file, WorkloadDetail::jobs, seed);
            const GridScenario described = read(file, WorkloadDetail::totals, seed);
            ASSERT_TRUE(full.workload.totals && described.workload.totals) << name;
            EXPECT_FALSE(full.workload.totals_only);
            EXPECT_TRUE(described.workload.totals_only);
            expect_same_bits(*full.workload.totals, *described.workload.totals, name);
            expect_same_bits(sum_jobs(full.workload), *described.workload.totals, name);
            expect_groups_add_up(full.workload, name);
            // only a job list's jobs are kept (examples/grid has one: its 3 listed jobs)
            EXPECT_LT(described.workload.jobs.size(), full.workload.jobs.size()) << name;
        }
        ++scenarios;
    }
    EXPECT_EQ(scenarios, 6);
}

TEST(WorkloadTotals, ADescribedScenarioIsNotRun) {
    const fs::path file = fs::path(HEPKIT_SOURCE_DIR) / "examples/surrogate/base.yaml";
    EXPECT_THROW(run(read(file, WorkloadDetail::totals, 1)), std::logic_error);
}

// The older DCSim format (per-job files drawn with the jobs) and fewer files than jobs (no inputs).
TEST(WorkloadTotals, OlderFormatAndFewFiles) {
    const Platform p = load_platform(std::string(HEPKIT_SOURCE_DIR) + "/examples/grid/platform.xml");
    const nlohmann::json gauss = {{"type", "gaussian"}, {"average", 1e9}, {"sigma", 1e8}};
    const nlohmann::json legacy = {{"old",
                                    {{"num_jobs", 37},
                                     {"flops", gauss},
                                     {"memory", gauss},
                                     {"outfilesize", gauss},
                                     {"workload_type", "streaming"},
                                     {"submission_time", 5},
                                     {"infiles_per_job", 3},
                                     {"infilesize", gauss}}}};
    const nlohmann::json datasets = {{"few", {{"location", "t1-se"}, {"num_files", 4}, {"filesize", gauss}}}};
    const nlohmann::json starved = {{"many",
                                     {{"num_jobs", 9},
                                      {"cores", {{"type", "histogram"}, {"counts", {0, 1, 1}}}},
                                      {"flops", gauss},
                                      {"memory", gauss},
                                      {"outfilesize", gauss},
                                      {"workload_type", "copy"},
                                      {"submission_time", 0},
                                      {"infile_dataset", "few"}}}};
    WorkloadSources src;
    src.datasets.emplace_back(datasets, "inline");
    src.workloads.emplace_back(legacy, "inline");
    src.workloads.emplace_back(starved, "inline");
    const WorkloadSet full = build_workload(p, src, 3);
    const WorkloadSet described = build_workload(p, src, 3, WorkloadDetail::totals);
    expect_same_bits(*full.totals, *described.totals, "inline");
    expect_groups_add_up(full, "inline");
    // the older format's 37 readers at 5 s; 9 copy jobs at 0 s without input (4 files for 9 jobs)
    ASSERT_EQ(described.totals->groups.size(), 2u);
    EXPECT_TRUE(described.totals->groups[0].reads);
    EXPECT_EQ(described.totals->groups[0].jobs, 37u);
    EXPECT_FALSE(described.totals->groups[1].reads);
    EXPECT_EQ(described.totals->groups[1].jobs, 9u);
    EXPECT_EQ(described.totals->jobs, 46u);
    EXPECT_GT(described.totals->input_bytes, 0);
    EXPECT_TRUE(described.jobs.empty());
}

TEST(WorkloadTotals, DcsimWorkloadFiles) {
    HEPKIT_REQUIRE_REFERENCE("dcsim-data");
    const fs::path data = test::reference("dcsim-data");
    std::vector<std::pair<nlohmann::json, std::string>> dataset_docs;
    for (const auto& e : fs::directory_iterator(data / "dataset-configs"))
        dataset_docs.emplace_back(config::load_json_file(e.path().string()), e.path().string());
    const Platform p = load_platform((data / "platform-files" / "WLCG_disklessTier2.xml").string());
    int compared = 0;
    for (const auto& e : fs::directory_iterator(data / "workload-configs")) {
        WorkloadSources src;
        src.workloads.emplace_back(config::load_json_file(e.path().string()), e.path().string());
        for (const auto& d : dataset_docs) {
            src.datasets = {d};
            try {
                const WorkloadSet full = build_workload(p, src, 11);
                const WorkloadSet described = build_workload(p, src, 11, WorkloadDetail::totals);
                expect_same_bits(*full.totals, *described.totals, e.path().string());
                ++compared;
                break;
            } catch (const InputError&) { // datasets of another file, or storage of another platform
            }
        }
    }
    EXPECT_GE(compared, 1);
}

// A scan described through ScanDescriber: every point's platform, options and totals as
// scan_point_scenario(.., totals) reads them (the point's seed and values applied to a copy of the
// scenario read once per file), the workloads drawn once per file and seed.
TEST(WorkloadTotals, ScanPointsDescribedOncePerScenarioAndSeed) {
    ScanSpec spec;
    spec.origin = "test-scan";
    spec.scenarios = {std::string(HEPKIT_SOURCE_DIR) + "/examples/surrogate/base.yaml",
                      std::string(HEPKIT_SOURCE_DIR) + "/examples/grid/scenario.yaml"};
    spec.parameters = {{"seed", {}}, {"hitrate", {"0.1", "0.35"}}, {"link_bandwidth_factor", {"0.5", "2"}}};
    for (int s = 1; s <= 70; ++s)
        spec.parameters[0].values.push_back(std::to_string(s));
    ASSERT_EQ(spec.points(), 560u);
    ScanDescriber describer(spec);
    auto compare = [&](std::size_t k) {
        const GridScenario want = scan_point_scenario(spec, k, WorkloadDetail::totals);
        const GridScenario got = describer.scenario(k);
        const std::string what = "point " + std::to_string(k);
        ASSERT_TRUE(got.workload.totals_only) << what;
        expect_same_bits(*want.workload.totals, *got.workload.totals, what);
        EXPECT_EQ(got.options.seed, want.options.seed) << what;
        EXPECT_EQ(got.options.cache.hitrate, want.options.cache.hitrate) << what;
        ASSERT_EQ(got.platform->link_count(), want.platform->link_count()) << what;
        for (LinkIndex l = 0; l < got.platform->link_count(); ++l)
            EXPECT_EQ(got.platform->link(l).bandwidth, want.platform->link(l).bandwidth) << what;
    };
    for (std::size_t k = 0; k < spec.points(); k += 3) // every third point, in order
        compare(k);
    EXPECT_EQ(describer.drawn(), 140u);           // 2 files × 70 seeds, each drawn once
    for (std::size_t k = spec.points(); k-- > 0;) // and backwards
        if (k % 7 == 0)
            compare(k);
    EXPECT_EQ(describer.drawn(), 140u);
    // the seed varying fastest: still drawn once each
    ScanSpec inner = spec;
    std::rotate(inner.parameters.begin(), inner.parameters.begin() + 1, inner.parameters.end());
    ScanDescriber again(inner);
    for (std::size_t k = 0; k < inner.points(); ++k)
        EXPECT_TRUE(again.scenario(k).workload.totals_only);
    EXPECT_EQ(again.drawn(), 140u);
    // from two threads at once (as `hepkit sim --scan --surrogate -j 2`): the same scenarios
    ScanDescriber shared(spec);
    std::vector<WorkloadTotals> by_threads(spec.points());
    ThreadPool pool(2);
    pool.parallel_for(spec.points(),
                      [&](std::size_t k) { by_threads[k] = *shared.scenario(k).workload.totals; });
    for (std::size_t k = 0; k < spec.points(); k += 5)
        expect_same_bits(by_threads[k], *describer.scenario(k).workload.totals, "threads");
    EXPECT_EQ(shared.drawn(), 140u);
    // the hit rate of a point is its own, not the first point's of its seed
    EXPECT_EQ(describer.scenario(1).options.cache.hitrate, 0.1);
    EXPECT_EQ(describer.scenario(2).options.cache.hitrate, 0.35);
}

// A listed job whose id repeats a drawn job's: refused described as when built (the ids are
// checked against the jobs kept, so with job lists the jobs are built in full, then dropped).
TEST(WorkloadTotals, AJobListIdThatRepeatsADrawnOneIsRefusedToo) {
    const fs::path dir = fs::temp_directory_path() / ("hepkit-totals-ids-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path grid = fs::path(HEPKIT_SOURCE_DIR) / "examples/grid";
    for (const char* f : {"scenario.yaml", "platform.xml", "datasets.json", "workloads.json"})
        fs::copy_file(grid / f, dir / f, fs::copy_options::overwrite_existing);
    std::ifstream in(grid / "jobs.csv");
    std::string csv((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = csv.find("user1-ana-1");
    ASSERT_NE(at, std::string::npos);
    csv.replace(at, std::string("user1-ana-1").size(), "job_analysis_0");
    std::ofstream(dir / "jobs.csv") << csv;
    EXPECT_THROW(read(dir / "scenario.yaml", WorkloadDetail::jobs, 1), InputError);
    EXPECT_THROW(read(dir / "scenario.yaml", WorkloadDetail::totals, 1), InputError);
    fs::remove_all(dir);
}
