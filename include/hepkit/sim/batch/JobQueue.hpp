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
///
/// With `max_pending` > 0 at most that many jobs are pending in the queue; later pushes wait
/// outside it (held), in push order, and enter one by one as started jobs free places. A pass
/// offers an admitted job in its order: at once if it sorts before the pass's position (a
/// higher priority), else when the pass reaches it.

#include "hepkit/sim/batch/QueueConfig.hpp"
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
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
    explicit JobQueue(const Config& config)
        : backfill_depth_(config.backfill_depth), max_pending_(config.max_pending) {}

    /// Queues the job with arrival number `ticket` (unique; the caller's handle on the job), or,
    /// while `max_pending` jobs are pending, holds it until a place frees.
    void push(std::size_t ticket, int priority, double submit, JobShape shape);

    /// Jobs waiting: pending in the queue or held outside it.
    std::size_t size() const { return entries_.size() + held_.size(); }
    bool empty() const { return entries_.empty() && held_.empty(); }
    /// Jobs pending in the queue (the ones a pass offers).
    std::size_t pending() const { return entries_.size(); }

    /// One dispatch pass. For each pending job in order, while `more()` is true:
    /// `place(ticket)` returns a placement (anything that tests true) or nothing; a placed job
    /// leaves the queue (a held job takes its place), then `start(ticket, placement)` runs.
    /// `start` may push and dispatch again (a job that ends at once frees its cores): the pass
    /// then goes on after the job it started, at the next one still queued.
    template <class More, class Place, class Start>
    void dispatch(More&& more, Place&& place, Start&& start);

    /// Cores requested by the pending jobs whose shape fits `cores`, `memory` (and GPUs, if
    /// `gpus`): the demand a drone of that size could serve. Held jobs are not counted.
    double queued_cores(int cores, double memory, bool gpus) const;

  private:
    using Key = std::tuple<int, double, std::size_t>; ///< (-priority, submit, ticket)
    void count(const JobShape& shape, double sign);
    /// Moves held jobs into the free places; returns the smallest key admitted, if any.
    std::optional<Key> admit();

    std::size_t backfill_depth_;
    std::size_t max_pending_; ///< 0: no bound
    std::map<Key, JobShape> entries_;
    std::deque<std::pair<Key, JobShape>> held_; ///< in push order
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
        const Key key = it->first;
        const JobShape shape = it->second;
        it = entries_.erase(it);
        ++changes_;
        count(shape, -1);
        if (!held_.empty()) // a held job takes the place; it is offered in its order
            if (const auto first = admit())
                it = *first < key ? entries_.find(*first) : entries_.upper_bound(key);
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
