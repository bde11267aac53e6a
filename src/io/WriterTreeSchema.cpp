// TreeWriter's branch layout: columns checked and turned into branches, NanoAOD-style counters
// found or made for the jagged ones.

#include "WriterNames.hpp"
#include "WriterTreeImpl.hpp"

#include <map>
#include <set>
#include <stdexcept>

namespace hepkit::io {

namespace {

bool is_integer(ColumnType t) {
    return t != ColumnType::Bool && t != ColumnType::Float32 && t != ColumnType::Float64 &&
           t != ColumnType::String;
}

// NanoAOD's convention: Muon_pt, Muon_eta, ... count with nMuon.
std::string counter_name(const std::string& column) {
    const auto us = column.find('_');
    return "n" + (us == std::string::npos || us == 0 ? column : column.substr(0, us));
}

void check_column(const Column& c) {
    detail::check_branch_name(c.name);
    if (c.type == ColumnType::String)
        throw std::invalid_argument("column " + c.name + ": string columns are not written to ROOT trees (" +
                                    "basic types only: bool, (u)int8..64, float32, float64)");
    // The values must be the vector of the column's type (Column::make keeps them consistent).
    if (c.values.index() != static_cast<std::size_t>(c.type))
        throw std::invalid_argument("column " + c.name + ": type " + std::string(column_type_name(c.type)) +
                                    " but its values are of another element type");
    if (c.jagged()) {
        if (c.width != 1)
            throw std::invalid_argument("column " + c.name + ": jagged with width " +
                                        std::to_string(c.width) +
                                        "; jagged arrays of fixed-size arrays are not written");
        if (c.offsets.front() != 0)
            throw std::invalid_argument(
                "column " + c.name + ": offsets[0] = " + std::to_string(c.offsets.front()) + ", must be 0");
        for (std::size_t i = 1; i < c.offsets.size(); ++i)
            if (c.offsets[i] < c.offsets[i - 1])
                throw std::invalid_argument("column " + c.name + ": offsets decrease at entry " +
                                            std::to_string(i - 1));
        if (static_cast<std::size_t>(c.offsets.back()) != c.size())
            throw std::invalid_argument("column " + c.name + ": last offset " +
                                        std::to_string(c.offsets.back()) + " but " +
                                        std::to_string(c.size()) + " values");
    } else {
        if (c.width < 1)
            throw std::invalid_argument("column " + c.name + ": width 0");
        if (c.size() % c.width != 0)
            throw std::invalid_argument("column " + c.name + ": " + std::to_string(c.size()) +
                                        " values are not a whole number of entries of width " +
                                        std::to_string(c.width));
    }
}

} // namespace

void TreeWriter::Impl::check_columns(std::span<const Column> columns) const {
    if (columns.empty())
        throw std::invalid_argument("tree " + name + ": no columns");
    for (const auto& c : columns)
        check_column(c);
    const std::size_t n = columns.front().entries();
    for (const auto& c : columns)
        if (c.entries() != n)
            throw std::invalid_argument("tree " + name + ": column " + c.name + " has " +
                                        std::to_string(c.entries()) + " entries, column " +
                                        columns.front().name + " has " + std::to_string(n) +
                                        " (all columns of a tree need the same number of entries)");
    if (!has_schema)
        return;
    if (columns.size() != column_names.size())
        throw std::invalid_argument("tree " + name + ": " + std::to_string(columns.size()) +
                                    " columns, the first append had " + std::to_string(column_names.size()));
    for (const auto& b : branches) {
        if (b.column < 0)
            continue;
        const auto& c = columns[static_cast<std::size_t>(b.column)];
        if (c.name != b.name || c.type != b.type || c.jagged() != b.jagged ||
            (!b.jagged && c.width != b.width))
            throw std::invalid_argument("tree " + name + ": column " + std::to_string(b.column) + " (" +
                                        c.name + ") differs from the first append's " + b.name +
                                        " in name, type or shape");
    }
}

void TreeWriter::Impl::set_schema(std::span<const Column> columns) {
    std::set<std::string> names;
    for (const auto& c : columns)
        if (!names.insert(c.name).second)
            throw std::invalid_argument("tree " + name + ": two columns named " + c.name);
    // Counters of the jagged columns: an existing flat integer column of that name, or a new one.
    std::map<std::string, int> counter_column; // counter name -> column index, −1: generated
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto& c = columns[i];
        if (!c.jagged())
            continue;
        const std::string cn = counter_name(c.name);
        if (counter_column.count(cn) != 0)
            continue;
        int found = -1;
        for (std::size_t j = 0; j < columns.size(); ++j)
            if (columns[j].name == cn) {
                const auto& k = columns[j];
                if (k.jagged() || k.width != 1 || !is_integer(k.type))
                    throw std::invalid_argument("tree " + name + ": column " + cn +
                                                " is named like the counter of jagged column " + c.name +
                                                " but is not a flat integer column");
                found = static_cast<int>(j);
            }
        counter_column[cn] = found;
    }
    // Branch order: the input's, with each counter right before the first column it counts
    // (a leaf's fLeafCount must refer to a leaf written before it).
    std::map<std::string, int> counter_branch;
    const auto add_branch = [&](const Column* c, int column, const std::string& bname) {
        Branch b;
        b.name = bname;
        b.column = column;
        if (c != nullptr) {
            b.type = c->type;
            b.width = c->jagged() ? 1 : c->width;
            b.jagged = c->jagged();
        } else {
            b.type = ColumnType::Int32;
        }
        branches.push_back(std::move(b));
        return static_cast<int>(branches.size() - 1);
    };
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto& c = columns[i];
        if (counter_column.count(c.name) != 0 && counter_branch.count(c.name) != 0)
            continue; // a counter placed already
        if (c.jagged()) {
            const std::string cn = counter_name(c.name);
            if (counter_branch.count(cn) == 0) {
                const int col = counter_column[cn];
                const int idx = col >= 0 ? add_branch(&columns[static_cast<std::size_t>(col)], col, cn)
                                         : add_branch(nullptr, -1, cn);
                branches[static_cast<std::size_t>(idx)].is_counter = true;
                branches[static_cast<std::size_t>(idx)].counted = static_cast<int>(i);
                counter_branch[cn] = idx;
            }
            const int idx = add_branch(&c, static_cast<int>(i), c.name);
            branches[static_cast<std::size_t>(idx)].counter = counter_branch[cn];
        } else if (counter_column.count(c.name) != 0) {
            const int idx = add_branch(&c, static_cast<int>(i), c.name);
            branches[static_cast<std::size_t>(idx)].is_counter = true;
            counter_branch[c.name] = idx;
        } else {
            add_branch(&c, static_cast<int>(i), c.name);
        }
    }
    // A generated counter must not collide with a column of another kind.
    for (const auto& [cn, col] : counter_column)
        if (col < 0 && names.count(cn) != 0)
            throw std::logic_error("counter " + cn + " collides with a column");
    // Counted columns of one counter: remember the first jagged one for generated counts.
    for (auto& b : branches)
        if (b.is_counter && b.counted < 0)
            for (std::size_t i = 0; i < columns.size(); ++i)
                if (columns[i].jagged() && counter_name(columns[i].name) == b.name) {
                    b.counted = static_cast<int>(i);
                    break;
                }
    for (const auto& c : columns)
        column_names.push_back(c.name);
    has_schema = true;
}

} // namespace hepkit::io
