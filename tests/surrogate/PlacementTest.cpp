// The `pack_*` features (src/surrogate/Placement.hpp) by hand on small platforms: where the job
// groups land under each dispatcher policy, and what their readers share.

#include "Placement.hpp"
#include "MaxMin.hpp"
#include "PlacedOutputs.hpp"
#include "PlatformFacts.hpp"
#include "TimedPlacement.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <tuple>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate::detail;

namespace {

// A storage host behind a 100 GBps NIC, its disk 100 GBps; worker clusters of 4-core 10 Gf nodes
// on 1 GBps links, each behind a 2 GBps campus link to the storage's zone.
std::string platform_xml(const std::vector<int>& nodes, const std::string& read_bw = "100GBps",
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

Fixture make(const std::vector<int>& nodes, const std::string& read_bw = "100GBps",
             const std::string& write_bw = "100GBps") {
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

sim::JobGroup group(double submit, bool reads, std::size_t jobs, double cores_each, double flops_each,
                    double input_each) {
    const auto n = static_cast<double>(jobs);
    sim::JobGroup g{submit, reads, jobs, n * cores_each, n * flops_each, n * input_each};
    g.flops_max = flops_each;
    return g;
}

} // namespace

// One cluster of 3 nodes. Six one-core readers of 10 GB and 1e12 flop (100 s at 10 Gf) fill node
// a1 (4) and a2 (2) first fit; a 4-core calculation of 8e12 flop (200 s on its 4 cores), submitted
// with them but after them, fits only on a3. Node a1's readers share its 1 GBps link by 4 (all at
// once: 40 s, alone 10 s), a2's by 2 — but the campus link's 2 GBps by 6 is less: 30 s.
TEST(SurrogatePlacement, OneSiteFirstFitByHand) {
    const Fixture f = make({3});
    ASSERT_EQ(f.workers.size(), 3u);
    const std::vector<sim::JobGroup> groups{group(0, true, 6, 1, 1e12, 10e9), group(0, false, 1, 4, 8e12, 0)};
    for (const auto policy : {sim::DispatchPolicy::least_loaded, sim::DispatchPolicy::dcsim,
                              sim::DispatchPolicy::data_locality, sim::DispatchPolicy::round_robin}) {
        const PackedReads r = packed_reads(f.p, groups, f.context(policy));
        EXPECT_DOUBLE_EQ(r.readers, 6);
        EXPECT_NEAR(r.transfer_crowd_s, (4 * 40.0 + 2 * 30.0) / 6, 1e-9);
        EXPECT_NEAR(r.transfer_alone_s, 10, 1e-9);
        EXPECT_NEAR(r.reader_compute_s, 100, 1e-9);
        // alone + all × all / (compute + all)
        const double a1 = 10 + 40.0 * 40 / 140, a2 = 10 + 30.0 * 30 / 130;
        EXPECT_NEAR(r.transfer_mean_s, (4 * a1 + 2 * a2) / 6, 1e-9);
        EXPECT_NEAR(r.transfer_max_s, a1, 1e-9);
        EXPECT_NEAR(r.compute_mean_s, (6 * 100.0 + 200) / 7, 1e-9);
    }
    // the latest end of a computation: the readers' at 100 s, the calculation's at 200 s
    EXPECT_NEAR(packed_reads(f.p, groups, f.context(sim::DispatchPolicy::dcsim)).compute_end_max_s, 200,
                1e-9);
    {
        // the readers' largest job computes 3e12 flop (300 s); a calculation submitted at 500 s
        // ends at 700 s
        std::vector<sim::JobGroup> tail = groups;
        tail[0].flops_max = 3e12;
        EXPECT_NEAR(packed_reads(f.p, tail, f.context(sim::DispatchPolicy::dcsim)).compute_end_max_s, 300,
                    1e-9);
        tail[1].submit = 500;
        EXPECT_NEAR(packed_reads(f.p, tail, f.context(sim::DispatchPolicy::dcsim)).compute_end_max_s, 700,
                    1e-9);
    }
    // submitted first, the calculation takes a1; the readers a2 (4) and a3 (2)
    const std::vector<sim::JobGroup> calc_first{group(0, true, 6, 1, 1e12, 10e9),
                                                group(-1, false, 1, 4, 8e12, 0)};
    const PackedReads r = packed_reads(f.p, calc_first, f.context(sim::DispatchPolicy::least_loaded));
    EXPECT_NEAR(r.transfer_crowd_s, (4 * 40.0 + 2 * 30.0) / 6, 1e-9); // the same shares on other nodes
    // jobs that do not fit wait: 20 readers on 12 cores, 12 placed
    const PackedReads full =
        packed_reads(f.p, {group(0, true, 20, 1, 1e12, 10e9)}, f.context(sim::DispatchPolicy::dcsim));
    EXPECT_DOUBLE_EQ(full.readers, 12);
    EXPECT_NEAR(full.transfer_crowd_s, 60, 1e-9); // the campus link by 12 (2 GBps / 12 < 1 GBps / 4)
}

// The same jobs one by one (placed_jobs, the platform-aware model's per-job inputs): each job
// where the dispatcher would put it, its compute there, and its input at its worker's rate; jobs
// that wait get the mean speed and the placed readers' mean rate.
TEST(SurrogatePlacement, JobsOneByOneByHand) {
    const Fixture f = make({3});
    std::vector<sim::JobGroup> jobs(6, group(0, true, 1, 1, 1e12, 10e9));
    jobs.push_back(group(0, false, 1, 4, 8e12, 0));
    jobs[5].flops = jobs[5].flops_max = 2e12; // the last reader (on a2) computes twice as long
    const double a1 = 10 + 40.0 * 40 / 140;
    for (const auto policy : {sim::DispatchPolicy::least_loaded, sim::DispatchPolicy::dcsim}) {
        const std::vector<PlacedJob> out = placed_jobs(f.p, jobs, f.context(policy));
        ASSERT_EQ(out.size(), jobs.size());
        for (std::size_t j = 0; j < jobs.size(); ++j)
            EXPECT_DOUBLE_EQ(out[j].placed, 1) << j;
        for (std::size_t j = 0; j < 4; ++j) { // a1
            EXPECT_NEAR(out[j].compute_s, 100, 1e-9);
            EXPECT_NEAR(out[j].transfer_s, a1, 1e-9);
        }
        // a2: its readers' duty cycle from their mean compute, (100 + 200) / 2
        const double a2_mixed = 10 + 30.0 * 30 / 180;
        EXPECT_NEAR(out[4].transfer_s, a2_mixed, 1e-9);
        EXPECT_NEAR(out[5].compute_s, 200, 1e-9);
        EXPECT_NEAR(out[6].compute_s, 200, 1e-9); // the calculation on a3's 4 cores
        EXPECT_DOUBLE_EQ(out[6].transfer_s, 0);
    }
    // 14 readers on 12 cores: the last two wait, at the mean speed and the placed readers' rate
    const std::vector<PlacedJob> out =
        placed_jobs(f.p, std::vector<sim::JobGroup>(14, group(0, true, 1, 1, 1e12, 10e9)),
                    f.context(sim::DispatchPolicy::dcsim));
    const double each = 10 + 60.0 * 60 / 160; // the campus link by 12
    for (std::size_t j = 0; j < 14; ++j) {
        EXPECT_DOUBLE_EQ(out[j].placed, j < 12 ? 1 : 0) << j;
        EXPECT_NEAR(out[j].compute_s, 100, 1e-9) << j;
        EXPECT_NEAR(out[j].transfer_s, each, 1e-9) << j;
    }
}

// One job at a time on two sites of one 4-core node each, as sim::Dispatcher::pick places it:
// least-loaded the site of the lower busy share (ties to the first), round-robin the next site;
// whole jobs, so 8 one-core jobs all run and a ninth waits (a levelled placement of each job would
// leave fractions of cores on both sites that no job can use).
TEST(SurrogatePlacement, JobsOneByOneOnTwoSites) {
    const Fixture f = make({1, 1});
    ASSERT_EQ(f.workers.size(), 2u);
    for (const auto policy : {sim::DispatchPolicy::least_loaded, sim::DispatchPolicy::round_robin,
                              sim::DispatchPolicy::data_locality}) {
        const std::vector<PlacedJob> out = placed_jobs(
            f.p, std::vector<sim::JobGroup>(9, group(0, true, 1, 1, 1e12, 10e9)), f.context(policy));
        for (std::size_t j = 0; j < 9; ++j)
            EXPECT_DOUBLE_EQ(out[j].placed, j < 8 ? 1 : 0) << j;
        // 4 readers per node: each node's 1 GBps link by 4 (40 s), its campus link's 2 GBps by 4
        EXPECT_NEAR(out[0].transfer_s, 10 + 40.0 * 40 / 140, 1e-9);
    }
    // three 3-core jobs: the first on a, the second on b (a's share 3/4), the third fits on
    // neither (1 core left on each): it waits
    const std::vector<PlacedJob> three =
        placed_jobs(f.p, std::vector<sim::JobGroup>(3, group(0, false, 1, 3, 3e12, 0)),
                    f.context(sim::DispatchPolicy::least_loaded));
    EXPECT_DOUBLE_EQ(three[0].placed + three[1].placed + three[2].placed, 2);
    EXPECT_DOUBLE_EQ(three[2].placed, 0);
    EXPECT_NEAR(three[0].compute_s, 100, 1e-9); // 3e12 flop on 3 cores of 10 Gf
}

// Two sites of 2 nodes: least-loaded levels the sites' busy cores (3 readers each, first fit
// within: a1 and b1), dcsim fills by name (a1 4, a2 2).
TEST(SurrogatePlacement, TwoSitesLevelOrFillByName) {
    const Fixture f = make({2, 2});
    ASSERT_EQ(f.workers.size(), 4u);
    const std::vector<sim::JobGroup> groups{group(0, true, 6, 1, 1e12, 10e9)};
    const PackedReads level = packed_reads(f.p, groups, f.context(sim::DispatchPolicy::least_loaded));
    EXPECT_DOUBLE_EQ(level.readers, 6);
    // a1's 3 readers: min(1 GBps / 3, 2 GBps / 3) → 30 s; the same on b1
    EXPECT_NEAR(level.transfer_crowd_s, 30, 1e-9);
    const PackedReads by_name = packed_reads(f.p, groups, f.context(sim::DispatchPolicy::dcsim));
    // a1: min(1/4, 2/6) GBps → 40 s; a2: min(1/2, 2/6) → 30 s
    EXPECT_NEAR(by_name.transfer_crowd_s, (4 * 40.0 + 2 * 30.0) / 6, 1e-9);
    // nothing to read: no readers, no transfer
    const PackedReads none =
        packed_reads(f.p, {group(0, false, 3, 2, 1e12, 0)}, f.context(sim::DispatchPolicy::dcsim));
    EXPECT_EQ(none.readers, 0);
    EXPECT_EQ(none.transfer_mean_s, 0);
    EXPECT_NEAR(none.compute_mean_s, 1e12 / 20e9, 1e-12);
}

// Sites of 3 nodes and of 1: least-loaded levels their shares of busy cores (12 : 4 → 4.5 and 1.5
// of 6 readers, a fraction of a job on a2), round-robin their job counts (3 and 3).
TEST(SurrogatePlacement, RoundRobinLevelsJobCounts) {
    const Fixture f = make({3, 1});
    const std::vector<sim::JobGroup> groups{group(0, true, 6, 1, 1e12, 10e9)};
    const PackedReads counts = packed_reads(f.p, groups, f.context(sim::DispatchPolicy::round_robin));
    EXPECT_NEAR(counts.transfer_crowd_s, 30, 1e-6); // a1 and b1: 3 readers on 1 GBps each
    const PackedReads level = packed_reads(f.p, groups, f.context(sim::DispatchPolicy::least_loaded));
    // a1 4 readers at min(1/4, 2/4.5) GBps: 40 s; a2 0.5 at 2/4.5: 22.5 s; b1 1.5 at 1/1.5: 15 s
    EXPECT_NEAR(level.transfer_crowd_s, (4 * 40.0 + 0.5 * 22.5 + 1.5 * 15) / 6, 1e-6);
}

// Hits come only from a cache in the worker's scope: here a1's (its route the storage's, its disk
// a slow 0.1 GBps), at the hit rate 0.5; a2 has none and reads everything from the storage.
TEST(SurrogatePlacement, HitsOnlyWhereACacheIsInScope) {
    Fixture f = make({3});
    f.cached[0] = 1;
    f.cache_routes[0] = f.routes[0];
    ReadContext c = f.context(sim::DispatchPolicy::least_loaded);
    c.hitrate = 0.5;
    c.cache_bw = 0.1e9;
    const PackedReads r = packed_reads(f.p, {group(0, true, 6, 1, 1e12, 10e9)}, c);
    // a1: 5 GB hits over 0.1 GBps / 2 hitting readers (100 s) + 5 GB misses at 1 GBps / 4 (20 s);
    // a2: 10 GB at the campus link's 2 GBps / 6 (30 s)
    EXPECT_NEAR(r.transfer_crowd_s, (4 * 120.0 + 2 * 30) / 6, 1e-6);
    // alone: a1 5 GB at 0.1 GBps + 5 GB at 1 GBps; a2 10 GB at 1 GBps
    EXPECT_NEAR(r.transfer_alone_s, (4 * 55.0 + 2 * 10) / 6, 1e-6);
}

// Output writes (placed_outputs, the platform-aware model's `placed_output_s`), by hand on one
// cluster of three 4-core nodes: a write goes up its node's 1 GBps link, over the 2 GBps campus
// link (latency 1 ms) and the storage's 100 GBps NIC to its 100 GBps disk; the TCP window
// 4 MiB / (2 × 1.02 ms) does not bind. Each write takes 1.02 ms × 13.01, then its bytes at the
// bandwidth factor 0.97 times the least share of its links.
namespace {

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

OutputFixture make_outputs(const std::string& read_bw = "100GBps", const std::string& write_bw = "100GBps",
                           double write_bw_value = 100e9) {
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

std::vector<double> outputs_of(const OutputFixture& o, const std::vector<sim::JobGroup>& jobs,
                               const std::vector<double>& bytes) {
    const ReadContext c = o.context();
    return placed_outputs(o.f.p, c, jobs, placed_jobs(o.f.p, jobs, c), bytes).equal;
}

} // namespace

TEST(SurrogatePlacement, OutputWritesByHand) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    // Three 4-core calculations of 100 s (4e12 flop at 4 × 10 Gf), one per node, end at once:
    // their 1 GB writes share the campus link by three (0.667 GBps, less than a node's link); a
    // fourth waits (no core free) and writes alone at its node link's 1 GBps.
    const std::vector<sim::JobGroup> calcs(4, group(0, false, 1, 4, 4e12, 0));
    const auto out = outputs_of(o, calcs, {1e9, 1e9, 1e9, 1e9});
    for (std::size_t j = 0; j < 3; ++j)
        EXPECT_NEAR(out[j], delay + 1e9 / (0.97 * 2e9 / 3), 1e-9) << j;
    EXPECT_NEAR(out[3], delay + 1e9 / (0.97 * 1e9), 1e-9);
    // Ending 25 s apart (the second computes 5e12 flop: 125 s), each writes alone: 1 GBps.
    const auto apart =
        outputs_of(o, {group(0, false, 1, 4, 4e12, 0), group(0, false, 1, 4, 5e12, 0)}, {1e9, 2e9});
    EXPECT_NEAR(apart[0], delay + 1e9 / 0.97e9, 1e-9);
    EXPECT_NEAR(apart[1], delay + 2e9 / 0.97e9, 1e-9);
    // No output, no write.
    EXPECT_DOUBLE_EQ(outputs_of(o, calcs, {0, 0, 0, 0})[0], 0);
}

// Four one-core readers of 10 GB and 1e11 flop fill node a1 (dcsim: by name): they share its
// 1 GBps link by four (all at once 40 s, alone 10 s, compute 10 s: transfer 10 + 40² / 50 =
// 42 s), reading 42 / 52 of their 52 s on the campus link. A calculation of 40 s on a2 writes
// while they read: the campus link's 2 GBps over itself and 4 × 42 / 52 readers.
TEST(SurrogatePlacement, OutputWriteBesideReaders) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    std::vector<sim::JobGroup> jobs(4, group(0, true, 1, 1, 1e11, 10e9));
    jobs.push_back(group(0, false, 1, 4, 1.6e12, 0));
    const std::vector<double> bytes{0, 0, 0, 0, 1e9};
    const auto placed = placed_jobs(o.f.p, jobs, o.context());
    ASSERT_NEAR(placed[0].transfer_s, 42, 1e-9);
    ASSERT_NEAR(placed[4].compute_s, 40, 1e-9);
    const double duty = 42.0 / 52;
    EXPECT_NEAR(outputs_of(o, jobs, bytes)[4], delay + 1e9 / (0.97 * 2e9 / (1 + 4 * duty)), 1e-9);
    // Max-min, with a fifth reader of 1e12 flop on a3 (a2 holds the calculation): a1's readers are
    // held to a1's 1 GBps link (1 / 4·duty each, less than the campus link's 2 / (4·duty + d5 + 1)),
    // so the write and a3's reader share what they leave of the campus link (1 GBps) — equally
    // shared, the write would get 2 / (1 + 4·duty + d5), alone its own link's 1 GBps.
    std::vector<sim::JobGroup> more = jobs;
    more.push_back(group(0, true, 1, 1, 1e12, 10e9));
    std::vector<double> more_bytes = bytes;
    more_bytes.push_back(0);
    const ReadContext c = o.context();
    const auto more_placed = placed_jobs(o.f.p, more, c);
    ASSERT_EQ(more_placed[5].worker, 2);
    const auto duty_of = [&](std::size_t j) {
        return more_placed[j].transfer_s / (more_placed[j].compute_s + more_placed[j].transfer_s);
    };
    const double a1 = 4 * duty_of(0), d5 = duty_of(5);
    ASSERT_LT(1 / a1, 2 / (a1 + d5 + 1));
    EXPECT_NEAR(placed_outputs(o.f.p, c, more, more_placed, more_bytes).max_min[4],
                delay + 1e9 / (0.97 * 1e9 / (1 + d5)), 1e-9);
    EXPECT_NEAR(placed_outputs(o.f.p, c, more, more_placed, more_bytes).equal[4],
                delay + 1e9 / (0.97 * 2e9 / (1 + a1 + d5)), 1e-9);
    // Submitted 60 s later, the write comes after the reads: alone.
    jobs[4].submit = 60;
    EXPECT_NEAR(outputs_of(o, jobs, bytes)[4], delay + 1e9 / 0.97e9, 1e-9);
}

// The same four readers and write, the storage's disk at 1 GBps for reads and writes: the write
// shares the disk's resource of both (sim::DiskModel) with the readers streaming from it, 1 GBps
// over itself and 4 × 42 / 52 readers, less than its campus link's share; max-min gives the same
// (the disk holds the readers too: 1 / (1 + 4·duty) each, under a1's 1 / (4·duty)). Without the
// readers' source hosts the disk is not shared: the campus link's share.
TEST(SurrogatePlacement, OutputWriteSharesTheDiskItsReadersStreamFrom) {
    const OutputFixture o = make_outputs("1GBps", "1GBps", 1e9);
    const double delay = 1.02e-3 * 13.01;
    std::vector<sim::JobGroup> jobs(4, group(0, true, 1, 1, 1e11, 10e9));
    jobs.push_back(group(0, false, 1, 4, 1.6e12, 0));
    const std::vector<double> bytes{0, 0, 0, 0, 1e9};
    const ReadContext c = o.context();
    const auto placed = placed_jobs(o.f.p, jobs, c);
    ASSERT_NEAR(placed[0].transfer_s, 42, 1e-9); // (the reads' own estimate pools the disks)
    const double duty = 42.0 / 52;
    const auto shared = placed_outputs(o.f.p, c, jobs, placed, bytes);
    EXPECT_NEAR(shared.equal[4], delay + 1e9 / (0.97 * 1e9 / (1 + 4 * duty)), 1e-9);
    EXPECT_NEAR(shared.max_min[4], delay + 1e9 / (0.97 * 1e9 / (1 + 4 * duty)), 1e-9);
    const ReadContext apart = o.context(false);
    EXPECT_NEAR(placed_outputs(o.f.p, apart, jobs, placed, bytes).equal[4],
                delay + 1e9 / (0.97 * 2e9 / (1 + 4 * duty)), 1e-9);
    // a write with no reader beside it: the disk's write bandwidth alone
    EXPECT_NEAR(placed_outputs(o.f.p, c, {jobs[4]}, placed_jobs(o.f.p, {jobs[4]}, c), {1e9}).equal[0],
                delay + 1e9 / 0.97e9, 1e-9);

    // The shared resource holds max(read, write): 1.5 GBps both ways round. Equal shares: 1.5 over
    // the write and 4·duty readers (under the campus link's 2 / (1 + 4·duty) and the write's own
    // bandwidth). Max-min: with reads at 0.5 GBps the readers are held to that (their disk's read
    // bandwidth, before a1's link) and the write takes the rest, 1 GBps, its node's link; with
    // writes at 0.5 GBps, the write bandwidth binds.
    const double d4 = 1 + 4 * duty;
    for (const auto& [read, write, w, equal, max_min] :
         {std::tuple{"0.5GBps", "1.5GBps", 1.5e9, 1.5e9 / d4, 1e9},
          std::tuple{"1.5GBps", "0.5GBps", 0.5e9, 1.5e9 / d4, 0.5e9}}) {
        const OutputFixture a = make_outputs(read, write, w);
        const ReadContext ca = a.context();
        const auto pa = placed_jobs(a.f.p, jobs, ca);
        const auto x = placed_outputs(a.f.p, ca, jobs, pa, bytes);
        EXPECT_NEAR(x.equal[4], delay + 1e9 / (0.97 * equal), 1e-9) << read << " " << write;
        EXPECT_NEAR(x.max_min[4], delay + 1e9 / (0.97 * max_min), 1e-9) << read << " " << write;
    }
    // source hosts that do not match the routes: a logic error, not a wrong estimate
    OutputFixture bad = make_outputs("1GBps", "1GBps", 1e9);
    bad.sources_in.back().push_back(0);
    EXPECT_THROW(placed_outputs(bad.f.p, bad.context(), jobs, placed, bytes), std::logic_error);
    bad = make_outputs("1GBps", "1GBps", 1e9);
    bad.sources_in.front().front() = static_cast<sim::HostIndex>(bad.f.p.host_count());
    EXPECT_THROW(placed_outputs(bad.f.p, bad.context(), jobs, placed, bytes), std::logic_error);
}

// A write from the node its readers stream to: up its split-duplex node link, which is free, but
// the network model's cross-traffic puts every flow on its way back too (weight 0.05), and a
// max-min share binds a flow there whatever its weight: the write gets what each of the readers
// gets on the node's down link. Three one-core readers of 10 GB (10 s of compute) and a one-core
// calculation of 40 s fill a1; the readers read 32.5 s (10 + 30² / 40) of their 42.5.
TEST(SurrogatePlacement, OutputWriteHeldOnItsWayBack) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    std::vector<sim::JobGroup> jobs(3, group(0, true, 1, 1, 1e11, 10e9));
    jobs.push_back(group(0, false, 1, 1, 4e11, 0));
    const std::vector<double> bytes{0, 0, 0, 1e9};
    const ReadContext c = o.context();
    const auto placed = placed_jobs(o.f.p, jobs, c);
    ASSERT_EQ(placed[3].worker, 0);
    ASSERT_NEAR(placed[0].transfer_s, 32.5, 1e-9);
    ASSERT_NEAR(placed[3].compute_s, 40, 1e-9);
    const double d3 = 1 + 3 * 32.5 / 42.5;
    const auto back = placed_outputs(o.f.p, c, jobs, placed, bytes);
    EXPECT_NEAR(back.equal[3], delay + 1e9 / (0.97 * 1e9 / d3), 1e-9);
    EXPECT_NEAR(back.max_min[3], delay + 1e9 / (0.97 * 1e9 / d3), 1e-9);
    // without cross-traffic: the campus link's share (equal), its rest up to the node link (max-min)
    const auto none = placed_outputs(o.f.p, o.context(true, false), jobs, placed, bytes);
    EXPECT_NEAR(none.equal[3], delay + 1e9 / (0.97 * 2e9 / d3), 1e-9);
    EXPECT_NEAR(none.max_min[3], delay + 1e9 / (0.97 * 1e9), 1e-9);
}

