#pragma once
// Internals shared by the library producers (Library*.cpp): messages, configuration reading,
// declare-time checks, dispatch over numeric column types, jagged layouts and the compaction of
// selected objects into a new collection. Not installed: the producers' contract is Library.hpp.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/events/Library.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace hepkit::events::lib {

// ---- messages -------------------------------------------------------------------------------

/// "producer good_muons (run.yaml:12)", or "producer good_muons" for a step made in code.
std::string where(const StepPlace& place);
/// InputError at the step's file and line: "<where>: <message>", key `key`.
[[noreturn]] void fail(const StepPlace& place, const std::string& key, const std::string& message);
/// `output`, or the step's name when empty; fails when both are empty.
std::string output_or_name(const StepPlace& place, const std::string& output);
/// `prefix_field`.
std::string join(const std::string& prefix, const std::string& field);
/// Checks that `names` is not empty and has no repeats (key names the list).
void check_fields(const StepPlace& place, const std::string& key, const std::vector<std::string>& names);

// ---- configuration --------------------------------------------------------------------------

/// The step's keys must be among `allowed` (plus `type` and `name`, the configuration's own).
void check_keys(const StepConfig& config, std::initializer_list<const char*> allowed);
/// A string value, `fallback` when the key is absent.
std::string read_string(const config::YamlView& yaml, const char* key, const std::string& fallback = "");
/// One name or a list of names (non-empty strings).
std::vector<std::string> read_names(const config::YamlView& yaml, const char* key);
/// A number, or else a product name.
NumberOrProduct read_number_or_product(const config::YamlView& value);
/// A finite number, or none when `text` is not one.
std::optional<double> parse_number(const std::string& text);

/// The product names an expression reads: its names that are not functions (followed by `(`),
/// keywords or constants (pi, e, …). Tokenizer errors are InputErrors naming the step.
std::vector<std::string> expression_names(const StepPlace& place, const std::string& text);

// ---- declare-time checks --------------------------------------------------------------------

enum class Shape : unsigned char { scalar, jagged, either };
/// The id of a product the step reads, checked to be of `shape`; InputError naming the step.
ProductId need(const Schema& schema, const StepPlace& place, const std::string& name, Shape shape);
/// The ProductInfo of a new product, checked not to exist yet (the schema checks again when the
/// runner declares it; checking here names the step's key).
ProductInfo make_output(const Schema& schema, const StepPlace& place, std::string name, io::ColumnType type,
                        bool jagged);
/// The products of a selected collection (select_objects, delta_r_clean): `output_field` for
/// each field (jagged, of the field's type), the count (int32) and, with `index`, `output_index`
/// (jagged int32), in that order.
std::vector<ProductInfo> collection_outputs(const Schema& schema, const StepPlace& place,
                                            const std::string& output, const std::vector<std::string>& fields,
                                            std::span<const ProductId> field_ids, const std::string& count,
                                            bool index);

// ---- numeric columns ------------------------------------------------------------------------

/// Calls f(std::type_identity<T>{}) with the C++ element type of a numeric column type (uint8_t
/// for Bool). Strings: std::logic_error (the Schema refuses string products).
template <class F>
decltype(auto) visit_type(io::ColumnType type, F&& f) {
    using io::ColumnType;
    switch (type) {
    case ColumnType::Bool:
    case ColumnType::UInt8:
        return f(std::type_identity<std::uint8_t>{});
    case ColumnType::Int8:
        return f(std::type_identity<std::int8_t>{});
    case ColumnType::Int16:
        return f(std::type_identity<std::int16_t>{});
    case ColumnType::UInt16:
        return f(std::type_identity<std::uint16_t>{});
    case ColumnType::Int32:
        return f(std::type_identity<std::int32_t>{});
    case ColumnType::UInt32:
        return f(std::type_identity<std::uint32_t>{});
    case ColumnType::Int64:
        return f(std::type_identity<std::int64_t>{});
    case ColumnType::UInt64:
        return f(std::type_identity<std::uint64_t>{});
    case ColumnType::Float32:
        return f(std::type_identity<float>{});
    case ColumnType::Float64:
        return f(std::type_identity<double>{});
    case ColumnType::String:
        break;
    }
    throw std::logic_error("library producer: a string column is not a number");
}

/// The column's values as float64 (a converted copy).
std::vector<double> to_doubles(const io::Column& column);

