// The parameter registry (grid/Parameters.hpp): paths reach the nested config fields, values
// are checked with errors that name the key, scenario sections and scans go through it, every
// path is documented, and sim::run returns the typed summary that the JSON is written from.
#include "hepkit/sim/grid/Parameters.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/grid/Scan.hpp"

#include "FieldCount.hpp"
#include "Helpers.hpp"
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

using test::input_error;

GridScenario scenario_from(const std::string& yaml) {
    return read_grid_scenario(config::YamlView(YAML::Load(yaml), "test.yaml"), "");
}

// A worker W (4 cores, also a cache) and a storage host S; 3 calculation jobs of 10 s each
// (1e10 flop at 1 Gf on 1 core), all submitted at 0: they run side by side, makespan 10 s.
constexpr const char* small_grid = R"(
platform:
  id: T2
  routing: Full
  links: [{id: l, bandwidth: 1GBps}]
  hosts:
    - {id: S, speed: 1Gf, props: {type: storage}, disks: [{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 1PB}]}
    - {id: W, speed: 1Gf, cores: 4, props: {type: "worker,cache", ram: 64GB},
       disks: [{id: c, read_bw: 1GBps, write_bw: 1GBps, size: 1TB}]}
  routes: [{src: S, dst: W, links: [l]}]
workloads:
  - calc: {num_jobs: 3, workload_type: calculation, submission_time: 0,
           cores: {type: histogram, counts: [0, 1]}, flops: {type: gaussian, average: 1.0e10, sigma: 0},
           memory: {type: gaussian, average: 1.0e9, sigma: 0}, outfilesize: {type: gaussian, average: 0, sigma: 0}}
)";

// small_grid followed by TAIL; built by append: GCC 12's -Warray-bounds misfires on
// std::string(literal) + literal once the headers come precompiled
std::string with_grid(const char* tail) {
    std::string text = small_grid;
    text.append(tail);
    return text;
}

} // namespace

TEST(Parameters, PathsAreUniqueAndEveryPathIsDocumented) {
    std::ifstream in(std::string(HEPKIT_SOURCE_DIR) + "/docs/formats.md");
    std::stringstream doc;
    doc << in.rdbuf();
    std::set<std::string_view> seen;
    for (const auto& p : grid_parameters()) {
        EXPECT_TRUE(seen.insert(p.path).second) << "duplicate path " << p.path;
        EXPECT_NE(doc.str().find(fmt::format("| `{}` |", p.path)), std::string::npos)
            << p.path << " has no row in docs/formats.md, \"Parameter paths\"";
        EXPECT_FALSE(p.unit.empty()) << p.path;
        EXPECT_FALSE(p.doc.empty()) << p.path;
    }
    EXPECT_GE(grid_parameters().size(), 40u);
}

// Each component registers its own config (register_parameters next to the component); these
// tests check, per component, that every field of its config struct is registered (the compiler
// counts the struct's fields, so a field added without its registration line fails here), that
// every parameter has a unit and a doc, and that every composed path has its row in
// docs/formats.md. Fields that a scenario reader reads itself are named, with the reason.
namespace {

std::string formats_md() {
    std::ifstream in(std::string(HEPKIT_SOURCE_DIR) + "/docs/formats.md");
    std::stringstream doc;
    doc << in.rdbuf();
    return doc.str();
}

// `registrations` fill one registry of Config; `prefix` is where the grid run composes them.
template <class Config>
void expect_complete(std::initializer_list<void (*)(ParameterRegistry<Config>&)> registrations,
                     std::size_t read_elsewhere = 0) {
    ParameterRegistry<Config> r;
    for (auto reg : registrations)
        reg(r);
    EXPECT_EQ(r.members() + read_elsewhere, test::field_count<Config>())
        << "a field of the config struct has no registration line (or a registration no field)";
    EXPECT_FALSE(r.parameters().empty());
    for (const auto& p : r.parameters()) {
        EXPECT_FALSE(p.unit.empty()) << p.path;
        EXPECT_FALSE(p.doc.empty()) << p.path;
        EXPECT_FALSE(p.scenario.empty()) << p.path;
        EXPECT_TRUE(p.set) << p.path;
    }
}

// Every grid parameter whose path starts with `prefix` is documented; returns how many there are.
std::size_t documented(std::string_view prefix) {
    const std::string doc = formats_md();
    std::size_t n = 0;
    for (const auto& p : grid_parameters())
        if (std::string_view(p.path).substr(0, prefix.size()) == prefix) {
            ++n;
            EXPECT_NE(doc.find(fmt::format("| `{}` |", p.path)), std::string::npos)
                << p.path << " has no row in docs/formats.md, \"Parameter paths\"";
        }
    return n;
}

} // namespace