// Max-min by hand: link A (10) carries class 1 (one flow) and class 2 (two flows), link B (4)
// class 2 and class 3 (one flow). B fills first, at 4 / 3 per flow; class 1 takes the rest of A,
// 10 − 2 × 4/3. With class 1 capped at 5 it stops there; with class 3 present a quarter of the
// time, B's 4 go to 2.25 flows; a class without flows gets 0.
TEST(SurrogatePlacement, MaxMinByHand) {
    FlowClasses f{{10, 4}, {{0}, {0, 1}, {1}}, {}};
    auto x = f.max_min({1, 2, 1});
    EXPECT_NEAR(x[1], 4.0 / 3, 1e-12);
    EXPECT_NEAR(x[2], 4.0 / 3, 1e-12);
    EXPECT_NEAR(x[0], 10 - 8.0 / 3, 1e-12);
    f.cap = {5, 1e300, 1e300};
    x = f.max_min({1, 2, 1});
    EXPECT_NEAR(x[0], 5, 1e-12);
    EXPECT_NEAR(x[1], 4.0 / 3, 1e-12);
    x = f.max_min({1, 2, 0.25});
    EXPECT_NEAR(x[1], 4 / 2.25, 1e-12);
    EXPECT_NEAR(x[2], 4 / 2.25, 1e-12);
    EXPECT_DOUBLE_EQ(f.max_min({0, 2, 1})[0], 0);
    // the capacity shared exactly: A carries 10 − nothing left
    f.cap.clear();
    x = f.max_min({1, 2, 1});
    EXPECT_NEAR(1 * x[0] + 2 * x[1], 10, 1e-9);
    EXPECT_NEAR(2 * x[1] + 1 * x[2], 4, 1e-9);
}

