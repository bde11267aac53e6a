// libFuzzer harness: a job-list CSV (add_job_list, as `hepkit sim --jobs` reads it) on a fixed
// platform with storage host `se` and worker `wn`, after the fixed dataset `ds` (whose files
// the `inputs` column may name).
#include "FuzzSupport.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const hepkit::sim::Platform platform =
        hepkit::sim::load_simgrid_xml((hepkit::fuzz::scratch() / "platform.xml").string());
    const std::string path = hepkit::fuzz::write_input(data, size, "input.csv");
    hepkit::fuzz::expect_input_errors([&] {
        auto rng = hepkit::RandomStreams(42).stream("datasets");
        hepkit::sim::WorkloadSet set;
        hepkit::sim::add_dcsim_datasets(nlohmann::json::parse(hepkit::fuzz::helper_datasets_json),
                                        "datasets.json", platform, rng, set);
        hepkit::sim::add_job_list(path, platform, set);
    });
    return 0;
}
