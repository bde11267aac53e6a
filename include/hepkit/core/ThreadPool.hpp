#pragma once
/// @file
/// A thread pool object for fork–join loops: parallel_for(n, task) runs task(0) … task(n−1) on the
/// calling thread and the pool's workers and returns when all are done. Made for loops whose bodies
/// take tens of microseconds and repeat back to back (a fit's passes over 10⁴–10⁶ events): workers
/// spin briefly between rounds before sleeping, so a round costs ~1 µs to start instead of a thread
/// wake-up (~10–50 µs).
///
/// There is no process-wide pool: whoever wants threads makes a pool and passes it in (the CLI's
/// `hepkit fit --threads`, a benchmark comparing 1 and all cores), so that a library user with
/// their own threads (libtorch, Python) decides how many hepkit may use. A pool of size 1 has no
/// worker and runs everything on the caller.
///
/// Nested and concurrent use are safe: a parallel_for called while another round of the same pool
/// runs (from inside a task, or from a second thread) runs its tasks serially on its own thread —
/// never deadlocks, never oversubscribes.
///
///     hepkit::ThreadPool pool(4);
///     std::vector<double> sums(chunks);
///     pool.parallel_for(chunks, [&](std::size_t c) { sums[c] = sum_of_chunk(c); });

#include <cstddef>
#include <functional>
#include <memory>

namespace hepkit {

class ThreadPool {
  public:
    /// A pool of `threads` threads in all, the caller of parallel_for included: threads − 1
    /// workers, started by the first parallel_for of two or more tasks (a pool that is never used
    /// costs nothing). Throws std::invalid_argument unless 1 ≤ threads ≤ 1024.
    explicit ThreadPool(std::size_t threads);
    /// Stops and joins the workers (no parallel_for may be running).
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    /// Number of threads a parallel_for may use, the caller included (≥ 1).
    std::size_t size() const;

    /// Runs task(i) for i in [0, n); each index exactly once, in unspecified order and threads.
    /// An exception thrown by a task is rethrown here: on workers, the first one after all tasks
    /// ended; when the round runs serially (size 1, nested or concurrent use), as soon as it is thrown.
    void parallel_for(std::size_t n, const std::function<void(std::size_t)>& task);

    /// The size a command-line tool uses when the user does not give one: the HEPKIT_THREADS
    /// environment variable (1 … 1024), else std::thread::hardware_concurrency() (≥ 1).
    static std::size_t default_size();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Threads a loop may use on `pool`: its size, or 1 without a pool.
inline std::size_t pool_size(const ThreadPool* pool) {
    return pool ? pool->size() : 1;
}

/// Runs task(0) … task(n−1) on `pool`, or serially on the caller when `pool` is null.
inline void parallel_for(ThreadPool* pool, std::size_t n, const std::function<void(std::size_t)>& task) {
    if (pool) {
        pool->parallel_for(n, task);
        return;
    }
    for (std::size_t i = 0; i < n; ++i)
        task(i);
}

} // namespace hepkit