// The jobs followed past the first burst (timed_jobs), by hand on one cluster of three 4-core
// nodes (dcsim: first fit by name, a1 before a2 before a3).
namespace {

std::vector<PlacedJob> timed(const Fixture& f, const std::vector<sim::JobGroup>& jobs,
                             const std::vector<char>& streaming, const std::vector<int>& priority = {},
                             std::size_t backfill_depth = 100) {
    ReadContext c = f.context(sim::DispatchPolicy::dcsim);
    c.backfill_depth = backfill_depth;
    std::vector<JobNeeds> needs(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        needs[i] = {1e9, priority.empty() ? 0 : priority[i], streaming[i] != 0};
    return timed_jobs(f.p, jobs, needs, c, placed_jobs(f.p, jobs, c));
}

} // namespace

// Fourteen one-core calculations of 100 s on 12 cores: twelve start at once, the last two when the
// first node's jobs end (100 s, on a1); one submitted at 50 s waits for them too, one at 250 s
// starts then. Queued behind a 4-core job that cannot start, a one-core job starts at once
// (backfill), and the 4-core job when a whole node is free.
TEST(SurrogatePlacement, TimedJobsStartWhenCoresFree) {
    const Fixture f = make({3});
    std::vector<sim::JobGroup> jobs(14, group(0, false, 1, 1, 1e12, 0));
    jobs.push_back(group(50, false, 1, 1, 1e12, 0));
    jobs.push_back(group(250, false, 1, 1, 1e12, 0));
    const auto out = timed(f, jobs, std::vector<char>(jobs.size(), 0));
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const double start = j < 12 ? 0 : j < 15 ? 100 : 250;
        EXPECT_DOUBLE_EQ(out[j].start_s, start) << j;
        EXPECT_DOUBLE_EQ(out[j].placed, j < 12 || j == 15 ? 1 : 0) << j;
        EXPECT_EQ(out[j].worker, j < 12 ? static_cast<int>(j / 4) : 0) << j;
        EXPECT_NEAR(out[j].compute_s, 100, 1e-9) << j;
        EXPECT_DOUBLE_EQ(out[j].transfer_s, 0) << j;
    }
    // 11 one-core jobs leave one core on a3; a 4-core job waits, the one-core job behind it
    // takes that core at once; the 4-core job starts at 100 s on a1
    std::vector<sim::JobGroup> shapes(11, group(0, false, 1, 1, 1e12, 0));
    shapes.push_back(group(0, false, 1, 4, 4e12, 0));
    shapes.push_back(group(0, false, 1, 1, 1e12, 0));
    const auto b = timed(f, shapes, std::vector<char>(shapes.size(), 0));
    EXPECT_DOUBLE_EQ(b[12].start_s, 0);
    EXPECT_EQ(b[12].worker, 2);
    EXPECT_DOUBLE_EQ(b[11].start_s, 100);
    EXPECT_EQ(b[11].worker, 0);
    EXPECT_DOUBLE_EQ(b[11].placed, 0);
    // the queue starts at the first submission, also before 0 s
    const auto early = timed(f, {group(-10, false, 1, 1, 1e12, 0)}, {0});
    EXPECT_DOUBLE_EQ(early[0].start_s, -10);
    EXPECT_DOUBLE_EQ(early[0].placed, 1);
    // a job larger than any node never starts: the first burst's result (waiting)
    const auto big = timed(f, {group(0, false, 1, 5, 1e12, 0)}, {0});
    EXPECT_EQ(big[0].worker, -1);
    EXPECT_DOUBLE_EQ(big[0].placed, 0);
    // ... and never enters the queue: 150 of them queued ahead of a one-core job do not block it
    // even with a backfill depth of 2 (it starts when the first node frees, at 100 s)
    std::vector<sim::JobGroup> blocked(12, group(0, false, 1, 1, 1e12, 0));
    blocked.insert(blocked.end(), 150, group(0, false, 1, 5, 1e12, 0));
    blocked.push_back(group(0, false, 1, 1, 1e12, 0));
    const auto behind = timed(f, blocked, std::vector<char>(blocked.size(), 0), {}, 2);
    EXPECT_EQ(behind[162].worker, 0);
    EXPECT_DOUBLE_EQ(behind[162].start_s, 100);
    // Priorities: on one 4-core node busy with jobs ending at 100, 200, 300 and 400 s, a job
    // submitted at 10 s and one at 20 s wait for a core; the later one with the higher priority
    // starts first (100 s), the other at 200 s — in submission order without priorities.
    const Fixture small = make({1});
    std::vector<sim::JobGroup> prio;
    for (int k = 1; k <= 4; ++k)
        prio.push_back(group(0, false, 1, 1, k * 1e12, 0));
    prio.push_back(group(10, false, 1, 1, 1e12, 0));
    prio.push_back(group(20, false, 1, 1, 1e12, 0));
    const auto fifo = timed(small, prio, std::vector<char>(6, 0));
    EXPECT_DOUBLE_EQ(fifo[4].start_s, 100);
    EXPECT_DOUBLE_EQ(fifo[5].start_s, 200);
    const auto by_priority = timed(small, prio, std::vector<char>(6, 0), {0, 0, 0, 0, 0, 5});
    EXPECT_DOUBLE_EQ(by_priority[5].start_s, 100);
    EXPECT_DOUBLE_EQ(by_priority[4].start_s, 200);
    // Backfill depth: behind a 4-core job that waits for the whole node (400 s), a one-core job
    // takes the core freed at 100 s — not with depth 0 (strict order), where it starts after it.
    std::vector<sim::JobGroup> shaped(prio.begin(), prio.begin() + 4);
    shaped.push_back(group(10, false, 1, 4, 4e12, 0));
    shaped.push_back(group(20, false, 1, 1, 1e12, 0));
    EXPECT_DOUBLE_EQ(timed(small, shaped, std::vector<char>(6, 0))[5].start_s, 100);
    const auto strict = timed(small, shaped, std::vector<char>(6, 0), {}, 0);
    EXPECT_DOUBLE_EQ(strict[4].start_s, 400);
    EXPECT_DOUBLE_EQ(strict[5].start_s, 500); // after the 4-core job's 100 s
    // 5000 one-core jobs on 12 cores (the queue compacted as it drains): job j starts at
    // ⌊j / 12⌋ × 100 s
    const auto many = timed(f, std::vector<sim::JobGroup>(5000, group(0, false, 1, 1, 1e12, 0)),
                            std::vector<char>(5000, 0));
    for (std::size_t j = 0; j < 5000; j += 37)
        EXPECT_DOUBLE_EQ(many[j].start_s, static_cast<double>(j / 12) * 100) << j;
    EXPECT_DOUBLE_EQ(many[4999].start_s, 416 * 100.0);
}

