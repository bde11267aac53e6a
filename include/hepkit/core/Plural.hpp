#pragma once
/// @file
/// Counts with their noun for messages and summaries: "1 job", "2 jobs".

#include <fmt/format.h>
#include <string>
#include <string_view>

namespace hepkit {

/// `n` followed by `singular`, or by `plural_form` (default: singular + "s") unless n == 1.
template <typename N>
std::string plural(N n, std::string_view singular, std::string_view plural_form = {}) {
    if (n == 1)
        return fmt::format("{} {}", n, singular);
    if (!plural_form.empty())
        return fmt::format("{} {}", n, plural_form);
    return fmt::format("{} {}s", n, singular);
}

} // namespace hepkit
