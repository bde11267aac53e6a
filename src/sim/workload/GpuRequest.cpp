#include "hepkit/sim/workload/GpuRequest.hpp"

#include <cmath>
#include <fmt/format.h>

namespace hepkit::sim {

std::string check_gpu_request(const GpuRequest& r) {
    if (!(r.gpus >= 0) || !std::isfinite(r.gpus) ||
        (r.gpus > 1 && (r.gpus != std::floor(r.gpus) || r.gpus > 64)))
        return fmt::format("gpus = {} must be 0 (none), a fraction in (0, 1] or an integer from 2 to 64",
                           r.gpus);
    if (!(r.intensity > 0 && r.intensity <= 1))
        return fmt::format("gpu_intensity = {} must be in (0, 1]", r.intensity);
    if (!(r.duty > 0 && r.duty <= 1))
        return fmt::format("gpu_duty = {} must be in (0, 1]", r.duty);
    if (!(r.memory >= 0) || !std::isfinite(r.memory))
        return fmt::format("gpu_memory = {} must be >= 0", r.memory);
    if (!(r.power >= 0) || !std::isfinite(r.power))
        return fmt::format("gpu_power = {} must be >= 0", r.power);
    if (!(r.seconds >= 0) || !(r.flops >= 0) || !std::isfinite(r.seconds) || !std::isfinite(r.flops))
        return "gpu_time and gpu_flops must be >= 0";
    if (r.gpus > 0 && !(r.seconds > 0 || r.flops > 0))
        return "a job with gpus > 0 needs gpu_time (s) or gpu_flops > 0";
    if (r.gpus == 0 && (r.seconds > 0 || r.flops > 0 || r.memory > 0))
        return "gpu_time, gpu_flops or gpu_memory given but gpus = 0";
    return "";
}

} // namespace hepkit::sim
