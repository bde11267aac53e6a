#pragma once
/// @file
/// Plain numbers from text: the whole string must be a finite number (no unit, no trailing
/// characters). Callers turn nullopt into an error that names their file, line or key.
///
/// The rule for every reader (YAML, JSON, CSV, XML attributes): NaN and infinities are never
/// numbers, whatever their spelling (`nan`, `NaN`, `.nan`, `inf`, `.Inf`, `-infinity`, JSON
/// strings such as `"nan"`), and a literal beyond the double range (`1e400`) is an error, not
/// an infinity. `describe_bad_number` says which of these a rejected text is.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hepkit {

/// The whole of `text` (spaces and tabs around it ignored, a leading '+' allowed) as a finite
/// number; nullopt for anything else, including NaN, infinities and out-of-range literals.
std::optional<double> parse_finite(std::string_view text);

/// Result of scan_number: where the literal ended and what it was.
struct Scan {
    enum Status { ok, invalid, non_finite, overflow };
    const char* end;
    Status status;
};
/// The number at the start of [begin, end) (std::from_chars syntax plus a leading '+'), for
/// parsers of numbers with units. Underflow gives 0 or a subnormal (ok); overflow is reported.
Scan scan_number(const char* begin, const char* end, double& value);

/// True if `text` spells NaN or an infinity in any of the forms C, YAML 1.1/1.2 or Python
/// accept (`nan`, `.NaN`, `+inf`, `-.inf`, `Infinity`, ...), ignoring case.
bool spells_non_finite(std::string_view text);

/// True if `text` is a decimal literal whose magnitude lies beyond the double range.
bool is_out_of_range_number(std::string_view text);

/// Why `text` is not a finite number, for an error message: `'NaN' is not a finite number (NaN
/// and infinities are not allowed)`, `'1e400' is beyond the range of numbers (about 1.8e308)`,
/// or `'abc' is not a number`. Long texts are shortened (see shorten()).
std::string describe_bad_number(std::string_view text);

/// A number at the start of `text` (for tokenizers): `length` characters were used; when the
/// literal is out of range `error` says so and `value` is 0.
struct NumberPrefix {
    double value = 0;
    std::size_t length = 0;
    std::string error; ///< empty when the literal is a finite number
};
/// Reads the longest decimal literal (digits, '.', exponent) at the start of `text`. Never throws
/// (unlike std::stod, whose `out_of_range` says only "stod").
NumberPrefix parse_number_prefix(std::string_view text);

/// `text` for an error message: at most `max_chars` characters, longer texts cut in the middle
/// with the full length noted (`'aaaa…aaaa' (10000 characters)` without the quotes added here).
std::string shorten(std::string_view text, std::size_t max_chars = 120);

} // namespace hepkit
