#pragma once
// Internal to hepkit::expr: the columnar evaluator (a friend of Expression, so that it reads the
// checked graph) and the per-event reference path it falls back to.
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Columns.hpp"

namespace hepkit::expr {

class ColumnEvaluator {
  public:
    /// std::invalid_argument unless the columns the expression reads match its slots and
    /// `events`, and `rows` are increasing indices below `events`.
    static void check(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                      std::span<const std::uint32_t> rows);
    /// 0 for every event of a scalar type, empty arrays for an array type.
    /// A result of `events` rows, all 0 (array types: empty), unless `offsets` is false: then an
    /// array type's offsets are left for the caller to fill whole (no zeros written first).
    static ColumnResult empty_result(const Expression& expr, std::size_t events, bool offsets = true,
                                     std::vector<double>* reals = nullptr);
    /// Expression::evaluate on every row (Bindings filled from the columns).
    static ColumnResult per_event(const Expression& expr, std::span<const ColumnView> columns,
                                  std::size_t events, std::span<const std::uint32_t> rows,
                                  std::int64_t first_entry);
    /// Node by node over whole columns into `out`; false where a row raised an error (the caller
    /// then runs per_event, which raises the first error in event order with its message).
    /// `compact`: a scalar result with one value per row of `rows` (evaluate_rows), not per event.
    /// `reuse`: costly subexpressions kept or taken (KeptValues; Kept.cpp).
    static bool columnar(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                         std::span<const std::uint32_t> rows, ColumnResult& out, bool compact = false,
                         const Reuse& reuse = {});
    /// `e` with " (event N)" appended, naming the expression when `e` did not.
    static InputError at_event(const Expression& expr, const InputError& e, std::int64_t event);
};

} // namespace hepkit::expr
