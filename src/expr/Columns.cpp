// Columnar evaluation: the checks shared by both paths, and the per-event reference path
// (Bindings + Expression::evaluate for every row). The columnar path is ColumnEvaluator.cpp.
#include "ColumnEvaluator.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::expr {

namespace {
thread_local std::uint64_t fallbacks = 0;

// The value of an event that a compact column does not list (ColumnView::at_rows).
Value zero_of(Type t) {
    return t == Type::boolean   ? Value::boolean(false)
           : t == Type::integer ? Value::integer(0)
                                : Value::real(0);
}
} // namespace

std::uint64_t detail::per_event_fallbacks() {
    return fallbacks;
}

double ColumnResult::real_at(std::size_t k) const {
    switch (element_of(type)) {
    case Type::boolean:
        return bools[k] ? 1.0 : 0.0;
    case Type::integer:
        return static_cast<double>(ints[k]);
    default:
        return reals[k];
    }
}

void ColumnEvaluator::check(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                            std::span<const std::uint32_t> rows) {
    const auto& names = expr.names_;
    const auto& types = expr.name_types_;
    std::vector<const std::int64_t*> checked; // offsets arrays found in order
    for (const std::size_t s : expr.slots_used()) {
        if (s >= columns.size())
            throw std::invalid_argument(
                fmt::format("'{}' reads '{}' (slot {}), but only {} columns were given", expr.text(),
                            names[s], s, columns.size()));
        const ColumnView& c = columns[s];
        const Type t = types[s];
        if (c.values.element_type() != element_of(t) || c.jagged() != is_array(t))
            throw std::invalid_argument(fmt::format("'{}': column '{}' is {} of {}, was parsed as {}",
                                                    expr.text(), names[s],
                                                    c.jagged() ? "a jagged column" : "a column",
                                                    type_name(c.values.element_type()), type_name(t)));
        if (c.compact()) {
            // increasing rows: scanned unless the caller checked them (offsets_checked, as
            // hepkit::events' batches do when a compact product is put)
            if (c.jagged() || c.values.size() != c.at_rows.size() || c.at_rows.back() >= events ||
                (!c.offsets_checked &&
                 !std::is_sorted(c.at_rows.begin(), c.at_rows.end(), std::less_equal<>())))
                throw std::invalid_argument(
                    fmt::format("'{}': column '{}' is given at {} rows, with {} values: it needs a flat "
                                "column's values at increasing rows below its {} events",
                                expr.text(), names[s], c.at_rows.size(), c.values.size(), events));
            continue;
        }
        if (!c.jagged()) {
            if (c.values.size() != events)
                throw std::invalid_argument(fmt::format("'{}': column '{}' has {} values for {} events",
                                                        expr.text(), names[s], c.values.size(), events));
            continue;
        }
        if (c.offsets.size() != events + 1)
            throw std::invalid_argument(
                fmt::format("'{}': jagged column '{}' has {} offsets for {} events (needs {})", expr.text(),
                            names[s], c.offsets.size(), events, events + 1));
        bool ordered = c.offsets[0] >= 0;
        if (c.offsets_checked) {
            // checked by the caller
        } else if (4 * rows.size() < events) {
            // Few rows (events after selective filters): only their offsets are read, so only
            // they are checked — a scan of the whole column would cost more than the evaluation.
            const auto size = static_cast<std::int64_t>(c.values.size());
            for (const std::uint32_t r : rows)
                if (r < events)
                    ordered &=
                        c.offsets[r] >= 0 && c.offsets[r] <= c.offsets[r + 1] && c.offsets[r + 1] <= size;
        } else if (std::find(checked.begin(), checked.end(), c.offsets.data()) == checked.end()) {
            // a collection's columns often share their offsets: each array is scanned once; one
            // pass, no early exit, an integer OR-reduction: it vectorises (a bool one does not)
            const std::int64_t* o = c.offsets.data();
            std::uint64_t decreasing = 0;
            for (std::size_t i = 0; i < events; ++i)
                decreasing |= static_cast<std::uint64_t>(o[i] > o[i + 1]);
            ordered &= decreasing == 0;
            checked.push_back(c.offsets.data());
        }
        if (!ordered || ((c.offsets_checked || 4 * rows.size() >= events) &&
                         static_cast<std::uint64_t>(c.offsets[events]) > c.values.size()))
            throw std::invalid_argument(
                fmt::format("'{}': jagged column '{}' has offsets that are negative, decrease or end beyond "
                            "its {} values",
                            expr.text(), names[s], c.values.size()));
    }
    // Increasing rows below `events`: a branch-free pass (it vectorises), then, only when it
    // fails, the first bad row is looked for, for the message.
    std::uint32_t bad = 0;
    for (std::size_t k = 1; k < rows.size(); ++k)
        bad |= static_cast<std::uint32_t>(rows[k] <= rows[k - 1]);
    if (bad == 0 && (rows.empty() || rows.back() < events))
        return;
    for (std::size_t k = 0; k < rows.size(); ++k)
        if (rows[k] >= events || (k > 0 && rows[k] <= rows[k - 1]))
            throw std::invalid_argument(fmt::format(
                "'{}': rows must be increasing event indices below {}; row {} is {}{}", expr.text(), events,
                k, rows[k], k > 0 ? fmt::format(" after {}", rows[k - 1]) : std::string()));
}

