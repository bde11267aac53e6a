#pragma once
/// @file
/// Columnar evaluation: an Expression over whole columns of many events at once — each node of
/// the expression runs as one loop over the batch (elementwise over a jagged column's content,
/// broadcasting per-event scalars over the event's elements), so the cost per event is a few
/// array operations, not an interpreter's walk. What `hepkit events` producers, filters and
/// `hepkit events hist` use; results equal Expression::evaluate's on every event (same types,
/// same Python semantics, same errors: an index out of range names the event).
///
///     std::vector<ColumnView> cols(schema.size());       // by binding slot
///     cols[*schema.find("Muon_pt")] = ColumnView{ArrayView(pt_content), pt_offsets};
///     ColumnResult r = evaluate_columns(expr, cols, events, rows);
///
/// Only the rows given are evaluated (the events that passed earlier filters); the result has
/// one entry per event, 0 / empty for the others. Lazy parts are evaluated only on the rows that
/// need them, as per event: the right side of `and`/`or`, later links of a scalar comparison
/// chain, the branch a scalar `where` condition picks (`len(a) > 0 and a[0] > 1` never indexes
/// an empty event). The same scalar functions as per event (libm, not libmvec: a few ulp could
/// move an event across a cut), so results are bit-identical. docs/expressions.md, "Columnar
/// evaluation", has the rules and the speed (10^7–10^8 events/s per core for typical cuts).
///
/// Thread-safe: concurrent calls share nothing (intermediate columns come from a per-thread
/// pool of buffers, at most 128 MiB kept per thread).

#include "hepkit/expr/Expression.hpp"
#include "hepkit/expr/Value.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace hepkit::expr {

/// A borrowed column of `events` events: one value per event (offsets empty) or jagged (event i
/// is values[offsets[i], offsets[i+1]); offsets has events+1 entries).
struct ColumnView {
    ArrayView values;
    std::span<const std::int64_t> offsets;
    /// The caller has checked the offsets (the first ≥ 0, none decreasing, the last within the
    /// values) — or a compact column's rows (increasing) — : evaluate_columns then does not scan
    /// them again. A caller that evaluates several expressions over the same column checks it
    /// once (hepkit::events' batches do).
    bool offsets_checked = false;
    /// A flat column known at some rows only: when not empty, values[k] is the value of event
    /// at_rows[k] (increasing, each below the events) and every other event's value is 0, so
    /// values has at_rows.size() elements, not one per event. A product computed after selective
    /// filters is stored so (hepkit::events' compact products): read at those rows, as the next
    /// steps do, it is read in order, without a gather from scattered rows.
    std::span<const std::uint32_t> at_rows = {};
    bool jagged() const { return !offsets.empty(); }
    bool compact() const { return !at_rows.empty(); }
};

/// An owned result column: scalar types hold one value per event, array types are jagged.
/// Exactly one of the value vectors is used: `bools` (0/1) for bool, `ints` for int, `reals`
/// for float — by element_of(type).
struct ColumnResult {
    Type type = Type::real;
    std::vector<std::uint8_t> bools;
    std::vector<std::int64_t> ints;
    std::vector<double> reals;
    std::vector<std::int64_t> offsets; ///< array types: events+1
    std::size_t events = 0;
    /// Value of event i (scalar types), or element k of all elements (array types), as a float.
    double real_at(std::size_t k) const;
};

/// Values of costly subexpressions kept from one evaluation of an expression for later ones over
/// partly the same columns: calls of a function other than sqrt and abs (cos, sin, exp, sinh,
/// cosh, log, atan2, ...) with a float result. A systematic shift that scales Muon_pt evaluates
/// `sum(Muon_pt * cos(Muon_phi))` again; cos(Muon_phi) is then the nominal's wherever Muon_phi is
/// the same column (docs/events.md, "Subexpressions kept for the shifts"). Exact: a
/// subexpression's value in a row depends only on that row's values of the columns it reads, and
/// the same libm function of the same bits gives the same bits; rows the recording did not
/// evaluate are computed. Holds copies (no borrowed column); one thread at a time.
class KeptValues {
  public:
    KeptValues();
    ~KeptValues();
    KeptValues(KeptValues&&) noexcept;
    KeptValues& operator=(KeptValues&&) noexcept;
    KeptValues(const KeptValues&) = delete;
    KeptValues& operator=(const KeptValues&) = delete;
    /// How many subexpressions' values are kept.
    std::size_t size() const;
    struct Impl; ///< internal to hepkit::expr (src/expr/Kept.hpp)

  private:
    friend class ColumnEvaluator;
    std::unique_ptr<Impl> impl_;
};

