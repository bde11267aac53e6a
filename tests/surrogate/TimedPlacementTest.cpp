// The jobs followed past the first burst (timed_jobs, src/surrogate/TimedPlacement.hpp), by hand
// on one cluster of three 4-core nodes (dcsim: first fit by name, a1 before a2 before a3).

#include "TimedPlacement.hpp"
#include "PlacementFixture.hpp"

#include <gtest/gtest.h>

using namespace hepkit;
using namespace hepkit::surrogate::test;

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

// A streaming job computes block b while it reads block b + 1 (sim's prefetch): of a file of n
// blocks only the first read and the last compute stand alone, so with u its bytes' mean of 1 / n
// it lasts (1 − u) max(c', t) + u (c' + t), c' its compute with the XRootD overhead. One 4-core
// node: a streaming reader (100 s of compute, 10 GB) and three calculations of 1000 s fill it; a
// fifth job waits for the reader's core and starts when it ends. A copy job, or no prefetch (u = 1),
// lasts c + t.
TEST(SurrogatePlacement, TimedStreamingOverlapsReadsWithCompute) {
    const Fixture f = make({1});
    const auto run = [&](bool streaming, double unoverlapped, double flops, double bytes, double xrd = 0,
                         bool over_steps = false) {
        ReadContext c = f.context(sim::DispatchPolicy::dcsim);
        c.xrd_flops_per_time = xrd;
        c.xrd_over_steps = over_steps;
        std::vector<sim::JobGroup> jobs{group(0, true, 1, 1, flops, bytes)};
        jobs.insert(jobs.end(), 3, group(0, false, 1, 1, 1e13, 0));
        jobs.push_back(group(0, false, 1, 1, 1e12, 0));
        std::vector<JobNeeds> needs(jobs.size(), JobNeeds{1e9, 0, false});
        needs[0].streaming = streaming;
        needs[0].unoverlapped = unoverlapped;
        const auto out = timed_jobs(f.p, jobs, needs, c, placed_jobs(f.p, jobs, c));
        for (std::size_t j = 1; j < 4; ++j)
            EXPECT_DOUBLE_EQ(out[j].duration_s, 1000) << j;
        EXPECT_EQ(out[4].worker, 0);
        EXPECT_NEAR(out[4].start_s, out[0].duration_s, 1e-9); // it takes the reader's core
        return out[0];
    };
    // compute-bound, four blocks a file: 0.75 · 100 + 0.25 · (100 + t); t alone with itself as
    // its crowd, 10 + 10² / 110 s (placed_jobs' rule)
    const PlacedJob q = run(true, 0.25, 1e12, 10e9);
    const double t = 10 + 100.0 / 110;
    ASSERT_NEAR(q.transfer_s, t, 1e-9);
    EXPECT_NEAR(q.duration_s, 100 + 0.25 * t, 1e-9);
    // read-bound (10 s of compute, 40 GB): 0.75 t + 0.25 (10 + t)
    const PlacedJob r = run(true, 0.25, 1e11, 40e9);
    EXPECT_GT(r.transfer_s, 40);
    EXPECT_NEAR(r.duration_s, r.transfer_s + 2.5, 1e-9);
    // the XRootD overhead, 1e9 flop per second of reading on a 10 Gf core: 0.1 s per s read
    EXPECT_NEAR(run(true, 0.25, 1e12, 10e9, 1e9).duration_s, 100 + 0.1 * t + 0.25 * t, 1e-9);
    // DCSim's model with prefetch: a block's overhead is f times its step (from its read's start
    // to its compute's start). Four blocks of 25 s compute and b = t / 4 read, compute-bound: the
    // computes take 25 + 0.1 b, then 25 + 0.1 × the one before: 25 + 2.5 + 0.01 b, …; the job
    // b + their sum = 108.025 + 1.1111 b — and with f = 2e10 (2 s per s) each
    // doubles the one before and adds 25: b + (25 + 2b) + (75 + 4b) + (175 + 8b) + (375 + 16b)
    const double b = t / 4;
    EXPECT_NEAR(run(true, 0.25, 1e12, 10e9, 1e9, true).duration_s, 108.025 + 1.1111 * b, 1e-9);
    EXPECT_NEAR(run(true, 0.25, 1e12, 10e9, 2e10, true).duration_s, 650 + 31 * b, 1e-9);
    // one block a file: the read, then the compute with the read's overhead, as read-time counts
    EXPECT_NEAR(run(true, 1, 1e12, 10e9, 1e9, true).duration_s, 100 + 1.1 * t, 1e-9);
    // without prefetch the read and the compute follow each other
    EXPECT_NEAR(run(true, 1, 1e12, 10e9).duration_s, 100 + t, 1e-9);
    EXPECT_NEAR(run(true, 1, 1e12, 10e9, 1e9).duration_s, 100 + 1.1 * t, 1e-9);
    // a copy job reads, then computes, without the streaming overhead
    const PlacedJob copy = run(false, 0.25, 1e12, 10e9, 1e9);
    EXPECT_NEAR(copy.duration_s, 100 + copy.transfer_s, 1e-9);
}

// A reader's crowd is taken over the others' lives as long as they last: a reader submitted at
// 104 s on a1 after a streaming one that started there at 0 (100 s of compute, 10 GB: it lasts
// 102.7 s with four blocks a file, 110.9 s without prefetch). With the overlap the two never meet
// — each reads alone in every view, a streaming second by placed_jobs' rule, a copy job in 10 s —
// without it the first is in the second's crowd and the second in the first's.
TEST(SurrogatePlacement, TimedReadersCrowdOverTheirOverlappedLives) {
    const Fixture f = make({3});
    const std::vector<sim::JobGroup> jobs{group(0, true, 1, 1, 1e12, 10e9),
                                          group(104, true, 1, 1, 1e12, 10e9)};
    const ReadContext c = f.context(sim::DispatchPolicy::dcsim);
    const double alone = 10 + 100.0 / 110; // placed_jobs' rule with itself as its crowd
    for (const double u : {0.25, 1.0})
        for (const bool streaming : {true, false}) {
            std::vector<JobNeeds> needs(2, JobNeeds{1e9, 0, true});
            needs[1].streaming = streaming;
            needs[0].unoverlapped = needs[1].unoverlapped = u;
            const auto q = timed_jobs(f.p, jobs, needs, c, placed_jobs(f.p, jobs, c));
            ASSERT_EQ(q[1].worker, 0);
            ASSERT_DOUBLE_EQ(q[1].start_s, 104);
            const double own = streaming ? alone : 10;
            if (u < 1) {
                EXPECT_NEAR(q[0].duration_s, 100 + 0.25 * alone, 1e-9);
                EXPECT_NEAR(q[0].transfer_crowd_s, 10, 1e-9) << streaming;
                EXPECT_NEAR(q[1].transfer_s, own, 1e-9) << streaming;
                EXPECT_NEAR(q[1].transfer_crowd_s, 10, 1e-9) << streaming;
            } else {
                EXPECT_NEAR(q[0].duration_s, 100 + q[0].transfer_s, 1e-9);
                EXPECT_GT(q[0].transfer_crowd_s, 10 + 1e-3) << streaming;
                EXPECT_GT(q[1].transfer_s, own + 1e-3) << streaming;
            }
        }
}
