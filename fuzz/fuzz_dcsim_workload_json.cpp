// libFuzzer harness: a DCSim workload JSON document (add_dcsim_workloads through
// build_workload, as `hepkit sim --workload-configurations` reads it), on a fixed platform with
// a storage host and the fixed dataset `ds` of 4 files.
#include "FuzzSupport.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    static const hepkit::sim::Platform platform =
        hepkit::sim::load_simgrid_xml((hepkit::fuzz::scratch() / "platform.xml").string());
    const std::string path = hepkit::fuzz::write_input(data, size, "input.json");
    hepkit::fuzz::expect_input_errors([&] {
        hepkit::sim::WorkloadSources sources;
        sources.datasets.emplace_back(nlohmann::json::parse(hepkit::fuzz::helper_datasets_json),
                                      "datasets.json");
        sources.workloads.emplace_back(hepkit::config::load_json_file(path), path);
        (void)hepkit::sim::build_workload(platform, sources, 42);
    });
    return 0;
}
