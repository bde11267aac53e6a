// append_column: columns read basket by basket, cluster by cluster or file by file (a chain)
// joined into one contiguous column.

#include "hepkit/io/Tree.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace hepkit::io {

void append_column(Column& into, Column&& more) {
    if (into.type != more.type || into.jagged() != more.jagged() ||
        (!into.jagged() && into.width != more.width))
        throw std::invalid_argument("append_column: column '" + more.name + "' (" +
                                    std::string(column_type_name(more.type)) + ") does not match '" +
                                    into.name + "' (" + std::string(column_type_name(into.type)) + ")");
    if (into.jagged()) {
        const std::int64_t shift = into.offsets.back();
        const std::size_t at = into.offsets.size(), n = more.offsets.size() - 1;
        // The first part is taken as it is unless `into` reserved room for more parts (Tree::read
        // reserves the whole range: appending into it never regrows).
        if (at == 1 && shift == 0 && more.offsets.front() == 0 &&
            more.offsets.size() >= into.offsets.capacity()) {
            into.offsets = std::move(more.offsets);
        } else {
            into.offsets.resize(at + n);
            std::int64_t* __restrict dst = into.offsets.mut().data() + at;
            const std::int64_t* __restrict src = more.offsets.data() + 1;
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = src[i] + shift;
        }
    }
    // By variant index: the Bool and UInt8 alternatives have the same vector type.
    const auto merge = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
        auto& dst = std::get<I>(into.values);
        auto& src = std::get<I>(more.values);
        if (dst.empty() && src.size() >= dst.capacity())
            dst = std::move(src);
        else
            dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
    };
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((into.values.index() == I ? (merge(std::integral_constant<std::size_t, I>{}), 0) : 0), ...);
    }
    (std::make_index_sequence<std::variant_size_v<ColumnValues>>{});
}

} // namespace hepkit::io
