#include "hepkit/sim/output/TimeSeriesSampler.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>

namespace hepkit::sim {

double TimeSeriesSampler::take(double now) {
    if (++samples_ > max_samples_)
        throw InputError("", 0, "interval",
                         fmt::format("the time series reached {} samples (interval {:.4g} s, simulated time "
                                     "{:.4g} s): give a longer interval, or check the inputs for absurd "
                                     "times, sizes or rates",
                                     max_samples_, interval_, now));
    now_ = now;
    for (auto& probe : probes_)
        probe(*this);
    return now + interval_;
}

} // namespace hepkit::sim
