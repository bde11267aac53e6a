// libFuzzer harness: a scan file (read_scan), its point count and its first and last point
// (no simulation is run). The scratch directory holds scenario.yaml for the scenarios list.
#include "FuzzSupport.hpp"
#include "hepkit/sim/grid/Scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.yaml");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::sim::ScanSpec spec = hepkit::sim::read_scan(path);
        (void)hepkit::sim::scan_header(spec);
        const std::size_t n = spec.points();
        if (n > 0) {
            (void)spec.point(0);
            (void)spec.point(n - 1);
        }
    });
    return 0;
}
