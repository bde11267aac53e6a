// libFuzzer harness: a DCSim dataset JSON document (add_dcsim_datasets, as
// `hepkit sim --dataset-configurations` reads it) on a fixed platform with a storage host `se`.
#include "FuzzSupport.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/DcsimInput.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    static const hepkit::sim::Platform platform =
        hepkit::sim::load_simgrid_xml((hepkit::fuzz::scratch() / "platform.xml").string());
    const std::string path = hepkit::fuzz::write_input(data, size, "input.json");
    hepkit::fuzz::expect_input_errors([&] {
        auto rng = hepkit::RandomStreams(42).stream("datasets");
        hepkit::sim::WorkloadSet set;
        hepkit::sim::add_dcsim_datasets(hepkit::config::load_json_file(path), path, platform, rng, set);
    });
    return 0;
}
