#pragma once
/// @file
/// Reading CSV files (RFC 4180 quoting) with the line number of every record.

#include <string>
#include <vector>

namespace hepkit {

struct CsvRecord {
    int line = 0; ///< 1-based line in the file
    std::vector<std::string> fields;
};

struct CsvTable {
    std::vector<std::string> header;
    std::vector<CsvRecord> rows;
    /// Column index of `name` in the header, or -1.
    int column(const std::string& name) const;
};

/// Reads a CSV file whose first line is the header. Blank lines and lines starting with '#'
/// are skipped. Throws InputError (file, line) on unreadable files, unterminated quotes and
/// records whose field count differs from the header's.
CsvTable read_csv(const std::string& path);

} // namespace hepkit