// Readers: a copy job reads at its crowd's share all the time it reads. Two copy jobs of 10 GB on
// a1 reading at once share its 1 GBps link (20 s each); submitted 50 s apart, each reads alone
// (10 s). Streaming jobs all at once get placed_jobs' estimate: four on a1, 10 s alone, 40 s with
// all, 10 s of compute: 10 + 40² / 50 = 42 s.
TEST(SurrogatePlacement, TimedReadersShareOverTheirLives) {
    const Fixture f = make({3});
    const auto together = timed(f, std::vector<sim::JobGroup>(2, group(0, true, 1, 1, 1e12, 10e9)), {0, 0});
    for (const auto& q : together) {
        EXPECT_EQ(q.worker, 0);
        EXPECT_NEAR(q.transfer_s, 20, 1e-9);
        EXPECT_NEAR(q.compute_s, 100, 1e-9);
    }
    const auto apart =
        timed(f, {group(0, true, 1, 1, 1e12, 10e9), group(50, true, 1, 1, 1e12, 10e9)}, {0, 0});
    EXPECT_NEAR(apart[0].transfer_s, 10, 1e-9);
    EXPECT_NEAR(apart[1].transfer_s, 10, 1e-9);
    EXPECT_DOUBLE_EQ(apart[1].start_s, 50);
    const std::vector<sim::JobGroup> streams(4, group(0, true, 1, 1, 1e11, 10e9));
    const ReadContext c = f.context(sim::DispatchPolicy::dcsim);
    const auto burst = placed_jobs(f.p, streams, c);
    const auto at_once = timed(f, streams, {1, 1, 1, 1});
    for (std::size_t j = 0; j < 4; ++j) {
        EXPECT_NEAR(at_once[j].transfer_s, 42, 1e-9) << j;
        EXPECT_NEAR(at_once[j].transfer_s, burst[j].transfer_s, 1e-9) << j;
    }
    // two streaming readers on a1 (10 + 20² / 30 = 23.3 s each), a third submitted at 16 s, about
    // halfway through their lives: each counts the other for the share of its life they overlap,
    // so the first two read longer than with two, shorter than with three at once (10 + 30² / 40)
    const auto three = timed(f,
                             {group(0, true, 1, 1, 1e11, 10e9), group(0, true, 1, 1, 1e11, 10e9),
                              group(16, true, 1, 1, 1e11, 10e9)},
                             {1, 1, 1});
    EXPECT_EQ(three[2].worker, 0);
    EXPECT_DOUBLE_EQ(three[2].start_s, 16);
    for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_GT(three[j].transfer_s, 10 + 20.0 * 20 / 30 + 0.1) << j;
        EXPECT_LT(three[j].transfer_s, 10 + 30.0 * 30 / 40 - 0.1) << j;
    }
    EXPECT_NEAR(three[0].transfer_s, three[1].transfer_s, 1e-9);
}

