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

/// The routes from `host` to every storage host in `storages` (the host itself left out).
inline RouteFacts route_to_storage(const sim::Platform& p, sim::HostIndex host,
                                   const std::vector<sim::HostIndex>& storages) {
    double bw = 0, lat = 0;
    std::size_t k = 0;
    for (const auto st : storages) {
        if (st == host)
            continue;
        try {
            const sim::Route r = p.route(host, st);
            double b = 0;
            for (const auto l : r.links)
                b = b == 0 ? p.link(l).bandwidth : std::min(b, p.link(l).bandwidth);
            bw += b;
            lat += r.latency;
            ++k;
        } catch (const std::invalid_argument&) {
            // no route to this storage host: it does not count
        }
    }
    if (k == 0)
        return {};
    return {bw / static_cast<double>(k), lat / static_cast<double>(k), true};
}

} // namespace hepkit::surrogate::detail
