#pragma once
// Internal to hepkit::expr: what a KeptValues holds (Columns.hpp) and how the columnar evaluator
// takes a kept subexpression's values over other rows.
#include "ColumnOps.hpp"
#include "hepkit/expr/Columns.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace hepkit::expr {

struct KeptValues::Impl {
    /// One node's values over the rows the recording evaluated it on (the first time only).
    struct Entry {
        int node = 0;
        std::vector<std::uint32_t> rows; ///< increasing
        bool jagged = false;
        std::vector<std::int64_t> off; ///< jagged: rows+1 offsets from 0
        std::vector<double> values;
    };
    std::uint64_t expr = 0;     ///< the serial of the expression whose node ids the entries name
    std::vector<Entry> entries; ///< few: one per costly call of the expression

    /// Starts a recording of the expression with serial `e`: what was kept is dropped.
    void start(std::uint64_t e);
    const Entry* find(int node) const;
    /// Keeps float column `c` (flat or jagged) as node `node`'s values over `rows`, unless the
    /// node already has values (a node evaluated twice keeps its first rows).
    void keep(int node, const columns::RowSet& rows, const columns::Col& c);
};

struct GatherCache::Impl {
    /// An input column gathered at the caller's rows (identified by address, count, first and
    /// last row: the caller promises they do not change while the cache is used).
    struct Key {
        const void* values = nullptr;
        const void* offsets = nullptr;
        const std::uint32_t* rows = nullptr;
        std::size_t n = 0;
        std::uint32_t first = 0, last = 0;
        Type elem = Type::real;
        bool operator==(const Key&) const = default;
    };
    struct Entry {
        Key key;
        columns::Col col;
    };
    std::vector<Entry> entries;
};

namespace columns {

/// The kept node's value over `rows`: the kept values where the entry has the row, `compute` on
/// the rows it lacks (a shift's few extra events), merged in row order. Without a row to compute
/// and over exactly the kept rows, a view of the kept values (no copy).
Col from_kept(const KeptValues::Impl::Entry& e, const RowSet& rows,
              const std::function<Col(const RowSet&)>& compute);

} // namespace columns
} // namespace hepkit::expr