/// Columns gathered at a caller's rows, kept for later evaluations over the very same rows: after
/// a selective filter every step reads its collections at the same few scattered rows, and
/// gathering them (offsets looked up per row, values copied and converted) is most of what such a
/// step costs. Only the gathers of input columns at the whole row set an evaluation is given are
/// kept (not those of the subsets a `where` or `and` evaluates on), and only where those rows are
/// scattered and at most 1/8 of the events (the memory kept stays small); in storage of their
/// own, so that the cache may outlive the evaluations that filled it. The caller's promise: while the
/// cache is used, the row span it passes has the same address and contents, and every column it
/// lends keeps its address and contents — hepkit::events keeps one per batch and clears it
/// whenever the batch's rows change or a product is replaced. Keeps its gathers alive (memory
/// of the size of the columns at those rows); one thread at a time.
class GatherCache {
  public:
    GatherCache();
    ~GatherCache();
    GatherCache(GatherCache&&) noexcept;
    GatherCache& operator=(GatherCache&&) noexcept;
    GatherCache(const GatherCache&) = delete;
    GatherCache& operator=(const GatherCache&) = delete;
    void clear();
    /// How many gathered columns are kept.
    std::size_t size() const;
    struct Impl; ///< internal to hepkit::expr (src/expr/Kept.hpp)

  private:
    friend class ColumnEvaluator;
    std::unique_ptr<Impl> impl_;
};

/// How one evaluation uses a KeptValues (the last argument of evaluate_columns and evaluate_rows).
struct Reuse {
    KeptValues* kept = nullptr; ///< null: nothing kept, nothing reused
    /// true: this evaluation keeps its costly subexpressions' values in `kept` (what was kept
    /// before is dropped); false: it takes them from `kept` where every column they read is `same`.
    bool record = false;
    /// By slot: nonzero where the column is the one the recording read, with the same values
    /// and lengths in every row of the same events (the caller's promise: hepkit::events passes
    /// the identity of a batch's shared column). Values kept for another expression are ignored.
    std::span<const std::uint8_t> same;
    /// Storage of `events` zeros that a float result of one value per event (a scalar float
    /// expression, evaluate_columns) takes over instead of allocating and zeroing its own: the
    /// caller's promise that every value is 0 (hepkit::events recycles its products' storage).
    /// Consumed (moved from) whenever its size is `events` — also when the columnar pass then
    /// stops and the per-event path gives the result; left alone otherwise.
    std::vector<double>* reals = nullptr;
    /// Gathers kept for, and taken from, other evaluations over the same rows (null: none).
    GatherCache* gathers = nullptr;
};

/// Evaluates `expr` (parsed against Bindings whose slots match `columns`: columns[s] is the
/// column of slot s, a jagged one exactly for array-typed slots, with the slot's element type;
/// only the slots of expr.slots_used() are read, the others may be empty) over `rows`
/// (increasing event indices < events). Columns are borrowed for the call only. Throws
/// hepkit::InputError as Expression::evaluate does — the first error in event order, with the
/// per-event message plus " (event N)", N the row's index plus `first_entry` (the batch's first
/// entry in the file) — and std::invalid_argument for columns that do not match the slots'
/// types or lengths, or rows out of order.
ColumnResult evaluate_columns(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                              std::span<const std::uint32_t> rows, std::int64_t first_entry = 0);
/// The same, keeping or taking costly subexpressions' values (Reuse).
ColumnResult evaluate_columns(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                              std::span<const std::uint32_t> rows, std::int64_t first_entry,
                              const Reuse& reuse);

/// The same values, compacted: element k (an array type: array k, offsets from 0) is the value at
/// rows[k] (result.events is rows.size()). What a filter needs, and a producer that computes a
/// few rows again under a shift: no result of the batch's length to allocate, zero and scatter
/// into when few rows are left. Throws what evaluate_columns throws.
ColumnResult evaluate_rows(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                           std::span<const std::uint32_t> rows, std::int64_t first_entry = 0);
/// The same, keeping or taking costly subexpressions' values (Reuse).
ColumnResult evaluate_rows(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                           std::span<const std::uint32_t> rows, std::int64_t first_entry, const Reuse& reuse);

/// The same result through Expression::evaluate on every row (Bindings filled from the columns):
/// the reference evaluate_columns is tested against, and the baseline of its benchmark.
ColumnResult evaluate_columns_per_event(const Expression& expr, std::span<const ColumnView> columns,
                                        std::size_t events, std::span<const std::uint32_t> rows,
                                        std::int64_t first_entry = 0);

/// The rows of `rows` whose value in `result` (a scalar type) is true by Python's bool()
/// (nonzero, NaN too): the rows left after a filter, for the next evaluate_columns. Throws
/// std::invalid_argument for an array type (a per-object mask selects elements, not events).
std::vector<std::uint32_t> passing_rows(const ColumnResult& result, std::span<const std::uint32_t> rows);

namespace detail {
/// How many evaluate_columns calls of this thread ran the per-event path because the columnar
/// pass stopped at an error (for tests and benchmarks: without errors it never happens).
std::uint64_t per_event_fallbacks();
} // namespace detail

} // namespace hepkit::expr
