// select_objects (Library.hpp): the objects of a collection that pass built-in cuts and/or a cut
// expression, copied into a new collection.
#include "LibrarySupport.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Columns.hpp"
#include "hepkit/expr/Expression.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <yaml-cpp/yaml.h>

namespace hepkit::events {

namespace {

const char* cut_key(FieldCut::Kind kind) {
    switch (kind) {
    case FieldCut::Kind::min:
        return "min";
    case FieldCut::Kind::max:
        return "max";
    case FieldCut::Kind::min_abs:
        return "min_abs";
    case FieldCut::Kind::max_abs:
        return "max_abs";
    case FieldCut::Kind::equal:
        return "equal";
    }
    return "?";
}

// keep[i] &= pred(v[i]) over one contiguous range: the loop the compiler vectorises.
template <class T, class Pred>
void and_range(std::uint8_t* keep, const T* v, std::size_t n, Pred pred) {
    for (std::size_t i = 0; i < n; ++i)
        keep[i] &= static_cast<std::uint8_t>(pred(static_cast<double>(v[i])));
}

template <class Pred>
void apply_cut(const Batch& batch, const io::Column& ref, const io::Column& field, bool same,
               std::vector<std::uint8_t>& keep, Pred pred) {
    const auto rows = batch.rows();
    if (rows.empty())
        return;
    lib::visit_type(field.type, [&]<class T>(std::type_identity<T>) {
        const T* v = field.as<T>().data();
        if (same) {
            // One range from the first selected row's objects to the last's: the rows between
            // that did not pass are evaluated too (cheaper than a loop per row), never read.
            const std::int64_t begin = ref.offsets[rows.front()], end = ref.offsets[rows.back() + 1];
            and_range(keep.data() + begin, v + begin, static_cast<std::size_t>(end - begin), pred);
        } else {
            for (const std::uint32_t r : rows)
                and_range(keep.data() + ref.offsets[r], v + field.offsets[r],
                          static_cast<std::size_t>(ref.offsets[r + 1] - ref.offsets[r]), pred);
        }
    });
}

// Orders each event's chosen objects by decreasing `key` column value: an insertion sort (a few
// objects per event), stable, NaN last. `picked.from` indexes the reference layout; the key column
// is read through its own offsets.
void sort_picked(const Batch& batch, const io::Column& key, lib::Picked& picked) {
    lib::visit_type(key.type, [&]<class T>(std::type_identity<T>) {
        const T* v = key.as<T>().data();
        auto value = [&](std::uint32_t r, std::int64_t from) {
            const double x = static_cast<double>(v[from - picked.source[r] + key.offsets[r]]);
            return std::isnan(x) ? -std::numeric_limits<double>::infinity() : x;
        };
        for (const std::uint32_t r : batch.rows()) {
            std::int64_t* f = picked.from.data() + picked.offsets[r];
            const std::int64_t n = picked.offsets[r + 1] - picked.offsets[r];
            for (std::int64_t i = 1; i < n; ++i) {
                const std::int64_t moving = f[i];
                const double x = value(r, moving);
                std::int64_t j = i;
                for (; j > 0 && value(r, f[j - 1]) < x; --j)
                    f[j] = f[j - 1];
                f[j] = moving;
            }
        }
    });
}

// The expression type of a product: every integer type reads as int, bool as bool, floats as float.
expr::Type expression_type(const ProductInfo& info) {
    expr::Type t = expr::Type::integer;
    if (info.type == io::ColumnType::Float32 || info.type == io::ColumnType::Float64)
        t = expr::Type::real;
    else if (info.type == io::ColumnType::Bool)
        t = expr::Type::boolean;
    return info.jagged ? expr::array_of(t) : t;
}

// A column as the expression evaluator reads it: its own buffer for float32/64, int32/64 and bool;
// the other integer types (NanoAOD's uint8 flags, int16, uint32 counts, uint64 event numbers)
// widened into `copy`, a per-batch buffer.
expr::ArrayView view_of(const Batch& batch, const StepPlace& place, const io::Column& c,
                        std::vector<std::int64_t>& copy) {
    switch (c.type) {
    case io::ColumnType::Float32:
        return expr::ArrayView(c.as<float>());
    case io::ColumnType::Float64:
        return expr::ArrayView(c.as<double>());
    case io::ColumnType::Int32:
        return expr::ArrayView(c.as<std::int32_t>());
    case io::ColumnType::Int64:
        return expr::ArrayView(c.as<std::int64_t>());
    case io::ColumnType::Bool: {
        // Bool columns hold 0/1 bytes, the representation ArrayView's bool elements read.
        const auto v = c.as<std::uint8_t>();
        return expr::ArrayView(std::span<const bool>(reinterpret_cast<const bool*>(v.data()), v.size()));
    }
    default:
        lib::visit_type(c.type, [&]<class T>(std::type_identity<T>) {
            const auto v = c.as<T>();
            copy.resize(v.size());
            for (std::size_t k = 0; k < v.size(); ++k) {
                if constexpr (std::is_same_v<T, std::uint64_t>) {
                    if (v[k] > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                        std::string m = "value ";
                        m.append(std::to_string(v[k]))
                            .append(" of '")
                            .append(c.name)
                            .append("' (value ")
                            .append(std::to_string(k))
                            .append(" of the batch starting at entry ")
                            .append(std::to_string(batch.first_entry()))
                            .append(") is beyond int64, the integers of cut expressions");
                        lib::fail(place, c.name, m);
                    }
                }
                copy[k] = static_cast<std::int64_t>(v[k]);
            }
        });
        return expr::ArrayView(std::span<const std::int64_t>(copy));
    }
}

} // namespace

SelectObjects::SelectObjects(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.collection.empty())
        lib::fail(this->place(), "collection", "needs a collection (the prefix of its products, e.g. Muon)");
    config_.output = lib::output_or_name(this->place(), config_.output);
    lib::check_fields(this->place(), "fields", config_.fields);
    if (config_.count.empty())
        config_.count = std::string("n").append(config_.output);
    for (const FieldCut& c : config_.cuts) {
        if (c.field.empty())
            lib::fail(this->place(), cut_key(c.kind), "a cut needs a field name");
        if (!std::isfinite(c.threshold))
            lib::fail(this->place(), lib::join(cut_key(c.kind), c.field),
                      "the threshold must be a finite number");
    }
}

