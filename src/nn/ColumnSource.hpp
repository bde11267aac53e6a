#pragma once
// The files of a TableSource as columns (internal to hepkit_nn): a ROOT TTree or RNTuple read a range
// of entries at a time, a CSV or HDF5 file read whole. read_table (TableFile.cpp) evaluates its
// expressions over what these give; only the columns the expressions name are read.

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hepkit::nn::detail {

class ColumnSource {
  public:
    virtual ~ColumnSource() = default;
    /// The file, for messages.
    virtual const std::string& path() const = 0;
    virtual std::int64_t entries() const = 0;
    /// The numeric columns an expression may name, in the file's order.
    virtual const std::vector<std::string>& names() const = 0;
    /// Entries [begin, end) of the named columns (all in names()). A fixed-size array column
    /// (`x[3]`) comes back jagged (width values per entry), as the evaluator takes arrays.
    /// Throws InputError naming the file and the column.
    virtual std::vector<io::Column> read(std::span<const std::string> names, std::int64_t begin,
                                         std::int64_t end) const = 0;
    /// Entries read per call: a ROOT file is read in chunks, a CSV or HDF5 file is in memory.
    virtual std::int64_t chunk() const = 0;
};

/// The kind of a file by its extension: .root, .csv, .h5/.hdf5; InputError naming it otherwise.
enum class FileKind { Root, Csv, Hdf5 };
FileKind file_kind(const std::string& path);

/// The only TTree or RNTuple in the top directory of the ROOT file `path`; InputError naming the
/// file and the candidates when it has none or several.
std::string only_tree(const std::string& path);

/// Opens `path`: for a ROOT file the TTree or RNTuple `tree` (by the class of its key).
std::unique_ptr<ColumnSource> open_columns(const std::string& path, const std::string& tree);

/// A CSV file of the layout io::write_csv writes, as columns (CsvColumns.cpp).
std::unique_ptr<ColumnSource> open_csv_columns(const std::string& path);

} // namespace hepkit::nn::detail
