// GPU placement of the Dispatcher: each worker's GPU sharing policy and the choice of a worker
// for a GPU job. Same class as Dispatcher.cpp, split off to keep the CPU policies readable there.

#include "hepkit/sim/batch/Dispatcher.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {

bool Dispatcher::any_gpu_worker() const {
    for (const auto& w : workers_)
        if (!platform_->host(w.host).gpus.empty())
            return true;
    return false;
}

void Dispatcher::setup_gpus(Engine& engine, const std::vector<std::pair<std::string, GpuPolicy>>& policies,
                            const GpuCalibration& calibration, GpuPool::Registrar registrar) {
    const Platform& p = *platform_;
    for (const auto& [name, policy] : policies)
        if (name != "default" && !p.find_host(name) && !p.find_zone(name))
            throw std::invalid_argument(fmt::format(
                "GPU policy given for '{}', which is neither a host, a zone nor 'default'", name));
    auto find = [&](const std::string& name) -> const GpuPolicy* {
        for (const auto& [n, policy] : policies)
            if (n == name)
                return &policy;
        return nullptr;
    };
    std::vector<GpuPolicy> of_worker;
    std::vector<HostIndex> hosts;
    for (const auto& w : workers_) {
        const GpuPolicy* pol = find(p.host(w.host).id);
        for (ZoneIndex z = p.host_zone(w.host); !pol && z != Platform::none; z = p.zone_parent(z))
            pol = find(p.zone_name(z));
        if (!pol)
            pol = find("default");
        of_worker.push_back(pol ? *pol : GpuPolicy{});
        hosts.push_back(w.host);
    }
    gpus_.emplace(engine, p, hosts, of_worker, calibration, std::move(registrar));
}

std::optional<std::pair<std::size_t, GpuPool::TaskId>> Dispatcher::pick_gpu(int cores, double memory,
                                                                            const GpuRequest& request,
                                                                            const std::string& user,
                                                                            GpuPool::Owner owner) {
    std::optional<std::size_t> best;
    double best_load = 0;
    GpuPool::TaskId claimed = 0;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        if (!workers_[w].open || !gpus_->has_gpus(w) || workers_[w].cores_free < cores ||
            workers_[w].memory_free < memory) // closed: an opportunistic node without a drone
            continue;
        const double load = gpus_->load(w);
        if (load >= 1.0 || (best && load >= best_load))
            continue;
        if (auto t = gpus_->claim(w, request, user, owner)) {
            // keep the better one; give back the previous claim
            if (best)
                gpus_->release(claimed);
            best = w;
            best_load = load;
            claimed = *t;
        }
    }
    if (!best)
        return std::nullopt;
    return std::pair{*best, claimed};
}

} // namespace hepkit::sim
