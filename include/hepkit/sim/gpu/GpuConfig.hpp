#pragma once
/// @file
/// GPU settings of a grid run: sharing policies per host or site, and the model's constants.

#include "hepkit/sim/gpu/GpuPolicy.hpp"

#include <string>
#include <utility>
#include <vector>

namespace hepkit::sim {

/// Parameter paths `gpu.sharing.NAME` and `gpu.calibration.*` (docs/formats.md).
struct GpuConfig {
    /// Sharing policies by host name, site (zone) name or `default` (the most specific wins;
    /// without any, `exclusive`).
    std::vector<std::pair<std::string, GpuPolicy>> policies;
    /// Constants of the GPU model (context start, time-slicing overhead, ...).
    GpuCalibration calibration;
};

} // namespace hepkit::sim
