// Row masks, differences and the steps computed again for row-level sharing under a shift
// (RunnerRows.hpp); the spliced columns are RunnerSplice.cpp, the cuts RunnerCuts.cpp.
#include "RunnerRows.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

namespace hepkit::events::detail {

const std::int64_t* row_of(const std::int64_t* from, const std::int64_t* end, std::int64_t k) {
    const std::int64_t* base = from;
    auto len = static_cast<std::size_t>(end - from);
    while (len > 1) {
        const std::size_t half = len / 2;
        base = base[half] <= k ? base + half : base;
        len -= half;
    }
    return base;
}

bool mark_differences(const io::Column& a, const io::Column& b, std::span<const std::uint32_t> rows,
                      std::uint8_t* diff) {
    bool all = false;
    with_values(a, b, [&](auto va, auto vb) {
        using T = typename decltype(va)::value_type;
        // Compared as unsigned integers of the same size: bits, and no memcmp call per event.
        using U = std::conditional_t<
            sizeof(T) == 1, std::uint8_t,
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
        const std::size_t events = a.offsets.size() - 1;
        // Usually both have the same layout (a shifted product of the same collection): then one
        // pass over the elements counts the differing ones (a prefix count), and a row differs
        // when its count grows over its elements — no branch per row or per element, where a loop
        // per row mispredicts on every event of another length.
        // (Over few rows — after selective filters — the loop per row is cheaper than a pass over
        // the whole batch.)
        if (4 * rows.size() >= events &&
            (a.offsets.shared_with(b.offsets) ||
             std::memcmp(oa, ob, (events + 1) * sizeof(std::int64_t)) == 0) &&
            oa[0] == 0) {
            const auto elements = static_cast<std::size_t>(oa[events]);
            // Usually few elements differ (a flag from a scaled pT changes near the cut only):
            // blocks of 8 elements are compared with an OR of their bits, and only in the rare
            // differing blocks is each differing element's row looked up (a bisection of the
            // offsets). Where more than a quarter of the blocks differ, the prefix count below.
            constexpr std::size_t kBlock = 8;
            const std::size_t blocks = (elements + kBlock - 1) / kBlock;
            thread_local RowMask hit;
            hit.assign(events, 0);
            std::size_t differing = 0;
            bool sparse = true;
            const std::int64_t* from = oa; // the elements come in order: so do their rows
            for (std::size_t blk = 0; blk < blocks && sparse; ++blk) {
                const std::size_t begin = blk * kBlock, end = std::min(elements, begin + kBlock);
                U bits = 0;
                for (std::size_t k = begin; k < end; ++k)
                    bits |= static_cast<U>(std::bit_cast<U>(pa[k]) ^ std::bit_cast<U>(pb[k]));
                if (bits == 0)
                    continue;
                sparse = 4 * ++differing <= blocks;
                for (std::size_t k = begin; k < end; ++k)
                    if (std::bit_cast<U>(pa[k]) != std::bit_cast<U>(pb[k])) {
                        from = row_of(from, oa + events + 1, static_cast<std::int64_t>(k));
                        hit[static_cast<std::size_t>(from - oa)] = 1;
                    }
            }
            if (sparse) {
                for (const std::uint32_t r : rows)
                    diff[r] |= hit[r];
                return;
            }
            thread_local std::vector<std::uint32_t> count;
            count.resize(elements + 1);
            std::uint32_t c = 0;
            for (std::size_t k = 0; k < elements; ++k) {
                count[k] = c;
                c += std::bit_cast<U>(pa[k]) != std::bit_cast<U>(pb[k]);
            }
            count[elements] = c;
            for (const std::uint32_t r : rows)
                diff[r] |= static_cast<std::uint8_t>(count[static_cast<std::size_t>(oa[r + 1])] !=
                                                     count[static_cast<std::size_t>(oa[r])]);
            return;
        }
        // Other layouts over many rows (a selected collection whose selection changed somewhere):
        // every row counts as different — comparing row by row costs more than computing the
        // steps that read it again (measured on the Z→μμ benchmark's select_objects).
        if (4 * rows.size() >= events) {
            for (const std::uint32_t r : rows)
                diff[r] = 1;
            all = true;
            return;
        }
        // Over few rows: rows of other lengths differ, rows of equal non-zero lengths are compared
        // element by element (first sorted out without a branch: most rows are empty or equal).
        thread_local std::vector<std::uint32_t> candidates;
        candidates.resize(rows.size());
        std::size_t m = 0;
        for (const std::uint32_t r : rows) {
            const std::int64_t n = oa[r + 1] - oa[r];
            const bool same_length = n == ob[r + 1] - ob[r];
            diff[r] |= static_cast<std::uint8_t>(!same_length);
            candidates[m] = r;
            m += same_length && n > 0;
        }
        for (std::size_t j = 0; j < m; ++j) {
            const std::uint32_t r = candidates[j];
            const std::int64_t n = oa[r + 1] - oa[r];
            bool differ = false;
            for (std::int64_t k = 0; k < n; ++k)
                differ |= std::bit_cast<U>(pa[oa[r] + k]) != std::bit_cast<U>(pb[ob[r] + k]);
            diff[r] |= static_cast<std::uint8_t>(differ);
        }
    });
    return all;
}

namespace {

// A producer with more than 1/kComputeAllAbove of its rows to compute computes them all: columnar
// steps are much slower per row over a scattered subset, and a spliced column costs a pass over
// the batch (measured on bench_events_pipeline's endcap-muon scale: good_mu over the ~10 % of
// events with an endcap muon cost 14 ns per event, over all of them 5.4).
constexpr std::size_t kComputeAllAbove = 16;

// SeqRun::dense values.
constexpr std::uint8_t kDiffersEverywhere = 1;  // diff marks every selected row
constexpr std::uint8_t kComputedEverywhere = 2; // computed on every selected row, not compared yet

// The rows of `selected` whose byte in `mask` (one per row of the batch) is set. When every row
// is selected (the global part's first steps) the mask is scanned 8 bytes at a time: under a
// shift it is mostly zeros.
std::vector<std::uint32_t> rows_set(const RowMask& mask, std::span<const std::uint32_t> selected) {
    std::vector<std::uint32_t> rows;
    if (selected.size() == mask.size()) { // every row (rows are increasing and distinct)
        const std::size_t n = mask.size();
        std::size_t r = 0;
        for (; r + 8 <= n; r += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, mask.data() + r, sizeof word);
            if (word != 0)
                for (std::size_t j = r; j < r + 8; ++j)
                    if (mask[j])
                        rows.push_back(static_cast<std::uint32_t>(j));
        }
        for (; r < n; ++r)
            if (mask[r])
                rows.push_back(static_cast<std::uint32_t>(r));
        return rows;
    }
    rows.resize(selected.size());
    std::size_t k = 0;
    for (const std::uint32_t r : selected) {
        rows[k] = r;
        k += mask[r] != 0;
    }
    rows.resize(k);
    return rows;
}

// Product `id` differs from the nominal's in every selected row: no mask, nothing to compare.
void differs_everywhere(SeqRun& run, ProductId id) {
    run.diff[id].clear();
    run.computed[id].reset();
    run.dense[id] = kDiffersEverywhere;
}

// Where product `id` of the run differs from the nominal's on `rows` (computed rows): compared,
// and stale rows always (the nominal has no value there).
// `listed`, when given, receives the rows of the mask, increasing.
RowMask differences(ProductId id, const SeqRun& run, const SeqRun& nominal,
                    std::span<const std::uint32_t> rows, bool& all, std::vector<std::uint32_t>* listed);

// run.diff[id], compared now if the product was computed but not compared yet: on the rows still
// selected only (a product read after selective filters is compared on few rows; one read by no
// step is never compared). `listed`, when given, is cleared, and receives the rows the mask sets
// where it is compared now (else the caller finds them in the mask).
const RowMask& diff_of(ProductId id, SeqRun& run, const SeqRun& nominal,
                       std::vector<std::uint32_t>* listed = nullptr) {
    if (listed)
        listed->clear();
    if (id < run.computed.size() && (run.computed[id] || run.dense[id] == kComputedEverywhere)) {
        // The rows still selected that were computed: all of them, the computed ones' list where
        // every row is still selected, or a look-up per selected row.
        const auto selected = run.batch.rows();
        std::vector<std::uint32_t> rows;
        if (run.computed[id] && selected.size() == run.batch.size())
            rows = run.computed[id]->rows;
        else if (run.computed[id])
            rows = rows_set(run.computed[id]->mask, selected);
        else
            rows.assign(selected.begin(), selected.end());
        const std::size_t k = rows.size();
        bool all = false;
        run.diff[id] = differences(id, run, nominal, rows, all, listed);
        run.dense[id] = all && k == selected.size() ? kDiffersEverywhere : 0;
        run.computed[id].reset();
    }
    return run.diff[id];
}

// The selected rows that `node` computes: stale, or where a product it reads differs (or, for a
// product it reads only through cuts, where a cut decides differently). The masks are OR-ed over
// the whole batch (a vectorised pass), the rows collected without a branch.
std::vector<std::uint32_t> rows_to_compute(const Node& node, SeqRun& run, const SeqRun& nominal) {
    const auto selected = run.batch.rows();
    // A product that differs in every selected row decides alone: the others need no comparison.
    auto every_row = [&] { return std::vector<std::uint32_t>(selected.begin(), selected.end()); };
    // A filter over few rows (after selective filters) decides them all: its cuts cost what a
    // comparison of its values costs, and the rows it keeps are the same either way. (A producer's
    // cuts spare more: the rows where no cut flips keep the nominal's values, so the steps after it
    // compute fewer rows; a filter over the whole batch spares its own evaluation on most rows.)
    const bool cuts_pay = node.kind != NodeKind::filter || 4 * selected.size() >= run.batch.size();
    auto read_by_cuts = [&](std::size_t k) {
        return cuts_pay && k < node.thresholds.size() && node.thresholds[k];
    };
    for (std::size_t k = 0; k < node.reads.size(); ++k) {
        const ProductId id = node.reads[k];
        if (id >= run.dense.size())
            continue;
        if (run.dense[id] == kComputedEverywhere) {
            // Computed on every row and a collection whose layout differs from the nominal's (one
            // memcmp, which stops at the first difference): every row counts as different, without
            // a look at the values (a selected collection whose selection changed somewhere; over
            // many rows mark_differences decides the same after a pass, over few rows a look at
            // each would spare few of them).
            const io::Column& a = run.batch.get(id);
            const io::Column& b = nominal.batch.get(id);
            if (a.jagged() && !a.offsets.shared_with(b.offsets) &&
                std::memcmp(a.offsets.data(), b.offsets.data(), a.offsets.size() * sizeof(std::int64_t)) !=
                    0) {
                run.dense[id] = kDiffersEverywhere;
                run.computed[id].reset();
                run.diff[id].clear();
            }
        }
        if (run.dense[id] == kDiffersEverywhere && !read_by_cuts(k))
            return every_row();
    }
    // Products read only through cuts (`Muon_pt > 20` under a muon scale): the rows where a cut
    // decides differently, instead of every row or a comparison of the values.
    std::vector<RowMask> by_cuts;
    by_cuts.reserve(node.reads.size());
    std::vector<std::uint8_t> cut_read(node.reads.size(), 0);
    // Where every row is selected, the first mask's set rows as they were found (the flips of a
    // cut, or the differences of a product compared now): a mask alone then needs no pass.
    const bool every_row_selected = selected.size() == run.batch.size();
    std::vector<std::uint32_t> listed_rows;
    const RowMask* listed_mask = nullptr;
    for (std::size_t k = 0; k < node.reads.size(); ++k) {
        const ProductId id = node.reads[k];
        if (id >= run.dense.size() || run.dense[id] == 0 || !read_by_cuts(k))
            continue;
        const bool list = every_row_selected && by_cuts.empty();
        if (auto m = cut_changes(*node.thresholds[k], run.batch.get(id), nominal.batch.get(id), selected,
                                 list ? &listed_rows : nullptr)) {
            by_cuts.push_back(std::move(*m)); // reserved: the address stays
            if (list)
                listed_mask = &by_cuts.back();
            cut_read[k] = 1;
        } else if (run.dense[id] == kDiffersEverywhere) {
            return every_row();
        }
    }
    std::vector<const RowMask*> masks;
    for (const RowMask& m : by_cuts)
        masks.push_back(&m);
    for (std::size_t k = 0; k < node.reads.size(); ++k) {
        const ProductId id = node.reads[k];
        if (cut_read[k] || id >= run.diff.size())
            continue;
        const bool list = every_row_selected && masks.empty();
        if (diff_of(id, run, nominal, list ? &listed_rows : nullptr).empty())
            continue;
        if (run.dense[id] == kDiffersEverywhere)
            return every_row();
        masks.push_back(&run.diff[id]);
        if (list && !listed_rows.empty()) // empty: compared before, not listed
            listed_mask = &run.diff[id];
    }
    if (!run.stale.empty())
        masks.push_back(&run.stale);
    std::vector<std::uint32_t> rows;
    if (masks.empty())
        return rows;
    if (masks.size() == 1 && masks.front() == listed_mask)
        return listed_rows;
    const RowMask* any = masks.front();
    RowMask combined;
    if (masks.size() > 1 && 4 * selected.size() < run.batch.size()) {
        // Few rows: each looked up in every mask.
        for (const std::uint32_t r : selected) {
            bool differs = false;
            for (const RowMask* m : masks)
                differs = differs || (*m)[r] != 0;
            if (differs)
                rows.push_back(r);
        }
        return rows;
    }
    if (masks.size() > 1) {
        combined = *masks.front();
        std::uint8_t* out = combined.data();
        for (std::size_t m = 1; m < masks.size(); ++m) {
            const std::uint8_t* in = masks[m]->data(); // raw pointers: the loop vectorises
            for (std::size_t r = 0; r < combined.size(); ++r)
                out[r] = static_cast<std::uint8_t>(out[r] | in[r]);
        }
        any = &combined;
    }
    return rows_set(*any, selected);
}

RowMask differences(ProductId id, const SeqRun& run, const SeqRun& nominal,
                    std::span<const std::uint32_t> rows, bool& all, std::vector<std::uint32_t>* listed) {
    RowMask d(run.batch.size(), 0);
    all = mark_differences(run.batch.get(id), nominal.batch.get(id), rows, d.data());
    bool any = false;
    for (const std::uint32_t r : rows) {
        if (!run.stale.empty() && run.stale[r])
            d[r] = 1;
        any = any || d[r] != 0;
        if (listed && d[r])
            listed->push_back(r);
    }
    // No row differs: an empty mask, which later steps skip without a look.
    if (!any)
        d.clear();
    return d;
}

// Computes `rows` only: the batch's rows are set to them for the call (exchanged, not copied: the
// batch's own list is of every row before the first filter).
template <class F>
void on_rows(Batch& batch, std::vector<std::uint32_t> rows, F&& f) {
    batch.swap_rows(rows);
    try {
        f();
    } catch (...) {
        batch.swap_rows(rows);
        throw;
    }
    batch.swap_rows(rows);
}

} // namespace

