// Engine benchmarks (issue #2). Every figure that matters is a ratio measured in the same run:
//  - EventsPerSecond: a simple workload (chains of computations on 1000 hosts); also the cost
//    of one event relative to one push+pop of a std::priority_queue of the same size.
//  - EqualFlowsOneLink/n: n concurrent equal flows on one shared link (LV08 network model);
//    cost per event must stay ~log n; peak memory reported (VmHWM).
//  - LazyVsFull/n: n flows on a random 1000-link multi-site topology, solved lazily and fully
//    in the same run; reports full/lazy time and resources visited per solve.

#include "hepkit/core/Random.hpp"
#include "hepkit/sim/Simulation.hpp"

#include <benchmark/benchmark.h>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <queue>
#include <string>

using namespace hepkit;
using namespace hepkit::sim;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

// Each of `hosts` resources runs a chain: when an activity ends, the next starts.
struct Chains : Engine::Listener {
    Engine& engine;
    std::vector<ResourceId> res;
    std::vector<std::uint32_t> left;
    std::vector<std::uint32_t> owner; // activity -> chain
    std::mt19937_64 rng{1};
    Chains(Engine& e, int hosts, std::uint32_t per_chain)
        : engine(e), left(static_cast<std::size_t>(hosts), per_chain) {
        for (int h = 0; h < hosts; ++h)
            res.push_back(e.add_resource(1e9, MaxMinSolver::Sharing::shared));
    }
    void launch(std::uint32_t chain) {
        SharingSpec s;
        s.elements = {{res[chain], 1.0}};
        const ActivityId id = engine.start(1e9 * (0.5 + uniform01(rng)), s);
        if (owner.size() <= id)
            owner.resize(id + 1);
        owner[id] = chain;
    }
    void on_activity_done(ActivityId id, double) override {
        const auto c = owner[id];
        if (--left[c] > 0)
            launch(c);
    }
    void on_timer(std::uint64_t, double) override {}
};

void EventsPerSecond(benchmark::State& state) {
    const auto total = static_cast<std::uint32_t>(state.range(0));
    const int hosts = 1000;
    double engine_s = 0, heap_s = 0;
    std::uint64_t events = 0;
    for (auto _ : state) {
        Engine engine;
        Chains chains(engine, hosts, total / hosts);
        engine.set_listener(&chains);
        for (std::uint32_t c = 0; c < static_cast<std::uint32_t>(hosts); ++c)
            chains.launch(c);
        auto t0 = std::chrono::steady_clock::now();
        engine.run();
        engine_s += seconds_since(t0);
        events += engine.events_processed();
        // baseline in the same run: the same number of push+pop on a heap of `hosts` entries
        std::priority_queue<double, std::vector<double>, std::greater<>> heap;
        for (int i = 0; i < hosts; ++i)
            heap.push(static_cast<double>(i));
        t0 = std::chrono::steady_clock::now();
        double x = 0;
        for (std::uint64_t i = 0; i < engine.events_processed(); ++i) {
            x = heap.top();
            heap.pop();
            heap.push(x + 1.5);
        }
        benchmark::DoNotOptimize(x);
        heap_s += seconds_since(t0);
    }
    state.counters["events_per_s"] = static_cast<double>(events) / engine_s;
    state.counters["ns_per_event"] = 1e9 * engine_s / static_cast<double>(events);
    state.counters["ratio_to_heap_op"] = engine_s / heap_s;
}
BENCHMARK(EventsPerSecond)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);

Platform two_host_platform() {
    Platform p;
    const ZoneIndex z = p.add_zone("bench", Routing::full, Platform::none);
    for (const char* name : {"a", "b"}) {
        HostSpec h;
        h.id = name;
        h.speed = 1e9;
        p.add_host(z, std::move(h));
    }
    p.add_link(LinkSpec{"link", 1.25e9, 1e-3, LinkSharing::shared});
    p.add_route(z, *p.find_point("a"), *p.find_point("b"), std::nullopt, std::nullopt, {LinkRef{"link"}},
                true);
    p.seal();
    return p;
}

struct Counter : Engine::Listener {
    std::uint64_t done = 0;
    void on_activity_done(ActivityId, double) override { ++done; }
    void on_timer(std::uint64_t, double) override {}
};

// n equal flows a->b of random sizes, all started at t = 0: one class, n completions.
double run_equal_flows(std::int64_t n, std::uint64_t& events) {
    Simulation sim(two_host_platform(), {});
    Counter counter;
    sim.engine().set_listener(&counter);
    auto rng = RandomStreams(3).stream("sizes");
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < n; ++i)
        sim.network().transfer(0, 1, 1e6 * (1 + uniform01(rng)));
    sim.engine().run();
    events = sim.engine().events_processed();
    return seconds_since(t0);
}

