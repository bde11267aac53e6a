// libFuzzer harness: SimGrid platform XML (load_simgrid_xml), then every route from the first
// host, so that the routing tables built from the fuzzed zones are exercised too.
#include "FuzzRoutes.hpp"
#include "FuzzSupport.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    const std::string path = hepkit::fuzz::write_input(data, size, "input.xml");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::sim::Platform p = hepkit::sim::load_simgrid_xml(path);
        hepkit::fuzz::touch_routes(p);
    });
    return 0;
}