// Every read is bounded by its TCP window over the round trip, γ / (2 × latency), as the
// simulator bounds every flow (sim::NetworkModel): with γ chosen so that the bound is 0.5 GBps, a
// copy reader of 10 GB alone on a1 (1 GBps link) takes 20 s, not 10; two together share the link
// at 0.5 GBps each, which the bound does not lower further (20 s either way); a bandwidth factor
// scales what is left.
TEST(SurrogatePlacement, TimedReadsBoundedByTheTcpWindow) {
    const Fixture f = make({3});
    const double latency = f.routes[0][0].latency;
    ASSERT_GT(latency, 0);
    const auto run = [&](const std::vector<sim::JobGroup>& jobs, double gamma, double factor = 1) {
        ReadContext c = f.context(sim::DispatchPolicy::dcsim);
        c.tcp_gamma = gamma;
        c.bandwidth_factor = factor;
        const std::vector<JobNeeds> needs(jobs.size(), JobNeeds{1e9, 0, false});
        return timed_jobs(f.p, jobs, needs, c, placed_jobs(f.p, jobs, c));
    };
    const double gamma = 0.5e9 * 2 * latency;
    EXPECT_NEAR(run({group(0, true, 1, 1, 1e12, 10e9)}, 0)[0].transfer_s, 10, 1e-9);
    EXPECT_NEAR(run({group(0, true, 1, 1, 1e12, 10e9)}, gamma)[0].transfer_s, 20, 1e-9);
    for (const auto& q : run(std::vector<sim::JobGroup>(2, group(0, true, 1, 1, 1e12, 10e9)), gamma))
        EXPECT_NEAR(q.transfer_s, 20, 1e-9);
    // the rate is the share or the bound times the network's bandwidth factor (0.97 by default)
    EXPECT_NEAR(run({group(0, true, 1, 1, 1e12, 10e9)}, 0, 0.5)[0].transfer_s, 20, 1e-9);
    EXPECT_NEAR(run({group(0, true, 1, 1, 1e12, 10e9)}, gamma, 0.5)[0].transfer_s, 40, 1e-9);
}

