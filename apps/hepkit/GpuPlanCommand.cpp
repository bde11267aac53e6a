// `hepkit gpu-plan`: recommend a GPU sharing policy for a job mix.

#include "CliChecks.hpp"
#include "Commands.hpp"
#include "Progress.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/grid/GpuPlan.hpp"
#include "hepkit/sim/output/GridReport.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

std::function<int()> add_gpu_plan_command(CLI::App& app, const GlobalOptions& globals) {
    struct Options {
        std::vector<std::string> workloads;
        std::string gpu = "H100";
        int gpus = 1;
        int max_jobs = 8;
        long long seed = 42;
        std::string json;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "gpu-plan",
        "Recommend how to share GPUs for a job mix: simulates exclusive use, time-slicing, HTCondor\n"
        "-divide, MPS (with thread percentages and memory limits) and MIG layouts on one node,\n"
        "prints the comparison, the recommended policy with its gains over exclusive, and the\n"
        "HTCondor/MPS configuration lines to paste. Only the GPU part of the jobs is planned.\n"
        "Example: hepkit gpu-plan examples/gpu/ml-mix.json --gpu H100 --gpus-per-node 4");
    cmd->add_option("workloads", o->workloads,
                    "DCSim workload JSON files whose jobs carry gpus, gpu_time/gpu_flops, gpu_memory, "
                    "gpu_intensity, gpu_duty, gpu_power (docs/gpu.md)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--gpu", o->gpu, fmt::format("GPU model ({})", sim::gpu_catalogue_names()));
    cmd->add_option("--gpus-per-node", o->gpus, "GPUs per node (default 1)")->check(integer_in(1, 64));
    cmd->add_option("--max-jobs-per-gpu", o->max_jobs, "largest packing tried (default 8, at most 48)")
        ->check(integer_in(1, 48));
    cmd->add_option("-s,--seed", o->seed, "seed of the workload's random draws (default 42)")
        ->check(integer_in(0, 1LL << 62));
    cmd->add_option("--json", o->json, "also write the comparison as JSON");
    return [o, &globals]() {
        sim::GpuPlanOptions opt;
        auto gpu = sim::gpu_catalogue(o->gpu);
        if (!gpu)
            throw UsageError("--gpu", fmt::format("'{}' is not a known GPU model (known: {})", o->gpu,
                                                  sim::gpu_catalogue_names()));
        opt.gpu = *gpu;
        opt.gpus_per_node = o->gpus;
        opt.max_jobs_per_gpu = o->max_jobs;
        // Only the GPU part is planned: every workload becomes a calculation workload without inputs.
        sim::Platform platform;
        platform.add_zone("plan", sim::Routing::full, sim::Platform::none);
        platform.seal();
        sim::WorkloadSources sources;
        for (const auto& path : o->workloads) {
            sources.workloads.emplace_back(sim::read_gpu_plan_workloads(path), path);
        }
        const sim::WorkloadSet set =
            sim::build_workload(platform, sources, static_cast<std::uint64_t>(o->seed));
        sim::GpuPlan plan;
        try {
            // each candidate policy is one simulation of the whole mix: with 10^6 jobs a run of
            // minutes, so a progress line names the candidate being simulated
            ProgressLine line(globals.quiet);
            plan = sim::plan_gpu_sharing(
                set.jobs, opt, [&](std::size_t done, std::size_t total, const std::string& candidate) {
                    if (line.due())
                        line.show(fmt::format("{} / {} candidate policies simulated, "
                                              "now {}",
                                              done, total, candidate));
                });
            line.finish();
        } catch (const std::invalid_argument& e) {
            throw InputError(o->workloads.front(), 0, "", e.what());
        }
        if (!globals.quiet)
            std::fputs(sim::gpu_plan_report(plan, opt).c_str(), stdout);
        if (!o->json.empty()) {
            nlohmann::json doc;
            doc["gpu"] = opt.gpu.model;
            doc["gpus_per_node"] = opt.gpus_per_node;
            doc["jobs"] = plan.jobs;
            doc["recommended"] = plan.rows[plan.best].policy.describe();
            for (const auto& r : plan.rows) {
                nlohmann::json row = {{"policy", r.policy.describe()}, {"fits", r.fits}, {"note", r.note}};
                if (r.fits)
                    row.update({{"makespan_s", r.result.makespan},
                                {"jobs_done", r.result.jobs_ok},
                                {"jobs_per_gpu_hour", r.jobs_per_gpu_hour},
                                {"joules_per_job", r.result.joules_per_job()},
                                {"throughput_gain", r.throughput_gain},
                                {"energy_gain", r.energy_gain}});
                doc["candidates"].push_back(row);
            }
            doc["htcondor_config"] = sim::htcondor_config(plan.rows[plan.best].policy);
            write_json_file(o->json, doc, 2);
        }
        return 0;
    };
}

} // namespace hepkit::app