void EqualFlowsOneLink(benchmark::State& state) {
    std::uint64_t events = 0;
    double wall = 0;
    for (auto _ : state)
        wall += run_equal_flows(state.range(0), events);
    state.counters["wall_s"] = wall;
    state.counters["ns_per_event"] = 1e9 * wall / static_cast<double>(events);
    state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(EqualFlowsOneLink)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Cost per event at n relative to n = 1000, both measured in this run: ~log n means the ratio
// grows like log(n)/log(1000) (2 at 10^6), O(n) would make it 1000.
void EqualFlowsScaling(benchmark::State& state) {
    for (auto _ : state) {
        std::uint64_t e0 = 0, e1 = 0;
        const double base = run_equal_flows(1000, e0) / static_cast<double>(e0);
        const double big = run_equal_flows(state.range(0), e1) / static_cast<double>(e1);
        state.counters["cost_per_event_ratio"] = big / base;
    }
}
BENCHMARK(EqualFlowsScaling)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);

// A random multi-site topology of ~1000 links: 50 sites in a random tree (49 WAN links), each
// site a router with ~19 hosts on their own links. Flows arrive over time (Poisson), 90% stay
// inside their site; sizes 0.1-1 GB.
struct Topology {
    Platform platform;
    std::vector<std::vector<HostIndex>> sites;
};

Topology random_topology(std::uint64_t seed) {
    Topology t;
    auto rng = RandomStreams(seed).stream("topology");
    Platform& p = t.platform;
    const ZoneIndex z = p.add_zone("grid", Routing::floyd, Platform::none);
    const int sites = 50, per_site = 19;
    int links = 0;
    for (int s = 0; s < sites; ++s) {
        const std::string router = fmt::format("r{}", s);
        p.add_router(z, router);
        t.sites.emplace_back();
        for (int h = 0; h < per_site; ++h) {
            HostSpec hs;
            hs.id = fmt::format("s{}h{}", s, h);
            hs.speed = 1e10;
            t.sites.back().push_back(p.add_host(z, hs));
            const std::string l = fmt::format("l{}", links++);
            p.add_link(LinkSpec{l, 1.25e8 * (1 + 9 * uniform01(rng)), 1e-4, LinkSharing::shared});
            p.add_route(z, *p.find_point(hs.id), *p.find_point(router), std::nullopt, std::nullopt,
                        {LinkRef{l}}, true);
        }
        if (s > 0) {
            const std::string l = fmt::format("wan{}", s);
            p.add_link(LinkSpec{l, 1.25e9 * (1 + 3 * uniform01(rng)), 5e-3 + 2e-2 * uniform01(rng),
                                LinkSharing::shared});
            p.add_route(z, *p.find_point(fmt::format("r{}", rng() % static_cast<std::uint64_t>(s))),
                        *p.find_point(router), std::nullopt, std::nullopt, {LinkRef{l}}, true);
        }
    }
    p.seal();
    return t;
}

struct Arrivals : Engine::Listener {
    Simulation& sim;
    const Topology& topo;
    std::mt19937_64 rng{11};
    std::int64_t left;
    double mean_gap;
    Arrivals(Simulation& s, const Topology& t, std::int64_t n, double gap)
        : sim(s), topo(t), left(n), mean_gap(gap) {}
    void next(double now) {
        if (left-- <= 0)
            return;
        sim.engine().schedule_timer(now - mean_gap * std::log(1 - uniform01(rng)), 0);
    }
    void on_timer(std::uint64_t, double now) override {
        const auto& site = topo.sites[rng() % topo.sites.size()];
        const auto& other = uniform01(rng) < 0.9 ? site : topo.sites[rng() % topo.sites.size()];
        const HostIndex a = site[rng() % site.size()];
        HostIndex b = other[rng() % other.size()];
        if (a == b)
            b = site[(rng() % (site.size() - 1) + 1 + a) % site.size()];
        sim.network().transfer(a, b, 1e8 + 9e8 * uniform01(rng));
        next(now);
    }
    void on_activity_done(ActivityId, double) override {}
};

struct RunStats {
    double wall;
    std::uint64_t events;
    double resources_per_event;
};

RunStats run_topology(const Topology& topo, std::int64_t flows, MaxMinSolver::Mode mode) {
    Simulation::Config cfg;
    cfg.engine.mode = mode;
    Platform copy = topo.platform; // each run owns its platform
    Simulation sim(std::move(copy), cfg);
    Arrivals arrivals(sim, topo, flows, 0.01); // ~100 flows/s, each lasting seconds: ~1000 concurrent
    sim.engine().set_listener(&arrivals);
    const auto t0 = std::chrono::steady_clock::now();
    arrivals.next(0);
    sim.engine().run();
    const double wall = seconds_since(t0);
    return {wall, sim.engine().events_processed(),
            static_cast<double>(sim.engine().solver().resources_solved()) /
                static_cast<double>(sim.engine().events_processed())};
}

void LazyVsFull(benchmark::State& state) {
    const Topology topo = random_topology(5);
    for (auto _ : state) {
        const RunStats lazy = run_topology(topo, state.range(0), MaxMinSolver::Mode::lazy);
        const RunStats full = run_topology(topo, state.range(0), MaxMinSolver::Mode::full);
        state.counters["lazy_s"] = lazy.wall;
        state.counters["full_s"] = full.wall;
        state.counters["full_over_lazy"] = full.wall / lazy.wall;
        state.counters["events"] = static_cast<double>(lazy.events);
        state.counters["lazy_resources_per_event"] = lazy.resources_per_event;
        state.counters["full_resources_per_event"] = full.resources_per_event;
    }
}
BENCHMARK(LazyVsFull)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
