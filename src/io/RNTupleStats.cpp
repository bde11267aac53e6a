// Field statistics of an RNTuple, cluster by cluster (bounded memory), merged per field.
#include "hepkit/io/RNTupleStats.hpp"

namespace hepkit::io {

RNTupleStats rntuple_stats(const RNTuple& ntuple, const std::function<bool(std::string_view)>& select,
                           ThreadPool* pool) {
    RNTupleStats out;
    out.entries = ntuple.entries();
    for (const RNTupleFieldInfo& f : ntuple.fields()) {
        if (select && !select(f.name))
            continue;
        if (!f.readable || f.column_type == ColumnType::String) {
            out.unreadable.push_back(f.name);
            continue;
        }
        RNTupleFieldStats fs;
        fs.name = f.name;
        fs.stats.integral = f.column_type != ColumnType::Float32 && f.column_type != ColumnType::Float64;
        for (std::size_t k = 0; k < ntuple.clusters(); ++k) {
            const auto [first, n] = ntuple.cluster_range(k);
            const Column c = ntuple.read(f.name, first, first + n, pool);
            if (const auto s = column_stats(c))
                merge_stats(fs.stats, *s);
        }
        out.fields.push_back(std::move(fs));
    }
    return out;
}

} // namespace hepkit::io
