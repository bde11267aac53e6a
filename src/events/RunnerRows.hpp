#pragma once
// Row-level sharing under a shift (docs/events.md, "Row-level sharing"): a step that the re-run
// rule runs again computes only the rows where one of its inputs differs from the nominal's, or
// that the nominal dropped; every other row takes the nominal's value. The tools of Runner.cpp:
// per-row masks of a batch, the rows where two columns differ, a column spliced from a fresh
// computation and the nominal's.
//
// Why it is exact: a step's value for a row depends only on that row's inputs (and entry), the
// rule that already lets a producer after a filter compute the selected rows only (Step.hpp). So
// where a row's inputs are bit-for-bit the nominal's, so is its value. Differences are found by
// comparing bits, never by tolerance: equal bits mean equal values, and a NaN or -0.0 at worst
// counts as different (computed again), never the other way.

#include "RunnerImpl.hpp"

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace hepkit::events::detail {

// Calls f(values, nominal_values) with both columns' values as spans of the same element type
// (std::logic_error for columns of different types, shapes or lengths).
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

/// One byte per row of a batch (0/1); an empty mask is all zeros.
using RowMask = std::vector<std::uint8_t>;

/// Sets diff[r] = 1 for every r of `rows` where `a` and `b` (same type and shape, flat or jagged)
/// differ: another length, or other bits — or, for collections of other layouts over many rows,
/// for every row without comparing (then returns true). `diff` has one byte per row of the batch.
bool mark_differences(const io::Column& a, const io::Column& b, std::span<const std::uint32_t> rows,
                      std::uint8_t* diff);

/// The row of element k of a collection: the last offset of [from, end) that is ≤ k (o[r] ≤ k <
/// o[r + 1], past the empty rows that start at k too), where *from ≤ k. A bisection without
/// branches (a conditional move per step, where std::upper_bound's branches mispredict at every
/// step): the rows of the few elements where a shift changes a flag or a cut's outcome.
const std::int64_t* row_of(const std::int64_t* from, const std::int64_t* end, std::int64_t k);

/// For a step that reads a float product only through cuts (Step::thresholds): the rows of `rows`
/// where one of `cuts` decides differently for `a` (the shift's values) and `b` (the nominal's),
/// as a mask of one byte per row of the batch. Where neither a cut's outcome nor (for a
/// collection) the length differs, the step's value is the nominal's. std::nullopt when the
/// columns are not floats of one type, or collections of different layouts (a row of another
/// length: the general path decides).
/// `flipped`, when given, is cleared, and where `rows` is every row of the batch receives the rows
/// the mask sets, increasing (what rows_set would find, without a pass over the mask).
/// Offsets that a and b share (io::Offsets::shared_with: a column made from the other) are not
/// compared (a 128 KiB memcmp per batch of 16 384 events).
std::optional<RowMask> cut_changes(const std::vector<expr::Threshold>& cuts, const io::Column& a,
                                   const io::Column& b, std::span<const std::uint32_t> rows,
                                   std::vector<std::uint32_t>* flipped = nullptr);

/// A copy of `nominal` whose rows `rows` (increasing) are `fresh`'s (a column of the batch's
/// length): what a step computed again on a few rows. Rows of another length than the nominal's
/// are taken too (splice_compact of the gathered rows).
io::Column splice_rows(const io::Column& nominal, const io::Column& fresh,
                       std::span<const std::uint32_t> rows);

/// The same from a column compacted to `rows` (Producer::produce_rows: entry k is row rows[k]'s,
/// a jagged one with offsets from 0); rows of another length than the nominal's are rebuilt in.
/// Throws std::invalid_argument when `compact` is not of the nominal's type and shape with one
/// entry per row.
io::Column splice_compact(const io::Column& nominal, const io::Column& compact,
                          std::span<const std::uint32_t> rows);

/// The rows a step computed a product on (fewer than the selected): as a mask of the batch (to
/// look rows up) and as their list, increasing (to take whole where every row is still selected,
/// without a pass over the mask).
struct RowsComputed {
    RowMask mask;
    std::vector<std::uint32_t> rows;
};

/// One sequence run in one variant on one batch: the rows after each filter (its own, or the
/// nominal's where the filter is shared) and, for a shifted variant, where it differs from the
/// nominal's run of the same sequence.
struct SeqRun {
    Batch batch;
    std::vector<std::vector<std::uint32_t>> own_rows;
    std::vector<const std::vector<std::uint32_t>*> rows_after;
    /// By ProductId: the selected rows whose value may differ from the nominal's (empty: none).
    std::vector<RowMask> diff;
    /// By ProductId: the rows a product was computed on, until it is compared with the nominal's
    /// (then null, and `diff` holds the result): comparisons wait until a step reads the product.
    std::vector<std::shared_ptr<const RowsComputed>> computed;
    /// By ProductId: 1 when it differs in every selected row (a step reading it computes them all;
    /// `diff` may then be empty), 2 when it was computed on every selected row and not compared yet.
    std::vector<std::uint8_t> dense;
    /// The selected rows that the nominal's run dropped (empty: none): every step computes them.
    RowMask stale;
};

/// The shifted run's step of a producer that the re-run rule runs again: computed on the rows
/// where a product it reads differs from the nominal's or that are stale, the nominal's values
/// elsewhere (its columns shared whole when no row needs computing). Sets run.diff of its products.
void produce_rows(const Node& node, SeqRun& run, const SeqRun& nominal);
/// The same for a filter: the nominal's decision where its inputs are the nominal's, its own
/// elsewhere; narrows run.batch's rows, sets run.own_rows/rows_after[node.index] and run.stale.
void select_rows(const Node& node, SeqRun& run, const SeqRun& nominal);
/// After a shift's replacement ran (and run.batch holds it under the replaced product's id): where
/// the replacement differs from the nominal's product, compared when a step reads it (so that an
/// event without muons is not computed again under a muon scale).
void mark_replacement(const Node& node, SeqRun& run, const SeqRun& nominal);

} // namespace hepkit::events::detail
