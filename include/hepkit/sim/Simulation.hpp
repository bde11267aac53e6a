#pragma once
/// @file
/// One simulation: the platform, the engine and the resource models. It owns all state, so
/// tests and parameter scans can run many simulations in one process.

#include "hepkit/sim/compute/CpuModel.hpp"
#include "hepkit/sim/engine/Engine.hpp"
#include "hepkit/sim/network/NetworkModel.hpp"
#include "hepkit/sim/platform/Platform.hpp"
#include "hepkit/sim/storage/DiskModel.hpp"

namespace hepkit::sim {

class Simulation {
  public:
    struct Config {
        Engine::Config engine;
        NetworkModel::Config network; ///< overridden by the platform's <config> settings
    };
    Simulation(Platform platform, Config config);
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    const Platform& platform() const { return platform_; }
    Engine& engine() { return engine_; }
    NetworkModel& network() { return network_; }
    DiskModel& disks() { return disks_; }
    CpuModel& cpus() { return cpus_; }

  private:
    static NetworkModel::Config network_config(const Platform& p, NetworkModel::Config c);
    Platform platform_;
    Engine engine_;
    NetworkModel network_;
    DiskModel disks_;
    CpuModel cpus_;
};

} // namespace hepkit::sim
