#include "hepkit/sim/network/NetworkModel.hpp"

#include "hepkit/core/Units.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {

double NetworkModel::Config::check(const std::string& key, const std::string& value) {
    return check_network_setting(key, value);
}

void NetworkModel::Config::apply(const PlatformConfig& pc) {
    auto number = [&](const std::string& key, double& target) {
        auto it = pc.extra.find(key);
        if (it == pc.extra.end())
            return;
        try {
            target = check(key, it->second);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(fmt::format("config {}: {}", key, e.what()));
        }
    };
    number("network/bandwidth-factor", bandwidth_factor);
    number("network/latency-factor", latency_factor);
    number("network/weight-S", weight_s);
    number("network/TCP-gamma", tcp_gamma);
    if (auto it = pc.extra.find("network/crosstraffic"); it != pc.extra.end()) {
        const std::string& v = it->second;
        if (v == "yes" || v == "1" || v == "true" || v == "on")
            crosstraffic = true;
        else if (v == "no" || v == "0" || v == "false" || v == "off")
            crosstraffic = false;
        else
            throw std::invalid_argument(
                fmt::format("config network/crosstraffic = '{}': expected yes or no", v));
    }
}

NetworkModel::NetworkModel(const Platform& platform, Engine& engine, Config config)
    : platform_(platform), engine_(engine), config_(config) {
    if (!(config_.bandwidth_factor > 0) || !(config_.latency_factor >= 0) || !(config_.weight_s >= 0) ||
        !(config_.tcp_gamma >= 0))
        throw std::invalid_argument("NetworkModel::Config: factors must be > 0 (bandwidth) or >= 0 (others)");
    link_resources_.reserve(platform.link_count());
    for (LinkIndex l = 0; l < platform.link_count(); ++l) {
        const LinkSpec& spec = platform.link(l);
        link_resources_.push_back(engine.add_resource(spec.bandwidth, spec.sharing == LinkSharing::fatpipe
                                                                          ? MaxMinSolver::Sharing::fatpipe
                                                                          : MaxMinSolver::Sharing::shared));
    }
}

const NetworkModel::PairInfo& NetworkModel::pair(HostIndex src, HostIndex dst) {
    const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | dst;
    auto it = pairs_.find(key);
    if (it != pairs_.end())
        return it->second;
    const Route route = platform_.route(src, dst);
    PairInfo info;
    info.latency = route.latency;
    SharingSpec spec;
    spec.rate_factor = config_.bandwidth_factor;
    double min_bw = -1;
    double penalty = route.latency;
    for (LinkIndex l : route.links) {
        const double bw = platform_.link(l).bandwidth;
        spec.elements.push_back({link_resources_[l], 1.0});
        if (min_bw < 0 || bw < min_bw)
            min_bw = bw;
        if (config_.weight_s > 0)
            penalty += config_.weight_s / bw;
    }
    if (config_.crosstraffic) {
        const Route back = platform_.route(dst, src);
        for (LinkIndex l : back.links)
            spec.elements.push_back({link_resources_[l], 0.05});
    }
    // SimGrid activates a flow with penalty 1 when it has no latency to pay; the RTT-based
    // penalty is only set when the latency phase ends (NetworkCm02Model, update_actions_state).
    spec.penalty = route.latency > 0 ? penalty : 1.0;
    double bound = min_bw;
    if (route.latency > 0 && config_.tcp_gamma > 0) {
        const double window = config_.tcp_gamma / (2.0 * route.latency);
        bound = bound < 0 ? window : std::min(bound, window);
    }
    spec.bound = bound > 0 ? bound : MaxMinSolver::unbounded;
    info.spec = engine_.intern(spec);
    return pairs_.emplace(key, info).first->second;
}

double NetworkModel::latency(HostIndex src, HostIndex dst) {
    return pair(src, dst).latency;
}

ActivityId NetworkModel::transfer(HostIndex src, HostIndex dst, double bytes) {
    const PairInfo& info = pair(src, dst);
    return engine_.start(bytes, info.spec, info.latency * config_.latency_factor);
}

} // namespace hepkit::sim