// A streaming reader counts in a copy reader's crowd by the share of its life it reads with the
// copy jobs' view of the crowd, not with its own rule (which counts every overlapping reader as
// reading all the time). Three streaming readers of 10 GB and 100 s on a1 (1 GBps) beside a copy
// reader of 10 GB: by their own rule they read 21.2 s each, a duty of 21.2 / 121.2 = 0.17, and
// the copy reader's crowd would be 1 + 3 · 0.17 — 15.3 s (the rule before); in the copy jobs'
// view their crowd stays below one reader (a share counts at least 1), so they read as alone,
// 10 s, a duty of 10 / 110: 10 · (1 + 3 / 11) = 12.73 s.
TEST(SurrogatePlacement, TimedStreamingDutyInTheCopyJobsView) {
    const Fixture f = make({3});
    std::vector<sim::JobGroup> jobs(3, group(0, true, 1, 1, 1e12, 10e9));
    jobs.push_back(group(0, true, 1, 1, 1e12, 10e9));
    const auto q = timed(f, jobs, {1, 1, 1, 0});
    for (const auto& j : q)
        EXPECT_EQ(j.worker, 0);
    for (std::size_t j = 0; j < 3; ++j) // their own rule, unchanged: alone plus the crowd by its duty
        EXPECT_NEAR(q[j].transfer_s, 21.18, 0.01) << j;
    EXPECT_NEAR(q[3].transfer_s, 10 * (1 + 3.0 / 11), 1e-6);
}

