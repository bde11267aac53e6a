// Spliced columns for row-level sharing under a shift (RunnerRows.hpp): a step computed again on
// some rows takes the nominal's values in every other row. Three ways in: the fresh values in a
// column of the batch's length (splice_rows), compacted to the rows (splice_compact, what
// expression steps give), or row by row from a source mask (splice).
#include "RunnerRows.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

namespace hepkit::events::detail {

io::Column splice_rows(const io::Column& nominal, const io::Column& fresh,
                       std::span<const std::uint32_t> rows) {
    io::Column out = io::Column::make(fresh.name, fresh.type);
    with_values(fresh, nominal, [&](auto vf, auto vn) {
        using T = typename decltype(vf)::value_type;
        std::vector<T> values(vn.begin(), vn.end());
        if (!fresh.jagged()) {
            for (const std::uint32_t r : rows)
                values[r] = vf[r];
            out.template mut<T>() = std::move(values);
            return;
        }
        const std::int64_t* of = fresh.offsets.data();
        const std::int64_t* on = nominal.offsets.data();
        bool same = true;
        for (const std::uint32_t r : rows)
            same = same && of[r + 1] - of[r] == on[r + 1] - on[r];
        if (!same) { // a fresh row of another length: the general splice
            RowMask source(nominal.offsets.size() - 1, static_cast<std::uint8_t>(RowSource::nominal));
            for (const std::uint32_t r : rows)
                source[r] = static_cast<std::uint8_t>(RowSource::fresh);
            out = splice(nominal, fresh, source);
            return;
        }
        for (const std::uint32_t r : rows)
            if (of[r + 1] > of[r])
                std::memcpy(values.data() + on[r], vf.data() + of[r],
                            static_cast<std::size_t>(of[r + 1] - of[r]) * sizeof(T));
        out.offsets = nominal.offsets;
        out.template mut<T>() = std::move(values);
    });
    return out;
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
                if (compact.offsets.back() > static_cast<std::int64_t>(vc.size()))
                    throw std::invalid_argument("events: product '" + nominal.name +
                                                "' computed for a few rows has offsets beyond its values");
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
                out.offsets.assign(events + 1, 0);
                std::size_t k = 0;
                for (std::size_t r = 0; r < events; ++r) {
                    const bool fresh = k < rows.size() && rows[k] == r;
                    const std::int64_t len = fresh ? oc[k + 1] - oc[k] : on[r + 1] - on[r];
                    k += fresh;
                    out.offsets[r + 1] = out.offsets[r] + len;
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

io::Column splice(const io::Column& nominal, const io::Column& fresh, std::span<const std::uint8_t> source) {
    io::Column out = io::Column::make(fresh.name, fresh.type);
    const std::size_t n = source.size();
    with_values(fresh, nominal, [&](auto vf, auto vn) {
        using T = typename decltype(vf)::value_type;
        std::vector<T> values;
        if (!fresh.jagged()) {
            values.assign(vf.begin(), vf.end());
            for (std::size_t r = 0; r < n; ++r) {
                const auto s = static_cast<RowSource>(source[r]);
                if (s == RowSource::nominal)
                    values[r] = vn[r];
                else if (s == RowSource::none)
                    values[r] = T{};
            }
        } else {
            const std::int64_t* of = fresh.offsets.data();
            const std::int64_t* on = nominal.offsets.data();
            out.offsets.resize(n + 1);
            out.offsets[0] = 0;
            for (std::size_t r = 0; r < n; ++r) {
                const auto s = static_cast<RowSource>(source[r]);
                const std::int64_t len = s == RowSource::fresh     ? of[r + 1] - of[r]
                                         : s == RowSource::nominal ? on[r + 1] - on[r]
                                                                   : 0;
                out.offsets[r + 1] = out.offsets[r] + len;
            }
            values.resize(static_cast<std::size_t>(out.offsets[n]));
            // Runs of rows from one source are contiguous there too: one copy per run, not per row.
            for (std::size_t r = 0; r < n;) {
                const auto s = static_cast<RowSource>(source[r]);
                std::size_t e = r + 1;
                while (e < n && source[e] == source[r])
                    ++e;
                const auto len = static_cast<std::size_t>(out.offsets[e] - out.offsets[r]);
                if (s != RowSource::none && len > 0) {
                    const T* from = s == RowSource::fresh ? vf.data() + of[r] : vn.data() + on[r];
                    std::memcpy(values.data() + out.offsets[r], from, len * sizeof(T));
                }
                r = e;
            }
        }
        out.template mut<T>() = std::move(values);
    });
    return out;
}

} // namespace hepkit::events::detail
