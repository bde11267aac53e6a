#pragma once
/// @file
/// Statistics of the fields of an RNTuple, read cluster by cluster so that memory stays within
/// one cluster of one field: what `hepkit root stats --ntuple` writes (docs/root-io.md).

#include "hepkit/io/ColumnStats.hpp"
#include "hepkit/io/RNTuple.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

struct RNTupleFieldStats {
    std::string name;
    ColumnStats stats;
};

struct RNTupleStats {
    std::uint64_t entries = 0;
    std::vector<RNTupleFieldStats> fields; ///< readable numeric top-level fields, schema order
    std::vector<std::string> unreadable;   ///< selected fields that are not numbers (strings, records …)
};

/// n, sum, min, max of every top-level field that `select` accepts (all when empty), each read
/// cluster by cluster with its pages decompressed on `pool` (null: serially).
RNTupleStats rntuple_stats(const RNTuple& ntuple, const std::function<bool(std::string_view)>& select = {},
                           ThreadPool* pool = nullptr);

} // namespace hepkit::io
