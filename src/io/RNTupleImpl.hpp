#pragma once
// The state of an opened RNTuple and the plan of a field read (internal to hepkit::io):
// RNTuple.cpp opens and resolves, RNTupleRead.cpp reads pages into columns.

#include "RNTupleFormat.hpp"

#include "hepkit/io/Column.hpp"
#include "hepkit/io/RNTuple.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hepkit::io::rntuple {

/// How a field becomes a Column.
struct Plan {
    enum class Kind {
        Flat,        ///< one value per entry from value_field
        Fixed,       ///< `width` values per entry (std::array)
        Jagged,      ///< offsets from index_field's index column, values from value_field
        Cardinality, ///< the sizes of index_field's collection
        String,      ///< index_field's index column over its character column
    };
    Kind kind = Kind::Flat;
    ColumnType type = ColumnType::Float64;
    std::size_t width = 1;
    std::uint32_t value_field = 0;
    std::uint32_t index_field = 0;
    bool has_index() const {
        return kind == Kind::Jagged || kind == Kind::Cardinality || kind == Kind::String;
    }
};

/// A plan, or why the field cannot be read.
struct Resolution {
    std::optional<Plan> plan;
    std::string why_not;
};

} // namespace hepkit::io::rntuple

namespace hepkit::io {

struct RNTuple::Impl {
    const RootFile* file = nullptr;
    std::string name;
    rntuple::Where where;
    rntuple::Anchor anchor;
    rntuple::Header header;
    rntuple::Schema schema;
    std::vector<rntuple::ClusterDesc> clusters; ///< sorted by first entry, contiguous from 0
    std::uint64_t entries = 0;

    /// The field id of a top-level name or dotted path; throws InputError listing the fields.
    std::uint32_t find(std::string_view path) const;
    std::string path_of(std::uint32_t field) const;
    rntuple::Resolution resolve(std::uint32_t field) const;
    RNTupleFieldInfo info(std::uint32_t field) const;
    /// The physical columns of `field` and its subfields, all representations, schema order.
    std::vector<std::uint32_t> columns_below(std::uint32_t field) const;
    /// The physical columns of `field` active in cluster `k` (its primary representation there).
    const std::vector<std::uint32_t>& columns_in(std::uint32_t field, std::size_t k) const;
    Column read(const rntuple::Plan& plan, const std::string& path, std::uint64_t begin, std::uint64_t end,
                ThreadPool* pool) const;
};

} // namespace hepkit::io
