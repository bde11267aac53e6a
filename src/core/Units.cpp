#include "hepkit/core/Units.hpp"

#include "hepkit/core/Number.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <utility>

namespace hepkit::units {
namespace {

struct Suffix {
    std::string_view text;
    double factor;
};

// Tables of accepted suffixes per kind. Longest suffixes are matched first by the lookup below,
// so "ms" is never read as "m" + "s".
constexpr std::array time_suffixes{
    Suffix{"ps", 1e-12},  Suffix{"ns", 1e-9},    Suffix{"us", 1e-6},  Suffix{"ms", 1e-3},
    Suffix{"s", 1.0},     Suffix{"m", 60.0},     Suffix{"min", 60.0}, Suffix{"h", 3600.0},
    Suffix{"d", 86400.0}, Suffix{"w", 604800.0},
};

constexpr std::array speed_suffixes{
    Suffix{"f", 1.0},   Suffix{"flops", 1.0},   Suffix{"kf", 1e3},  Suffix{"kflops", 1e3},
    Suffix{"Mf", 1e6},  Suffix{"Mflops", 1e6},  Suffix{"Gf", 1e9},  Suffix{"Gflops", 1e9},
    Suffix{"Tf", 1e12}, Suffix{"Tflops", 1e12}, Suffix{"Pf", 1e15}, Suffix{"Pflops", 1e15},
    Suffix{"Ef", 1e18}, Suffix{"Eflops", 1e18}, Suffix{"Zf", 1e21}, Suffix{"Zflops", 1e21},
};

constexpr std::array power_suffixes{
    Suffix{"W", 1.0}, Suffix{"kW", 1e3}, Suffix{"MW", 1e6}, Suffix{"GW", 1e9}, Suffix{"mW", 1e-3},
};
constexpr std::array energy_suffixes{
    Suffix{"J", 1.0},     Suffix{"kJ", 1e3},    Suffix{"MJ", 1e6},    Suffix{"GJ", 1e9},
    Suffix{"Wh", 3600.0}, Suffix{"kWh", 3.6e6}, Suffix{"MWh", 3.6e9},
};

constexpr std::array<std::pair<std::string_view, double>, 7> decimal_prefixes{{
    {"", 1.0},
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
}};
constexpr std::array<std::pair<std::string_view, double>, 6> binary_prefixes{{
    {"Ki", 1024.0},
    {"Mi", 1048576.0},
    {"Gi", 1073741824.0},
    {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0},
    {"Ei", 1152921504606846976.0},
}};

// Looks `unit` up among prefix x base-unit combinations (e.g. "Gi" + "Bps").
bool prefixed(std::string_view unit, std::string_view base, double base_factor, double& factor) {
    if (unit.size() < base.size() || unit.substr(unit.size() - base.size()) != base)
        return false;
    const std::string_view prefix = unit.substr(0, unit.size() - base.size());
    for (const auto& [p, f] : decimal_prefixes)
        if (p == prefix) {
            factor = f * base_factor;
            return true;
        }
    for (const auto& [p, f] : binary_prefixes)
        if (p == prefix) {
            factor = f * base_factor;
            return true;
        }
    return false;
}

template <std::size_t N>
bool lookup(const std::array<Suffix, N>& table, std::string_view unit, double& factor) {
    for (const auto& s : table)
        if (s.text == unit) {
            factor = s.factor;
            return true;
        }
    return false;
}

bool unit_factor(std::string_view unit, Kind kind, double& factor) {
    switch (kind) {
    case Kind::time:
        return lookup(time_suffixes, unit, factor);
    case Kind::speed:
        return lookup(speed_suffixes, unit, factor);
    case Kind::power:
        return lookup(power_suffixes, unit, factor);
    case Kind::energy:
        return lookup(energy_suffixes, unit, factor);
    case Kind::size:
        // SimGrid: B = byte, b = bit.
        return prefixed(unit, "B", 1.0, factor) || prefixed(unit, "b", 0.125, factor);
    case Kind::bandwidth:
        return prefixed(unit, "Bps", 1.0, factor) || prefixed(unit, "bps", 0.125, factor);
    }
    return false;
}

std::string_view allowed(Kind kind) {
    switch (kind) {
    case Kind::time:
        return "ps, ns, us, ms, s, m (or min), h, d, w";
    case Kind::speed:
        return "f, kf, Mf, Gf, Tf, Pf, Ef, Zf (or ...flops)";
    case Kind::size:
        return "B or b (bits) with prefix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei";
    case Kind::bandwidth:
        return "Bps or bps (bits) with prefix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei";
    case Kind::power:
        return "mW, W, kW, MW, GW";
    case Kind::energy:
        return "J, kJ, MJ, GJ, Wh, kWh, MWh";
    }
    return "";
}

} // namespace

std::string_view kind_name(Kind kind) {
    switch (kind) {
    case Kind::time:
        return "time";
    case Kind::size:
        return "size";
    case Kind::bandwidth:
        return "bandwidth";
    case Kind::speed:
        return "speed";
    case Kind::power:
        return "power";
    case Kind::energy:
        return "energy";
    }
    return "quantity";
}

double parse(std::string_view text, Kind kind) {
    std::string_view t = text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
        t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.remove_suffix(1);
    double value = 0;
    const char* begin = t.data();
    const char* end = t.data() + t.size();
    const Scan scan = scan_number(begin, end, value);
    const char* ptr = scan.end;
    if (t.empty() || scan.status == Scan::invalid)
        throw std::invalid_argument(fmt::format("'{}' is not a {}: expected a number with a unit ({})",
                                                shorten(text), kind_name(kind), allowed(kind)));
    if (scan.status != Scan::ok)
        throw std::invalid_argument(fmt::format("{}: a {} must be a finite number >= 0",
                                                describe_bad_number(std::string_view(begin, ptr)),
                                                kind_name(kind)));
    std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    double factor = 1.0;
    if (!unit.empty() && !unit_factor(unit, kind, factor))
        throw std::invalid_argument(fmt::format("'{}': unknown {} unit '{}', allowed: {}", shorten(text),
                                                kind_name(kind), shorten(unit, 40), allowed(kind)));
    const double result = value * factor;
    if (!std::isfinite(result) || result < 0)
        throw std::invalid_argument(
            fmt::format("'{}': {} must be finite and >= 0", shorten(text), kind_name(kind)));
    if (kind == Kind::time && result > max_input_time)
        throw std::invalid_argument(fmt::format(
            "'{}': a time beyond {:g} s (about 31 700 years) is not allowed", shorten(text), max_input_time));
    return result;
}

std::string format_bytes(double bytes) {
    constexpr std::array names{"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    std::size_t i = 0;
    while (bytes >= 1000.0 && i + 1 < names.size()) {
        bytes /= 1000.0;
        ++i;
    }
    return fmt::format("{:.4g} {}", bytes, names[i]);
}

std::string format_duration(double seconds) {
    if (seconds < 120.0)
        return fmt::format("{:.6g} s", seconds);
    if (seconds < 7200.0)
        return fmt::format("{:.4g} min", seconds / 60.0);
    return fmt::format("{:.4g} h", seconds / 3600.0);
}

} // namespace hepkit::units