TEST(ComponentParameters, CacheRegistersEveryField) {
    expect_complete<CacheConfig>({register_parameters, register_host_parameters});
    EXPECT_EQ(documented("cache.") + documented("caches."), 5u);
}

TEST(ComponentParameters, OutputStorageRegistersEveryField) {
    expect_complete<OutputStorageConfig>({register_parameters});
    EXPECT_EQ(documented("output_storage."), 2u);
}

TEST(ComponentParameters, StreamingRegistersEveryField) {
    expect_complete<StreamingConfig>({register_parameters});
    EXPECT_EQ(documented("streaming."), 6u);
}

TEST(ComponentParameters, JobsRegistersEveryField) {
    expect_complete<JobsConfig>({register_parameters});
    EXPECT_EQ(documented("jobs."), 3u);
}

TEST(ComponentParameters, DispatcherRegistersEveryField) {
    expect_complete<DispatcherConfig>({register_parameters});
    EXPECT_EQ(documented("dispatcher."), 1u);
}

TEST(ComponentParameters, QueueRegistersEveryField) {
    expect_complete<QueueConfig>({register_parameters});
    EXPECT_EQ(documented("queue."), test::field_count<QueueConfig>());
}

TEST(ComponentParameters, TimeSeriesRegistersEveryField) {
    expect_complete<TimeSeriesConfig>({register_parameters});
    EXPECT_EQ(documented("timeseries."), 2u);
}

TEST(ComponentParameters, RunLimitsRegistersEveryField) {
    expect_complete<RunLimits>({register_parameters});
    EXPECT_EQ(documented("limits."), 2u);
}

TEST(ComponentParameters, GpuRegistersEveryField) {
    expect_complete<GpuConfig>({register_parameters});
    expect_complete<GpuCalibration>({register_parameters});
    EXPECT_EQ(documented("gpu."), 1u + test::field_count<GpuCalibration>());
}

TEST(ComponentParameters, ProvisioningRegistersEveryField) {
    expect_complete<ProvisioningConfig>({register_parameters});
    expect_complete<ControllerSpec>({register_parameters});
    // An opportunistic site's name, its queue and boot time distributions, its overhead and its
    // background profile (steps, period) are read by the scenario's `opportunistic:` reader,
    // which checks them against the platform (GridScenario.cpp): 6 fields.
    expect_complete<OpportunisticSite>({register_parameters}, 6);
    EXPECT_EQ(documented("drones.controller."), test::field_count<ControllerSpec>());
    EXPECT_EQ(documented("drones.sites."), test::field_count<OpportunisticSite>() - 6);
}

TEST(ComponentParameters, GridOptionsComposesEveryComponent) {
    // every component config of GridOptions is composed; the seed is set by -s and `seed:`
    std::set<std::string> heads;
    for (const auto& p : grid_parameters())
        heads.insert(p.path.substr(0, p.path.find('.')));
    EXPECT_EQ(heads, (std::set<std::string>{"cache", "caches", "output_storage", "streaming", "jobs",
                                            "dispatcher", "queue", "timeseries", "limits", "gpu", "drones"}));
    EXPECT_EQ(grid_parameter_registry().members() + 1, test::field_count<GridOptions>());
}

