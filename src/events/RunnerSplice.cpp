// Spliced columns for row-level sharing under a shift (RunnerRows.hpp): a step computed again on
// some rows takes the nominal's values in every other row. Two ways in: the fresh values in a
// column of the batch's length (splice_rows, what produce() makes) or compacted to the rows
// (splice_compact, what expression steps give).
#include "RunnerRows.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

namespace hepkit::events::detail {

io::Column splice_rows(const io::Column& nominal, const io::Column& fresh,
                       std::span<const std::uint32_t> rows) {
    // The fresh rows gathered (few: a copy of theirs), then as a compacted column.
    io::Column compact = io::Column::make(fresh.name, fresh.type);
    std::visit(
        [&](const auto& vf) {
            using T = typename std::decay_t<decltype(vf)>::value_type;
            if constexpr (!std::is_arithmetic_v<T>) {
                throw std::logic_error("events: a string column is no product");
            } else {
                std::vector<T>& out = compact.template mut<T>();
                if (!fresh.jagged()) {
                    for (const std::uint32_t r : rows)
                        out.push_back(vf[r]);
                    return;
                }
                compact.offsets.assign(1, 0);
                for (const std::uint32_t r : rows) {
                    out.insert(out.end(), vf.begin() + fresh.offsets[r], vf.begin() + fresh.offsets[r + 1]);
                    compact.offsets.push_back(static_cast<std::int64_t>(out.size()));
                }
            }
        },
        fresh.values);
    return splice_compact(nominal, compact, rows);
}

io::Column splice_compact(const io::Column& nominal, const io::Column& compact,
                          std::span<const std::uint32_t> rows) {
    if (compact.type != nominal.type || compact.jagged() != nominal.jagged() ||
        (compact.jagged() ? compact.offsets.size() != rows.size() + 1 || compact.offsets.front() != 0
                          : compact.entries() != rows.size()))
        throw std::invalid_argument("events: product '" + nominal.name + "' computed for " +
                                    std::to_string(rows.size()) +
                                    " rows is not one entry per row of the nominal's type and shape");
    io::Column out = io::Column::make(nominal.name, nominal.type);
    std::visit(
        [&](const auto& vc) {
            using T = typename std::decay_t<decltype(vc)>::value_type;
            if constexpr (!std::is_arithmetic_v<T>) {
                throw std::logic_error("events: a string column is no product");
            } else {
                const auto vn = nominal.as<T>();
                if (!nominal.jagged()) {
                    std::vector<T> values(vn.begin(), vn.end());
                    for (std::size_t k = 0; k < rows.size(); ++k)
                        values[rows[k]] = vc[k];
                    out.template mut<T>() = std::move(values);
                    return;
                }
                const std::int64_t* oc = compact.offsets.data();
                const std::int64_t* on = nominal.offsets.data();
                const std::size_t events = nominal.offsets.size() - 1;
                if (!offsets_valid(compact))
                    throw std::invalid_argument("events: product '" + nominal.name +
                                                "' computed for a few rows has offsets that decrease or "
                                                "end beyond its values");
                bool same = true;
                for (std::size_t k = 0; k < rows.size(); ++k)
                    same = same && oc[k + 1] - oc[k] == on[rows[k] + 1] - on[rows[k]];
                if (same) { // the nominal's layout: its values with the rows' replaced
                    std::vector<T> values(vn.begin(), vn.end());
                    for (std::size_t k = 0; k < rows.size(); ++k)
                        if (oc[k + 1] > oc[k])
                            std::memcpy(values.data() + on[rows[k]], vc.data() + oc[k],
                                        static_cast<std::size_t>(oc[k + 1] - oc[k]) * sizeof(T));
                    out.offsets = nominal.offsets;
                    out.template mut<T>() = std::move(values);
                    return;
                }
                // Another layout: rebuilt, the nominal's rows between two computed ones in one copy.
                std::vector<std::int64_t>& offsets = out.offsets.mut();
                offsets.assign(events + 1, 0);
                std::size_t k = 0;
                for (std::size_t r = 0; r < events; ++r) {
                    const bool fresh = k < rows.size() && rows[k] == r;
                    const std::int64_t len = fresh ? oc[k + 1] - oc[k] : on[r + 1] - on[r];
                    k += fresh;
                    offsets[r + 1] = offsets[r] + len;
                }
                std::vector<T> values(static_cast<std::size_t>(out.offsets[events]));
                auto copy = [&](const T* from, std::int64_t at, std::int64_t count) {
                    if (count > 0)
                        std::memcpy(values.data() + at, from, static_cast<std::size_t>(count) * sizeof(T));
                };
                std::size_t from_row = 0; // the first nominal row not copied yet
                for (std::size_t j = 0; j <= rows.size(); ++j) {
                    const std::size_t until = j < rows.size() ? rows[j] : events;
                    copy(vn.data() + on[from_row], out.offsets[from_row], on[until] - on[from_row]);
                    if (j < rows.size())
                        copy(vc.data() + oc[j], out.offsets[rows[j]], oc[j + 1] - oc[j]);
                    from_row = until + 1;
                }
                out.template mut<T>() = std::move(values);
            }
        },
        compact.values);
    return out;
}

} // namespace hepkit::events::detail
