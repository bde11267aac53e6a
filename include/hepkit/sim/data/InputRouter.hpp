#pragma once
/// @file
/// Where jobs read their inputs: the caches, which of them each worker may use, and the choice
/// between a cached copy and a file's initial replica (docs/models.md, "Grid layer").
///
/// Caches are the hosts with the `cache` role, sized by their first disk unless configured. A
/// worker reads a file from the first cache in its scope that holds it (a hit, which counts as
/// a use for eviction), else from the file's first replica (a miss); with caching on, a miss is
/// stored in a cache of the worker's scope chosen at random, at no transfer cost (as DCSim).

#include "hepkit/sim/data/CacheConfig.hpp"
#include "hepkit/sim/data/FileCatalog.hpp"

#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hepkit::sim {

/// Whether a worker on host `worker` reads hits from the cache on host `cache` under `scope`: its
/// own host (local), its zone (network), or its zone and the zones sharing its parent
/// (sibling_network). The surrogate's features apply the same rule (src/surrogate/Features.cpp).
bool in_cache_scope(const Platform& p, CacheScope scope, HostIndex worker, HostIndex cache);

/// Where one input file is read from.
struct InputSource {
    HostIndex host;
    std::size_t disk;
    bool from_cache;
};

class InputRouter {
  public:
    /// The caches' settings (parameter paths `cache.*`, `caches.HOST.size`).
    using Config = CacheConfig;

    /// `workers[w]` is the host of worker `w`; `files` the workload's catalogue (kept by
    /// reference). `seed` is the run's master seed (the cache placements draw from its stream
    /// `cache-placement`). Throws std::invalid_argument for a size given to a host that is not a
    /// cache, larger than its disk, or a cache host without a disk.
    InputRouter(const Platform& platform, const FileCatalog& files, const std::vector<HostIndex>& workers,
                const Config& config, std::uint64_t seed);

    /// DCSim's initial hit rate: places the first of a job's `inputs`, up to `hitrate` x their
    /// bytes, on every cache (nothing with hitrate 0 or no cache). The grid calls it once per job
    /// of the workload, in workload order, before the run.
    void stage(std::span<const FileIndex> inputs);

    /// Chooses the source of each of `inputs` for a job on worker `worker`, appended to
    /// `sources`; adds the bytes read from caches and from replicas to the two counters.
    void choose_sources(std::span<const FileIndex> inputs, std::size_t worker,
                        std::vector<InputSource>& sources, double& bytes_from_cache,
                        double& bytes_from_remote);
    /// Appends every copy of each file, (holder, size): its replicas, then the caches holding it.
    void copies(std::span<const FileIndex> files, std::vector<std::pair<HostIndex, double>>& out) const;

    const std::vector<Cache>& caches() const { return caches_; }
    /// The caches worker `worker` may read from (indices into caches()).
    const std::vector<std::size_t>& scope(std::size_t worker) const { return in_scope_[worker]; }

  private:
    const FileCatalog& files_;
    bool caching_;
    double hitrate_;
    std::vector<Cache> caches_;
    std::vector<std::vector<std::size_t>> in_scope_; ///< per worker
    std::mt19937_64 rng_;
};

} // namespace hepkit::sim
