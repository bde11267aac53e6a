#pragma once
// read_table with one more per-event expression (internal to hepkit_nn): load_data's `split.by`
// fold, read with the features, after the same cut, so that fold k of row r belongs to row r.

#include "hepkit/nn/Dataset.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::nn::detail {

/// read_table(source), and, when `fold` is not "", the integer (or bool) expression `fold` of every
/// row into `folds` (errors name it as `key`).
Table read_table(const TableSource& source, const std::string& fold, const std::string& key,
                 std::vector<std::int64_t>& folds);

} // namespace hepkit::nn::detail