void produce_rows(const Node& node, SeqRun& run, const SeqRun& nominal) {
    Batch& batch = run.batch;
    run.diff.resize(batch.schema().size());
    run.computed.resize(batch.schema().size());
    run.dense.resize(batch.schema().size());
    std::vector<std::uint32_t> fresh = rows_to_compute(node, run, nominal);
    if (fresh.empty()) {
        for (const ProductId id : node.makes) {
            batch.share_from(nominal.batch, id, id);
            run.diff[id].clear();
            run.computed[id].reset();
            run.dense[id] = 0;
        }
        return;
    }
    // More than a few rows to compute: all of them, in one contiguous pass; the values of the
    // rows that could be shared are equal.
    if (kComputeAllAbove * fresh.size() > batch.rows().size()) {
        fresh.assign(batch.rows().begin(), batch.rows().end());
        node.producer->produce(batch);
    } else {
        // The nominal's values in every other row — also in rows this run does not select, which
        // no step reads (Products.hpp). A producer that computes rows alone (expressions) gives
        // them compacted, without columns of the batch's length.
        std::vector<io::Column> compact;
        if (node.producer->produce_rows(batch, fresh, compact)) {
            if (compact.size() != node.makes.size())
                throw std::invalid_argument(node.label + ": produce_rows gave " +
                                            std::to_string(compact.size()) + " columns for " +
                                            std::to_string(node.makes.size()) + " products");
            for (std::size_t k = 0; k < node.makes.size(); ++k) {
                // splice_compact checks the compact column's offsets; with the nominal's checked
                // too, the spliced column's are valid by construction (not checked again when read).
                nominal.batch.check_offsets(node.makes[k]);
                batch.put(node.makes[k], splice_compact(nominal.batch.get(node.makes[k]), compact[k], fresh));
                batch.offsets_known_valid(node.makes[k]);
            }
        } else {
            on_rows(batch, fresh, [&] { node.producer->produce(batch); });
            for (const ProductId id : node.makes) {
                nominal.batch.check_offsets(id);
                batch.check_offsets(id);
                batch.put(id, splice_rows(nominal.batch.get(id), batch.get(id), fresh));
                batch.offsets_known_valid(id);
            }
        }
    }
    // Compared when a later step reads them (diff_of), on the rows computed: all selected ones, or
    // those of a mask.
    const bool everywhere = fresh.size() == batch.rows().size();
    // Floats computed everywhere from a product that differs everywhere (a px from a scaled pT)
    // differ everywhere too, but for exceptions: they are marked so without a comparison, which
    // later steps would pay on every row for nothing (~1 ns per event on the Z→μμ benchmark's
    // mass steps). Marking a row that does not differ only computes it again: never a wrong value.
    // Bools and ints (flags, counts, indices) are compared: there a scale changes few rows.
    bool derived = false;
    if (everywhere)
        for (const ProductId id : node.reads)
            derived = derived || (id < run.dense.size() && run.dense[id] == kDiffersEverywhere);
    for (const ProductId id : node.makes) {
        const io::ColumnType t = batch.schema().info(id).type;
        if (derived && (t == io::ColumnType::Float32 || t == io::ColumnType::Float64))
            differs_everywhere(run, id);
    }
    std::shared_ptr<const RowsComputed> rows;
    if (!everywhere) {
        auto computed = std::make_shared<RowsComputed>();
        computed->mask.assign(batch.size(), 0);
        for (const std::uint32_t r : fresh)
            computed->mask[r] = 1;
        computed->rows = fresh;
        rows = std::move(computed);
    }
    for (const ProductId id : node.makes) {
        if (run.dense[id] == kDiffersEverywhere && derived)
            continue;
        run.diff[id].clear();
        run.computed[id] = rows;
        run.dense[id] = everywhere ? kComputedEverywhere : 0;
    }
}

