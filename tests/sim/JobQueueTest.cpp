// JobQueue: order (priority, submission, ticket), bounded backfill, queued cores per shape, and
// a dispatch pass that a job's start re-enters.
#include "hepkit/sim/batch/JobQueue.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <set>
#include <vector>

using namespace hepkit::sim;

namespace {
// Runs one pass; `fits` says which tickets can start, `budget` how many may start.
std::vector<std::size_t> pass(JobQueue& q, const std::set<std::size_t>& fails, int budget = 1000) {
    std::vector<std::size_t> started;
    q.dispatch([&] { return budget > 0; },
               [&](std::size_t t) { return fails.count(t) ? std::nullopt : std::optional<int>(1); },
               [&](std::size_t t, int) {
                   started.push_back(t);
                   --budget;
               });
    return started;
}
} // namespace

TEST(JobQueue, OffersJobsByPriorityThenSubmissionThenTicket) {
    JobQueue q(QueueConfig{100});
    q.push(0, 0, 10, {});
    q.push(1, 5, 20, {}); // higher priority: first although submitted last
    q.push(2, 0, 5, {});
    q.push(3, 0, 10, {}); // same priority and time as 0: after it by ticket
    EXPECT_EQ(q.size(), 4u);
    EXPECT_EQ(pass(q, {}), (std::vector<std::size_t>{1, 2, 0, 3}));
    EXPECT_TRUE(q.empty());
}

TEST(JobQueue, BackfillStopsAfterDepthMisses) {
    // Tickets 0..4 in order; 0 and 2 cannot start. Depth 1: 0 misses (1), 1 starts, 2 misses
    // (2 > 1): the pass ends before 3 and 4.
    JobQueue q(QueueConfig{1});
    for (std::size_t t = 0; t < 5; ++t)
        q.push(t, 0, static_cast<double>(t), {});
    EXPECT_EQ(pass(q, {0, 2}), (std::vector<std::size_t>{1}));
    EXPECT_EQ(q.size(), 4u);
    // Depth 2 lets the pass reach them.
    JobQueue deep(QueueConfig{2});
    for (std::size_t t = 0; t < 5; ++t)
        deep.push(t, 0, static_cast<double>(t), {});
    EXPECT_EQ(pass(deep, {0, 2}), (std::vector<std::size_t>{1, 3, 4}));
}

TEST(JobQueue, PassEndsWhenNoMoreCanStart) {
    JobQueue q(QueueConfig{100});
    for (std::size_t t = 0; t < 5; ++t)
        q.push(t, 0, 0, {});
    EXPECT_EQ(pass(q, {}, 2), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(q.size(), 3u);
}

TEST(JobQueue, CountsQueuedCoresOfTheShapesADroneCouldRun) {
    JobQueue q(QueueConfig{100});
    q.push(0, 0, 0, {1, 2e9, false});
    q.push(1, 0, 1, {1, 2e9, false});
    q.push(2, 0, 2, {8, 16e9, false});
    q.push(3, 0, 3, {4, 1e9, true});
    EXPECT_DOUBLE_EQ(q.queued_cores(8, 16e9, false), 1 + 1 + 8); // not the GPU job
    EXPECT_DOUBLE_EQ(q.queued_cores(8, 16e9, true), 1 + 1 + 8 + 4);
    EXPECT_DOUBLE_EQ(q.queued_cores(4, 4e9, true), 1 + 1 + 4); // 8 cores do not fit
    EXPECT_DOUBLE_EQ(q.queued_cores(1, 1e9, false), 0);        // 2 GB do not fit
    EXPECT_EQ(pass(q, {}, 1), (std::vector<std::size_t>{0}));
    EXPECT_DOUBLE_EQ(q.queued_cores(8, 16e9, false), 1 + 8);
}

TEST(JobQueue, NestedPassFromAStartNeverStartsAJobTwice) {
    // Starting ticket 0 queues ticket 5 at high priority and runs a nested pass (a job that ends
    // at once frees its cores): the nested pass starts 5, 1 and 2; the outer pass then finds
    // nothing left after 0 and ends.
    JobQueue q(QueueConfig{100});
    for (std::size_t t = 0; t < 3; ++t)
        q.push(t, 0, static_cast<double>(t), {});
    std::vector<std::size_t> started;
    std::function<void()> run_pass = [&] {
        q.dispatch([] { return true; }, [](std::size_t) { return std::optional<int>(1); },
                   [&](std::size_t t, int) {
                       started.push_back(t);
                       if (t == 0) {
                           q.push(5, 10, 0, {});
                           run_pass();
                       }
                   });
    };
    run_pass();
    EXPECT_EQ(started, (std::vector<std::size_t>{0, 5, 1, 2}));
    EXPECT_TRUE(q.empty());
}

// queue.max_pending (QueueConfig): at most N jobs pending; later pushes are held in push order
// and admitted as started jobs free places; priorities order only the pending jobs.
TEST(JobQueue, MaxPendingHoldsLaterJobsAndAdmitsThemAsPlacesFree) {
    // Tickets 0, 1 (priority 0), 2 (priority 5), 3 (priority 0), submitted in that order.
    // Unbounded: 2 first (priority), then 0, 1, 3.
    JobQueue open(QueueConfig{100, 0});
    for (std::size_t t = 0; t < 4; ++t)
        open.push(t, t == 2 ? 5 : 0, static_cast<double>(t), {});
    EXPECT_EQ(pass(open, {}), (std::vector<std::size_t>{2, 0, 1, 3}));
    // max_pending 2: 0 and 1 pending, 2 and 3 held. Starting 0 admits 2, which sorts first of
    // the pending jobs and is offered next; starting 2 admits 3, offered after 1.
    JobQueue q(QueueConfig{100, 2});
    for (std::size_t t = 0; t < 4; ++t)
        q.push(t, t == 2 ? 5 : 0, static_cast<double>(t), {});
    EXPECT_EQ(q.size(), 4u); // waiting jobs, held ones included (the queued_jobs time series)
    EXPECT_EQ(q.pending(), 2u);
    EXPECT_DOUBLE_EQ(q.queued_cores(8, 16e9, false), 2); // a drone controller sees the pending ones
    EXPECT_EQ(pass(q, {}, 1), (std::vector<std::size_t>{0}));
    EXPECT_EQ(q.pending(), 2u); // 1 and the admitted 2
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(pass(q, {}), (std::vector<std::size_t>{2, 1, 3}));
    EXPECT_TRUE(q.empty());
}

TEST(JobQueue, MaxPendingAdmitsAHigherPriorityJobWithinThePass) {
    // max_pending 1: 0 pending, 1 (priority 9) held. One pass with room for both starts 0, which
    // admits 1 ahead of the pass's position: the pass offers it at once.
    JobQueue q(QueueConfig{100, 1});
    q.push(0, 0, 0, {});
    q.push(1, 9, 1, {});
    EXPECT_EQ(q.pending(), 1u);
    EXPECT_EQ(pass(q, {}), (std::vector<std::size_t>{0, 1}));
    // a job that cannot start keeps its place: nothing is admitted past it
    q.push(2, 0, 2, {});
    q.push(3, 0, 3, {});
    EXPECT_EQ(pass(q, {2}), (std::vector<std::size_t>{}));
    EXPECT_EQ(q.pending(), 1u);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(pass(q, {}), (std::vector<std::size_t>{2, 3}));
}
