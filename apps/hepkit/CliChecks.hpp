#pragma once
// Checks of command-line values with messages a user can read. CLI11's own range checks print
// their bounds with std::to_string, so a "positive number" check reports a 309-digit upper bound
// (DBL_MAX); and they know no units, so `-x 1GB` was refused although the same value is accepted
// in a scenario file. These validators print bounds with %g and read quantities with the
// scenario's unit parser (hepkit::units::parse).

#include "hepkit/core/Units.hpp"

#include <CLI/CLI.hpp>
#include <limits>

namespace hepkit::app {

/// A real number in [lo, hi] (lo excluded when `lo_open`); infinite bounds are not printed.
CLI::Validator real_in(double lo, double hi, bool lo_open = false);
inline CLI::Validator positive_real() {
    return real_in(0, std::numeric_limits<double>::infinity(), true);
}
inline CLI::Validator non_negative_real() {
    return real_in(0, std::numeric_limits<double>::infinity());
}
/// An integer in [lo, hi].
CLI::Validator integer_in(long long lo, long long hi);

/// A quantity of `kind`: a bare number in the base unit or a number with a unit as in scenario
/// files (`1GB`, `500MiB`, `20Gf`, `5min`). Rewrites the value to the base-unit number, so the
/// option's variable stays a double. `positive`: must be > 0, otherwise >= 0.
/// Use with ->transform(), not ->check() (only transforms may rewrite the value).
CLI::Validator quantity(units::Kind kind, bool positive);

} // namespace hepkit::app
