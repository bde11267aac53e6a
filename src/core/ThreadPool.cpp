#include "hepkit/core/ThreadPool.hpp"

#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fmt/format.h>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hepkit {
namespace {

// One round of tasks. Workers that arrive late hold a shared_ptr to it and find no ticket left;
// the task function is only called for tickets < n, all of which finish before the caller
// returns, so the caller's function outlives every call.
struct Round {
    const std::function<void(std::size_t)>* task;
    std::size_t n;
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex error_mutex;
    std::exception_ptr error;

    void work() {
        for (std::size_t t; (t = next.fetch_add(1, std::memory_order_acq_rel)) < n;) {
            try {
                (*task)(t);
            } catch (...) {
                const std::lock_guard<std::mutex> l(error_mutex);
                if (!error)
                    error = std::current_exception();
            }
            done.fetch_add(1, std::memory_order_acq_rel);
        }
    }
};

} // namespace

struct ThreadPool::Impl {
    explicit Impl(std::size_t threads) : threads_(threads) {}
    ~Impl() {
        {
            const std::lock_guard<std::mutex> l(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& w : workers_)
            w.join();
    }

    void run(std::size_t n, const std::function<void(std::size_t)>& task) {
        // busy: a round is running (a nested call from a task, or a second thread): serial
        std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
        if (!busy.owns_lock() || threads_ < 2 || n < 2) {
            for (std::size_t i = 0; i < n; ++i)
                task(i);
            return;
        }
        // The workers start at the first round that needs them: a pool that a command makes
        // for every run costs nothing where no loop is split (small fits, other fit types).
        if (workers_.empty()) {
            const std::lock_guard<std::mutex> l(mutex_);
            for (std::size_t i = 1; i < threads_; ++i)
                workers_.emplace_back([this] { loop(); });
        }
        auto round = std::make_shared<Round>();
        round->task = &task;
        round->n = n;
        {
            const std::lock_guard<std::mutex> l(mutex_);
            current_ = round;
            published_.fetch_add(1, std::memory_order_release);
        }
        cv_.notify_all();
        round->work();
        while (round->done.load(std::memory_order_acquire) < n)
            std::this_thread::yield();
        if (round->error)
            std::rethrow_exception(round->error);
    }

    void loop() {
        std::uint64_t seen = 0;
        for (;;) {
            // Spin (yielding) up to 1 ms for the next round before sleeping: a fit's passes come
            // back to back, but a round of uneven tasks (a ROOT read's columns, one cluster per
            // round) leaves a worker idle while the caller ends its last task and plans the next
            // round; at 100 µs the workers slept there and each round paid a futex wake-up
            // (bench_io_read_nano, 2 threads against 1: 1.67-1.74 with 100 µs, 1.82-1.85 with 1 ms).
            const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(1000);
            while (published_.load(std::memory_order_acquire) == seen &&
                   std::chrono::steady_clock::now() < until)
                std::this_thread::yield();
            std::shared_ptr<Round> round;
            {
                std::unique_lock<std::mutex> l(mutex_);
                cv_.wait(l, [&] { return stop_ || published_.load(std::memory_order_acquire) != seen; });
                if (stop_)
                    return;
                seen = published_.load(std::memory_order_acquire);
                round = current_;
            }
            round->work();
        }
    }

    const std::size_t threads_;
    std::vector<std::thread> workers_; // started by the first round of ≥ 2 tasks
    std::mutex mutex_, busy_;
    std::condition_variable cv_;
    std::atomic<std::uint64_t> published_{0};
    std::shared_ptr<Round> current_;
    bool stop_ = false;
};

ThreadPool::ThreadPool(std::size_t threads) {
    if (threads < 1 || threads > 1024)
        throw std::invalid_argument(
            fmt::format("thread pool: {} threads, must be between 1 and 1024", threads));
    impl_ = std::make_unique<Impl>(threads);
}

ThreadPool::~ThreadPool() = default;

std::size_t ThreadPool::size() const {
    return impl_->threads_;
}

void ThreadPool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& task) {
    impl_->run(n, task);
}

std::size_t ThreadPool::default_size() {
    if (const char* env = std::getenv("HEPKIT_THREADS")) {
        const auto v = parse_finite(env);
        if (v && *v >= 1 && *v <= 1024)
            return static_cast<std::size_t>(*v);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace hepkit
