#pragma once
/// @file
/// GPUs of a host and the host's power model, as the platform declares them.
///
/// Native YAML: a host has `gpus: {model: H100, count: 4}` (any field of GpuSpec may override
/// the catalogue's value) and `power: {idle: 120W, max: 450W}`. SimGrid XML: the same as host
/// properties, `gpu_model`, `gpu_count`, `gpu_sms`, `gpu_memory`, `gpu_flops`, `gpu_idle_power`,
/// `gpu_active_power`, `gpu_max_power`, and the host power of SimGrid's energy plugin,
/// `wattage_per_state="idle:one-core:all-cores"` (hepkit uses the first and the last value).
/// See docs/formats.md.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::sim {

/// One GPU device.
struct GpuSpec {
    std::string model;       ///< catalogue name or free text
    int sms = 0;             ///< streaming multiprocessors, > 0
    double memory = 0;       ///< B, > 0
    double flops = 0;        ///< peak flop/s (FP32), > 0: converts GPU work given in flop to seconds
    double idle_power = 0;   ///< W with no kernel running
    double active_power = 0; ///< W as soon as one kernel runs (clocks up), before per-SM power
    double max_power = 0;    ///< W, the board's power limit
    /// SMs of the MIG compute slices 1..7 (index g-1); empty if the model has no MIG.
    std::vector<int> mig_sms;
};

/// The GPU models hepkit knows (public data sheets; idle/active power of the H100 measured,
/// see docs/models.md): H100 (alias H100-SXM-80GB), A100-40GB, A100-80GB, V100, L40S, T4.
std::optional<GpuSpec> gpu_catalogue(const std::string& model);
/// Names of the catalogue, for error messages.
std::string gpu_catalogue_names();

/// A MIG partition: `<g>g.<m>gb`, e.g. 3g.40gb.
struct MigProfile {
    std::string name;
    int slices = 0;    ///< compute slices g (of 7)
    double memory = 0; ///< B
    int sms = 0;       ///< SMs of this partition on its device
};
/// Parses a MIG profile for `gpu`; throws std::invalid_argument naming the profile and the rule.
MigProfile parse_mig_profile(const std::string& text, const GpuSpec& gpu);

/// Checks a GPU spec (every field > 0, active power between idle and max); throws
/// std::invalid_argument naming the field.
void check_gpu_spec(const GpuSpec& gpu);

/// Reads `gpu_*` and `wattage_per_state` properties (SimGrid XML convention). Returns the GPUs
/// (empty if the host has none); sets idle/max power if given. Throws std::invalid_argument
/// naming the property.
std::vector<GpuSpec> gpus_from_props(const std::map<std::string, std::string>& props, double& power_idle,
                                     double& power_max);

} // namespace hepkit::sim
