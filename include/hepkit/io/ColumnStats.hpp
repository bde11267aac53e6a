#pragma once
/// @file
/// Summary statistics of a column: the count of values (all elements of a jagged column), their
/// sum, minimum and maximum, booleans as 0/1 — the schema of `hepkit root stats` and of the
/// jsroot-made expectations of the reference files (docs/root-io.md).

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <optional>

namespace hepkit::io {

struct ColumnStats {
    std::uint64_t n = 0;
    /// Sum in double; integer columns also keep an exact 128-bit-safe sum in `integer_sum` when
    /// it fits in int64 (ULong64_t event numbers reach 4.5·10^10 over 200 events).
    double sum = 0;
    double min = 0;
    double max = 0;
    /// Whether the column holds integers (or booleans): then sum, min and max are exact integers
    /// when written (JSON without a fractional part).
    bool integral = false;
    /// Exact sum of an integer column, when it did not overflow int64 / uint64.
    std::optional<std::int64_t> integer_sum;
    std::optional<std::uint64_t> unsigned_sum;
};

/// Statistics of all values of `column`. Returns nullopt for strings (not numbers).
std::optional<ColumnStats> column_stats(const Column& column);

/// Adds the statistics of `more` to `into` (for columns read chunk by chunk, cluster by cluster).
void merge_stats(ColumnStats& into, const ColumnStats& more);

} // namespace hepkit::io
