// libFuzzer harness: a surrogate space file (read_space) and the draws of its first and last
// sample (no scenario is written or simulated).
#include "FuzzSupport.hpp"
#include "hepkit/surrogate/Space.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.yaml");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::surrogate::Space space = hepkit::surrogate::read_space(path);
        (void)hepkit::surrogate::draw(space, 0);
        (void)hepkit::surrogate::draw(space, space.samples - 1);
    });
    return 0;
}
