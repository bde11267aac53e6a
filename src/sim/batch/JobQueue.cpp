#include "hepkit/sim/batch/JobQueue.hpp"

namespace hepkit::sim {

void JobQueue::push(std::size_t ticket, int priority, double submit, JobShape shape) {
    const Key key{-priority, submit, ticket};
    if (max_pending_ > 0 && (entries_.size() >= max_pending_ || !held_.empty())) {
        held_.emplace_back(key, shape); // behind the jobs held before it
        return;
    }
    entries_.emplace(key, shape);
    ++changes_;
    count(shape, +1);
}

std::optional<JobQueue::Key> JobQueue::admit() {
    std::optional<Key> first;
    while (!held_.empty() && entries_.size() < max_pending_) {
        const auto [key, shape] = held_.front();
        held_.pop_front();
        entries_.emplace(key, shape);
        ++changes_;
        count(shape, +1);
        if (!first || key < *first)
            first = key;
    }
    return first;
}

void JobQueue::count(const JobShape& shape, double sign) {
    const auto key = std::make_tuple(shape.cores, shape.memory, shape.gpus);
    double& c = shapes_[key];
    c += sign * shape.cores;
    if (c < 0.5) // whole cores: the shape has no queued job left
        shapes_.erase(key);
}

double JobQueue::queued_cores(int cores, double memory, bool gpus) const {
    double sum = 0;
    for (const auto& [shape, c] : shapes_) {
        const auto& [job_cores, job_memory, job_gpu] = shape;
        if (job_cores <= cores && job_memory <= memory && (gpus || !job_gpu))
            sum += c;
    }
    return sum;
}

} // namespace hepkit::sim
