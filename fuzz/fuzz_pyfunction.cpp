// libFuzzer harness: the expression language (hepkit::expr), both dialects. The input is
// compiled as a model function (PyFunction::parse, the fit's entry) and, for what compiles, run
// once by the scalar stack machine, once by the batch program (BatchFunction) and differentiated
// symbolically w.r.t. its first argument; and it is parsed as a selection expression against a
// fixed event (scalars, float/int/bool arrays, one empty) and evaluated when it is one value.
#include "FuzzSupport.hpp"
#include "hepkit/expr/Expression.hpp"
#include "hepkit/expr/Graph.hpp"
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
        hepkit::expr::SymbolicFunction s(f.function());
        (void)s.evaluate(s.derivative(s.result(), f.arguments()[0]), args); // InputError without a rule
    });
    hepkit::fuzz::expect_input_errors([&] {
        using namespace hepkit::expr;
        static const std::vector<double> pt = {45.5, 12.0, 30.25};
        static const std::vector<std::int32_t> charge = {1, -1, 1};
        static const bool tight[] = {true, false, true};
        static const std::vector<double> empty;
        Bindings ev;
        ev.set("x", 0.75);
        ev.set("n", 3);
        ev.set("ok", true);
        ev.set("Muon_pt", ArrayView(pt));
        ev.set("Muon_charge", ArrayView(charge));
        ev.set("Muon_tight", ArrayView(std::span<const bool>(tight)));
        ev.set("Jet_pt", ArrayView(empty));
        const Expression e = Expression::parse(code, ev, "cut", 1);
        if (!is_array(e.type()))
            (void)e.passes(ev);
    });
    return 0;
}
