#include "hepkit/sim/grid/GpuNode.hpp"

#include "hepkit/sim/grid/Run.hpp"

#include <algorithm>

namespace hepkit::sim {

GpuNodeResult run_gpu_node(const GpuSpec& gpu, int devices, const GpuPolicy& policy,
                           std::vector<JobSpec> jobs, const GpuCalibration& calibration, int cores,
                           double core_speed) {
    Platform platform;
    const ZoneIndex z = platform.add_zone("node", Routing::full, Platform::none);
    HostSpec host;
    host.id = "node";
    host.speed = core_speed;
    host.cores = cores;
    host.props["type"] = "worker";
    host.gpus.assign(static_cast<std::size_t>(devices), gpu);
    platform.add_host(z, std::move(host));
    platform.seal();

    GridScenario scenario;
    scenario.name = "gpu node";
    scenario.platform.emplace(std::move(platform));
    for (auto& j : jobs) {
        j.type = JobType::calculation;
        j.inputs.clear();
        j.output_size = 0;
        scenario.workload.jobs.push_back(std::move(j));
    }
    scenario.options.gpu.policies.emplace_back("default", policy);
    scenario.options.gpu.calibration = calibration;

    GpuNodeResult out;
    double gpu_time = 0;
    std::size_t ran = 0;
    RunOptions options;
    options.job_finished = [&](const JobRecord& r) {
        ++out.status[r.status];
        out.makespan = std::max(out.makespan, r.end);
        if (r.status == "done")
            ++out.jobs_ok;
        if (r.gpu_time > 0) {
            gpu_time += r.gpu_time;
            ++ran;
        }
    };
    const Summary summary = run(std::move(scenario), options);
    for (const auto& s : summary.gpu) {
        out.energy += s.energy;
        out.window = std::max(out.window, s.window_end - s.window_start);
        if (s.window_end > s.window_start)
            out.busy_fraction = s.busy_time / (s.devices * (s.window_end - s.window_start));
    }
    out.mean_gpu_time = ran > 0 ? gpu_time / static_cast<double>(ran) : 0;
    return out;
}

} // namespace hepkit::sim