TEST(Parameters, PathsReachTheNestedConfigs) {
    GridOptions o;
    set_parameter(o, "cache.hitrate", "0.5");
    set_parameter(o, "streaming.block_size", "500MB");
    set_parameter(o, "streaming.prefetch", "false");
    set_parameter(o, "dispatcher.policy", "least-loaded");
    set_parameter(o, "queue.backfill_depth", "0");
    set_parameter(o, "caches.t1-xcache.size", "50TB");
    set_parameter(o, "limits.max_sim_time", "2h");
    set_parameter(o, "drones.controller.type", "cobald"); // the older spelling
    set_parameter(o, "gpu.calibration.mps_max_clients", "16");
    EXPECT_DOUBLE_EQ(o.cache.hitrate, 0.5);
    EXPECT_DOUBLE_EQ(o.streaming.block_size, 5e8);
    EXPECT_FALSE(o.streaming.prefetch);
    EXPECT_EQ(o.dispatcher.policy, DispatchPolicy::least_loaded);
    EXPECT_EQ(o.queue.backfill_depth, 0u);
    EXPECT_DOUBLE_EQ(o.cache.sizes.at("t1-xcache"), 5e13);
    EXPECT_DOUBLE_EQ(o.limits.max_sim_time, 7200);
    EXPECT_EQ(o.drones.controller.kind, ControllerSpec::Kind::cobald_linear);
    EXPECT_EQ(o.gpu.calibration.mps_max_clients, 16);
    // a policy set twice for the same name replaces the first (--gpu-policy over a scenario's default)
    set_parameter(o, "gpu.sharing.default", "mps:4");
    set_parameter(o, "gpu.sharing.default", "divide:2");
    ASSERT_EQ(o.gpu.policies.size(), 1u);
    EXPECT_EQ(o.gpu.policies[0].second.describe(), parse_gpu_policy("divide:2").describe());
}