void select_rows(const Node& node, SeqRun& run, const SeqRun& nominal) {
    Batch& batch = run.batch;
    const std::vector<std::uint32_t> fresh = rows_to_compute(node, run, nominal);
    if (!fresh.empty() && fresh.size() == batch.rows().size()) {
        // Every row computed: the filter as in the nominal, then the kept rows the nominal dropped.
        std::vector<std::uint8_t> pass(fresh.size(), 0);
        node.filter->select(batch, pass);
        batch.narrow(pass);
        RowMask nominal_kept(batch.size(), 0);
        for (const std::uint32_t r : *nominal.rows_after[node.index])
            nominal_kept[r] = 1;
        RowMask stale;
        for (const std::uint32_t r : batch.rows())
            if (!nominal_kept[r]) {
                if (stale.empty())
                    stale.assign(batch.size(), 0);
                stale[r] = 1;
            }
        run.stale = std::move(stale);
        run.own_rows[node.index].assign(batch.rows().begin(), batch.rows().end());
        run.rows_after[node.index] = &run.own_rows[node.index];
        return;
    }
    std::vector<std::uint8_t> pass(fresh.size(), 0);
    if (!fresh.empty())
        on_rows(batch, fresh, [&] { node.filter->select(batch, pass); });
    if (batch.rows().size() == batch.size()) {
        // Every row selected (the global part's first filters): the nominal's kept rows merged
        // with the computed ones' own decisions, without a pass over the batch.
        const std::vector<std::uint32_t>& by_nominal = *nominal.rows_after[node.index];
        std::vector<std::uint32_t> kept;
        kept.reserve(by_nominal.size() + fresh.size());
        RowMask stale;
        std::size_t i = 0;
        for (std::size_t k = 0; k < fresh.size(); ++k) {
            const std::uint32_t r = fresh[k];
            while (i < by_nominal.size() && by_nominal[i] < r)
                kept.push_back(by_nominal[i++]);
            const bool nominal_kept = i < by_nominal.size() && by_nominal[i] == r;
            i += nominal_kept;
            if (!pass[k])
                continue;
            kept.push_back(r);
            if (!nominal_kept) {
                if (stale.empty())
                    stale.assign(batch.size(), 0);
                stale[r] = 1;
            }
        }
        kept.insert(kept.end(), by_nominal.begin() + static_cast<std::ptrdiff_t>(i), by_nominal.end());
        run.stale = std::move(stale);
        batch.set_rows(kept);
        run.own_rows[node.index] = std::move(kept);
        run.rows_after[node.index] = &run.own_rows[node.index];
        return;
    }
    // Per row, bits: 1 passed (where computed), 2 kept by the nominal, 4 computed. The kept rows
    // are collected without a branch per row; the stale ones are computed rows that the nominal
    // dropped.
    RowMask decision(batch.size(), 0);
    for (const std::uint32_t r : *nominal.rows_after[node.index])
        decision[r] = 2;
    for (std::size_t k = 0; k < fresh.size(); ++k)
        decision[fresh[k]] = static_cast<std::uint8_t>(decision[fresh[k]] | 4 | (pass[k] != 0));
    const auto rows = batch.rows();
    std::vector<std::uint32_t> kept(rows.size());
    std::size_t n_kept = 0;
    for (const std::uint32_t r : rows) {
        const std::uint8_t d = decision[r];
        kept[n_kept] = r;
        n_kept += (d & 4) ? (d & 1) : (d >> 1) & 1;
    }
    kept.resize(n_kept);
    RowMask stale;
    for (std::size_t k = 0; k < fresh.size(); ++k)
        if (pass[k] && !(decision[fresh[k]] & 2)) {
            if (stale.empty())
                stale.assign(batch.size(), 0);
            stale[fresh[k]] = 1;
        }
    run.stale = std::move(stale);
    batch.set_rows(kept);
    run.own_rows[node.index] = std::move(kept);
    run.rows_after[node.index] = &run.own_rows[node.index];
}