SelectObjects::~SelectObjects() = default;

SelectObjects::Config SelectObjects::parse(const StepConfig& config) {
    lib::check_keys(config, {"collection", "output", "fields", "cut", "min", "max", "min_abs", "max_abs",
                             "equal", "index", "count", "sort_by"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.collection = y.at("collection").as_string();
    c.output = lib::read_string(y, "output");
    c.fields = lib::read_names(y, "fields");
    if (y.has("cut"))
        c.expressions = lib::read_names(y, "cut");
    for (const FieldCut::Kind kind : {FieldCut::Kind::min, FieldCut::Kind::max, FieldCut::Kind::min_abs,
                                      FieldCut::Kind::max_abs, FieldCut::Kind::equal}) {
        const char* key = cut_key(kind);
        if (!y.has(key))
            continue;
        const config::YamlView map = y.at(key);
        if (!map.is_map())
            map.fail("expected a map of field: threshold, e.g. {pt: 20}");
        for (const auto& kv : map.node()) {
            const std::string field = kv.first.Scalar();
            c.cuts.push_back(FieldCut{field, kind, map.at(field).as_double()});
        }
    }
    if (y.has("index"))
        c.index = y.at("index").as_bool();
    c.count = lib::read_string(y, "count");
    c.sort_by = lib::read_string(y, "sort_by");
    return c;
}

std::vector<std::string> SelectObjects::inputs() const {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
        if (std::find(names.begin(), names.end(), n) == names.end())
            names.push_back(n);
    };
    for (const auto& f : config_.fields)
        add(lib::join(config_.collection, f));
    for (const auto& c : config_.cuts)
        add(lib::join(config_.collection, c.field));
    for (const auto& e : config_.expressions)
        for (const auto& n : lib::expression_names(place(), e))
            add(n);
    if (!config_.sort_by.empty())
        add(lib::join(config_.collection, config_.sort_by));
    return names;
}

std::vector<ProductInfo> SelectObjects::declare(const Schema& schema) {
    field_ids_.clear();
    cut_ids_.clear();
    for (const auto& f : config_.fields)
        field_ids_.push_back(
            lib::need(schema, place(), lib::join(config_.collection, f), lib::Shape::jagged));
    for (const auto& c : config_.cuts)
        cut_ids_.push_back(
            lib::need(schema, place(), lib::join(config_.collection, c.field), lib::Shape::jagged));
    sort_id_.reset();
    if (!config_.sort_by.empty())
        sort_id_ =
            lib::need(schema, place(), lib::join(config_.collection, config_.sort_by), lib::Shape::jagged);
    expressions_.clear();
    for (const std::string& text : config_.expressions) {
        CutExpression cut;
        expr::Bindings bindings;
        for (const auto& n : lib::expression_names(place(), text)) {
            const ProductId id = lib::need(schema, place(), n, lib::Shape::either);
            bindings.declare(n, expression_type(schema.info(id)));
            cut.ids.push_back(id);
        }
        cut.expression = std::make_unique<expr::Expression>(
            expr::Expression::parse(text, bindings, place().file, place().line));
        const expr::Type type = cut.expression->type();
        if (!expr::is_array(type)) {
            std::string m = "the cut '";
            m.append(text)
                .append("' gives one ")
                .append(expr::type_name(type))
                .append(" per event; it must give one value per object (use the collection's products, e.g. ")
                .append(lib::join(config_.collection, "pt"))
                .append(" > 20), and event cuts belong in a filter");
            lib::fail(place(), "cut", m);
        }
        expressions_.push_back(std::move(cut));
    }
    return lib::collection_outputs(schema, place(), config_.output, config_.fields, field_ids_, config_.count,
                                   config_.index);
}

void SelectObjects::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void SelectObjects::produce(Batch& batch) const {
    const ProductId ref_id = field_ids_.front();
    const io::Column& ref = batch.get(ref_id);
    // Each input compared with the reference once (offsets compared over the whole batch are a
    // large part of a cheap producer's time).
    lib::Layouts layouts(batch, place(), ref_id);
    std::vector<std::uint8_t> same_field(field_ids_.size()), same_cut(cut_ids_.size());
    for (std::size_t i = 0; i < field_ids_.size(); ++i)
        same_field[i] = layouts.check(field_ids_[i]);
    for (std::size_t i = 0; i < cut_ids_.size(); ++i)
        same_cut[i] = layouts.check(cut_ids_[i]);
    std::vector<std::uint8_t> keep(ref.size(), 1);
    for (std::size_t i = 0; i < config_.cuts.size(); ++i) {
        const io::Column& field = batch.get(cut_ids_[i]);
        const double t = config_.cuts[i].threshold;
        switch (config_.cuts[i].kind) {
        case FieldCut::Kind::min:
            apply_cut(batch, ref, field, same_cut[i] != 0, keep, [t](double v) { return v > t; });
            break;
        case FieldCut::Kind::max:
            apply_cut(batch, ref, field, same_cut[i] != 0, keep, [t](double v) { return v < t; });
            break;
        case FieldCut::Kind::min_abs:
            apply_cut(batch, ref, field, same_cut[i] != 0, keep, [t](double v) { return std::abs(v) > t; });
            break;
        case FieldCut::Kind::max_abs:
            apply_cut(batch, ref, field, same_cut[i] != 0, keep, [t](double v) { return std::abs(v) < t; });
            break;
        case FieldCut::Kind::equal:
            apply_cut(batch, ref, field, same_cut[i] != 0, keep, [t](double v) { return v == t; });
            break;
        }
    }
    for (const CutExpression& cut : expressions_) {
        std::vector<expr::ColumnView> columns;
        std::vector<std::vector<std::int64_t>> copies(cut.ids.size());
        columns.reserve(cut.ids.size());
        for (std::size_t i = 0; i < cut.ids.size(); ++i) {
            const io::Column& c = batch.get(cut.ids[i]);
            columns.push_back(expr::ColumnView{view_of(batch, place(), c, copies[i]),
                                               std::span<const std::int64_t>(c.offsets)});
        }
        const expr::ColumnResult res =
            expr::evaluate_columns(*cut.expression, columns, batch.size(), batch.rows(), batch.first_entry());
        const expr::Type element = expr::element_of(res.type);
        for (const std::uint32_t r : batch.rows()) {
            const std::int64_t n = ref.offsets[r + 1] - ref.offsets[r];
            const std::int64_t m = res.offsets[r + 1] - res.offsets[r];
            if (n != m) {
                std::string msg = "entry ";
                msg.append(std::to_string(batch.first_entry() + r))
                    .append(": the cut '")
                    .append(cut.expression->text())
                    .append("' gives ")
                    .append(std::to_string(m))
                    .append(" values but '")
                    .append(batch.schema().info(ref_id).name)
                    .append("' has ")
                    .append(std::to_string(n))
                    .append(" objects; the cut must read products of the collection ")
                    .append(config_.collection);
                lib::fail(place(), "cut", msg);
            }
            std::uint8_t* k = keep.data() + ref.offsets[r];
            const auto b = static_cast<std::size_t>(res.offsets[r]);
            for (std::int64_t j = 0; j < n; ++j) {
                const auto e = b + static_cast<std::size_t>(j);
                // Python's truth: nonzero (NaN included) is True.
                const bool t = element == expr::Type::boolean   ? res.bools[e] != 0
                               : element == expr::Type::integer ? res.ints[e] != 0
                                                                : res.reals[e] != 0;
                k[j] &= static_cast<std::uint8_t>(t);
            }
        }
    }
    lib::Picked picked = lib::pick(batch, ref.offsets, keep);
    if (sort_id_) {
        layouts.check(*sort_id_);
        sort_picked(batch, batch.get(*sort_id_), picked);
    }
    lib::put_picked(batch, std::move(picked), field_ids_, same_field, out_ids_, config_.index);
}

} // namespace hepkit::events