// The three views of a reader's crowd that go to the per-job model beside its estimate: alone,
// every reader whose life overlaps counted whole, each by its duty. Four readers of 10 GB on one
// 1 GBps route, three streaming (100 s of compute each) and one copy job, all starting at 0.
TEST(SurrogatePlacement, TimedReadViews) {
    const Fixture f = make({3});
    std::vector<sim::JobGroup> jobs(4, group(0, true, 1, 1, 1e12, 10e9));
    const auto q = timed(f, jobs, {1, 1, 1, 0});
    for (const auto& j : q) {
        EXPECT_DOUBLE_EQ(j.transfer_alone_s, 10);           // alone on the route
        EXPECT_GE(j.transfer_crowd_s, j.transfer_shared_s); // here; not in general (other windows)
    }
    for (std::size_t j = 0; j < 3; ++j) {
        // the streaming estimate is made of two of them: alone plus the counted crowd by its duty
        const double all = q[j].transfer_crowd_s;
        EXPECT_NEAR(q[j].transfer_s, 10 + all * all / (q[j].compute_s + all), 1e-9) << j;
        // the four count whole over the streaming life's reads: at most four at a time
        EXPECT_GT(all, 30) << j;
        EXPECT_LE(all, 40 + 1e-9) << j;
        // by their duty: the streaming readers read ~10 of their ~110 s, the copy job its first
        // ~13 s of them — less than one reader at a time on average, so no slower than alone
        EXPECT_DOUBLE_EQ(q[j].transfer_shared_s, 10) << j;
    }
    // the copy job: its estimate is the duty-weighted view; counted whole, all four read while it
    // reads: 10 GB at a quarter of 1 GBps
    EXPECT_DOUBLE_EQ(q[3].transfer_shared_s, q[3].transfer_s);
    EXPECT_NEAR(q[3].transfer_crowd_s, 40, 1e-9);

    // Four streaming readers with 10 s of compute read most of their lives. Counted whole: 40 s.
    // By duty: each counts the four by the share of their lives they read in the round before
    // (the burst's 42 s, then 40 × 42 / 52), over its own life: 40 × t / (10 + t).
    const auto busy = timed(f, std::vector<sim::JobGroup>(4, group(0, true, 1, 1, 1e11, 10e9)), {1, 1, 1, 1});
    const double first = 40 * 42.0 / 52;
    for (const auto& j : busy) {
        EXPECT_NEAR(j.transfer_crowd_s, 40, 1e-9);
        EXPECT_NEAR(j.transfer_shared_s, 40 * first / (10 + first), 1e-9);
    }
    // Two copy jobs 50 s apart: the first has read (10 s) before the second starts. A copy job's
    // crowd is taken over its read, and the counted view holds a reader for its whole life (the
    // first computes until 110 s): the first reads alone either way, the second with it counted.
    const auto apart =
        timed(f, {group(0, true, 1, 1, 1e12, 10e9), group(50, true, 1, 1, 1e12, 10e9)}, {0, 0});
    EXPECT_NEAR(apart[0].transfer_crowd_s, 10, 1e-9);
    EXPECT_NEAR(apart[0].transfer_shared_s, 10, 1e-9);
    EXPECT_NEAR(apart[1].transfer_crowd_s, 20, 1e-9);
    EXPECT_NEAR(apart[1].transfer_shared_s, 10, 1e-9);
}

