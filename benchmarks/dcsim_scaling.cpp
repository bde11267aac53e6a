// DCSim's scaling benchmark (the reference data's bench/README.md), run by hepkit.
//
// Job scan: N streaming 1-core jobs (10 input files of N(3.6 GB, 10%) on RemoteStorage, flops
// N(2.164428e12, 10%), output N(18 GB, 10%)) on sgbatch_scaletest.xml (60 cores), N = 10^3 ...
// 10^6. Host scan: plat_K10/K100/K1000 with N = 1000 and N = 16 K. Options as DCSim's
// `-s 42 -b 0 --xrd-flops-per-time 0`.
//
// Each configuration runs in a forked child so that its peak memory (ru_maxrss) is its own.
// Reported: wall time (building the workload + simulating), peak RSS, events, and the cost per
// job relative to N = 1000 measured in the same run (flat or ~log n is the target).

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include "ForkedRun.hpp"

#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {
// $HEPKIT_REFERENCE_DIR overrides the configured reference folder, as in the tests.
const fs::path bench_dir = [] {
    const char* env = std::getenv("HEPKIT_REFERENCE_DIR");
    return fs::path(env != nullptr && *env != '\0' ? env : HEPKIT_REFERENCE_DIR) / "bench";
}();

using Result = bench::ForkedResult;

// Builds and runs one configuration; returns wall time and events (run in a forked child).
std::pair<double, double> simulate(const fs::path& platform, std::int64_t n, bool slack = true) {
    auto wl = config::load_json_file((bench_dir / "workload_N1000.json").string());
    auto ds = config::load_json_file((bench_dir / "dataset_N1000.json").string());
    wl["bench"]["num_jobs"] = n;
    ds["bench_ds"]["num_files"] = 10 * n;
    const auto t0 = std::chrono::steady_clock::now();
    Platform p = load_platform(platform.string());
    WorkloadSources src;
    src.datasets.emplace_back(ds, "dataset");
    src.workloads.emplace_back(wl, "workload");
    GridScenario scenario;
    scenario.options.seed = 42;
    scenario.options.streaming.xrd_flops_per_time = 0;
    scenario.workload = build_workload(p, src, scenario.options.seed);
    scenario.platform.emplace(std::move(p));
    RunOptions options;
    options.slack_decomposition = slack;
    const Summary summary = sim::run(std::move(scenario), options);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (summary.overall.done != static_cast<std::size_t>(n))
        _exit(1);
    return {wall, static_cast<double>(summary.events)};
}

Result run_forked(const fs::path& platform, std::int64_t n, bool slack = true) {
    return bench::run_forked([&] { return simulate(platform, n, slack); });
}

void report(benchmark::State& state, const Result& r, const Result& base, std::int64_t n) {
    if (!r.ok) {
        state.SkipWithError("run failed");
        return;
    }
    state.counters["wall_s"] = r.wall_s;
    state.counters["peak_MiB"] = r.peak_mib;
    state.counters["events"] = r.events;
    state.counters["events_per_s"] = r.events / r.wall_s;
    state.counters["cost_per_job_vs_N1000"] = (r.wall_s / static_cast<double>(n)) / (base.wall_s / 1000.0);
}

void JobScan(benchmark::State& state) {
    if (!fs::exists(bench_dir)) {
        state.SkipWithError("reference data (HEPKIT_REFERENCE_DIR/bench) not found");
        return;
    }
    const fs::path platform = bench_dir / "../dcsim-data/platform-files/sgbatch_scaletest.xml";
    for (auto _ : state) {
        const Result base = run_forked(platform, 1000);
        const Result r = state.range(0) == 1000 ? base : run_forked(platform, state.range(0));
        report(state, r, base, state.range(0));
    }
}
BENCHMARK(JobScan)
    ->Arg(1000)
    ->Arg(3000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// Host scan: args are K (hosts) and N (jobs; 0 means 16 K).
void HostScan(benchmark::State& state) {
    if (!fs::exists(bench_dir)) {
        state.SkipWithError("reference data (HEPKIT_REFERENCE_DIR/bench) not found");
        return;
    }
    const std::int64_t k = state.range(0);
    const std::int64_t n = state.range(1) > 0 ? state.range(1) : 16 * k;
    const fs::path platform = bench_dir / fmt::format("plat_K{}.xml", k);
    for (auto _ : state) {
        const Result base = run_forked(bench_dir / "plat_K10.xml", 1000);
        report(state, run_forked(platform, n), base, n);
    }
}
BENCHMARK(HostScan)
    ->Args({10, 1000})
    ->Args({10, 0})
    ->Args({100, 1000})
    ->Args({100, 0})
    ->Args({1000, 1000})
    ->Args({1000, 0})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// The solver's slack decomposition on and off, same configuration, same run (the traces are
// identical; counters: wall time of each and their ratio).
void SlackDecomposition(benchmark::State& state) {
    if (!fs::exists(bench_dir)) {
        state.SkipWithError("reference data (HEPKIT_REFERENCE_DIR/bench) not found");
        return;
    }
    const fs::path platform = bench_dir / fmt::format("plat_K{}.xml", state.range(0));
    for (auto _ : state) {
        const Result on = run_forked(platform, state.range(1), true);
        const Result off = run_forked(platform, state.range(1), false);
        if (!bench::report_on_off(state, on, off))
            return;
    }
}
BENCHMARK(SlackDecomposition)
    ->Args({100, 1600})
    ->Args({1000, 1000})
    ->Args({1000, 2000})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

} // namespace

BENCHMARK_MAIN();
