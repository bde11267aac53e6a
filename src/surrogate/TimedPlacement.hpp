#pragma once
// The jobs followed past the first burst: the per-job inputs of the platform-aware sequence model
// (SequenceData.hpp) where a job starts, on which worker, and what its reads share then.
//
// Why: placed_jobs (Placement.hpp) places the jobs as if all ran at once, so a job that starts
// later — submitted later, or waiting for cores — gets the workers' mean speed and the placed
// readers' mean rate, and the readers of the first burst count as crowd those that end long before
// them. On a sample of the study's one-site platform the eleven copy jobs submitted at 600 s went
// ten to the worker whose Monte-Carlo jobs had just ended (the simulated reads 420–460 s, sharing
// its link) and one to another (50 s); the burst placed them elsewhere and the per-job model
// predicted 230–300 s for all (docs/surrogate.md, twelfth session).

#include "Placement.hpp"

#include <vector>

namespace hepkit::surrogate::detail {

/// What the queue and the reads need of each job besides its group of one.
struct JobNeeds {
    double memory = 0;      ///< bytes, as the dispatcher checks
    int priority = 0;       ///< larger first among queued jobs (sim::JobQueue)
    bool streaming = false; ///< reads while it computes (else a copy job reads first)
    /// A streaming job's share of its read and compute that does not overlap: it computes block b
    /// while it reads block b + 1 (sim's prefetch), so of a file of n blocks only the first read
    /// and the last compute stand alone: its bytes' mean of 1 / n (1 without prefetch)
    double unoverlapped = 1;
};

/// The jobs (groups of one, in the workload's order, as placed_jobs takes them), `needs` each
/// job's, and `burst` placed_jobs' results for them: each job started by sim::Dispatcher (the
/// scenario's policy, its cores and memory checks) in sim::JobQueue's order (higher priority
/// first, then earlier submission, then the workload's order) — at its submission where it fits,
/// else when the estimated ends of the jobs before it free enough cores (past the first queued job
/// that cannot start, at most ReadContext::backfill_depth more are tried, as the simulator's
/// backfill does; the queue's `max_pending` is not looked at). A job that no worker could ever
/// hold never enters the queue (as in the simulator) and keeps the burst's result (it waits there
/// too). A job holds its cores for its duration (PlacedJob::duration_s): a copy job its input
/// transfer, then its compute at its worker's speed; a streaming job its compute with the XRootD
/// overhead and its transfer overlapped block by block (TimedPlacement.cpp; its output write,
/// seconds beside minutes, is left out). A reader's transfer is placed_jobs' rule with
/// its crowd taken over its own life (TimedPlacement.cpp). Two rounds: the first with the burst's
/// transfers as the jobs' durations, the second with the first's. `placed` is 1 for a job that
/// starts at its submission, 0 for one that waits; `start_s` the estimated start; the three
/// views of each read's crowd (PlacedJob::transfer_alone_s, …) those of the second round.
std::vector<PlacedJob> timed_jobs(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                                  const std::vector<JobNeeds>& needs, const ReadContext& c,
                                  const std::vector<PlacedJob>& burst);

} // namespace hepkit::surrogate::detail
