#include "hepkit/sim/compute/CpuModel.hpp"

#include <stdexcept>

namespace hepkit::sim {

CpuModel::CpuModel(const Platform& platform, Engine& engine) : platform_(platform), engine_(engine) {
    host_resources_.reserve(platform.host_count());
    for (HostIndex h = 0; h < platform.host_count(); ++h) {
        const HostSpec& spec = platform.host(h);
        host_resources_.push_back(
            engine.add_resource(spec.speed * spec.cores, MaxMinSolver::Sharing::shared));
        SharingSpec one;
        one.elements = {{host_resources_.back(), 1.0}};
        one.bound = spec.speed;
        one_core_.push_back(engine.intern(one));
    }
}

ActivityId CpuModel::execute(HostIndex host, double flop, int cores) {
    if (cores < 1)
        throw std::invalid_argument("CpuModel::execute: cores must be >= 1");
    if (cores == 1)
        return engine_.start(flop, one_core_[host]);
    SharingSpec spec;
    spec.elements = {{host_resources_[host], 1.0}};
    spec.penalty = 1.0 / cores;
    spec.bound = cores * platform_.host(host).speed;
    return engine_.start(flop, spec);
}

} // namespace hepkit::sim
