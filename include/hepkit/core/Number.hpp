#pragma once
/// @file
/// Plain numbers from text: the whole string must be a finite number (no unit, no trailing
/// characters). Callers turn nullopt into an error that names their file, line or key.

#include <optional>
#include <string_view>

namespace hepkit {

std::optional<double> parse_finite(std::string_view text);

} // namespace hepkit
