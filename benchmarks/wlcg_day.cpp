// WLCG at full scale (issue #4): a generated WLCG day (`hepkit generate wlcg`) simulated on one
// core. Each configuration runs in a forked child (own peak RSS). Reported: wall time (loading
// the generated files + simulating), peak memory, events per second, and the cost per job
// relative to the smallest configuration of the same series, measured in the same run.
//
//   Day/<preset>: tiny, small, medium, full (full: 164 sites, ~750k cores, ~1.2M jobs)
//   Jobs/<n>:     164 sites, n = 10^3 ... 10^6 jobs (cost per job should stay flat or ~log n)
//   Sites/<k>:    k = 10 ... 200 sites (k/10 Tier-1s), 100 000 jobs

#include "ForkedRun.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/grid/Run.hpp"
#include "hepkit/sim/grid/WlcgGenerator.hpp"

#include <benchmark/benchmark.h>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

std::pair<double, double> simulate(const std::string& dir, bool slack = true) {
    const auto t0 = std::chrono::steady_clock::now();
    const config::YamlView root(config::load_yaml_file(dir + "/scenario.yaml"), dir + "/scenario.yaml");
    RunOptions options;
    options.slack_decomposition = slack;
    const Summary summary = sim::run(read_grid_scenario(root, dir), options);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (summary.overall.done != summary.jobs_total)
        _exit(1);
    return {wall, static_cast<double>(summary.events)};
}

bench::ForkedResult run(const WlcgSpec& spec, const std::string& tag, std::uint64_t& jobs) {
    const std::string dir =
        (fs::temp_directory_path() / fmt::format("hepkit-wlcg-bench-{}-{}", ::getpid(), tag)).string();
    jobs = generate_wlcg(spec, dir).jobs;
    auto r = bench::run_forked([&] { return simulate(dir); });
    fs::remove_all(dir);
    return r;
}

void report(benchmark::State& state, const bench::ForkedResult& r, std::uint64_t jobs, double base_cost) {
    if (!r.ok) {
        state.SkipWithError("run failed");
        return;
    }
    state.counters["jobs"] = static_cast<double>(jobs);
    state.counters["wall_s"] = r.wall_s;
    state.counters["peak_MiB"] = r.peak_mib;
    state.counters["events"] = r.events;
    state.counters["events_per_s"] = r.events / r.wall_s;
    state.counters["us_per_job"] = 1e6 * r.wall_s / static_cast<double>(jobs);
    if (base_cost > 0)
        state.counters["cost_per_job_vs_smallest"] = (r.wall_s / static_cast<double>(jobs)) / base_cost;
}

void Day(benchmark::State& state) {
    static const char* presets[] = {"tiny", "small", "medium", "full"};
    const std::string preset = presets[state.range(0)];
    for (auto _ : state) {
        std::uint64_t jobs = 0;
        const auto r = run(WlcgSpec::preset(preset), preset, jobs);
        report(state, r, jobs, 0);
    }
    state.SetLabel(preset);
}
BENCHMARK(Day)->DenseRange(0, 3)->Unit(benchmark::kSecond)->Iterations(1);

void Jobs(benchmark::State& state) {
    for (auto _ : state) {
        WlcgSpec base = WlcgSpec::preset("full");
        base.jobs = 1000;
        std::uint64_t base_jobs = 0;
        const auto b = run(base, "jobs-base", base_jobs);
        WlcgSpec spec = WlcgSpec::preset("full");
        spec.jobs = static_cast<std::uint64_t>(state.range(0));
        std::uint64_t jobs = 0;
        const auto r = run(spec, "jobs", jobs);
        report(state, r, jobs, b.wall_s / static_cast<double>(base_jobs));
    }
}
BENCHMARK(Jobs)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kSecond)->Iterations(1);

void Sites(benchmark::State& state) {
    auto spec_for = [](std::int64_t k) {
        WlcgSpec s = WlcgSpec::preset("full");
        s.tier1 = static_cast<int>(std::max<std::int64_t>(1, k / 10));
        s.tier2 = static_cast<int>(k - 1 - s.tier1);
        s.jobs = 100000;
        return s;
    };
    for (auto _ : state) {
        std::uint64_t base_jobs = 0, jobs = 0;
        const auto b = run(spec_for(10), "sites-base", base_jobs);
        const auto r = run(spec_for(state.range(0)), "sites", jobs);
        report(state, r, jobs, b.wall_s / static_cast<double>(base_jobs));
    }
}
BENCHMARK(Sites)->Arg(10)->Arg(50)->Arg(100)->Arg(200)->Unit(benchmark::kSecond)->Iterations(1);

// The solver's slack decomposition on and off on the same generated day (k sites, 100 000 jobs),
// same run: identical results, wall time of each and their ratio.
void SitesSlack(benchmark::State& state) {
    WlcgSpec spec = WlcgSpec::preset("full");
    spec.tier1 = static_cast<int>(std::max<std::int64_t>(1, state.range(0) / 10));
    spec.tier2 = static_cast<int>(state.range(0) - 1 - spec.tier1);
    spec.jobs = 100000;
    for (auto _ : state) {
        const std::string dir =
            (fs::temp_directory_path() / fmt::format("hepkit-wlcg-bench-{}-slack", ::getpid())).string();
        generate_wlcg(spec, dir);
        const auto on = bench::run_forked([&] { return simulate(dir, true); });
        const auto off = bench::run_forked([&] { return simulate(dir, false); });
        fs::remove_all(dir);
        if (!bench::report_on_off(state, on, off))
            return;
    }
}
BENCHMARK(SitesSlack)->Arg(100)->Arg(200)->Unit(benchmark::kSecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