void mark_replacement(const Node& node, SeqRun& run, const SeqRun& nominal) {
    (void)nominal;
    run.diff.resize(run.batch.schema().size());
    run.computed.resize(run.batch.schema().size());
    run.dense.resize(run.batch.schema().size());
    const auto rows = run.batch.rows();
    const io::Column& product = run.batch.get(node.replaced);
    if (product.jagged()) {
        // A collection (Muon_pt × 1.01): the events without objects are the nominal's. Its values
        // are not compared: a pass over them costs about what the first step reading them does
        // (~4 ns per event on the Z→μμ benchmark), and a scale changes nearly every object.
        // Where more than 1/kComputeAllAbove of the rows hold objects, a step reading it computes
        // every row anyway: it differs everywhere, without a mask to build and read.
        const std::int64_t* o = product.offsets.data();
        // Counted until the threshold is passed: usually after a few hundred rows, not the batch.
        const std::size_t enough = rows.size() / kComputeAllAbove;
        std::size_t with_objects = 0;
        for (std::size_t k = 0; k < rows.size() && with_objects <= enough; ++k)
            with_objects += o[rows[k] + 1] != o[rows[k]];
        if (with_objects > enough) {
            differs_everywhere(run, node.replaced);
            differs_everywhere(run, node.makes.front());
            return;
        }
        RowMask d(run.batch.size(), 0);
        for (const std::uint32_t r : rows)
            d[r] = static_cast<std::uint8_t>(o[r + 1] != o[r]);
        if (!run.stale.empty())
            for (const std::uint32_t r : rows)
                d[r] = static_cast<std::uint8_t>(d[r] | run.stale[r]);
        run.diff[node.replaced] = std::move(d);
        run.computed[node.replaced].reset();
        run.dense[node.replaced] = 0;
    } else {
        // One value per event: compared when a step first reads it.
        run.diff[node.replaced].clear();
        run.computed[node.replaced].reset();
        run.dense[node.replaced] = kComputedEverywhere;
    }
    // The replacement's own product has no nominal counterpart: it differs wherever it is read.
    differs_everywhere(run, node.makes.front());
}

} // namespace hepkit::events::detail
