// libFuzzer harness: a GPU job mix for `hepkit gpu-plan` (DCSim workload JSON with the GPU keys),
// read as the command reads it: every workload made a calculation without inputs, the jobs built
// on an empty platform. Small mixes (up to 4 jobs) are also planned, as the command does.
#include "FuzzSupport.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GpuPlan.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/platform/Gpu.hpp"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    static const hepkit::sim::Platform platform = [] {
        hepkit::sim::Platform p;
        p.add_zone("plan", hepkit::sim::Routing::full, hepkit::sim::Platform::none);
        p.seal();
        return p;
    }();
    const std::string path = hepkit::fuzz::write_input(data, size, "input.json");
    hepkit::fuzz::expect_input_errors([&] {
        hepkit::sim::WorkloadSources sources;
        sources.workloads.emplace_back(hepkit::sim::read_gpu_plan_workloads(path), path);
        const hepkit::sim::WorkloadSet set = hepkit::sim::build_workload(platform, sources, 42);
        if (set.jobs.size() > 4)
            return;
        hepkit::sim::GpuPlanOptions opt;
        opt.gpu = *hepkit::sim::gpu_catalogue("H100");
        opt.max_jobs_per_gpu = 2;
        try {
            (void)hepkit::sim::plan_gpu_sharing(set.jobs, opt);
        } catch (const std::invalid_argument&) {
            // the command turns this into an InputError naming the file: an expected outcome
        }
    });
    return 0;
}