ColumnResult ColumnEvaluator::empty_result(const Expression& expr, std::size_t events, bool offsets,
                                           std::vector<double>* reals) {
    ColumnResult r;
    r.type = expr.type();
    r.events = events;
    if (is_array(r.type)) {
        if (offsets)
            r.offsets.assign(events + 1, 0);
        return r;
    }
    switch (r.type) {
    case Type::boolean:
        r.bools.assign(events, 0);
        break;
    case Type::integer:
        r.ints.assign(events, 0);
        break;
    default:
        if (reals && reals->size() == events) // zeros already (Reuse::reals)
            r.reals = std::move(*reals);
        else
            r.reals.assign(events, 0.0);
    }
    return r;
}

InputError ColumnEvaluator::at_event(const Expression& expr, const InputError& e, std::int64_t event) {
    // the same words as Expression::evaluate(EventBatch); an element that could not be read
    // (a uint64 beyond int) does not know the expression yet
    if (e.key().empty())
        return InputError(expr.origin_.file, expr.origin_.file.empty() ? 0 : expr.origin_.first_line,
                          expr.origin_.key, fmt::format("{} (event {})", e.message(), event));
    return InputError(e.file(), e.line(), e.key(), fmt::format("{} (event {})", e.message(), event));
}

ColumnResult ColumnEvaluator::per_event(const Expression& expr, std::span<const ColumnView> columns,
                                        std::size_t events, std::span<const std::uint32_t> rows,
                                        std::int64_t first_entry) {
    ColumnResult r = empty_result(expr, events);
    Bindings b;
    for (std::size_t s = 0; s < expr.names_.size(); ++s)
        b.declare(expr.names_[s], expr.name_types_[s]);
    const std::vector<std::size_t> used = expr.slots_used();
    const bool array = is_array(r.type);
    std::vector<Value> elements;
    std::size_t next = 0; // array results: the next event whose offset is still to be written
    for (const std::uint32_t row : rows) {
        elements.clear();
        Value v;
        try {
            for (const std::size_t s : used) {
                const ColumnView& c = columns[s];
                if (c.jagged()) {
                    const auto begin = static_cast<std::size_t>(c.offsets[row]);
                    b.set(s, c.values.slice(begin, static_cast<std::size_t>(c.offsets[row + 1]) - begin));
                } else if (c.compact()) { // 0 where the column has no value
                    const auto at = std::lower_bound(c.at_rows.begin(), c.at_rows.end(), row);
                    const bool known = at != c.at_rows.end() && *at == row;
                    b.set(s, known ? c.values[static_cast<std::size_t>(at - c.at_rows.begin())]
                                   : zero_of(c.values.element_type()));
                } else {
                    b.set(s, c.values[row]);
                }
            }
            v = expr.evaluate(b, elements);
        } catch (const InputError& e) {
            throw at_event(expr, e, static_cast<std::int64_t>(row) + first_entry);
        }
        if (array) {
            for (; next <= row; ++next)
                r.offsets[next] = static_cast<std::int64_t>(r.bools.size() + r.ints.size() + r.reals.size());
            for (const Value& x : elements) {
                if (x.type == Type::boolean)
                    r.bools.push_back(x.b ? 1 : 0);
                else if (x.type == Type::integer)
                    r.ints.push_back(x.i);
                else
                    r.reals.push_back(x.r);
            }
            continue;
        }
        if (v.type == Type::boolean)
            r.bools[row] = v.b ? 1 : 0;
        else if (v.type == Type::integer)
            r.ints[row] = v.i;
        else
            r.reals[row] = v.r;
    }
    if (array)
        for (; next <= events; ++next)
            r.offsets[next] = static_cast<std::int64_t>(r.bools.size() + r.ints.size() + r.reals.size());
    return r;
}

