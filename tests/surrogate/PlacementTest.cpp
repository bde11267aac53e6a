// The `pack_*` features (src/surrogate/Placement.hpp) by hand on small platforms: where the job
// groups land under each dispatcher policy, what their readers share, and what their output
// writes take (the jobs followed in time: TimedPlacementTest.cpp).

#include "MaxMin.hpp"
#include "PlacementFixture.hpp"

#include <gtest/gtest.h>
#include <tuple>

using namespace hepkit;
using namespace hepkit::surrogate::test;

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
    // Max-min, the writes as flows in time: with 1, 1 and 2 GB the three share the campus link
    // until the first two are through (1 GB at 2/3 GBps), then the third goes on alone at its node
    // link's 1 GBps with its last GB. (Each of the others counted for its time alone would leave
    // after 1.03 s.)
    const ReadContext c = o.context();
    const auto three = placed_outputs(o.f.p, c, calcs, placed_jobs(o.f.p, calcs, c), {1e9, 1e9, 2e9, 1e9});
    const double shared = 1e9 / (0.97 * 2e9 / 3);
    EXPECT_NEAR(three.max_min[0], delay + shared, 1e-9);
    EXPECT_NEAR(three.max_min[1], delay + shared, 1e-9);
    EXPECT_NEAR(three.max_min[2], delay + shared + 1e9 / 0.97e9, 1e-9);
    EXPECT_NEAR(three.max_min[3], delay + 1e9 / (0.97 * 1e9), 1e-9);
    // Ending 25 s apart (the second computes 5e12 flop: 125 s), each writes alone: 1 GBps.
    const auto apart =
        outputs_of(o, {group(0, false, 1, 4, 4e12, 0), group(0, false, 1, 4, 5e12, 0)}, {1e9, 2e9});
    EXPECT_NEAR(apart[0], delay + 1e9 / 0.97e9, 1e-9);
    EXPECT_NEAR(apart[1], delay + 2e9 / 0.97e9, 1e-9);
    const auto apart_mm = placed_outputs(
        o.f.p, c, {group(0, false, 1, 4, 4e12, 0), group(0, false, 1, 4, 5e12, 0)},
        placed_jobs(o.f.p, {group(0, false, 1, 4, 4e12, 0), group(0, false, 1, 4, 5e12, 0)}, c), {1e9, 2e9});
    EXPECT_NEAR(apart_mm.max_min[1], delay + 2e9 / 0.97e9, 1e-9);
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
    // max-min follows the write: the readers end at 42.5 s, 2.5 s into it; the rest goes alone
    const double held = 0.97 * 1e9 / d3;
    EXPECT_NEAR(back.max_min[3], delay + 2.5 + (1e9 - 2.5 * held) / 0.97e9, 1e-9);
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

