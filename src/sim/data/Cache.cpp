#include "hepkit/sim/data/Cache.hpp"

#include <stdexcept>

namespace hepkit::sim {

Cache::Cache(HostIndex host, std::size_t disk, double capacity, Eviction policy)
    : host_(host), disk_(disk), capacity_(capacity), policy_(policy) {
    if (!(capacity > 0))
        throw std::invalid_argument("cache capacity must be > 0");
}

void Cache::touch(FileIndex f) {
    auto it = where_.find(f);
    if (it == where_.end() || policy_ != Eviction::lru)
        return;
    order_.splice(order_.begin(), order_, it->second);
}

bool Cache::insert(FileIndex f, double size) {
    if (has(f)) {
        touch(f);
        return true;
    }
    if (size > capacity_)
        return false;
    while (used_ + size > capacity_ && !order_.empty()) {
        const auto& [victim, victim_size] = order_.back();
        used_ -= victim_size;
        where_.erase(victim);
        order_.pop_back();
        ++evictions_;
    }
    order_.emplace_front(f, size);
    where_[f] = order_.begin();
    used_ += size;
    return true;
}

} // namespace hepkit::sim
