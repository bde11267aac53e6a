#pragma once
/// @file
/// Settings of the time series of a grid run (busy cores, queued jobs, link load, ...).

#include "hepkit/core/ParameterRegistry.hpp"

#include <cstdint>

namespace hepkit::sim {

/// Parameter paths `timeseries.*` (docs/formats.md, "Parameter paths").
struct TimeSeriesConfig {
    /// s between samples; 0: no time series (a run that writes one defaults to 60 s).
    double interval = 0;
    /// Sampling times after which the run fails (count): a guard against an interval that is
    /// absurdly short for the simulated time, which would fill the disk.
    std::uint64_t max_samples = 10000000;
};

/// Registers `interval` and `max_samples`.
void register_parameters(ParameterRegistry<TimeSeriesConfig>& r);

} // namespace hepkit::sim
