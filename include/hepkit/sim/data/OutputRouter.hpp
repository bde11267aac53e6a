#pragma once
/// @file
/// Where jobs write their outputs, and the free space of the storage hosts.
///
/// Storage hosts (role `storage`) hold the datasets' initial replicas on their first disk; what
/// is left is free for outputs. Every worker writes to one storage host: the configured output
/// host (default: the first storage host), or, with `to_site_storage`, a storage host in the
/// worker's own zone when there is one. An output that does not fit the space left is refused.

#include "hepkit/sim/data/FileCatalog.hpp"
#include "hepkit/sim/data/OutputStorageConfig.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hepkit::sim {

class OutputRouter {
  public:
    /// Where outputs go (parameter paths `output_storage.*`).
    using Config = OutputStorageConfig;
    /// Where an output goes.
    struct Target {
        HostIndex host;
        std::size_t disk;
    };

    /// `workers[w]` is the host of worker `w`; `files` the workload's catalogue (its initial
    /// replicas take space on the storage hosts); `outputs`: whether some job writes an output.
    /// Throws std::invalid_argument if the initial replicas do not fit their hosts' disks, a
    /// storage host has no disk, the output host is not a storage host, or jobs write outputs and
    /// there is no storage host.
    OutputRouter(const Platform& platform, const FileCatalog& files, const std::vector<HostIndex>& workers,
                 const Config& config, bool outputs);

    /// False when the platform has no storage host (then no job writes an output).
    bool has_storage() const { return !free_.empty(); }
    /// Books `bytes` on the storage host of worker `worker` and returns where to write them, or
    /// nothing (and books nothing) if they do not fit. Precondition: has_storage().
    std::optional<Target> reserve(std::size_t worker, double bytes);
    /// Free bytes left on storage host `host` (0 for a host that is not a storage host).
    double free(HostIndex host) const;
    HostIndex host_of_worker(std::size_t worker) const { return host_of_worker_[worker]; }

  private:
    std::vector<HostIndex> host_of_worker_;      ///< per worker
    std::unordered_map<HostIndex, double> free_; ///< free bytes per storage host
    std::size_t disk_ = 0;                       ///< outputs go to a storage host's first disk
};

} // namespace hepkit::sim