TEST(Parameters, BadValuesAndPathsNameTheKeyAndWhatIsAllowed) {
    GridOptions o;
    InputError e = input_error([&] { set_parameter(o, "cache.hitrate", "1.5", "scan.yaml"); });
    EXPECT_EQ(e.file(), "scan.yaml");
    EXPECT_EQ(e.key(), "cache.hitrate");
    EXPECT_EQ(e.message(), "must be between 0 and 1");
    e = input_error([&] { set_parameter(o, "dispatcher.policy", "random"); });
    EXPECT_EQ(e.message(), "'random' is not a dispatcher policy (allowed: dcsim, round-robin, least-loaded, "
                           "data-locality)");
    e = input_error([&] { set_parameter(o, "cache.hit_rate", "0.1"); });
    EXPECT_NE(e.message().find("'cache.hit_rate' is not a parameter path"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("cache caches output_storage streaming jobs"), std::string::npos) << e.what();
    // a site parameter needs the site
    e = input_error([&] { set_parameter(o, "drones.sites.HPC.max_drones", "4"); });
    EXPECT_NE(e.message().find("'HPC' is not an opportunistic site"), std::string::npos) << e.what();
}

TEST(Parameters, ScenarioSectionsGoThroughTheRegistry) {
    // The built-in scenario: options {hitrate: 0.2, cache_scope: network, xrd_flops_per_time: 1e9},
    // dispatcher: least-loaded; everything else at its default.
    const GridScenario s = default_grid_scenario();
    EXPECT_DOUBLE_EQ(s.options.cache.hitrate, 0.2);
    EXPECT_EQ(s.options.cache.scope, CacheScope::network);
    EXPECT_DOUBLE_EQ(s.options.streaming.xrd_flops_per_time, 1e9);
    EXPECT_EQ(s.options.dispatcher.policy, DispatchPolicy::least_loaded);
    EXPECT_DOUBLE_EQ(s.options.streaming.block_size, 1e9);
    EXPECT_EQ(s.options.queue.backfill_depth, 100u);

    const InputError e = input_error([] { scenario_from(with_grid("options: {hit_rate: 0.1}\n")); });
    EXPECT_EQ(e.file(), "test.yaml");
    EXPECT_EQ(e.key(), "options.hit_rate");
    EXPECT_NE(e.message().find("unknown key; allowed here: hitrate, caching, cache_scope"), std::string::npos)
        << e.what();
    const InputError range = input_error([] { scenario_from(with_grid("options:\n  duplications: 0\n")); });
    EXPECT_EQ(range.key(), "options.duplications");
    EXPECT_EQ(range.line(), std::count(small_grid, small_grid + std::strlen(small_grid), '\n') + 2);
    EXPECT_EQ(range.message(), "must be between 1 and 10000");
}

// The setting added through the registry alone (one field, one registry line, one docs line):
// timeseries.max_samples. Three 10 s jobs sampled every second: samples at 0, 1, ..., so a bound
// of 5 samples is passed at t = 5 s, while the default bound (1e7) lets the run end.
TEST(Parameters, TimeSeriesSampleBoundIsASetting) {
    RunOptions run;
    std::size_t samples = 0;
    run.sample = [&](const TimeSample&) { ++samples; };
    GridScenario s = scenario_from(with_grid("outputs: {interval: 1s}\n"));
    EXPECT_EQ(s.options.timeseries.max_samples, 10000000u);
    EXPECT_DOUBLE_EQ(sim::run(s, run).makespan, 10);
    EXPECT_GT(samples, 0u);

    s = scenario_from(with_grid("outputs: {interval: 1s, max_samples: 5}\n"));
    EXPECT_EQ(s.options.timeseries.max_samples, 5u);
    const InputError e = input_error([&] { sim::run(s, run); });
    EXPECT_EQ(e.key(), "interval");
    EXPECT_NE(e.message().find("the time series reached 5 samples (interval 1 s"), std::string::npos)
        << e.what();
    // the same from the command line or a scan, by its path; 0 is refused
    set_parameter(s.options, "timeseries.max_samples", "100");
    EXPECT_DOUBLE_EQ(sim::run(s, run).makespan, 10);
    EXPECT_EQ(input_error([&] { set_parameter(s.options, "timeseries.max_samples", "0"); }).message(),
              "must be between 1 and 1e9");
}

// The setting added the new way (one field in QueueConfig, one registration line next to it, one
// row in docs/formats.md): queue.max_pending. One worker core, three 10 s jobs: a (submitted at
// 0), b (at 1 s), c (at 2 s, priority 5). Unbounded, c jumps b when a ends: a 0-10, c 10-20,
// b 20-30. With max_pending 1, b is pending when c arrives, c is held until b starts: a 0-10,
// b 10-20, c 20-30.
TEST(Parameters, QueueMaxPendingHoldsLaterSubmissions) {
    const fs::path jobs = hepkit::test::temp_file("params", "max-pending.csv",
                                                  "id,submit,cores,memory,flops,inputs,output_size,priority\n"
                                                  "a,0,1,1GB,10Gf,,0,0\n"
                                                  "b,1s,1,1GB,10Gf,,0,0\n"
                                                  "c,2s,1,1GB,10Gf,,0,5\n");
    const std::string yaml = fmt::format(R"(
platform:
  id: T2
  routing: Full
  links: [{{id: l, bandwidth: 1GBps}}]
  hosts:
    - {{id: S, speed: 1Gf, props: {{type: storage}}, disks: [{{id: d, read_bw: 1GBps, write_bw: 1GBps, size: 1PB}}]}}
    - {{id: W, speed: 1Gf, cores: 1, props: {{type: worker, ram: 64GB}}}}
  routes: [{{src: S, dst: W, links: [l]}}]
jobs: {}
)",
                                         jobs.string());
    auto starts = [](GridScenario s) {
        std::map<std::string, double> start;
        RunOptions run;
        run.job_finished = [&](const JobRecord& r) { start[r.tag] = r.start; };
        EXPECT_DOUBLE_EQ(sim::run(std::move(s), run).makespan, 30);
        return start;
    };
    GridScenario s = scenario_from(yaml);
    EXPECT_EQ(s.options.queue.max_pending, 0u); // the default: no bound, today's behaviour
    EXPECT_EQ(starts(s), (std::map<std::string, double>{{"a", 0}, {"b", 20}, {"c", 10}}));

    s = scenario_from(yaml + "options: {max_pending: 1}\n");
    EXPECT_EQ(s.options.queue.max_pending, 1u);
    EXPECT_EQ(starts(s), (std::map<std::string, double>{{"a", 0}, {"b", 10}, {"c", 20}}));
    // the same from the command line or a scan, by its path
    s = scenario_from(yaml);
    set_parameter(s.options, "queue.max_pending", "1");
    EXPECT_EQ(starts(s), (std::map<std::string, double>{{"a", 0}, {"b", 10}, {"c", 20}}));
    EXPECT_EQ(input_error([&] { set_parameter(s.options, "queue.max_pending", "-1"); }).message(),
              "must be >= 0");
    fs::remove(jobs);
}

