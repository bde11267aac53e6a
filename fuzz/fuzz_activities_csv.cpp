// libFuzzer harness: an activities CSV (read_activities: hosts, disks, amounts, `after`
// dependencies and their cycle check) on a fixed two-host platform `a`, `b`.
#include "FuzzSupport.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"
#include "hepkit/sim/workload/ActivityList.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const hepkit::sim::Platform platform =
        hepkit::sim::load_platform_yaml((hepkit::fuzz::scratch() / "platform.yaml").string());
    const std::string path = hepkit::fuzz::write_input(data, size, "input.csv");
    hepkit::fuzz::expect_input_errors([&] { (void)hepkit::sim::read_activities(path, platform); });
    return 0;
}
