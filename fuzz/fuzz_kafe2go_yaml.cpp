// libFuzzer harness: a kafe2go fit file (read_kafe2go: data, errors, model code, constraints,
// the fit set up but not run).
#include "FuzzSupport.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.yml");
    hepkit::fuzz::expect_input_errors([&] { (void)hepkit::fit::read_kafe2go(path); });
    return 0;
}