TEST(Run, SummaryIsTypedAndItsJsonIsTheFileWritten) {
    // 3 jobs of 10 s on 1 core each, side by side on W's 4 cores: makespan 10 s, CPU efficiency 1,
    // utilisation of site (zone) 3 x 10 core-s / (4 cores x 10 s) = 0.75.
    const fs::path json =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-run-summary.json");
    RunOptions o;
    o.summary = json.string();
    std::size_t seen = 0;
    o.job_finished = [&](const JobRecord&) { ++seen; };
    const Summary s = sim::run(scenario_from(small_grid), o);
    EXPECT_EQ(seen, 3u);
    EXPECT_EQ(s.jobs_total, 3u);
    EXPECT_EQ(s.overall.done, 3u);
    EXPECT_DOUBLE_EQ(s.makespan, 10);
    EXPECT_DOUBLE_EQ(s.overall.cpu_efficiency(), 1);
    ASSERT_EQ(s.sites.size(), 1u);
    EXPECT_DOUBLE_EQ(s.utilisation(s.sites.begin()->first), 0.75);
    EXPECT_EQ(s.dispatcher, "dcsim");
    EXPECT_EQ(config::load_json_file(json.string()), s.to_json());
    fs::remove(json);
}

TEST(Run, WorkloadThatDoesNotFitIsAScenarioErrorNamingTheScenario) {
    GridScenario s = scenario_from(small_grid);
    s.origin = "small.yaml";
    // A worker, not a storage host. (Assigned from a std::string: GCC 12 reports a false
    // -Wrestrict on assigning this short literal after inlining.)
    const std::string worker = "W";
    s.options.output_storage.host = worker;
    try {
        sim::run(std::move(s));
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.file(), "small.yaml");
        EXPECT_EQ(e.message(), "output storage 'W' is not a storage host");
    }
}

TEST(Scan, EveryParameterPathIsAScanParameter) {
    // jobs.duplications was no scan parameter before the registry: 400 jobs once, then twice.
    // `hitrate` is the older name of cache.hitrate and keeps working.
    const fs::path scan = hepkit::test::temp_file("params", "scan.yaml",
                                                  fmt::format("scenarios: [{}/examples/scan/scenario.yaml]\n"
                                                              "parameters:\n  jobs.duplications: [1, 2]\n"
                                                              "  hitrate: [0]\n",
                                                              HEPKIT_SOURCE_DIR));
    const ScanSpec spec = read_scan(scan.string());
    ASSERT_EQ(spec.points(), 2u);
    const auto rows = run_scan(spec, 0, 2);
    EXPECT_EQ(scan_header(spec).rfind("point,scenario,jobs.duplications,hitrate,jobs_done,", 0), 0u);
    EXPECT_NE(rows[0].find(",1,0,400,0,"), std::string::npos) << rows[0];
    EXPECT_NE(rows[1].find(",2,0,800,0,"), std::string::npos) << rows[1];

    const fs::path bad = hepkit::test::temp_file("params", "bad-scan.yaml",
                                                 "scenarios: [x.yaml]\nparameters:\n  cache.hit_rate: [0]\n");
    const InputError e = input_error([&] { read_scan(bad.string()); });
    EXPECT_EQ(e.key(), "parameters.cache.hit_rate");
    EXPECT_NE(e.message().find("unknown parameter"), std::string::npos);
    fs::remove(scan);
    fs::remove(bad);
}
