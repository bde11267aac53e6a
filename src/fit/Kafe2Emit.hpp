#pragma once
// YAML values in the spelling PyYAML (kafe2's reader) reads back as numbers (not installed).

#include <cmath>
#include <fmt/format.h>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace hepkit::fit::detail {

/// Shortest round-trip text of v that PyYAML's YAML 1.1 resolver reads as a float: it needs a
/// '.' in the mantissa and a signed exponent ("1e-05" would come back as a string).
inline std::string pyyaml_float(double v) {
    if (std::isnan(v))
        return ".nan";
    if (std::isinf(v))
        return v > 0 ? ".inf" : "-.inf";
    std::string s = fmt::format("{}", v);
    const auto e = s.find_first_of("eE");
    std::string mantissa = s.substr(0, e), exponent = e == std::string::npos ? "" : s.substr(e + 1);
    if (mantissa.find('.') == std::string::npos)
        mantissa += ".0";
    if (!exponent.empty() && exponent[0] != '-' && exponent[0] != '+')
        exponent = "+" + exponent;
    return exponent.empty() ? mantissa : mantissa + "e" + exponent;
}

inline YAML::Node yaml_float(double v) {
    return YAML::Node(pyyaml_float(v));
}

inline YAML::Node yaml_floats(const std::vector<double>& v) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (double x : v)
        n.push_back(yaml_float(x));
    return n;
}

} // namespace hepkit::fit::detail
