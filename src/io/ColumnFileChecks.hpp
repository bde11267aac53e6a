#pragma once
// Checks shared by the CSV and HDF5 writers (internal to hepkit::io): a set of columns that a
// writer would turn into a misleading file (rows of different lengths, two columns of one name,
// offsets that do not cover the values) is refused before anything is written.

#include "hepkit/io/Column.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace hepkit::io::detail {

/// The common entry count of `columns`; throws OutputError naming `path` (and the column) for no
/// columns, an empty or repeated name, a name with '/' when `hdf5`, different entry counts, or a
/// column whose layout is inconsistent (offsets not starting at 0, decreasing or not ending at
/// the value count; a fixed width that does not divide the values).
std::size_t check_columns(const std::string& path, std::span<const Column> columns, bool hdf5);

} // namespace hepkit::io::detail
