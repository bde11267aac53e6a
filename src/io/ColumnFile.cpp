#include "hepkit/io/ColumnFile.hpp"

#include "ColumnFileChecks.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <iterator>
#include <set>

namespace hepkit::io {

namespace {

std::string lower_extension(const std::string& path) {
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

[[noreturn]] void refuse(const std::string& path, const std::string& column, const std::string& message) {
    throw OutputError(path, 0, column.empty() ? std::string() : "column " + column, message);
}

// One value as CSV text. Floats use fmt's shortest round-trip form of the float itself ("0.1",
// not the double 0.10000000149011612), so parsing it as a float gives back the same bits.
template <class T>
void append_value(std::string& out, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        out += CsvWriter::field(v);
    } else if constexpr (std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::uint8_t>) {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<int>(v));
    } else {
        fmt::format_to(std::back_inserter(out), "{}", v);
    }
}

// A jagged entry's values joined by ';' in one cell. A string value holding ';' would make the
// cell ambiguous, so such a column is refused (HDF5 keeps strings apart).
template <class T>
void append_jagged(std::string& out, const std::vector<T>& v, std::int64_t begin, std::int64_t end,
                   const std::string& path, const Column& column) {
    if constexpr (std::is_same_v<T, std::string>) {
        std::string cell;
        for (std::int64_t k = begin; k < end; ++k) {
            const auto& s = v[static_cast<std::size_t>(k)];
            if (s.find(';') != std::string::npos)
                refuse(path, column.name,
                       "a string of this jagged column contains ';', the separator of values in a CSV "
                       "cell; write HDF5 (.h5) instead");
            if (k > begin)
                cell += ';';
            cell += s;
        }
        out += CsvWriter::field(cell);
    } else {
        for (std::int64_t k = begin; k < end; ++k) {
            if (k > begin)
                out += ';';
            append_value(out, v[static_cast<std::size_t>(k)]);
        }
    }
}

} // namespace

ColumnFileFormat column_file_format(const std::string& path) {
    const std::string ext = lower_extension(path);
    if (ext == "csv")
        return ColumnFileFormat::Csv;
    if (ext == "h5" || ext == "hdf5")
        return ColumnFileFormat::Hdf5;
    std::string m = "the output '";
    m.append(path).append("' has no known extension: use .csv (CSV) or .h5/.hdf5 (HDF5)");
    throw UsageError("-o", m);
}

std::string_view root_type_name(ColumnType type) {
    static constexpr std::array<std::string_view, 12> names{"Bool_t",    "Char_t",  "UChar_t",  "Short_t",
                                                            "UShort_t",  "Int_t",   "UInt_t",   "Long64_t",
                                                            "ULong64_t", "Float_t", "Double_t", "string"};
    return names.at(static_cast<std::size_t>(type));
}

namespace detail {
std::size_t check_columns(const std::string& path, std::span<const Column> columns, bool hdf5) {
    if (columns.empty())
        refuse(path, "", "no columns to write");
    std::set<std::string> names;
    std::size_t entries = 0;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const Column& c = columns[i];
        if (c.name.empty())
            refuse(path, "", fmt::format("column {} has an empty name", i + 1));
        if (!names.insert(c.name).second)
            refuse(path, c.name, "two columns have this name");
        if (hdf5 && (c.name.find('/') != std::string::npos || c.name == "."))
            refuse(path, c.name, "an HDF5 dataset name cannot contain '/' or be '.'");
        const std::size_t size = c.size();
        if (c.jagged()) {
            if (c.offsets.front() != 0)
                refuse(path, c.name, fmt::format("jagged offsets start at {}, not 0", c.offsets.front()));
            for (std::size_t k = 1; k < c.offsets.size(); ++k)
                if (c.offsets[k] < c.offsets[k - 1])
                    refuse(path, c.name, fmt::format("jagged offsets decrease at entry {}", k - 1));
            if (static_cast<std::uint64_t>(c.offsets.back()) != size)
                refuse(path, c.name,
                       fmt::format("jagged offsets end at {}, the column has {} values", c.offsets.back(),
                                   size));
        } else if (c.width == 0 || size % c.width != 0) {
            refuse(path, c.name,
                   fmt::format("{} values do not divide into entries of width {}", size, c.width));
        }
        const std::size_t n = c.entries();
        if (i == 0)
            entries = n;
        else if (n != entries)
            refuse(path, c.name,
                   fmt::format("has {} entries, column {} has {}: all columns must have the same number", n,
                               columns[0].name, entries));
    }
    return entries;
}
} // namespace detail

void write_csv(const std::string& path, std::span<const Column> columns) {
    const std::size_t entries = detail::check_columns(path, columns, false);
    AtomicFile file(path);
    std::string line;
    for (const Column& c : columns) {
        const bool fixed = !c.jagged() && c.width > 1;
        for (std::size_t j = 0; j < (fixed ? c.width : 1); ++j) {
            if (!line.empty())
                line += ',';
            line += CsvWriter::field(fixed ? fmt::format("{}[{}]", c.name, j) : c.name);
        }
    }
    line += '\n';
    auto& out = file.stream();
    out << line;
    for (std::size_t row = 0; row < entries; ++row) {
        line.clear();
        for (std::size_t ci = 0; ci < columns.size(); ++ci) {
            const Column& c = columns[ci];
            if (ci > 0)
                line += ',';
            std::visit(
                [&](const auto& v) {
                    if (c.jagged()) {
                        append_jagged(line, v, c.offsets[row], c.offsets[row + 1], path, c);
                        return;
                    }
                    for (std::size_t j = 0; j < c.width; ++j) {
                        if (j > 0)
                            line += ',';
                        append_value(line, v[row * c.width + j]);
                    }
                },
                c.values);
        }
        // A row of one empty cell would be a blank line, which CSV readers skip: write "" instead.
        if (line.empty())
            line = "\"\"";
        line += '\n';
        out << line;
    }
    file.commit();
}

void write_columns(const std::string& path, std::span<const Column> columns) {
    if (column_file_format(path) == ColumnFileFormat::Csv)
        write_csv(path, columns);
    else
        write_hdf5(path, columns);
}

} // namespace hepkit::io
