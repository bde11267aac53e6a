#pragma once
/// @file
/// CPU model (SimGrid's Cas01): a host is one resource of capacity speed x cores; an
/// execution on k cores has penalty 1/k and is bounded by k x speed, so it never runs faster
/// than its cores and shares the host max-min with the other executions.

#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/platform/Platform.hpp"

namespace hepkit::sim {

class CpuModel {
  public:
    CpuModel(const Platform& platform, Engine& engine);
    /// Starts `flop` of work on `cores` (>= 1) cores of `host`.
    ActivityId execute(HostIndex host, double flop, int cores = 1);
    ResourceId host_resource(HostIndex h) const { return host_resources_[h]; }

  private:
    const Platform& platform_;
    Engine& engine_;
    std::vector<ResourceId> host_resources_;
    std::vector<SpecId> one_core_; ///< interned spec of a 1-core execution per host
};

} // namespace hepkit::sim
