#pragma once
/// @file
/// GPU settings of a grid run: sharing policies per host or site, and the model's constants.

#include "hepkit/core/ParameterRegistry.hpp"
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

/// Registers `sharing.*` (a policy per host, site or `default`) and the calibration's fields
/// as `calibration.*`.
void register_parameters(ParameterRegistry<GpuConfig>& r);
/// Registers the GPU model's constants (`context_latency`, ..., `mps_max_clients`).
void register_parameters(ParameterRegistry<GpuCalibration>& r);

} // namespace hepkit::sim
