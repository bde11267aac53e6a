// Per-thread recycling of float64 product storage between batches (Recycle.hpp).
#include "Recycle.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace hepkit::events::detail {

namespace {

// Enough for the float64 products of a batch's variants; more are freed. Per thread: the runner
// gives each batch to one thread, and storage goes to the thread that ends the column (no lock).
constexpr std::size_t kPoolSize = 32;

struct Stored {
    std::vector<double> values;      ///< 0 outside `rows`
    std::vector<std::uint32_t> rows; ///< the rows that may hold other values
};

std::vector<Stored>& pool() {
    thread_local std::vector<Stored> p;
    return p;
}

// The deleter of a recycled column: the last reference gives its storage back.
struct GiveBack {
    std::vector<std::uint32_t> rows;
    void operator()(io::Column* c) noexcept {
        if (auto* v = std::get_if<std::vector<double>>(&c->values)) {
            auto& p = pool();
            if (p.size() < kPoolSize) {
                try {
                    p.push_back({std::move(*v), std::move(rows)});
                } catch (...) { // no room for the entry: the storage is freed with the column
                }
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
    auto& p = pool();
    for (std::size_t k = p.size(); k-- > 0;) {
        if (p[k].values.size() != n)
            continue;
        Stored s = std::move(p[k]);
        p[k] = std::move(p.back());
        p.pop_back();
        for (const std::uint32_t r : s.rows)
            s.values[r] = 0.0;
        return std::move(s.values);
    }
    return {};
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
