// Reading a field of an RNTuple into a Column: for each cluster of the entry range, the pages of
// the index column (collections) and then of the value column that overlap what is asked for are
// read, checked (xxhash3 when the page carries one), decompressed and decoded straight into the
// column's buffer, page by page on the thread pool. Index columns hold per-cluster end offsets;
// they become one 0-based offsets array over the whole range.
#include "RNTupleDecode.hpp"
#include "RNTupleImpl.hpp"

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <cstring>
#include <xxhash.h>

namespace hepkit::io {

using namespace rntuple;

namespace {

/// One page (or the part of it that is asked for) to decode into base[out_at, …); or, for a
/// deferred column in a cluster written before the column existed, zeros.
struct Task {
    std::size_t cluster = 0;
    std::uint32_t column = 0;
    std::size_t page = 0;
    std::uint64_t page_first = 0;   ///< cluster-local index of the page's first element
    std::uint64_t from = 0, to = 0; ///< cluster-local elements wanted from this page
    std::uint64_t out_at = 0;       ///< where element `from` goes in the output buffer
    bool zeros = false;
};

constexpr std::uint64_t kMaxRatio = 65536;

std::string page_name(const RNTuple::Impl& m, std::size_t k, std::uint32_t column, std::size_t page) {
    std::string s = "column " + std::to_string(column) + " (field " +
                    m.path_of(m.schema.columns[column].field) + ", " +
                    column_kind_name(m.schema.columns[column].kind) + ") cluster " + std::to_string(k);
    if (page != static_cast<std::size_t>(-1))
        s.append(" page ").append(std::to_string(page));
    return s;
}

/// Adds the tasks that read cluster-local elements [from, to) of `column` in cluster `k` into
/// base[out_at, out_at + to − from). Checks every page's claimed size against what its stored
/// bytes can hold, before the caller allocates the output.
void plan_elements(const RNTuple::Impl& m, std::size_t k, std::uint32_t column, std::uint64_t from,
                   std::uint64_t to, std::uint64_t out_at, std::vector<Task>& tasks) {
    if (from >= to)
        return;
    const ColumnDesc& cd = m.schema.columns[column];
    const ColumnPages& cp = m.clusters[k].column(column);
    if ((!cp.present || cp.pages.empty()) && (cd.flags & kColumnDeferred)) {
        // A column added after this cluster was written reads as zeros (the format's rule).
        Task t;
        t.cluster = k;
        t.column = column;
        t.from = from;
        t.to = to;
        t.out_at = out_at;
        t.zeros = true;
        tasks.push_back(t);
        return;
    }
    if (!cp.present || cp.suppressed || cp.elements < to)
        fail_at(m.where, page_name(m, k, column, static_cast<std::size_t>(-1)), m.anchor.seek_footer,
                !cp.present     ? "is missing from the cluster's page list"
                : cp.suppressed ? "is suppressed in this cluster and has no other representation"
                                : "has " + std::to_string(cp.elements) + " elements, " + std::to_string(to) +
                                      " are needed (the index or the cluster's entry count says so)");
    std::uint64_t first = 0;
    for (std::size_t p = 0; p < cp.pages.size() && first < to; ++p) {
        const PageDesc& page = cp.pages[p];
        const std::uint64_t last = first + page.elements;
        if (last > from) {
            const std::uint64_t bytes = page_bytes(cd, page.elements);
            const std::uint64_t stored = page.where.size + (page.checksum ? 8 : 0);
            if (page.where.offset > m.file->size() || stored > m.file->size() - page.where.offset)
                fail_at(m.where, page_name(m, k, column, p), page.where.offset,
                        std::to_string(stored) + " stored bytes run past the file's end (" +
                            std::to_string(m.file->size()) + " bytes: truncated file or corrupt locator)");
            // No codec ROOT uses compresses real data beyond ~1:30000 (zstd on zeros); a page
            // claiming more is refused before the column is allocated for it.
            if (bytes != page.where.size && bytes > page.where.size * kMaxRatio)
                fail_at(m.where, page_name(m, k, column, p), page.where.offset,
                        std::to_string(page.elements) + " elements (" + std::to_string(bytes) +
                            " bytes) cannot come from " + std::to_string(page.where.size) + " stored bytes");
            Task t;
            t.cluster = k;
            t.column = column;
            t.page = p;
            t.page_first = first;
            t.from = std::max(first, from);
            t.to = std::min(last, to);
            t.out_at = out_at + (t.from - from);
            tasks.push_back(t);
        }
        first = last;
    }
}

/// The page's uncompressed bytes: read, checksum verified, decompressed (sizes checked first).
std::vector<std::uint8_t> load_page(const RNTuple::Impl& m, std::size_t k, std::uint32_t column,
                                    std::size_t p) {
    const ColumnDesc& cd = m.schema.columns[column];
    const ColumnPages& cp = m.clusters[k].column(column);
    const PageDesc& page = cp.pages[p];
    const std::string what = page_name(m, k, column, p);
    const std::uint64_t size = page.where.size, at = page.where.offset;
    const std::uint64_t stored_size = size + (page.checksum ? 8 : 0);
    if (at > m.file->size() || stored_size > m.file->size() - at)
        fail_at(m.where, what, at,
                std::to_string(stored_size) + " stored bytes run past the file's end (" +
                    std::to_string(m.file->size()) + " bytes: truncated file or corrupt locator)");
    const std::vector<std::uint8_t> stored =
        m.file->read_raw(static_cast<std::int64_t>(at), static_cast<std::size_t>(stored_size), what);
    const std::span<const std::uint8_t> body(stored.data(), static_cast<std::size_t>(size));
    if (page.checksum) {
        std::uint64_t recorded = 0;
        for (int i = 0; i < 8; ++i)
            recorded |= static_cast<std::uint64_t>(stored[size + i]) << (8 * i);
        const std::uint64_t computed = XXH3_64bits(body.data(), body.size());
        if (recorded != computed)
            fail_at(m.where, what, at,
                    "page checksum mismatch: recorded xxhash3 " + std::to_string(recorded) + ", computed " +
                        std::to_string(computed) + " (corrupt page)");
    }
    const std::uint64_t length = page_bytes(cd, page.elements);
    if (size == length)
        return std::vector<std::uint8_t>(body.begin(), body.end());
    if (cp.compression % 100 == 0)
        fail_at(m.where, what, at,
                "stored in " + std::to_string(size) + " bytes without compression, " +
                    std::to_string(page.elements) + " elements need " + std::to_string(length));
    check_blocks(body, length, m.where, what, at);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(length));
    const std::string object = "ntuple " + m.name + " " + what;
    decompress(body, out, RecordPlace{m.where.file, object, at});
    return out;
}

template <class T>
void run(const RNTuple::Impl& m, const std::vector<Task>& tasks, T* base, ThreadPool* pool) {
    parallel_for(pool, tasks.size(), [&](std::size_t i) {
        const Task& t = tasks[i];
        T* out = base + t.out_at;
        if (t.zeros) {
            std::fill(out, out + (t.to - t.from), T{});
            return;
        }
        const ColumnDesc& cd = m.schema.columns[t.column];
        const PageDesc& page = m.clusters[t.cluster].column(t.column).pages[t.page];
        const std::vector<std::uint8_t> bytes = load_page(m, t.cluster, t.column, t.page);
        if (t.from == t.page_first && t.to == t.page_first + page.elements) {
            decode_page<T>(cd, bytes, page.elements, out);
        } else {
            // Part of the page: decode it whole (delta and split need all of it), keep the part.
            std::vector<T> all(page.elements);
            decode_page<T>(cd, bytes, page.elements, all.data());
            std::copy(all.begin() + static_cast<std::ptrdiff_t>(t.from - t.page_first),
                      all.begin() + static_cast<std::ptrdiff_t>(t.to - t.page_first), out);
        }
    });
}

/// Calls f(T{}) with the element type of a ColumnType (uint8_t for Bool).
template <class F>
void with_type(ColumnType type, F&& f) {
    switch (type) {
    case ColumnType::Bool:
    case ColumnType::UInt8:
        return f(std::uint8_t{});
    case ColumnType::Int8:
        return f(std::int8_t{});
    case ColumnType::Int16:
        return f(std::int16_t{});
    case ColumnType::UInt16:
        return f(std::uint16_t{});
    case ColumnType::Int32:
        return f(std::int32_t{});
    case ColumnType::UInt32:
        return f(std::uint32_t{});
    case ColumnType::Int64:
        return f(std::int64_t{});
    case ColumnType::UInt64:
        return f(std::uint64_t{});
    case ColumnType::Float32:
        return f(float{});
    case ColumnType::Float64:
        return f(double{});
    case ColumnType::String:
        return f(std::int8_t{}); // characters
    }
}

/// A cluster's part of the range.
struct Piece {
    std::size_t cluster = 0;
    std::uint64_t begin = 0, end = 0;             ///< cluster-local entries
    std::span<const std::uint64_t> index;         ///< index values of entries [begin − (begin > 0), end)
    std::uint64_t value_begin = 0, value_end = 0; ///< cluster-local elements of the value column
};

} // namespace

