#include "hepkit/core/Number.hpp"

#include <cmath>
#include <string>

namespace hepkit {

std::optional<double> parse_finite(std::string_view text) {
    const std::string s(text);
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == s.size() && std::isfinite(v))
            return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

} // namespace hepkit
