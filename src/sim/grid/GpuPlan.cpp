#include "hepkit/sim/grid/GpuPlan.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Plural.hpp"

#include "hepkit/core/Units.hpp"
#include "hepkit/sim/grid/Run.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {

std::vector<std::string> mig_layouts(const GpuSpec& gpu) {
    if (gpu.mig_sms.empty())
        return {};
    const double slice = gpu.memory / 8 / units::GB; // memory per MIG memory slice, GB
    auto prof = [&](int g, int mem_slices) { return fmt::format("{}g.{:g}gb", g, slice * mem_slices); };
    std::vector<std::string> out;
    out.push_back(fmt::format("{0}+{0}+{0}+{0}+{0}+{0}+{0}", prof(1, 1)));
    out.push_back(fmt::format("{0}+{0}+{0}", prof(2, 2)));
    out.push_back(fmt::format("{0}+{0}", prof(3, 4)));
    out.push_back(fmt::format("{}+{}+{}", prof(3, 4), prof(2, 2), prof(2, 2)));
    return out;
}

} // namespace

GpuPlan plan_gpu_sharing(const std::vector<JobSpec>& all, const GpuPlanOptions& o,
                         const std::function<void(std::size_t, std::size_t, const std::string&)>& progress) {
    std::vector<JobSpec> jobs;
    double max_memory = 0;
    for (const auto& j : all)
        if (j.gpu.wanted()) {
            JobSpec g = j;
            g.flops = 0; // the CPU part is not planned
            g.cores = 1;
            g.memory = 0;
            g.submit = 0;
            jobs.push_back(std::move(g));
            max_memory = std::max(max_memory, j.gpu.memory);
        }
    if (jobs.empty())
        throw std::invalid_argument(
            "the workload has no GPU job (give jobs gpus > 0 and gpu_time or gpu_flops)");
    if (o.max_jobs_per_gpu < 1 || o.max_jobs_per_gpu > o.calibration.mps_max_clients)
        throw std::invalid_argument(fmt::format("--max-jobs-per-gpu = {} must be between 1 and {}",
                                                o.max_jobs_per_gpu, o.calibration.mps_max_clients));
    // Candidate policies.
    std::vector<std::string> candidates = {"exclusive"};
    const double limit_gb = std::ceil((max_memory + o.calibration.context_memory) / units::GB);
    for (int n = 2; n <= o.max_jobs_per_gpu; ++n) {
        candidates.push_back(fmt::format("time-slicing:{}", n));
        candidates.push_back(fmt::format("divide:{}", n));
        candidates.push_back(fmt::format("mps:{},memory_limit={:g}GB", n, limit_gb));
        const int fair = static_cast<int>(std::ceil(100.0 / n));
        candidates.push_back(
            fmt::format("mps:{},thread_percentage={},memory_limit={:g}GB", n, fair, limit_gb));
    }
    for (const auto& layout : mig_layouts(o.gpu))
        candidates.push_back("mig:" + layout);

    GpuPlan plan;
    plan.jobs = jobs.size();
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const std::string& text = candidates[c];
        if (progress)
            progress(c, candidates.size(), text);
        GpuPlanRow row;
        row.policy = parse_gpu_policy(text);
        try {
            row.result = run_gpu_node(o.gpu, o.gpus_per_node, row.policy, jobs, o.calibration);
        } catch (const ScenarioError& e) { // the policy cannot hold some job on this device
            row.fits = false;
            row.note = e.message();
            plan.rows.push_back(std::move(row));
            continue;
        }
        const double hours = o.gpus_per_node * row.result.makespan / 3600;
        row.jobs_per_gpu_hour = hours > 0 ? static_cast<double>(row.result.jobs_ok) / hours : 0;
        const auto oom = row.result.status.find("gpu-out-of-memory");
        if (oom != row.result.status.end())
            row.note = fmt::format("{} jobs out of GPU memory", oom->second);
        plan.rows.push_back(std::move(row));
    }
    const GpuPlanRow& ex = plan.rows.front();
    bool have = false;
    for (std::size_t i = 0; i < plan.rows.size(); ++i) {
        GpuPlanRow& r = plan.rows[i];
        if (!r.fits)
            continue;
        r.throughput_gain = ex.jobs_per_gpu_hour > 0 ? r.jobs_per_gpu_hour / ex.jobs_per_gpu_hour : 0;
        r.energy_gain =
            r.result.joules_per_job() > 0 ? ex.result.joules_per_job() / r.result.joules_per_job() : 0;
        if (r.result.jobs_ok != plan.jobs)
            continue;
        const GpuPlanRow& b = plan.rows[plan.best];
        // 0.5% tolerance: a policy must be clearly better to displace a simpler one listed before it
        if (!have || r.jobs_per_gpu_hour > b.jobs_per_gpu_hour * 1.005 ||
            (r.jobs_per_gpu_hour >= b.jobs_per_gpu_hour * 0.995 &&
             r.result.joules_per_job() < b.result.joules_per_job() * 0.995)) {
            plan.best = i;
            have = true;
        }
    }
    return plan;
}

