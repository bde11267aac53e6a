// libFuzzer harness: the Python-subset model compiler (PyFunction::parse) and, for what
// compiles, one scalar evaluation and one batch evaluation (BatchFunction) at fixed points, so
// that the stack machine and the batch program built from the fuzzed code run too.
#include "FuzzSupport.hpp"
#include "hepkit/fit/BatchFunction.hpp"
#include "hepkit/fit/PyFunction.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string code(reinterpret_cast<const char*>(data), size);
    hepkit::fuzz::expect_input_errors([&] {
        const auto f = hepkit::fit::PyFunction::parse(code, "input.py", 1);
        const std::vector<double> args(f.arguments().size(), 0.75);
        (void)f(args);
        if (f.arguments().empty())
            return;
        const hepkit::fit::BatchFunction batch(f);
        const std::vector<double> x = {-1.5, 0, 0.5, 2};
        const std::vector<double> p(batch.parameters(), 1.25);
        std::vector<double> out(x.size());
        batch.values(x, p, out);
    });
    return 0;
}
