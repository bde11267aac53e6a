// Per-thread recycling of float64 product storage between batches (Recycle.hpp).
#include "Recycle.hpp"

#include <atomic>
#include <deque>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace hepkit::events::detail {

namespace {

// Enough for the float64 products of a batch's variants, within a bound in bytes (batches of
// files follow their clusters, up to 2^20 events: 8 MiB a column); beyond either bound the oldest
// entries are freed, so that storage of sizes no batch asks for any more does not stay. Per thread:
// the runner gives each batch to one thread, and storage goes to the thread that ends the column
// (no lock).
constexpr std::size_t kPoolSize = 32;
constexpr std::size_t kPoolBytes = std::size_t{64} << 20;

struct Pool {
    std::deque<std::vector<double>> entries; ///< all zeros, oldest first
    std::size_t bytes = 0;
};

Pool& pool() {
    thread_local Pool p;
    return p;
}

std::atomic<std::uint64_t> takes{0};

// The deleter of a recycled column: the last reference gives its storage back.
struct GiveBack {
    std::vector<std::uint32_t> rows;
    void operator()(io::Column* c) noexcept {
        if (auto* v = std::get_if<std::vector<double>>(&c->values);
            v && v->size() * sizeof(double) <= kPoolBytes) {
            Pool& p = pool();
            const std::size_t size = v->size() * sizeof(double);
            while (!p.entries.empty() && (p.entries.size() >= kPoolSize || p.bytes + size > kPoolBytes)) {
                p.bytes -= p.entries.front().size() * sizeof(double);
                p.entries.pop_front();
            }
            // Cleared now, not when taken: the rows were written while this batch ran and are
            // likely still in the cache; by the next batch's take they are not (a miss per row).
            double* d = v->data();
            for (const std::uint32_t r : rows)
                d[r] = 0.0;
            try {
                p.entries.push_back(std::move(*v));
                p.bytes += size;
            } catch (...) { // no room for the entry: the storage is freed with the column
            }
        }
        delete c;
    }
};

} // namespace

bool worth_recycling(std::size_t events, std::size_t rows) {
    return events >= kRecycleMin && 8 * rows <= events;
}

std::vector<double> take_zeros(std::size_t n) {
    Pool& p = pool();
    for (std::size_t k = p.entries.size(); k-- > 0;) { // the newest first
        if (p.entries[k].size() != n)
            continue;
        std::vector<double> values = std::move(p.entries[k]);
        p.entries.erase(p.entries.begin() + static_cast<std::ptrdiff_t>(k));
        p.bytes -= n * sizeof(double);
        takes.fetch_add(1, std::memory_order_relaxed);
        return values;
    }
    return {};
}

std::uint64_t recycled_takes() {
    return takes.load(std::memory_order_relaxed);
}

std::shared_ptr<const io::Column> shared_recycled(io::Column column, std::vector<std::uint32_t> rows) {
    if (column.jagged() || column.type != io::ColumnType::Float64)
        throw std::logic_error("shared_recycled: '" + column.name + "' is not a flat float64 column");
    const std::size_t n = column.entries();
    for (const std::uint32_t r : rows)
        if (r >= n)
            throw std::logic_error("shared_recycled: row " + std::to_string(r) + " of a column of " +
                                   std::to_string(n) + " entries");
    return {new io::Column(std::move(column)), GiveBack{std::move(rows)}};
}

} // namespace hepkit::events::detail
