#pragma once
/// @file
/// A cache on a host's disk: which files it holds, how full it is, and what to evict.

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/sim/data/FileCatalog.hpp"

#include <list>
#include <string>
#include <unordered_map>

namespace hepkit::sim {

/// Eviction policies. LRU is DCSim's (src/LRU_FileList.h); FIFO evicts in insertion order.
/// A new policy adds an enumerator and its rule in touch()/victim().
enum class Eviction { lru, fifo };
inline constexpr auto evictions =
    make_enum_table<Eviction>("eviction policy", {{"lru", Eviction::lru}, {"fifo", Eviction::fifo}});

class Cache {
  public:
    /// @param capacity bytes (> 0)
    Cache(HostIndex host, std::size_t disk, double capacity, Eviction policy);

    HostIndex host() const { return host_; }
    std::size_t disk() const { return disk_; }
    double capacity() const { return capacity_; }
    double used() const { return used_; }
    bool has(FileIndex f) const { return where_.count(f) > 0; }

    /// Records a use of `f` (a hit, or the first placement).
    void touch(FileIndex f);
    /// Stores `f` of `size` bytes, evicting as the policy says until it fits. Returns false
    /// (and stores nothing) if the file is larger than the whole cache.
    bool insert(FileIndex f, double size);
    std::uint64_t evictions() const { return evictions_; }

  private:
    HostIndex host_;
    std::size_t disk_;
    double capacity_;
    double used_ = 0;
    Eviction policy_;
    std::list<std::pair<FileIndex, double>> order_; ///< front = most recent (LRU) / newest (FIFO)
    std::unordered_map<FileIndex, std::list<std::pair<FileIndex, double>>::iterator> where_;
    std::uint64_t evictions_ = 0;
};

} // namespace hepkit::sim
