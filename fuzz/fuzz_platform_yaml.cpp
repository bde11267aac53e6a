// libFuzzer harness: hepkit's native platform YAML (load_platform_yaml), then the routes.
#include "FuzzRoutes.hpp"
#include "FuzzSupport.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.yaml");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::sim::Platform p = hepkit::sim::load_platform_yaml(path);
        hepkit::fuzz::touch_routes(p);
    });
    return 0;
}
