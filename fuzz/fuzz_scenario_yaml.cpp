// libFuzzer harness: scenario YAML as `hepkit sim SCENARIO` reads it: a grid scenario
// (read_grid_scenario: platform, DCSim documents, job lists, options, GPU sharing,
// opportunistic sites; the workload is built) or an activities/campaign scenario
// (load_scenario). Relative paths resolve in the scratch directory, whose helper files
// (platform.xml, platform.yaml, datasets.json, workloads.json, jobs.csv, activities.csv)
// the fuzzed document may name.
#include "FuzzSupport.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/sim/grid/GridScenario.hpp"
#include "hepkit/sim/workload/Scenario.hpp"

#include <yaml-cpp/yaml.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    const std::string path = hepkit::fuzz::write_input(data, size, "input.yaml");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::config::YamlView root(hepkit::config::load_yaml_file(path), path);
        if (hepkit::sim::is_grid_scenario(root.node()))
            (void)hepkit::sim::read_grid_scenario(root, hepkit::fuzz::scratch().string());
        else
            (void)hepkit::sim::load_scenario(path);
    });
    return 0;
}
