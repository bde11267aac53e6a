#pragma once
/// @file
/// Columns to files for users outside ROOT: CSV and HDF5 (`hepkit root dump -o OUT.csv|OUT.h5`).
/// All columns must have the same number of entries. Outputs are written atomically (a temporary
/// file renamed at the end): an error never leaves a half-written file.

#include "hepkit/io/Column.hpp"

#include <span>
#include <string>

namespace hepkit::io {

enum class ColumnFileFormat { Csv, Hdf5 };

/// The format of `path` by its extension: .csv → Csv; .h5/.hdf5 → Hdf5; else UsageError naming it.
ColumnFileFormat column_file_format(const std::string& path);

/// CSV: a header of column names, one row per entry; see docs/root-io.md for how fixed-size and
/// jagged columns are laid out.
void write_csv(const std::string& path, std::span<const Column> columns);

/// HDF5: one dataset per column (jagged columns as NAME/values + NAME/offsets, the Arrow layout).
void write_hdf5(const std::string& path, std::span<const Column> columns);

/// Dispatches on column_file_format(path).
void write_columns(const std::string& path, std::span<const Column> columns);

} // namespace hepkit::io
