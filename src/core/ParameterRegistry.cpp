#include "hepkit/core/ParameterRegistry.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace hepkit {

bool Bounds::contains(double x) const {
    // written so that NaN is outside
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
}

void Bounds::fail(const config::YamlView& value, std::string_view shown) const {
    std::string message;
    if (quote_value) {
        message = std::string(shown);
        message += ' ';
    }
    message += "must be ";
    message += says;
    value.fail(message);
}

Bounds Bounds::above(double lo) {
    Bounds b;
    b.lo = lo;
    b.lo_open = true;
    b.says = fmt::format("> {}", lo);
    return b;
}

Bounds Bounds::at_least(double lo) {
    Bounds b;
    b.lo = lo;
    b.says = fmt::format(">= {}", lo);
    return b;
}

Bounds Bounds::between(double lo, double hi, std::string says) {
    Bounds b;
    b.lo = lo;
    b.hi = hi;
    b.says = says.empty() ? fmt::format("between {} and {}", lo, hi) : std::move(says);
    return b;
}

namespace detail {

std::optional<units::Kind> quantity_kind(std::string_view unit) {
    if (unit == "B")
        return units::Kind::size;
    if (unit == "s")
        return units::Kind::time;
    if (unit == "flop/s")
        return units::Kind::speed;
    return std::nullopt;
}

double read_number(const config::YamlView& value, std::string_view unit, const Bounds& bounds) {
    const auto kind = quantity_kind(unit);
    const double x = kind ? value.as_quantity(*kind) : value.as_double();
    if (!bounds.says.empty() && !bounds.contains(x))
        bounds.fail(value, fmt::format("{}", x));
    return x;
}

long long read_integer(const config::YamlView& value, const Bounds& bounds) {
    const long long x = value.as_int();
    if (!bounds.says.empty() && !bounds.contains(static_cast<double>(x)))
        bounds.fail(value, fmt::format("{}", x));
    return x;
}

void check_integer_bounds(std::string_view path, const Bounds& bounds, long double min, long double max) {
    // read_integer() reads a long long: the range a value can have is the bounds within it
    const long double lo = std::max<long double>(bounds.lo, std::numeric_limits<long long>::min());
    const long double hi = std::min<long double>(bounds.hi, std::numeric_limits<long long>::max());
    if (bounds.says.empty() || lo < min || hi > max)
        throw std::logic_error(
            fmt::format("parameter '{}': the bounds [{}, {}] exceed the range of its integer "
                        "field [{}, {}]",
                        path, bounds.lo, bounds.hi, static_cast<double>(min), static_cast<double>(max)));
}

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i)
        if (i == path.size() || path[i] == '.') {
            out.push_back(path.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

bool path_matches(std::string_view pattern, std::string_view path, std::string* name) {
    const auto have = segments(pattern);
    const auto want = segments(path);
    if (have.size() != want.size())
        return false;
    std::string_view star;
    for (std::size_t i = 0; i < have.size(); ++i) {
        if (have[i] == "*" && !want[i].empty())
            star = want[i];
        else if (have[i] != want[i])
            return false;
    }
    if (name)
        *name = std::string(star);
    return true;
}

std::string join(const std::vector<std::string>& texts, std::string_view separator) {
    std::string out;
    for (const auto& t : texts) {
        if (!out.empty())
            out += separator;
        out += t;
    }
    return out;
}

} // namespace detail
} // namespace hepkit