// A streaming reader holds its routes over its life, PlacedJob::duration_s (timed_jobs: its read
// overlapped with its compute), for the share of it it reads, at most all of it. The four readers
// of OutputWriteBesideReaders (42 s of reading in 52 s taken whole) beside a write at 47 s: with
// their lives taken as 45 s they are done and the write goes alone at its node link's 1 GBps; at
// 40 s they hold 4 × 42 / 45 of the campus link, and lives of 30 s (shorter than their reads)
// count them whole at 20 s — in equal shares; max-min leaves the write its 1 GBps throughout (the
// readers are held to 1 GBps in all by a1's link).
TEST(SurrogatePlacement, OutputWriteBesideStreamingReadersOverTheirDuration) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    const ReadContext c = o.context();
    const std::vector<double> bytes{0, 0, 0, 0, 1e9};
    for (const auto& [at, life, rate] :
         {std::tuple{47.0, 52.0, 2e9 / (1 + 4 * 42.0 / 52)}, std::tuple{47.0, 45.0, 1e9},
          std::tuple{40.0, 45.0, 2e9 / (1 + 4 * 42.0 / 45)}, std::tuple{20.0, 30.0, 2e9 / 5}}) {
        std::vector<sim::JobGroup> jobs(4, group(0, true, 1, 1, 1e11, 10e9));
        jobs.push_back(group(0, false, 1, 4, 4e10 * at, 0)); // 4 cores × 10 Gf: it writes at `at`
        auto placed = placed_jobs(o.f.p, jobs, c);
        ASSERT_NEAR(placed[0].transfer_s, 42, 1e-9);
        ASSERT_NEAR(placed[0].duration_s, 52, 1e-9); // placed_jobs: compute + transfer
        for (std::size_t j = 0; j < 4; ++j)
            placed[j].duration_s = life;
        const auto x = placed_outputs(o.f.p, c, jobs, placed, bytes);
        EXPECT_NEAR(x.equal[4], delay + 1e9 / (0.97 * rate), 1e-9) << at << " " << life;
        EXPECT_NEAR(x.max_min[4], delay + 1e9 / (0.97 * 1e9), 1e-9) << at << " " << life;
    }
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
// A streaming reader's last block is computed alone at the end of its life (`final_s`), and a
// max-min write is followed through its life. By hand, the jobs placed directly: four readers on
// a1 and four on a3, each a 50 s life with 40 s of reading, hold the campus link together (2 GBps
// over 8 readers and the write: 2/9 GBps each, under their node links' 1/4); a calculation on a2
// writes 1 GB at 39 s. With 10 s of final compute the readers read all of [0, 40) and then stop:
// the write gets 2/9 GBps for 1 s, then its node link's 1 GBps alone (equal shares keep the rate
// at the start). Without it they read 40/50 of their whole lives: 2 GBps over 1 + 8 × 0.8 flows
// throughout. A final compute longer than the life's time besides the read is cut to it.
TEST(SurrogatePlacement, OutputWriteFollowedPastTheReadersLastBlocks) {
    const OutputFixture o = make_outputs();
    const double delay = 1.02e-3 * 13.01;
    const ReadContext c = o.context();
    std::vector<sim::JobGroup> jobs(8, group(0, true, 1, 1, 1e11, 10e9));
    jobs.push_back(group(0, false, 1, 4, 1.56e12, 0));
    std::vector<PlacedJob> placed(9);
    for (std::size_t j = 0; j < 9; ++j) {
        placed[j].placed = 1;
        placed[j].worker = j < 4 ? 0 : j < 8 ? 2 : 1;
        placed[j].duration_s = j < 8 ? 50 : 39;
        placed[j].transfer_s = j < 8 ? 40 : 0;
    }
    std::vector<double> bytes(9, 0.0), last(9, 10.0);
    bytes[8] = 1e9;
    last[8] = 0;
    const double first = 0.97 * 2e9 / 9; // B/s while the readers read
    const auto x = placed_outputs(o.f.p, c, jobs, placed, bytes, {}, last);
    EXPECT_NEAR(x.max_min[8], delay + 1 + (1e9 - first) / 0.97e9, 1e-9);
    EXPECT_NEAR(x.equal[8], delay + 1e9 / first, 1e-9);
    const double whole = 0.97 * 2e9 / (1 + 8 * 0.8);
    const auto y = placed_outputs(o.f.p, c, jobs, placed, bytes);
    EXPECT_NEAR(y.max_min[8], delay + 1e9 / whole, 1e-9);
    EXPECT_NEAR(y.equal[8], delay + 1e9 / whole, 1e-9);
    last.assign(9, 30.0); // cut to 10 s: the same as above
    EXPECT_NEAR(placed_outputs(o.f.p, c, jobs, placed, bytes, {}, last).max_min[8], x.max_min[8], 1e-9);
    EXPECT_THROW(placed_outputs(o.f.p, c, jobs, placed, bytes, {}, {last.data(), 8}), std::logic_error);
}