/// Calls f(std::array<const T*, N>) with T = float when every non-null column is float32, double
/// when every one is float64 (the columns' own buffers), else double over converted copies: the
/// kinematic loops are compiled for the two layouts real files have, and work for any other.
template <std::size_t N, class F>
void with_reals(const std::array<const io::Column*, N>& columns, F&& f) {
    bool all32 = true, all64 = true;
    for (const io::Column* c : columns)
        if (c) {
            all32 = all32 && c->type == io::ColumnType::Float32;
            all64 = all64 && c->type == io::ColumnType::Float64;
        }
    if (all32) {
        std::array<const float*, N> p{};
        for (std::size_t i = 0; i < N; ++i)
            p[i] = columns[i] ? columns[i]->template as<float>().data() : nullptr;
        f(p);
    } else if (all64) {
        std::array<const double*, N> p{};
        for (std::size_t i = 0; i < N; ++i)
            p[i] = columns[i] ? columns[i]->template as<double>().data() : nullptr;
        f(p);
    } else {
        std::array<std::vector<double>, N> copies;
        std::array<const double*, N> p{};
        for (std::size_t i = 0; i < N; ++i)
            if (columns[i]) {
                copies[i] = to_doubles(*columns[i]);
                p[i] = copies[i].data();
            }
        f(p);
    }
}

// ---- jagged layouts -------------------------------------------------------------------------

/// Whether two jagged columns have the same offsets (then one index serves both).
bool same_offsets(const io::Column& a, const io::Column& b);
/// Checks that product `other` has as many objects as `ref` in every selected row; InputError
/// naming the entry and both products otherwise.
void check_counts(const Batch& batch, const StepPlace& place, ProductId ref, ProductId other);
/// check_counts for every product in `others`.
void check_all_counts(const Batch& batch, const StepPlace& place, ProductId ref,
                      std::span<const ProductId> others);
/// The InputError of check_counts for row `row` (for loops that check counts as they go).
[[noreturn]] void count_mismatch(const Batch& batch, const StepPlace& place, ProductId ref, ProductId other,
                                 std::uint32_t row);

/// The products of one collection against a reference product, within one produce() call: each
/// is compared once (offsets equal to the reference's: one index serves both; otherwise its
/// counts are checked row by row).
class Layouts {
  public:
    Layouts(const Batch& batch, const StepPlace& place, ProductId ref)
        : batch_(batch), place_(place), ref_(ref) {}
    /// Checks `id`'s counts (InputError naming the entry) and says whether its offsets are the
    /// reference's.
    bool check(ProductId id);

  private:
    const Batch& batch_;
    const StepPlace& place_;
    ProductId ref_;
    std::vector<std::pair<ProductId, bool>> known_;
};

/// The offsets of a collection restricted to the selected rows (the others empty): the layout of a
/// per-object output computed for every object of the selected rows.
std::vector<std::int64_t> selected_offsets(const Batch& batch, std::span<const std::int64_t> source);

/// Objects chosen from a collection, by event: offsets (events+1, unselected rows empty) and,
/// per chosen object, its position in the content of the source collection (whose offsets are
/// `source`).
struct Picked {
    std::vector<std::int64_t> offsets;
    std::vector<std::int64_t> from;
    std::span<const std::int64_t> source;
};
/// The objects whose keep flag is set; `keep` is indexed like the content of a column with
/// offsets `source` (only the selected rows' flags are read).
Picked pick(const Batch& batch, std::span<const std::int64_t> source, std::span<const std::uint8_t> keep);
/// Puts the new collection: each of `fields` gathered into out_ids[i] (same type), the count
/// (int32) into out_ids[fields.size()], and the indices within the event (array of int32) into
/// the next id when `index`.
/// `same[i]`: whether fields[i] has the offsets the objects were picked from (Layouts::check).
void put_picked(Batch& batch, Picked&& picked, std::span<const ProductId> fields,
                std::span<const std::uint8_t> same, std::span<const ProductId> out_ids, bool index);

// ---- kinematics -----------------------------------------------------------------------------

/// Δφ wrapped into [−π, π].
inline double delta_phi(double a, double b) {
    constexpr double pi = std::numbers::pi;
    double d = a - b;
    if (d > pi)
        d -= 2 * pi;
    else if (d < -pi)
        d += 2 * pi;
    if (!(std::abs(d) <= pi)) // |a − b| > 3π (angles outside [−π, π]), or NaN (kept NaN)
        d = std::remainder(d, 2 * pi);
    return d;
}

/// ΔR² = Δη² + Δφ² (compared with max_dr² so that no square root is taken per pair).
inline double delta_r2(double eta1, double phi1, double eta2, double phi2) {
    const double deta = eta1 - eta2, dphi = delta_phi(phi1, phi2);
    return deta * deta + dphi * dphi;
}

/// A new column for product `id`: its type, empty.
io::Column new_column(const Batch& batch, ProductId id);

} // namespace hepkit::events::lib
