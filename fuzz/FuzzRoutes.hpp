#pragma once
/// @file
/// Exercises the routing of a fuzzed platform: the routes from the first host to the first 16
/// hosts. A missing route is std::invalid_argument by contract (the simulation reports it when
/// a transfer needs it), so it is an expected outcome here.

#include "hepkit/sim/platform/Platform.hpp"

#include <algorithm>
#include <stdexcept>

namespace hepkit::fuzz {

inline void touch_routes(const sim::Platform& p) {
    const sim::HostIndex n = static_cast<sim::HostIndex>(std::min<std::size_t>(p.host_count(), 16));
    for (sim::HostIndex dst = 0; dst < n; ++dst) {
        try {
            (void)p.route(0, dst);
        } catch (const std::invalid_argument&) {
        }
    }
}

} // namespace hepkit::fuzz
