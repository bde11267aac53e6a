#pragma once
/// @file
/// Disk model: read and write bandwidths shared max-min among concurrent I/O (SimGrid's S19).
///
/// Each disk has three resources: read (capacity read_bw), write (write_bw) and a global one
/// (max(read_bw, write_bw)). A read uses the global and the read resource with weight 1, a
/// write the global and the write resource.

#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/platform/Platform.hpp"

#include <optional>
#include <string>

namespace hepkit::sim {

class DiskModel {
  public:
    DiskModel(const Platform& platform, Engine& engine);

    enum class Op { read, write };
    /// Starts an I/O of `bytes` on disk number `disk` of host `host`.
    ActivityId io(HostIndex host, std::size_t disk, double bytes, Op op);
    /// The sharing of an I/O on that disk (for combining with a network transfer).
    const SharingSpec& io_sharing(HostIndex host, std::size_t disk, Op op) const;
    /// Index of the disk called `id` on `host`, if any.
    std::optional<std::size_t> find_disk(HostIndex host, const std::string& id) const;

  private:
    struct DiskResources {
        SpecId read, write;
    };
    const Platform& platform_;
    Engine& engine_;
    std::vector<std::vector<DiskResources>> disks_; ///< per host, per disk
};

} // namespace hepkit::sim
