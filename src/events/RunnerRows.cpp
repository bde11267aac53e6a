// Row masks, differences and splices for row-level sharing under a shift (RunnerRows.hpp).
#include "RunnerRows.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

namespace hepkit::events::detail {

namespace {

// Calls f(values, nominal_values) with both columns' vectors as the same element type.
template <class F>
void with_values(const io::Column& a, const io::Column& b, F&& f) {
    if (a.type != b.type || a.jagged() != b.jagged() || a.entries() != b.entries())
        throw std::logic_error("events: row-level sharing compares columns of different types ('" + a.name +
                               "', '" + b.name + "')");
    std::visit(
        [&](const auto& va) {
            using T = typename std::decay_t<decltype(va)>::value_type;
            if constexpr (std::is_arithmetic_v<T>)
                f(std::span<const T>(va), b.as<T>());
            else
                throw std::logic_error("events: a string column is no product");
        },
        a.values);
}

} // namespace

void mark_differences(const io::Column& a, const io::Column& b, std::span<const std::uint32_t> rows,
                      std::uint8_t* diff) {
    with_values(a, b, [&](auto va, auto vb) {
        using T = typename decltype(va)::value_type;
        // Compared as unsigned integers of the same size: bits, and no memcmp call per event.
        using U = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                                     std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                                        std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
        if (!a.jagged()) {
            // Bits, not values: NaN equals itself here, and -0.0 differs from 0.0 (computed again).
            for (const std::uint32_t r : rows)
                if (std::bit_cast<U>(va[r]) != std::bit_cast<U>(vb[r]))
                    diff[r] = 1;
            return;
        }
        const T* pa = va.data();
        const T* pb = vb.data();
        const std::int64_t* oa = a.offsets.data();
        const std::int64_t* ob = b.offsets.data();
        for (const std::uint32_t r : rows) {
            const std::int64_t n = oa[r + 1] - oa[r];
            bool differ = n != ob[r + 1] - ob[r];
            for (std::int64_t k = 0; k < n && !differ; ++k)
                differ = std::bit_cast<U>(pa[oa[r] + k]) != std::bit_cast<U>(pb[ob[r] + k]);
            if (differ)
                diff[r] = 1;
        }
    });
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
            for (std::size_t r = 0; r < n; ++r) {
                const auto s = static_cast<RowSource>(source[r]);
                const std::size_t len = static_cast<std::size_t>(out.offsets[r + 1] - out.offsets[r]);
                if (len == 0)
                    continue;
                const T* from = s == RowSource::fresh ? vf.data() + of[r] : vn.data() + on[r];
                std::memcpy(values.data() + out.offsets[r], from, len * sizeof(T));
            }
        }
        out.template mut<T>() = std::move(values);
    });
    return out;
}

namespace {

// The selected rows that `node` computes: stale, or where a product it reads differs.
std::vector<std::uint32_t> rows_to_compute(const Node& node, const SeqRun& run) {
    std::vector<const std::uint8_t*> masks;
    for (const ProductId id : node.reads)
        if (id < run.diff.size() && !run.diff[id].empty())
            masks.push_back(run.diff[id].data());
    if (!run.stale.empty())
        masks.push_back(run.stale.data());
    std::vector<std::uint32_t> rows;
    if (masks.empty())
        return rows;
    for (const std::uint32_t r : run.batch.rows()) {
        bool any = false;
        for (const std::uint8_t* m : masks)
            any = any || m[r] != 0;
        if (any)
            rows.push_back(r);
    }
    return rows;
}

// Where product `id` of the run differs from the nominal's on `rows` (computed rows): compared,
// and stale rows always (the nominal has no value there).
RowMask differences(ProductId id, const SeqRun& run, const SeqRun& nominal, std::span<const std::uint32_t> rows) {
    RowMask d(run.batch.size(), 0);
    mark_differences(run.batch.get(id), nominal.batch.get(id), rows, d.data());
    bool any = false;
    for (const std::uint32_t r : rows) {
        if (!run.stale.empty() && run.stale[r])
            d[r] = 1;
        any = any || d[r] != 0;
    }
    // No row differs: an empty mask, which later steps skip without a look.
    if (!any)
        d.clear();
    return d;
}

// Computes `rows` only: the batch's rows are set to them for the call.
template <class F>
void on_rows(Batch& batch, std::vector<std::uint32_t> rows, F&& f) {
    std::vector<std::uint32_t> saved(batch.rows().begin(), batch.rows().end());
    batch.set_rows(std::move(rows));
    try {
        f();
    } catch (...) {
        batch.set_rows(std::move(saved));
        throw;
    }
    batch.set_rows(std::move(saved));
}

} // namespace

