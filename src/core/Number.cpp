#include "hepkit/core/Number.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <system_error>

namespace hepkit {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
        t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.remove_suffix(1);
    return t;
}

} // namespace

Scan scan_number(const char* begin, const char* end, double& value) {
    const char* start = begin;
    if (begin != end && *begin == '+' && end - begin > 1 && begin[1] != '-' && begin[1] != '+')
        ++begin; // "+5" is a number in YAML and CSV; from_chars rejects the sign
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec == std::errc::result_out_of_range) {
        // from_chars reports underflow and overflow alike: strtod tells them apart (a tiny
        // value becomes 0 or a subnormal, which is a fine number).
        const std::string copy(start, ptr);
        value = std::strtod(copy.c_str(), nullptr);
        if (std::isfinite(value))
            return {ptr, Scan::ok};
        value = 0;
        return {ptr, Scan::overflow};
    }
    if (ec != std::errc())
        return {start, Scan::invalid};
    return {ptr, std::isfinite(value) ? Scan::ok : Scan::non_finite};
}

std::optional<double> parse_finite(std::string_view text) {
    const std::string_view t = trim(text);
    double v = 0;
    const Scan s = scan_number(t.data(), t.data() + t.size(), v);
    if (t.empty() || s.status != Scan::ok || s.end != t.data() + t.size())
        return std::nullopt;
    return v;
}

bool spells_non_finite(std::string_view text) {
    std::string t = lower(trim(text));
    if (!t.empty() && (t.front() == '+' || t.front() == '-'))
        t.erase(0, 1);
    if (!t.empty() && t.front() == '.')
        t.erase(0, 1);
    return t == "nan" || t == "inf" || t == "infinity";
}

bool is_out_of_range_number(std::string_view text) {
    const std::string_view t = trim(text);
    double v = 0;
    const Scan s = scan_number(t.data(), t.data() + t.size(), v);
    return !t.empty() && s.status == Scan::overflow && s.end == t.data() + t.size();
}

std::string describe_bad_number(std::string_view text) {
    const std::string shown = shorten(text);
    if (spells_non_finite(text))
        return fmt::format("'{}' is not a finite number (NaN and infinities are not allowed)", shown);
    if (is_out_of_range_number(text))
        return fmt::format("'{}' is beyond the range of numbers (finite magnitudes go up to about 1.8e308)",
                           shown);
    return fmt::format("'{}' is not a number", shown);
}

NumberPrefix parse_number_prefix(std::string_view text) {
    NumberPrefix out;
    std::size_t i = 0;
    auto digits = [&] {
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            ++i;
    };
    digits();
    if (i < text.size() && text[i] == '.') {
        ++i;
        digits();
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-'))
            ++j;
        if (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) {
            i = j;
            digits();
        }
    }
    out.length = i;
    if (i == 0)
        return out;
    if (scan_number(text.data(), text.data() + i, out.value).status != Scan::ok) {
        out.value = 0;
        out.error = describe_bad_number(text.substr(0, i));
    }
    return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
    if (max_chars < 20)
        max_chars = 20;
    if (text.size() <= max_chars)
        return std::string(text);
    const std::size_t keep = (max_chars - 5) / 2;
    // Cut at byte positions that do not split a UTF-8 sequence.
    std::size_t head = keep;
    while (head > 0 && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80)
        --head;
    std::size_t tail = text.size() - keep;
    while (tail < text.size() && (static_cast<unsigned char>(text[tail]) & 0xC0) == 0x80)
        ++tail;
    return fmt::format("{}...{} ({} characters)", text.substr(0, head), text.substr(tail), text.size());
}

} // namespace hepkit
