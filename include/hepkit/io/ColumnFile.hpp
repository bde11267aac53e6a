#pragma once
/// @file
/// Columns to files for users outside ROOT: CSV and HDF5 (`hepkit root dump -o OUT.csv|OUT.h5`).
///
///     std::vector<hepkit::io::Column> columns = ...;      // from a TTree or RNTuple reader
///     hepkit::io::write_columns("events.h5", columns);    // or events.csv
///
/// All columns must have the same number of entries (rows). Outputs are written atomically (a
/// temporary `OUT.tmp.<pid>` renamed at the end): an error never leaves a half-written file and
/// never clobbers a previous good one. Errors are hepkit::OutputError naming the output file (and
/// the column when one is at fault).
///
/// CSV layout (docs/root-io.md, "CSV and HDF5"): one header row of column names, one row per entry;
/// a fixed-size column `x` of width 3 becomes the three columns `x[0],x[1],x[2]`; a jagged column
/// is one cell per entry holding its values joined by ';' (empty cell: no values). Floating-point
/// values are written in the shortest form that reads back to the identical float or double;
/// booleans as 0/1; strings quoted as RFC 4180 says.
///
/// HDF5 layout (read back by read_hdf5): a flat column is a 1-D dataset `NAME`, a fixed-size one a 2-D
/// dataset (entries × width), a jagged one a group `NAME` holding the datasets `values` and `offsets` (int64,
/// entries+1; the Apache Arrow layout). Element types are the native ones (bool as h5py's FALSE/TRUE int8
/// enum, strings variable-length UTF-8); attributes `root_type` (Float_t, ...) and `layout` (flat, fixed,
/// jagged) on every column, `entries` and `creator` on the file; the root group tracks link creation order,
/// so that read_hdf5 gives the columns back in the order written.

#include "hepkit/io/Column.hpp"

#include <span>
#include <string>
#include <vector>

namespace hepkit::io {

enum class ColumnFileFormat { Csv, Hdf5 };

/// The format of `path` by its extension: .csv → Csv; .h5/.hdf5 → Hdf5; else UsageError naming it.
ColumnFileFormat column_file_format(const std::string& path);

/// The ROOT name of a column's element type: `Bool_t`, `Char_t`, `UChar_t`, `Short_t`, ...,
/// `Long64_t`, `ULong64_t`, `Float_t`, `Double_t`, `string` (the `root_type` attribute of HDF5).
std::string_view root_type_name(ColumnType type);

/// CSV (see the file comment for the layout). Throws OutputError naming `path` when the columns
/// have different entry counts, a name is empty or repeated, or the file cannot be written.
void write_csv(const std::string& path, std::span<const Column> columns);

/// HDF5 (see the file comment). Throws OutputError naming `path` (and the column) as write_csv
/// does, for a name containing '/', and with HDF5's own message when the library fails.
void write_hdf5(const std::string& path, std::span<const Column> columns);

/// Reads an HDF5 file of the layout write_hdf5 writes (see the file comment) back into columns:
/// each column's type is its dataset's HDF5 type (integers of 1–8 bytes, float32/float64, h5py's
/// bool enum, variable- or fixed-length strings), so values come back bit for bit. Columns come in
/// the order they were written when the file tracks link creation order (hepkit's files; h5py's
/// with `track_order=True`), else sorted by name. The attributes `root_type`, `layout` and
/// `entries` may be absent (files written by other tools); when present they must agree with the
/// data. Throws InputError naming `path` and the dataset (`NAME`, `NAME/offsets`) for anything
/// else: a file that is not HDF5, a member that is not a column (a scalar, rank 3, a compound
/// type, a group without `values` and `offsets`), offsets not starting at 0, decreasing or not
/// ending at the number of values, or columns of different entry counts.
std::vector<Column> read_hdf5(const std::string& path);

/// Dispatches on column_file_format(path).
void write_columns(const std::string& path, std::span<const Column> columns);

} // namespace hepkit::io
