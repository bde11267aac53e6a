#pragma once
/// @file
/// The global queue of jobs waiting for a worker, with bounded backfill.
///
/// Jobs wait in the order (higher priority first, then earlier submission, then arrival
/// ticket). A dispatch pass offers the queued jobs in that order to a placement function; a job
/// that cannot start stays queued and the pass goes on to the next ones (backfill), but past
/// the first job that cannot start at most `backfill_depth` more are tried (HTCondor's
/// negotiator also bounds its cycle): with 10^6 queued jobs and a few idle cores of the wrong
/// shape, scanning the whole queue at every event would be O(n).
///
/// The queue also counts the cores requested per job shape (cores, memory, GPUs), so that a
/// drone controller can ask how much queued work its nodes could run.

#include "hepkit/sim/batch/QueueConfig.hpp"
#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>

namespace hepkit::sim {

/// What a queued job asks for.
struct JobShape {
    int cores = 1;
    double memory = 0; ///< bytes
    bool gpus = false; ///< wants GPUs
};

class JobQueue {
  public:
    /// The queue's settings (parameter paths `queue.*`).
    using Config = QueueConfig;
    explicit JobQueue(const Config& config) : backfill_depth_(config.backfill_depth) {}

    /// Queues the job with arrival number `ticket` (unique; the caller's handle on the job).
    void push(std::size_t ticket, int priority, double submit, JobShape shape);

    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

    /// One dispatch pass. For each queued job in order, while `more()` is true:
    /// `place(ticket)` returns a placement (anything that tests true) or nothing; a placed job
    /// leaves the queue, then `start(ticket, placement)` runs. `start` may push and dispatch
    /// again (a job that ends at once frees its cores): the pass then goes on after the job it
    /// started, at the next one still queued.
    template <class More, class Place, class Start>
    void dispatch(More&& more, Place&& place, Start&& start);

    /// Cores requested by the queued jobs whose shape fits `cores`, `memory` (and GPUs, if
    /// `gpus`): the demand a drone of that size could serve.
    double queued_cores(int cores, double memory, bool gpus) const;

  private:
    using Key = std::tuple<int, double, std::size_t>; ///< (-priority, submit, ticket)
    void count(const JobShape& shape, double sign);

    std::size_t backfill_depth_;
    std::map<Key, JobShape> entries_;
    /// Cores requested per shape (a handful of shapes in practice).
    std::map<std::tuple<int, double, bool>, double> shapes_;
    std::uint64_t changes_ = 0; ///< pushes and removals, to detect a nested pass
};

template <class More, class Place, class Start>
void JobQueue::dispatch(More&& more, Place&& place, Start&& start) {
    std::size_t misses = 0;
    for (auto it = entries_.begin(); it != entries_.end() && more();) {
        const std::size_t ticket = std::get<2>(it->first);
        auto placed = place(ticket);
        if (!placed) {
            if (++misses > backfill_depth_)
                break;
            ++it;
            continue;
        }
        const JobShape shape = it->second;
        it = entries_.erase(it);
        ++changes_;
        count(shape, -1);
        const std::uint64_t seen = changes_;
        const bool last = it == entries_.end();
        const Key next = last ? Key{} : it->first;
        start(ticket, *placed);
        // A nested pass may have removed `it`: go on at the next job still queued (the same
        // one when nothing changed, as the map's iterators stay valid).
        if (!last && changes_ != seen)
            it = entries_.lower_bound(next);
    }
}

} // namespace hepkit::sim
