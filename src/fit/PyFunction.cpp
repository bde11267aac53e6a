#include "hepkit/fit/PyFunction.hpp"

namespace hepkit::fit {

PyFunction PyFunction::parse(const std::string& code, const std::string& origin, int first_line) {
    return PyFunction(expr::Function::parse(code, origin, first_line));
}

} // namespace hepkit::fit