void produce_rows(const Node& node, SeqRun& run, const SeqRun& nominal) {
    Batch& batch = run.batch;
    run.diff.resize(batch.schema().size());
    std::vector<std::uint32_t> fresh = rows_to_compute(node, run);
    if (fresh.empty()) {
        for (const ProductId id : node.makes) {
            batch.put_shared(id, nominal.batch.share(id));
            run.diff[id].clear();
        }
        return;
    }
    // Most rows to compute: all of them, in one contiguous pass (cheaper for columnar steps than
    // a scattered subset and a splice); the values of the rows that could be shared are equal.
    if (2 * fresh.size() > batch.rows().size()) {
        fresh.assign(batch.rows().begin(), batch.rows().end());
        node.producer->produce(batch);
    } else {
        on_rows(batch, fresh, [&] { node.producer->produce(batch); });
        RowMask source(batch.size(), static_cast<std::uint8_t>(RowSource::none));
        for (const std::uint32_t r : batch.rows())
            source[r] = static_cast<std::uint8_t>(RowSource::nominal);
        for (const std::uint32_t r : fresh)
            source[r] = static_cast<std::uint8_t>(RowSource::fresh);
        for (const ProductId id : node.makes)
            batch.put(id, splice(nominal.batch.get(id), batch.get(id), source));
    }
    for (const ProductId id : node.makes)
        run.diff[id] = differences(id, run, nominal, fresh);
}

void select_rows(const Node& node, SeqRun& run, const SeqRun& nominal) {
    Batch& batch = run.batch;
    const std::vector<std::uint32_t> fresh = rows_to_compute(node, run);
    std::vector<std::uint8_t> pass(fresh.size(), 0);
    if (!fresh.empty())
        on_rows(batch, fresh, [&] { node.filter->select(batch, pass); });
    RowMask nominal_pass(batch.size(), 0);
    for (const std::uint32_t r : *nominal.rows_after[node.index])
        nominal_pass[r] = 1;
    std::vector<std::uint32_t> kept;
    RowMask stale;
    std::size_t k = 0;
    for (const std::uint32_t r : batch.rows()) {
        const bool computed = k < fresh.size() && fresh[k] == r;
        const bool keep = computed ? pass[k++] != 0 : nominal_pass[r] != 0;
        if (!keep)
            continue;
        kept.push_back(r);
        if (!nominal_pass[r]) {
            if (stale.empty())
                stale.assign(batch.size(), 0);
            stale[r] = 1;
        }
    }
    run.stale = std::move(stale);
    batch.set_rows(kept);
    run.own_rows[node.index] = std::move(kept);
    run.rows_after[node.index] = &run.own_rows[node.index];
}

void mark_replacement(const Node& node, SeqRun& run, const SeqRun& nominal) {
    run.diff.resize(run.batch.schema().size());
    const auto rows = run.batch.rows();
    run.diff[node.replaced] = differences(node.replaced, run, nominal, rows);
    // The replacement's own product has no nominal counterpart: it differs wherever it is read.
    RowMask all(run.batch.size(), 0);
    for (const std::uint32_t r : rows)
        all[r] = 1;
    run.diff[node.makes.front()] = std::move(all);
}

} // namespace hepkit::events::detail
