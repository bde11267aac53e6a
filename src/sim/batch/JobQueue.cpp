#include "hepkit/sim/batch/JobQueue.hpp"

namespace hepkit::sim {

void JobQueue::push(std::size_t ticket, int priority, double submit, JobShape shape) {
    entries_.emplace(Key{-priority, submit, ticket}, shape);
    ++changes_;
    count(shape, +1);
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
