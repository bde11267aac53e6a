// TreeWriter: entries cut into clusters and baskets (written at once), and the TTree object with
// its branches and leaves (TTree v20, TBranch v13, TLeaf v2) written at close.

#include "WriterTreeImpl.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hepkit::io {

namespace {

// Values [first, first+n) of `c`, big-endian, appended to `out`.
void append_values(std::vector<std::uint8_t>& out, const Column& c, std::size_t first, std::size_t n) {
    std::visit(
        [&](const auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_arithmetic_v<T>) {
                const std::size_t at = out.size();
                out.resize(at + n * sizeof(T));
                std::uint8_t* dst = out.data() + at;
                const T* src = v.data() + first;
                for (std::size_t k = 0; k < n; ++k, dst += sizeof(T)) {
                    std::uint8_t b[sizeof(T)];
                    std::memcpy(b, src + k, sizeof(T));
                    for (std::size_t j = 0; j < sizeof(T); ++j)
                        dst[j] = b[sizeof(T) - 1 - j];
                }
            }
        },
        c.values);
}

void put_be32(std::vector<std::uint8_t>& out, std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int i = 3; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

// A counter value stored in the counter's own integer type (its two's complement, big-endian,
// in column_type_size(t) bytes).
void put_counter(std::vector<std::uint8_t>& out, ColumnType t, std::int64_t count) {
    const auto u = static_cast<std::uint64_t>(count);
    for (int i = static_cast<int>(column_type_size(t)) - 1; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

constexpr std::int32_t kEntryOffsetLen = 1000; // ROOT's default fEntryOffsetLen for variable-size branches

} // namespace

TreeWriter::TreeWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TreeWriter::~TreeWriter() = default;

std::int64_t TreeWriter::entries() const {
    return impl_->entries;
}

void TreeWriter::append(std::span<const Column> columns) {
    auto& t = *impl_;
    if (t.sink == nullptr)
        throw std::logic_error("tree " + t.name + ": append after the file was closed");
    t.check_columns(columns);
    if (!t.has_schema)
        t.set_schema(columns);
    // Jagged columns that share a counter must agree on it entry by entry; a counter column read
    // from a file must hold exactly the counts.
    for (const auto& b : t.branches) {
        if (!b.jagged)
            continue;
        const auto& c = columns[static_cast<std::size_t>(b.column)];
        const auto& counter = t.branches[static_cast<std::size_t>(b.counter)];
        const auto& ref = columns[static_cast<std::size_t>(counter.counted)];
        if (ref.offsets != c.offsets)
            throw std::invalid_argument("tree " + t.name + ": jagged columns " + ref.name + " and " + c.name +
                                        " share the counter " + counter.name + " but differ in their counts");
        if (counter.column >= 0) {
            const auto& k = columns[static_cast<std::size_t>(counter.column)];
            for (std::size_t e = 0; e + 1 < c.offsets.size(); ++e)
                if (k.value_as_double(e) != static_cast<double>(c.offsets[e + 1] - c.offsets[e]))
                    throw std::invalid_argument(
                        "tree " + t.name + ": counter column " + k.name + " entry " + std::to_string(e) +
                        " = " + std::to_string(k.value_as_double(e)) + " but " + c.name + " has " +
                        std::to_string(c.offsets[e + 1] - c.offsets[e]) + " values there");
        }
    }
    const std::size_t n = columns.front().entries();
    const std::size_t step =
        t.options.cluster_entries > 0 ? t.options.cluster_entries : std::max<std::size_t>(n, 1);
    for (std::size_t first = 0; first < n; first += step)
        t.write_cluster(columns, first, std::min(step, n - first));
}

void TreeWriter::Impl::write_cluster(std::span<const Column> columns, std::size_t first, std::size_t n) {
    const std::size_t basket_size = std::max<std::size_t>(options.basket_size, 1);
    for (auto& b : branches) {
        const std::int32_t key_len = detail::Sink::key_length("TBasket", b.name, name, true) + 19;
        const Column* c = b.column >= 0 ? &columns[static_cast<std::size_t>(b.column)] : nullptr;
        const Column& counted = b.counted >= 0 ? columns[static_cast<std::size_t>(b.counted)] : *c;
        const std::size_t elem = column_type_size(b.type);
        // Entry e's values and byte size.
        const auto entry_values = [&](std::size_t e) -> std::pair<std::size_t, std::size_t> {
            if (b.jagged)
                return {static_cast<std::size_t>(c->offsets[e]),
                        static_cast<std::size_t>(c->offsets[e + 1] - c->offsets[e])};
            return {e * b.width, b.width};
        };
        std::size_t e = first;
        const std::size_t end = first + n;
        while (e < end) {
            detail::BasketData basket;
            std::vector<std::int32_t> starts;
            std::size_t bytes = 0;
            const std::size_t e0 = e;
            while (e < end) {
                const std::size_t size = b.is_counter ? elem : entry_values(e).second * elem;
                if (e > e0 && bytes + size > basket_size)
                    break;
                if (b.jagged)
                    starts.push_back(key_len + static_cast<std::int32_t>(bytes));
                if (b.is_counter) {
                    const std::int64_t count = counted.offsets[e + 1] - counted.offsets[e];
                    b.max_count = std::max(b.max_count, count);
                    put_counter(basket.bytes, b.type, count);
                } else {
                    const auto [v0, nv] = entry_values(e);
                    append_values(basket.bytes, *c, v0, nv);
                }
                bytes += size;
                ++e;
            }
            basket.nev_buf = static_cast<std::int32_t>(e - e0);
            basket.data_size = static_cast<std::int32_t>(bytes);
            if (b.jagged) {
                basket.nev_buf_size = kEntryOffsetLen;
                put_be32(basket.bytes, basket.nev_buf + 1);
                for (const auto s : starts)
                    put_be32(basket.bytes, s);
                put_be32(basket.bytes, 0);
            } else {
                basket.nev_buf_size = static_cast<std::int32_t>(elem * b.width);
            }
            const auto place =
                sink->write_basket(b.name, name, basket, static_cast<std::int32_t>(options.basket_size));
            b.basket_bytes.push_back(place.nbytes);
            b.basket_entry.push_back(entries + static_cast<std::int64_t>(e0 - first));
            b.basket_seek.push_back(place.seek);
            b.tot_bytes += place.obj_len + place.key_len;
            b.zip_bytes += place.nbytes;
        }
    }
    entries += static_cast<std::int64_t>(n);
    clusters.push_back(static_cast<std::int64_t>(n));
}

} // namespace hepkit::io
