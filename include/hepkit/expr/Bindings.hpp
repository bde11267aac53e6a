#pragma once
/// @file
/// What names mean when an expression is evaluated: Bindings maps each name to a scalar or to a
/// per-event array (one event), EventBatch maps names to columns of many events (scalar columns
/// and jagged ones: offsets plus content, as ROOT and awkward-array store them).
///
///     Bindings ev;
///     ev.set("nMuon", 2);
///     ev.set("Muon_pt", ArrayView(pts));          // borrowed: pts must outlive the evaluation
///     auto cut = Expression::parse("nMuon >= 2 and Muon_pt[0] > 25", ev);
///     bool pass = cut.passes(ev);
///
/// A name's type is fixed when it is first set (an Expression is type-checked against it);
/// setting it again with another type is a programming error (std::invalid_argument).

#include "hepkit/expr/Value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::expr {

class Bindings {
  public:
    /// Declares `name` with `type` (no value yet: 0 / empty); returns its slot. Declaring an
    /// existing name again with the same type returns its slot.
    std::size_t declare(const std::string& name, Type type);
    std::optional<std::size_t> find(std::string_view name) const;
    const std::vector<std::string>& names() const { return names_; }
    Type type(std::size_t slot) const { return types_[slot]; }
    std::size_t size() const { return names_.size(); }

    /// Sets `name`, declaring it with the value's type on first use; an int or bool into a
    /// float name is converted.
    void set(const std::string& name, Value v);
    void set(const std::string& name, double v) { set(name, Value::real(v)); }
    void set(const std::string& name, std::int64_t v) { set(name, Value::integer(v)); }
    void set(const std::string& name, int v) { set(name, Value::integer(v)); }
    void set(const std::string& name, bool v) { set(name, Value::boolean(v)); }
    void set(const std::string& name, const ArrayView& v) {
        set(declare(name, array_of(v.element_type())), v);
    }
    /// Sets slot `slot` (its declared type must match: a float slot accepts ints and bools).
    void set(std::size_t slot, Value v);
    void set(std::size_t slot, const ArrayView& v);

    Value scalar(std::size_t slot) const { return scalars_[slot]; }
    const ArrayView& array(std::size_t slot) const { return arrays_[slot]; }

  private:
    std::vector<std::string> names_;
    std::vector<Type> types_;
    std::vector<Value> scalars_;
    std::vector<ArrayView> arrays_;
};

/// Columns of `events` events. Each name is a scalar column (one value per event) or a jagged
/// column (event i's array is content[offsets[i], offsets[i+1])). Borrowed memory throughout.
class EventBatch {
  public:
    explicit EventBatch(std::size_t events) : events_(events) {}
    std::size_t size() const { return events_; }

    /// A scalar column of `size()` values. Throws std::invalid_argument on a length mismatch.
    void add_column(const std::string& name, const ArrayView& values);
    /// A jagged column: `offsets` has size()+1 non-decreasing entries ending within `content`.
    /// Throws std::invalid_argument naming the column otherwise.
    void add_jagged(const std::string& name, std::span<const std::uint64_t> offsets,
                    const ArrayView& content);

    /// The names and their per-event types (compile expressions against this).
    const Bindings& schema() const { return schema_; }
    /// Sets every name of `event` into `b` (which has this batch's schema).
    void fill(std::size_t event, Bindings& b) const;

  private:
    struct Column {
        ArrayView values;
        std::span<const std::uint64_t> offsets; ///< empty for a scalar column
    };
    std::size_t events_;
    Bindings schema_;
    std::vector<Column> columns_;
};

} // namespace hepkit::expr