Column RNTuple::Impl::read(const Plan& plan, const std::string& path, std::uint64_t begin, std::uint64_t end,
                           ThreadPool* pool) const {
    // The clusters of [begin, end) (sorted, contiguous: the first one by binary search).
    std::vector<Piece> pieces;
    auto it = std::upper_bound(clusters.begin(), clusters.end(), begin,
                               [](std::uint64_t e, const ClusterDesc& c) { return e < c.first_entry; });
    for (std::size_t k = it == clusters.begin() ? 0 : static_cast<std::size_t>(it - clusters.begin()) - 1;
         k < clusters.size() && clusters[k].first_entry < end; ++k) {
        const ClusterDesc& c = clusters[k];
        if (c.first_entry + c.entries <= begin || c.entries == 0)
            continue;
        Piece p;
        p.cluster = k;
        p.begin = std::max(begin, c.first_entry) - c.first_entry;
        p.end = std::min(end, c.first_entry + c.entries) - c.first_entry;
        pieces.push_back(std::move(p));
    }

    // 1. The index column (collections, strings, cardinalities): per-cluster end offsets.
    std::vector<std::uint64_t> index;
    if (plan.has_index()) {
        std::vector<Task> tasks;
        std::vector<std::uint64_t> starts;
        std::uint64_t total = 0;
        for (Piece& p : pieces) {
            const auto& cols = columns_in(plan.index_field, p.cluster);
            const std::uint64_t from = p.begin > 0 ? p.begin - 1 : 0;
            plan_elements(*this, p.cluster, cols.front(), from, p.end, total, tasks);
            starts.push_back(total);
            total += p.end - from;
        }
        index.resize(static_cast<std::size_t>(total));
        run(*this, tasks, index.data(), pool);
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            Piece& p = pieces[i];
            const std::uint64_t n = p.end - (p.begin > 0 ? p.begin - 1 : 0);
            p.index = std::span<const std::uint64_t>(index.data() + starts[i], static_cast<std::size_t>(n));
            const std::uint32_t column = columns_in(plan.index_field, p.cluster).front();
            std::uint64_t previous = 0;
            for (std::size_t j = 0; j < p.index.size(); ++j) {
                if (p.index[j] < previous)
                    fail_at(where, page_name(*this, p.cluster, column, static_cast<std::size_t>(-1)),
                            anchor.seek_footer,
                            "index decreases at cluster entry " + std::to_string(p.end - p.index.size() + j) +
                                " (" + std::to_string(p.index[j]) + " after " + std::to_string(previous) +
                                ")");
                previous = p.index[j];
            }
            p.value_begin = p.begin > 0 ? p.index.front() : 0;
            p.value_end = p.index.empty() ? p.value_begin : p.index.back();
        }
    } else {
        for (Piece& p : pieces) {
            if (p.end > (std::uint64_t{1} << 62) / plan.width)
                fail_at(where, "field " + path, anchor.seek_footer,
                        std::to_string(p.end) + " entries of " + std::to_string(plan.width) +
                            " values overflow the element count");
            p.value_begin = p.begin * plan.width;
            p.value_end = p.end * plan.width;
        }
    }

    Column out = Column::make(path, plan.type);
    out.width = plan.kind == Plan::Kind::Fixed ? plan.width : 1;
    const std::uint64_t entries = end - begin;

    if (plan.kind == Plan::Kind::Cardinality) {
        with_type(plan.type, [&](auto tag) {
            using T = decltype(tag);
            auto& v = out.template mut<T>();
            v.reserve(entries);
            for (const Piece& p : pieces) {
                // Sizes are differences of end offsets; a cluster starts from 0.
                std::uint64_t previous = p.begin > 0 ? p.index.front() : 0;
                for (std::size_t i = p.begin > 0 ? 1 : 0; i < p.index.size(); ++i) {
                    v.push_back(static_cast<T>(p.index[i] - previous));
                    previous = p.index[i];
                }
            }
        });
        return out;
    }

    if (plan.has_index()) {
        out.offsets.reserve(entries + 1);
        out.offsets.push_back(0);
        std::int64_t total = 0;
        for (const Piece& p : pieces) {
            for (std::size_t i = p.begin > 0 ? 1 : 0; i < p.index.size(); ++i)
                out.offsets.push_back(total + static_cast<std::int64_t>(p.index[i] - p.value_begin));
            total += static_cast<std::int64_t>(p.value_end - p.value_begin);
        }
    }

    // 2. The value column: every piece's elements, placed one after the other.
    std::uint64_t total_values = 0;
    for (const Piece& p : pieces)
        total_values += p.value_end - p.value_begin;
    const std::uint32_t value_field = plan.kind == Plan::Kind::String ? plan.index_field : plan.value_field;
    const std::size_t value_slot = plan.kind == Plan::Kind::String ? 1 : 0;

    with_type(plan.type, [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> chars;
        std::vector<T>* values = nullptr;
        if constexpr (std::is_same_v<T, std::int8_t>) {
            values = plan.kind == Plan::Kind::String ? &chars : &out.template mut<T>();
        } else {
            values = &out.template mut<T>();
        }
        std::vector<Task> tasks;
        std::uint64_t at = 0;
        for (const Piece& p : pieces) {
            const auto& cols = columns_in(value_field, p.cluster);
            if (cols.size() <= value_slot)
                fail_at(where, "field " + path_of(value_field), anchor.seek_footer,
                        "has no value column in cluster " + std::to_string(p.cluster));
            plan_elements(*this, p.cluster, cols[value_slot], p.value_begin, p.value_end, at, tasks);
            at += p.value_end - p.value_begin;
        }
        // Every page's size was checked against its stored bytes above: now allocate.
        values->resize(static_cast<std::size_t>(total_values));
        run(*this, tasks, values->data(), pool);
        if (plan.kind == Plan::Kind::String) {
            auto& strings = out.template mut<std::string>();
            strings.reserve(entries);
            for (std::size_t e = 0; e + 1 < out.offsets.size(); ++e)
                strings.emplace_back(reinterpret_cast<const char*>(chars.data()) + out.offsets[e],
                                     static_cast<std::size_t>(out.offsets[e + 1] - out.offsets[e]));
            out.offsets.clear();
        }
    });
    return out;
}

} // namespace hepkit::io
