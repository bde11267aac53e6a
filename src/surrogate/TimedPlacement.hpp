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

/// The jobs (groups of one, in the workload's order, as placed_jobs takes them), `memory` each
/// job's memory (bytes) and `burst` placed_jobs' results for them: each job started by
/// sim::Dispatcher (the scenario's policy, its cores and memory checks) in the queue's order by
/// submission time — at its submission where it fits, else when the estimated ends of the jobs
/// before it free enough cores (queued jobs behind one that cannot start are tried, as the
/// simulator's backfill does). A job holds its cores for its compute at its worker's speed and its
/// input transfer. A reader's transfer is placed_jobs' rule with its crowd taken over its own life:
/// on each link, and at the storage and cache disks, the readers whose lives overlap its own, each
/// by the share of its life they overlap — where every job runs at once, placed_jobs' estimate
/// again (per job rather than per worker's mean). Two rounds: the first with the burst's
/// transfers as the jobs' durations, the second with the first's. A job that never fits keeps
/// the burst's result. `placed` is 1 for a job that starts at its submission, 0 for one that
/// waits; `start_s` the estimated start.
std::vector<PlacedJob> timed_jobs(const sim::Platform& p, const std::vector<sim::JobGroup>& jobs,
                                  const std::vector<double>& memory, const std::vector<char>& streaming,
                                  const ReadContext& c, const std::vector<PlacedJob>& burst);

} // namespace hepkit::surrogate::detail
