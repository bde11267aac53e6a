// Max-min fair rates by progressive filling (MaxMin.hpp).
#include "MaxMin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hepkit::surrogate::detail {

std::vector<double> FlowClasses::max_min(const std::vector<double>& m) const {
    const std::size_t classes = uses.size(), resources = capacity.size();
    const double inf = std::numeric_limits<double>::infinity();
    const auto cap_of = [&](std::size_t c) { return cap.empty() ? inf : cap[c]; };
    std::vector<double> rate(classes, 0.0), used(resources, 0.0), rising(resources, 0.0);
    std::vector<char> open(classes, 0);
    std::vector<std::size_t> frozen;
    std::size_t left = 0;
    for (std::size_t c = 0; c < classes; ++c)
        if (m[c] > 0 && (!uses[c].empty() || std::isfinite(cap_of(c)))) {
            open[c] = 1;
            ++left;
        }
    const auto room = [&](std::size_t r) { return std::max(0.0, capacity[r] - used[r]) / rising[r]; };
    while (left > 0) {
        // the level at which the first resource fills or the first cap is reached, with the open
        // classes' flows all at it
        std::fill(rising.begin(), rising.end(), 0.0);
        double level = inf;
        for (std::size_t c = 0; c < classes; ++c)
            if (open[c]) {
                level = std::min(level, cap_of(c));
                for (const std::size_t r : uses[c])
                    rising[r] += m[c];
            }
        for (std::size_t r = 0; r < resources; ++r)
            if (rising[r] > 0)
                level = std::min(level, room(r));
        // the open classes at their cap or on a resource full at that level stay there
        frozen.clear();
        for (std::size_t c = 0; c < classes; ++c) {
            if (!open[c])
                continue;
            bool full = cap_of(c) <= level * (1 + 1e-12);
            for (const std::size_t r : uses[c])
                full = full || room(r) <= level * (1 + 1e-12);
            if (full)
                frozen.push_back(c);
        }
        for (const std::size_t c : frozen) {
            open[c] = 0;
            --left;
            rate[c] = level;
            for (const std::size_t r : uses[c])
                used[r] += m[c] * level;
        }
    }
    return rate;
}

} // namespace hepkit::surrogate::detail
