#pragma once
// What the surrogates read of a platform besides its hosts' own numbers: roles, and the route
// from a host to the storage hosts (shared by the scenario features and the per-job host sets).

#include "hepkit/sim/platform/Platform.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::surrogate::detail {

/// The host has `role` in its comma-separated `type` property (as the grid reads roles).
inline bool has_role(const sim::HostSpec& h, const std::string& role) {
    const auto it = h.props.find("type");
    if (it == h.props.end())
        return false;
    // A comma-separated list ("worker,cache"), split in place: a std::stringstream per call cost
    // ~1 µs, three calls per host, most of the summary model's features (bench_surrogate_speed).
    const std::string_view roles = it->second;
    for (std::size_t at = 0; at <= roles.size();) {
        const std::size_t comma = std::min(roles.find(',', at), roles.size());
        if (roles.substr(at, comma - at) == role)
            return true;
        at = comma + 1;
    }
    return false;
}

struct RouteFacts {
    double bandwidth = 0; ///< B/s, the bottleneck, averaged over the storage hosts reached
    double latency = 0;   ///< s, averaged likewise
    bool reached = false; ///< some storage host (other than the host) has a route from it
};

/// The routes from `host` to each host of `to` that has one (the host itself left out).
inline std::vector<sim::Route> routes_from(const sim::Platform& p, sim::HostIndex host,
                                           const std::vector<sim::HostIndex>& to) {
    std::vector<sim::Route> out;
    for (const auto t : to) {
        if (t == host)
            continue;
        try {
            out.push_back(p.route(host, t));
        } catch (const std::invalid_argument&) {
            // no route to this host: it does not count
        }
    }
    return out;
}

/// The bottleneck bandwidth and the latency of `routes`, averaged over them.
inline RouteFacts facts_of(const sim::Platform& p, const std::vector<sim::Route>& routes) {
    if (routes.empty())
        return {};
    double bw = 0, lat = 0;
    for (const auto& r : routes) {
        double b = 0;
        for (const auto l : r.links)
            b = b == 0 ? p.link(l).bandwidth : std::min(b, p.link(l).bandwidth);
        bw += b;
        lat += r.latency;
    }
    const auto k = static_cast<double>(routes.size());
    return {bw / k, lat / k, true};
}

/// The routes from `host` to every storage host in `storages` (the host itself left out).
inline RouteFacts route_to_storage(const sim::Platform& p, sim::HostIndex host,
                                   const std::vector<sim::HostIndex>& storages) {
    return facts_of(p, routes_from(p, host, storages));
}

} // namespace hepkit::surrogate::detail
