#pragma once
/// @file
/// The one set of base units used inside hepkit, and the parsers for unit strings.
///
/// Inside the library every quantity is a plain `double` in a base unit: seconds, bytes, flop,
/// bytes per second, flop per second, watts, joules. Conversion happens only at input (the
/// parsers below, which accept SimGrid's unit strings) and at output. This mirrors Acts'
/// Definitions/Units.hpp: one fixed set, so that no function ever has to guess a unit.

#include <string>
#include <string_view>

namespace hepkit::units {

// --- base units ---------------------------------------------------------------------------
inline constexpr double s = 1.0;    ///< second (time)
inline constexpr double B = 1.0;    ///< byte (data)
inline constexpr double flop = 1.0; ///< floating-point operation (work)
inline constexpr double W = 1.0;    ///< watt (power)
inline constexpr double J = 1.0;    ///< joule (energy)
inline constexpr double Bps = B / s;
inline constexpr double flops = flop / s;

// --- named multiples ----------------------------------------------------------------------
inline constexpr double ms = 1e-3 * s;
inline constexpr double us = 1e-6 * s;
inline constexpr double ns = 1e-9 * s;
inline constexpr double minute = 60 * s;
inline constexpr double hour = 3600 * s;
inline constexpr double day = 86400 * s;

inline constexpr double kB = 1e3 * B;
inline constexpr double MB = 1e6 * B;
inline constexpr double GB = 1e9 * B;
inline constexpr double TB = 1e12 * B;
inline constexpr double PB = 1e15 * B;
inline constexpr double KiB = 1024.0 * B;
inline constexpr double MiB = 1024.0 * KiB;
inline constexpr double GiB = 1024.0 * MiB;
inline constexpr double TiB = 1024.0 * GiB;

inline constexpr double bit = B / 8;
inline constexpr double Mbps = 1e6 * bit / s;
inline constexpr double Gbps = 1e9 * bit / s;
inline constexpr double MBps = MB / s;
inline constexpr double GBps = GB / s;

inline constexpr double Mf = 1e6 * flops;
inline constexpr double Gf = 1e9 * flops;

/// Largest time (s) any input may give: 1e12 s, about 31 700 years. Times beyond it have no
/// meaning for a simulation and break the clock's resolution long before overflow (at 1e17 s,
/// t + 60 == t). parse() refuses larger times; readers of bare-number times check it too.
constexpr double max_input_time = 1e12;

/// Kinds of quantity that a unit string may denote.
enum class Kind { time, size, bandwidth, speed, power, energy };

/// Parses a SimGrid-style quantity such as `1117Mf`, `9.6Gbps`, `5000GBps`, `2.5TB`, `64GiB`,
/// `1ms`, `0us` into the base unit of `kind`.
///
/// Accepted suffixes follow SimGrid's surfxml parser: decimal prefixes k M G T P E (and
/// Ki Mi Gi Ti Pi Ei binary prefixes for sizes and bandwidths); `B`/`Bps` count bytes,
/// `b`/`bps` bits; speeds end in `f` or `flops`; times use w d h m s ms us ns ps.
/// A bare number is taken in the base unit (SimGrid does the same, with a warning).
/// Throws std::invalid_argument with the value and the allowed suffixes on any other input,
/// including negative, NaN and infinite values, out-of-range literals (`1e400`) and times beyond
/// max_input_time.
double parse(std::string_view text, Kind kind);

/// Human name of a kind ("bandwidth", ...), for error messages.
std::string_view kind_name(Kind kind);

/// Formats a byte count with a binary-free SI suffix, e.g. `2.5 TB`; for summaries.
std::string format_bytes(double bytes);
/// Formats a duration in seconds, e.g. `1.25 s`, `3 h 2 min`; for summaries.
std::string format_duration(double seconds);

} // namespace hepkit::units
