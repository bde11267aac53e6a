#include "hepkit/sim/Simulation.hpp"

namespace hepkit::sim {

NetworkModel::Config Simulation::network_config(const Platform& p, NetworkModel::Config c) {
    c.apply(p.config());
    return c;
}

Simulation::Simulation(Platform platform, Config config)
    : platform_(std::move(platform)), engine_(config.engine),
      network_(platform_, engine_, network_config(platform_, config.network)), disks_(platform_, engine_),
      cpus_(platform_, engine_) {}

} // namespace hepkit::sim
