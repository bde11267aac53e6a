#include "hepkit/sim/gpu/GpuConfig.hpp"

#include <stdexcept>

namespace hepkit::sim {

void register_parameters(ParameterRegistry<GpuConfig>& r) {
    r.custom("sharing.*", "gpu_sharing.NAME", "policy",
             "GPU sharing policy of host, site or `default` NAME, e.g. mps:4 (--gpu-policy sets `default`)",
             &GpuConfig::policies, [](GpuConfig& c, const config::YamlView& v, const std::string& name) {
                 GpuPolicy p;
                 try {
                     p = parse_gpu_policy(v.as_string());
                 } catch (const std::invalid_argument& e) {
                     v.fail(e.what());
                 }
                 // a second policy for the same name replaces the first (--gpu-policy over a
                 // scenario's `default`)
                 std::erase_if(c.policies, [&](const auto& kv) { return kv.first == name; });
                 c.policies.emplace_back(name, std::move(p));
             });
    r.add("calibration.", "gpu_calibration.", &GpuConfig::calibration, register_parameters);
}

void register_parameters(ParameterRegistry<GpuCalibration>& r) {
    using C = GpuCalibration;
    r.field("context_latency", "context_latency", "s", "process and CUDA context start, in parallel",
            &C::context_latency, Bounds::at_least(0));
    r.field("context_serial", "context_serial", "s", "part of a context start serialised per device",
            &C::context_serial, Bounds::at_least(0));
    r.field("context_memory", "context_memory", "B", "device memory of one CUDA context", &C::context_memory,
            Bounds::at_least(0));
    r.field("time_slice_overhead", "time_slice_overhead", "fraction",
            "time-slicing: extra time per unit of work with two or more jobs, [0, 10)",
            &C::time_slice_overhead, Bounds::between(0, 10).below_hi());
    r.field("mps_max_clients", "mps_max_clients", "count", "clients per MPS server, 1 to 1024",
            &C::mps_max_clients, Bounds::between(1, 1024));
}

} // namespace hepkit::sim
