// libFuzzer harness: a pyhf JSON workspace (read_workspace, as `hepkit infer` reads it), the
// likelihood built for its first measurement and evaluated, with its gradient, at the inits.
#include "FuzzSupport.hpp"
#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <stdexcept>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (hepkit::fuzz::asks_for_many(std::string_view(reinterpret_cast<const char*>(data), size)))
        return 0; // legal but large by design (FuzzSupport.hpp)
    const std::string path = hepkit::fuzz::write_input(data, size, "input.json");
    hepkit::fuzz::expect_input_errors([&] {
        const auto ws = hepkit::fit::hf::read_workspace(path);
        try {
            const hepkit::fit::hf::Model model(ws);
            const auto p = model.inits();
            (void)model.nll(p);
            std::vector<double> g(p.size());
            model.gradient(p, g);
        } catch (const std::invalid_argument&) {
            // Model's documented refusal of inconsistent modifiers (HistFactoryModel.hpp)
        }
    });
    return 0;
}
