#include "CliChecks.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <optional>
#include <stdexcept>

namespace hepkit::app {
namespace {

// Reads the whole text as a finite double; nullopt otherwise.
std::optional<double> read_real(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::string bounds_text(double lo, double hi, bool lo_open) {
    const bool has_hi = std::isfinite(hi);
    if (!has_hi)
        return fmt::format("must be {} {:g}", lo_open ? ">" : ">=", lo);
    if (lo_open)
        return fmt::format("must be > {:g} and <= {:g}", lo, hi);
    return fmt::format("must be between {:g} and {:g}", lo, hi);
}

} // namespace

CLI::Validator real_in(double lo, double hi, bool lo_open) {
    const std::string rule = bounds_text(lo, hi, lo_open);
    return CLI::Validator(
        [lo, hi, lo_open, rule](std::string& text) -> std::string {
            const auto v = read_real(text);
            if (!v)
                return fmt::format("'{}' is not a finite number", text);
            if ((lo_open ? !(*v > lo) : !(*v >= lo)) || !(*v <= hi))
                return fmt::format("{} {}", text, rule);
            return {};
        },
        "NUMBER " + rule.substr(rule.find(' ') + 1));
}

CLI::Validator integer_in(long long lo, long long hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            long long v = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc::result_out_of_range || (ec == std::errc{} && (v < lo || v > hi)))
                return fmt::format("{} must be an integer between {} and {}", text, lo, hi);
            if (ec != std::errc{} || end != text.data() + text.size())
                return fmt::format("'{}' is not an integer (allowed: {} to {})", text, lo, hi);
            return {};
        },
        fmt::format("INT in [{} - {}]", lo, hi));
}

CLI::Validator quantity(units::Kind kind, bool positive) {
    const std::string kind_name(units::kind_name(kind));
    return CLI::Validator(
        [kind, positive, kind_name](std::string& text) -> std::string {
            double v = 0;
            try {
                v = units::parse(text, kind);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
            if (positive && !(v > 0))
                return fmt::format("{}: the {} must be > 0", text, kind_name);
            // the option's variable is a double: hand CLI11 the base-unit value, exactly
            text = fmt::format("{}", v);
            return {};
        },
        fmt::format("{}{} (number or with unit)", positive ? "POSITIVE " : "", kind_name));
}

} // namespace hepkit::app