std::vector<std::uint32_t> passing_rows(const ColumnResult& result, std::span<const std::uint32_t> rows) {
    if (is_array(result.type))
        throw std::invalid_argument(fmt::format("passing_rows: the result is an {}, not one value per event",
                                                type_name(result.type)));
    std::vector<std::uint32_t> out(rows.size());
    std::size_t n = 0;
    for (const std::uint32_t r : rows) { // branch-free: a cut's outcome is unpredictable
        if (r >= result.events)
            throw std::invalid_argument(
                fmt::format("passing_rows: row {} of a result of {} events", r, result.events));
        out[n] = r;
        n += element_of(result.type) == Type::boolean   ? result.bools[r] != 0
             : element_of(result.type) == Type::integer ? result.ints[r] != 0
                                                        : result.reals[r] != 0; // NaN != 0
    }
    out.resize(n);
    return out;
}

ColumnResult evaluate_rows(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                           std::span<const std::uint32_t> rows, std::int64_t first_entry,
                           const Reuse& reuse) {
    ColumnEvaluator::check(expr, columns, events, rows);
    ColumnResult out;
    if (ColumnEvaluator::columnar(expr, columns, events, rows, out, true, reuse))
        return out;
    // a row failed: the per-event path raises the first error in event order, with its message
    ++fallbacks;
    const ColumnResult full = ColumnEvaluator::per_event(expr, columns, events, rows, first_entry);
    out = ColumnEvaluator::empty_result(expr, rows.size());
    if (is_array(expr.type())) { // the rows' arrays, one after the other
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto begin = static_cast<std::size_t>(full.offsets[rows[k]]);
            const auto end = static_cast<std::size_t>(full.offsets[rows[k] + 1]);
            out.offsets[k + 1] = out.offsets[k] + static_cast<std::int64_t>(end - begin);
            const Type element = element_of(expr.type());
            for (std::size_t e = begin; e < end; ++e) {
                if (element == Type::boolean)
                    out.bools.push_back(full.bools[e]);
                else if (element == Type::integer)
                    out.ints.push_back(full.ints[e]);
                else
                    out.reals.push_back(full.reals[e]);
            }
        }
        return out;
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (!full.bools.empty())
            out.bools[k] = full.bools[rows[k]];
        else if (!full.ints.empty())
            out.ints[k] = full.ints[rows[k]];
        else if (!full.reals.empty())
            out.reals[k] = full.reals[rows[k]];
    }
    return out;
}

ColumnResult evaluate_rows(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                           std::span<const std::uint32_t> rows, std::int64_t first_entry) {
    return evaluate_rows(expr, columns, events, rows, first_entry, Reuse{});
}

ColumnResult evaluate_columns_per_event(const Expression& expr, std::span<const ColumnView> columns,
                                        std::size_t events, std::span<const std::uint32_t> rows,
                                        std::int64_t first_entry) {
    ColumnEvaluator::check(expr, columns, events, rows);
    return ColumnEvaluator::per_event(expr, columns, events, rows, first_entry);
}

ColumnResult evaluate_columns(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                              std::span<const std::uint32_t> rows, std::int64_t first_entry,
                              const Reuse& reuse) {
    ColumnEvaluator::check(expr, columns, events, rows);
    ColumnResult out;
    if (ColumnEvaluator::columnar(expr, columns, events, rows, out, false, reuse))
        return out;
    // a row failed: the per-event path raises the first error in event order, with its message
    ++fallbacks;
    return ColumnEvaluator::per_event(expr, columns, events, rows, first_entry);
}

ColumnResult evaluate_columns(const Expression& expr, std::span<const ColumnView> columns, std::size_t events,
                              std::span<const std::uint32_t> rows, std::int64_t first_entry) {
    return evaluate_columns(expr, columns, events, rows, first_entry, Reuse{});
}

} // namespace hepkit::expr
