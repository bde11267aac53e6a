#pragma once
/// @file
/// Fork–join over a small persistent pool: run task(0) … task(n−1) on the calling thread and the
/// pool's workers, return when all are done. For loops whose bodies take tens of microseconds and
/// repeat back to back (a fit's passes over 10⁴–10⁶ events): workers spin briefly between rounds
/// before sleeping, so a round costs ~1 µs to start instead of a thread wake-up (~10–50 µs).
///
/// Threads: hardware_concurrency() in all, or HEPKIT_THREADS (1: everything on the caller).
/// A call made while another is running (from a second thread, or from inside a task) runs its
/// tasks serially on its own thread — never deadlocks, never oversubscribes.

#include <cstddef>
#include <functional>

namespace hepkit {

/// Number of threads fork_join may use (caller included), ≥ 1.
std::size_t fork_join_threads();
/// Caps fork_join_threads() at n ≥ 1 for the rest of the process (benchmarks compare 1 and all).
void set_fork_join_limit(std::size_t n);

/// Runs task(i) for i in [0, n); each index exactly once, in unspecified order and threads.
/// Exceptions thrown by a task are rethrown here (the first one) after all tasks ended.
void fork_join(std::size_t n, const std::function<void(std::size_t)>& task);

} // namespace hepkit
