#pragma once
// The small platforms the placement tests (PlacementTest.cpp, TimedPlacementTest.cpp) place jobs
// on by hand: a storage host behind a 100 GBps NIC and clusters of 4-core 10 Gf nodes.

#include "PlacedOutputs.hpp"
#include "Placement.hpp"
#include "PlatformFacts.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace hepkit::surrogate::test {

using namespace hepkit::surrogate::detail;

// A storage host behind a 100 GBps NIC, its disk 100 GBps; worker clusters of 4-core 10 Gf nodes
// on 1 GBps links, each behind a 2 GBps campus link to the storage's zone.
inline std::string platform_xml(const std::vector<int>& nodes, const std::string& read_bw = "100GBps",
                                const std::string& write_bw = "100GBps") {
    const auto clusters = static_cast<int>(nodes.size());
    std::string x = "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                    "<platform version=\"4.1\"><zone id=\"grid\" routing=\"Full\">\n"
                    "<zone id=\"st\" routing=\"Floyd\"><host id=\"se\" speed=\"1Gf\" core=\"1\">"
                    "<prop id=\"type\" value=\"storage\"/><disk id=\"d\" read_bw=\"" +
                    read_bw + "\" write_bw=\"" + write_bw +
                    "\">"
                    "<prop id=\"size\" value=\"1PB\"/><prop id=\"mount\" value=\"/\"/></disk></host>"
                    "<router id=\"st-gw\"/><link id=\"se-nic\" bandwidth=\"100GBps\" latency=\"10us\"/>"
                    "<route src=\"se\" dst=\"st-gw\"><link_ctn id=\"se-nic\"/></route></zone>\n";
    const char* names[] = {"a", "b"};
    for (int c = 0; c < clusters; ++c)
        x += std::string("<cluster id=\"") + names[c] + "\" prefix=\"" + names[c] +
             "\" suffix=\"\" radical=\"1-" + std::to_string(nodes[static_cast<std::size_t>(c)]) +
             "\" speed=\"10Gf\" core=\"4\" bw=\"1GBps\" lat=\"10us\" router_id=\"" + names[c] +
             "-gw\"><prop id=\"type\" value=\"worker\"/></cluster>\n<link id=\"campus-" + names[c] +
             "\" bandwidth=\"2GBps\" latency=\"1ms\"/>\n";
    for (int c = 0; c < clusters; ++c)
        x += std::string("<zoneRoute src=\"st\" dst=\"") + names[c] + "\" gw_src=\"st-gw\" gw_dst=\"" +
             names[c] + "-gw\"><link_ctn id=\"campus-" + names[c] + "\"/></zoneRoute>\n";
    return x + "</zone></platform>\n";
}

struct Fixture {
    sim::Platform p;
    std::vector<sim::HostIndex> workers, storages, caches;
    std::vector<std::vector<sim::Route>> routes, cache_routes;
    std::vector<char> cached;
    ReadContext context(sim::DispatchPolicy policy) const {
        ReadContext c = context_over(workers, storages, caches, routes, cache_routes, cached);
        c.storage_bw = 100e9;
        c.policy = policy;
        return c;
    }
};

inline Fixture make(const std::vector<int>& nodes, const std::string& read_bw = "100GBps",
                    const std::string& write_bw = "100GBps") {
    namespace fs = std::filesystem;
    const fs::path file =
        fs::temp_directory_path() / ("hepkit-placement-" + std::to_string(::getpid()) + ".xml");
    std::ofstream(file) << platform_xml(nodes, read_bw, write_bw);
    Fixture f{sim::load_platform(file.string()), {}, {}, {}, {}, {}, {}};
    fs::remove(file);
    for (sim::HostIndex h = 0; h < f.p.host_count(); ++h) {
        if (has_role(f.p.host(h), "worker"))
            f.workers.push_back(h);
        if (has_role(f.p.host(h), "storage"))
            f.storages.push_back(h);
    }
    for (const auto w : f.workers) {
        f.routes.push_back(routes_from(f.p, w, f.storages));
        f.cache_routes.emplace_back();
        f.cached.push_back(0);
    }
    return f;
}

inline sim::JobGroup group(double submit, bool reads, std::size_t jobs, double cores_each, double flops_each,
                           double input_each) {
    const auto n = static_cast<double>(jobs);
    sim::JobGroup g{submit, reads, jobs, n * cores_each, n * flops_each, n * input_each};
    g.flops_max = flops_each;
    return g;
}

// One cluster of three 4-core nodes with the routes a write and the reads take (placed_outputs):
// a write goes up its node's 1 GBps link, over the 2 GBps campus link (latency 1 ms) and the
// storage's 100 GBps NIC to its 100 GBps disk; the TCP window 4 MiB / (2 × 1.02 ms) does not bind.

struct OutputFixture {
    Fixture f;
    std::vector<std::vector<sim::Route>> routes_in, cache_in;
    std::vector<sim::Route> out_routes;
    std::vector<int> out_hosts;
    std::vector<double> write_bw;
    std::vector<std::vector<sim::HostIndex>> sources_in, cache_sources_in;
    std::vector<sim::Route> back_routes;
    ReadContext context(bool shared_disks = true, bool crosstraffic = true) const {
        ReadContext c = f.context(sim::DispatchPolicy::dcsim);
        if (crosstraffic)
            c.output_routes_back = &back_routes;
        c.storage_routes_in = &routes_in;
        c.cache_routes_in = &cache_in;
        if (shared_disks) {
            c.storage_sources_in = &sources_in;
            c.cache_sources_in = &cache_sources_in;
        }
        c.output_routes = &out_routes;
        c.output_hosts = &out_hosts;
        c.output_write_bw = &write_bw;
        c.latency_factor = 13.01;
        c.tcp_gamma = 4194304;
        c.bandwidth_factor = 0.97;
        return c;
    }
};

inline OutputFixture make_outputs(const std::string& read_bw = "100GBps",
                                  const std::string& write_bw = "100GBps", double write_bw_value = 100e9) {
    OutputFixture o{make({3}, read_bw, write_bw), {}, {}, {}, {}, {}, {}, {}, {}};
    for (const auto w : o.f.workers) {
        o.routes_in.push_back(routes_from(o.f.p, o.f.storages.front(), {w}));
        o.cache_in.emplace_back();
        o.sources_in.emplace_back(o.routes_in.back().size(), o.f.storages.front());
        o.cache_sources_in.emplace_back();
        o.out_routes.push_back(o.f.p.route(w, o.f.storages.front()));
        o.back_routes.push_back(o.f.p.route(o.f.storages.front(), w));
        o.out_hosts.push_back(static_cast<int>(o.f.storages.front()));
        o.write_bw.push_back(write_bw_value);
    }
    return o;
}

inline std::vector<double> outputs_of(const OutputFixture& o, const std::vector<sim::JobGroup>& jobs,
                                      const std::vector<double>& bytes) {
    const ReadContext c = o.context();
    return placed_outputs(o.f.p, c, jobs, placed_jobs(o.f.p, jobs, c), bytes).equal;
}

} // namespace hepkit::surrogate::test
