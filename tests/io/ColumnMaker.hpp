#pragma once
// A column of the given type and values (fixed width or jagged offsets), for the column-file tests.

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::io::test {

template <class T>
Column column(const std::string& name, ColumnType type, std::vector<T> values, std::size_t width = 1,
              std::vector<std::int64_t> offsets = {}) {
    Column c = Column::make(name, type);
    c.mut<T>() = std::move(values);
    c.width = width;
    c.offsets = std::move(offsets);
    return c;
}

} // namespace hepkit::io::test