std::string htcondor_config(const GpuPolicy& p) {
    std::string out = "# HTCondor execute-node configuration (condor_config.local)\nuse feature : GPUs\n";
    switch (p.slots) {
    case GpuPolicy::Slots::exclusive:
        break;
    case GpuPolicy::Slots::repeat:
        out += fmt::format("GPU_DISCOVERY_EXTRA = $(GPU_DISCOVERY_EXTRA) -repeat {}\n", p.count);
        break;
    case GpuPolicy::Slots::divide:
        out += fmt::format("GPU_DISCOVERY_EXTRA = $(GPU_DISCOVERY_EXTRA) -divide {}\n", p.count);
        break;
    case GpuPolicy::Slots::mig: {
        std::string list;
        for (const auto& prof : p.profiles)
            list += (list.empty() ? "" : ",") + prof;
        out += "# MIG devices are discovered by condor_gpu_discovery; create the partitions first (root, "
               "GPUs idle):\n";
        out += "#   nvidia-smi -mig 1\n";
        out += fmt::format("#   nvidia-smi mig -cgi {} -C\n", list);
        break;
    }
    }
    if (p.slots != GpuPolicy::Slots::mig && p.slots != GpuPolicy::Slots::exclusive)
        out += "# slots share each device; partitionable slots need enough CPU and memory per GPU job\n";
    if (p.execution == GpuPolicy::Execution::mps) {
        out += "# MPS: run the control daemon on every GPU node (one per node, as the user running jobs\n";
        out += "# unless multi-user MPS is configured), e.g. from a systemd unit:\n";
        out += "#   export CUDA_MPS_PIPE_DIRECTORY=/var/run/nvidia-mps "
               "CUDA_MPS_LOG_DIRECTORY=/var/log/nvidia-mps\n";
        out += "#   nvidia-cuda-mps-control -d\n";
        std::string env = "CUDA_MPS_PIPE_DIRECTORY=/var/run/nvidia-mps";
        if (p.thread_percentage < 100)
            env += fmt::format(" CUDA_MPS_ACTIVE_THREAD_PERCENTAGE={:g}", p.thread_percentage);
        if (p.memory_limit > 0)
            env += fmt::format(" CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0={:g}G",
                               std::ceil(p.memory_limit / units::GB));
        out += fmt::format("STARTER_JOB_ENVIRONMENT = \"{}\"\n", env);
    }
    return out;
}

std::string gpu_plan_report(const GpuPlan& plan, const GpuPlanOptions& o) {
    std::string out = fmt::format("hepkit gpu-plan: {} on a node with {} x {} ({} SMs, {:g} GB)\n",
                                  plural(plan.jobs, "GPU job"), o.gpus_per_node, o.gpu.model, o.gpu.sms,
                                  o.gpu.memory / units::GB);
    out += fmt::format("  {:<46} {:>10} {:>11} {:>9} {:>8} {:>7}  {}\n", "policy", "makespan", "jobs/GPU-h",
                       "J/job", "x thru", "x J", "note");
    for (std::size_t i = 0; i < plan.rows.size(); ++i) {
        const GpuPlanRow& r = plan.rows[i];
        const std::string mark = i == plan.best ? "* " : "  ";
        if (!r.fits) {
            out += fmt::format("{}{:<46} {:>10} {:>11} {:>9} {:>8} {:>7}  {}\n", mark, r.policy.describe(),
                               "-", "-", "-", "-", "-", r.note);
            continue;
        }
        out +=
            fmt::format("{}{:<46} {:>10} {:>11.4g} {:>9.4g} {:>8.3f} {:>7.3f}  {}\n", mark,
                        r.policy.describe(), units::format_duration(r.result.makespan), r.jobs_per_gpu_hour,
                        r.result.joules_per_job(), r.throughput_gain, r.energy_gain, r.note);
    }
    const GpuPlanRow& b = plan.rows[plan.best];
    const int per_gpu =
        b.policy.slots == GpuPolicy::Slots::mig ? static_cast<int>(b.policy.profiles.size()) : b.policy.count;
    // Ratios to exclusive use, said as ratios ("1.85x the throughput"), and "the same" when
    // they round to 1.00 (a "x1.00 better" reads as a gain that is not there).
    auto versus_exclusive = [](double ratio, const char* what) {
        if (!(ratio > 0))
            return fmt::format("{} not comparable with exclusive use", what);
        if (std::abs(ratio - 1) < 0.005)
            return fmt::format("the same {} as exclusive use", what);
        return fmt::format("{:.2f}x the {} of exclusive use", ratio, what);
    };
    out += fmt::format("\nRecommended: {}  ({} per GPU: {}, {})\n", b.policy.describe(),
                       plural(per_gpu, "job"), versus_exclusive(b.throughput_gain, "throughput"),
                       versus_exclusive(b.energy_gain > 0 ? 1 / b.energy_gain : 0, "energy per job"));
    if (b.policy.execution == GpuPolicy::Execution::mps)
        out += fmt::format(
            "  MPS active thread percentage {:g}%, pinned memory limit {:g} GB per client (the CUDA "
            "context of ~0.5 GB counts inside it)\n",
            b.policy.thread_percentage, b.policy.memory_limit / units::GB);
    out += fmt::format("\n{}", htcondor_config(b.policy));
    return out;
}

nlohmann::json read_gpu_plan_workloads(const std::string& path) {
    nlohmann::json doc = config::load_json_file(path);
    if (doc.is_object())
        for (auto& [name, wl] : doc.items())
            if (wl.is_object()) {
                wl["workload_type"] = "calculation";
                for (const char* k : {"infile_datasets", "infile_dataset", "infiles_per_job", "infilesize"})
                    wl.erase(k);
            }
    return doc;
}

} // namespace hepkit::sim