// A copy job reads its input first and computes after (sim's non-streaming jobs): it holds its
// routes only while it reads, at its whole share, not for the share of its life it reads. The
// four readers of OutputWriteBesideReaders as copy jobs read 42 s of their 52: a write at 40 s
// shares the campus link with all four (2 GBps over 5), one at 45 s comes after their reads and
// writes alone — where, taken as streaming readers, they would still hold 4 × 42 / 52 of it.
TEST(SurrogatePlacement, OutputWriteAfterCopyJobsRead) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    const ReadContext c = o.context();
    const std::vector<std::uint8_t> copies{1, 1, 1, 1, 0};
    const std::vector<double> bytes{0, 0, 0, 0, 1e9};
    for (const auto& [flops, equal, max_min] :
         {std::tuple{1.6e12, 2e9 / 5, 1e9}, std::tuple{1.8e12, 1e9, 1e9}}) {
        std::vector<sim::JobGroup> jobs(4, group(0, true, 1, 1, 1e11, 10e9));
        jobs.push_back(group(0, false, 1, 4, flops, 0));
        const auto placed = placed_jobs(o.f.p, jobs, c);
        ASSERT_NEAR(placed[0].transfer_s, 42, 1e-9);
        const auto x = placed_outputs(o.f.p, c, jobs, placed, bytes, copies);
        EXPECT_NEAR(x.equal[4], delay + 1e9 / (0.97 * equal), 1e-9) << flops;
        EXPECT_NEAR(x.max_min[4], delay + 1e9 / (0.97 * max_min), 1e-9) << flops;
        if (flops == 1.8e12) { // as streaming readers: still on the campus link at 45 s
            EXPECT_NEAR(placed_outputs(o.f.p, c, jobs, placed, bytes).equal[4],
                        delay + 1e9 / (0.97 * 2e9 / (1 + 4 * 42.0 / 52)), 1e-9);
        }
        EXPECT_THROW(placed_outputs(o.f.p, c, jobs, placed, bytes, {copies.data(), 4}), std::logic_error);
    }

    // Max-min, and the flags taken per job: on the storage's 1 GBps disk (shared by reads and
    // writes) a copy reader (job 0) and a streaming one (job 1), both on a1, beside a write from
    // a2 (job 2). While both read, the write gets 1 / (2 + d) of the disk, d the streaming one's
    // duty; after the copy job's read, 1 / (1 + d) — both ways, the disk binds first. Flags read by
    // worker (both readers on worker 0) or set for every reader would give 1 / 3 and 1 GBps.
    const OutputFixture disk = make_outputs("1GBps", "1GBps", 1e9);
    const ReadContext cd = disk.context();
    std::vector<sim::JobGroup> mixed(2, group(0, true, 1, 1, 1e11, 10e9));
    mixed.push_back(group(0, false, 1, 4, 0, 0));
    const double t = placed_jobs(disk.f.p, mixed, cd)[0].transfer_s, d = t / (10 + t);
    for (const auto& [at, share] : {std::pair{t / 2, 1 / (2 + d)}, std::pair{t + 5, 1 / (1 + d)}}) {
        mixed[2].flops = 4e10 * at; // 4 cores × 10 Gf: the write starts at `at`
        const auto placed = placed_jobs(disk.f.p, mixed, cd);
        ASSERT_EQ(placed[2].worker, 1);
        const auto x =
            placed_outputs(disk.f.p, cd, mixed, placed, {0, 0, 1e9}, std::vector<std::uint8_t>{1, 0, 0});
        EXPECT_NEAR(x.equal[2], delay + 1e9 / (0.97 * 1e9 * share), 1e-9) << at;
        EXPECT_NEAR(x.max_min[2], delay + 1e9 / (0.97 * 1e9 * share), 1e-9) << at;
    }
}
