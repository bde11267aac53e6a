// Expression producers and filters (Expressions.hpp) on expr::evaluate_columns: a batch's products
// are lent to the evaluator as column views (no copy for the types the evaluator reads directly),
// the result is converted to the product's element type.
#include "hepkit/events/Expressions.hpp"

#include "Recycle.hpp"

#include "hepkit/core/ArchClones.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/events/Registry.hpp"
#include "hepkit/expr/Builtins.hpp"
#include "hepkit/expr/Columns.hpp"
#include "hepkit/expr/Parser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hepkit::events {

namespace {

// The expression type of a product: Python's bool, int or float, per event or per object.
expr::Type expr_type(const ProductInfo& info) {
    expr::Type t = expr::Type::real;
    switch (info.type) {
    case io::ColumnType::Bool:
        t = expr::Type::boolean;
        break;
    case io::ColumnType::Float32:
    case io::ColumnType::Float64:
        t = expr::Type::real;
        break;
    default:
        t = expr::Type::integer;
        break;
    }
    return info.jagged ? expr::array_of(t) : t;
}

// A product lent to the evaluator without a copy: ArrayView reads every numeric column type
// (a uint64 above INT64_MAX is the evaluator's InputError, naming it).
expr::ColumnView view_of(const io::Column& c) {
    expr::ColumnView view;
    view.offsets = c.offsets;
    switch (c.type) {
    case io::ColumnType::Bool: {
        // Bool columns hold 0/1 bytes, the layout of the evaluator's bool arrays.
        const auto v = c.as<std::uint8_t>();
        view.values =
            expr::ArrayView(std::span<const bool>(reinterpret_cast<const bool*>(v.data()), v.size()));
        break;
    }
    case io::ColumnType::Int8:
        view.values = expr::ArrayView(c.as<std::int8_t>());
        break;
    case io::ColumnType::UInt8:
        view.values = expr::ArrayView(c.as<std::uint8_t>());
        break;
    case io::ColumnType::Int16:
        view.values = expr::ArrayView(c.as<std::int16_t>());
        break;
    case io::ColumnType::UInt16:
        view.values = expr::ArrayView(c.as<std::uint16_t>());
        break;
    case io::ColumnType::Int32:
        view.values = expr::ArrayView(c.as<std::int32_t>());
        break;
    case io::ColumnType::UInt32:
        view.values = expr::ArrayView(c.as<std::uint32_t>());
        break;
    case io::ColumnType::Int64:
        view.values = expr::ArrayView(c.as<std::int64_t>());
        break;
    case io::ColumnType::UInt64:
        view.values = expr::ArrayView(c.as<std::uint64_t>());
        break;
    case io::ColumnType::Float32:
        view.values = expr::ArrayView(c.as<float>());
        break;
    case io::ColumnType::Float64:
        view.values = expr::ArrayView(c.as<double>());
        break;
    case io::ColumnType::String:
        throw std::logic_error("events: a string column is no product");
    }
    return view;
}

// Resolves the names in the schema (errors name the step) and parses against bindings whose slot k
// is product ids[k].
expr::Expression compile(const std::string& text, const std::vector<std::string>& names, const Schema& schema,
                         const StepPlace& place, std::vector<ProductId>& ids) {
    expr::Bindings bindings;
    ids.clear();
    for (const auto& name : names) {
        const ProductId id = schema.require(name, place.label());
        ids.push_back(id);
        bindings.declare(name, expr_type(schema.info(id)));
    }
    try {
        return expr::Expression::parse(text, bindings, place.file, place.line);
    } catch (const InputError& e) {
        throw InputError(e.file(), e.line(), e.key(), place.label() + ": " + e.message());
    }
}

std::vector<expr::ColumnView> views_of(const std::vector<ProductId>& ids, const Batch& batch) {
    std::vector<expr::ColumnView> views;
    views.reserve(ids.size());
    for (const ProductId id : ids) {
        views.emplace_back();
        if (batch.compact_view(id, views.back())) // read at its rows, in order
            continue;
        views.back() = view_of(batch.get(id));
        // once per column and batch, not once per step that reads it
        batch.check_offsets(id);
        views.back().offsets_checked = true;
    }
    return views;
}

// What an expression step keeps for a batch (Batch::memo): the costly subexpressions of its first
// evaluation there (the nominal's — or a shift's where the nominal took produce_scaled's path,
// which has no costly subexpression to keep) and the columns it read, whose identity says which
// are the same in a later evaluation (a shift's): a shared column is the nominal's, bit for bit.
struct KeptEvaluation {
    std::vector<std::shared_ptr<const void>> columns; ///< Batch::identity of each input
    expr::KeptValues values;
    std::vector<std::uint8_t> same;
};

// `expr` over the batch's selected rows (`compact`: evaluate_rows over `rows`), keeping its costly
// subexpressions for the batch's later variants or taking them from its first.
expr::ColumnResult evaluate(const Step& step, const expr::Expression& e, const std::vector<ProductId>& ids,
                            const Batch& batch, std::span<const std::uint32_t> rows, bool compact,
                            std::vector<double>* storage = nullptr) {
    expr::Reuse reuse;
    reuse.reals = storage;
    // gathers at the batch's own rows are kept for its next steps (Batch::gathers)
    const auto selected = batch.rows();
    if (rows.data() == selected.data() && rows.size() == selected.size())
        reuse.gathers = &batch.gathers();
    if (auto* kept = batch.memo<KeptEvaluation>(&step)) {
        if (kept->columns.empty()) {
            for (const ProductId id : ids)
                kept->columns.push_back(batch.identity(id));
            reuse.kept = &kept->values;
            reuse.record = true;
        } else {
            kept->same.assign(ids.size(), 0);
            bool any = false;
            for (std::size_t k = 0; k < ids.size(); ++k) {
                kept->same[k] = batch.identity(ids[k]) == kept->columns[k] ? 1 : 0;
                any = any || kept->same[k] != 0;
            }
            if (any && kept->values.size() > 0) {
                reuse.kept = &kept->values;
                reuse.same = kept->same;
            }
        }
    }
    const auto views = views_of(ids, batch);
    return compact ? expr::evaluate_rows(e, views, batch.size(), rows, batch.first_entry(), reuse)
                   : expr::evaluate_columns(e, views, batch.size(), rows, batch.first_entry(), reuse);
}

// Element k of a result as T, range-checked for integer T.
template <class T>
void convert(const expr::ColumnResult& r, std::size_t n, std::vector<T>& out, const StepPlace& place) {
    const expr::Type e = expr::element_of(r.type);
    auto check = [&](auto v) {
        if constexpr (std::is_integral_v<T>) {
            if (std::cmp_less(v, std::numeric_limits<T>::min()) ||
                std::cmp_greater(v, std::numeric_limits<T>::max()))
                throw InputError(
                    place.file, place.line, place.name,
                    place.label() + ": value " + std::to_string(v) + " does not fit the product's type " +
                        "(" + std::to_string(+std::numeric_limits<T>::min()) + " to " +
                        std::to_string(+std::numeric_limits<T>::max()) + "); choose a wider dtype");
        }
        return static_cast<T>(v);
    };
    if constexpr (std::is_floating_point_v<T>) {
        if (e == expr::Type::real) { // float32 from the evaluator's doubles: converted, not zeroed first
            out.assign(r.reals.begin(), r.reals.begin() + static_cast<std::ptrdiff_t>(n));
            return;
        }
    }
    out.resize(n);
    if (e == expr::Type::boolean)
        for (std::size_t k = 0; k < n; ++k)
            out[k] = static_cast<T>(r.bools[k] != 0);
    else if (e == expr::Type::integer)
        for (std::size_t k = 0; k < n; ++k)
            out[k] = check(r.ints[k]);
    else
        for (std::size_t k = 0; k < n; ++k)
            out[k] = static_cast<T>(r.reals[k]);
}

// Which dtypes an expression type may be stored as: widening only (a float is not silently
// truncated to an int, an int not to a bool).
bool allowed(expr::Type element, io::ColumnType dtype) {
    const bool is_float = dtype == io::ColumnType::Float32 || dtype == io::ColumnType::Float64;
    switch (element) {
    case expr::Type::boolean:
        return true;
    case expr::Type::integer:
        return dtype != io::ColumnType::Bool;
    default:
        return is_float;
    }
}

io::ColumnType default_dtype(expr::Type element) {
    return element == expr::Type::boolean   ? io::ColumnType::Bool
           : element == expr::Type::integer ? io::ColumnType::Int64
                                            : io::ColumnType::Float64;
}

} // namespace

std::vector<std::string> expression_names(const std::string& expression, const std::string& file, int line) {
    expr::Origin origin{file, line > 0 ? line : 1, expression, true};
    if (file.empty())
        origin.first_line = 0;
    std::vector<expr::Node> nodes;
    expr::Parser(expr::Dialect::selection, origin).parse_expression(expression, nodes);
    std::vector<std::string> names;
    for (const auto& n : nodes) {
        // Dotted names are module functions and constants (np.pi); bare constants (pi, e) are
        // not products either: the expression binds only the names returned here.
        if (n.kind != expr::NodeKind::name || n.text.find('.') != std::string::npos ||
            expr::find_constant(n.text))
            continue;
        if (std::find(names.begin(), names.end(), n.text) == names.end())
            names.push_back(n.text);
    }
    return names;
}

std::optional<io::ColumnType> parse_dtype(const std::string& name) {
    for (const auto t :
         {io::ColumnType::Bool, io::ColumnType::Int8, io::ColumnType::UInt8, io::ColumnType::Int16,
          io::ColumnType::UInt16, io::ColumnType::Int32, io::ColumnType::UInt32, io::ColumnType::Int64,
          io::ColumnType::UInt64, io::ColumnType::Float32, io::ColumnType::Float64})
        if (io::column_type_name(t) == name)
            return t;
    return std::nullopt;
}

std::optional<std::vector<expr::Threshold>> thresholds_in(const std::optional<expr::Expression>& e,
                                                          const std::vector<ProductId>& ids, ProductId id) {
    if (!e)
        return std::nullopt;
    const auto slot = std::find(ids.begin(), ids.end(), id);
    if (slot == ids.end())
        return std::nullopt;
    return e->thresholds(static_cast<std::size_t>(slot - ids.begin()));
}

ExprProducer::ExprProducer(StepPlace place, std::string expression, std::optional<io::ColumnType> dtype)
    : Producer(std::move(place)), text_(std::move(expression)), dtype_(dtype) {
    if (dtype_ && *dtype_ == io::ColumnType::String)
        throw std::invalid_argument("ExprProducer " + name() + ": a product cannot be a string");
    try {
        inputs_ = expression_names(text_, this->place().file, this->place().line);
    } catch (const InputError& e) {
        throw InputError(e.file(), e.line(), e.key(), this->place().label() + ": " + e.message());
    }
}

std::vector<ProductInfo> ExprProducer::declare(const Schema& schema) {
    return declare_as(schema, dtype_, nullptr);
}

std::vector<ProductInfo> ExprProducer::declare_replacement(const Schema& schema,
                                                           const ProductInfo& replaced) {
    return declare_as(schema, dtype_ ? dtype_ : std::optional<io::ColumnType>(replaced.type), &replaced);
}

std::vector<ProductInfo> ExprProducer::declare_as(const Schema& schema, std::optional<io::ColumnType> dtype,
                                                  const ProductInfo* replaced) {
    expr_ = compile(text_, inputs_, schema, place(), ids_);
    const expr::Type t = expr_->type();
    const expr::Type element = expr::element_of(t);
    const io::ColumnType out = dtype.value_or(default_dtype(element));
    if (!allowed(element, out)) {
        std::string why = "dtype " + std::string(io::column_type_name(out));
        if (replaced && !dtype_)
            why = "the product it replaces, " + replaced->name + " (" + describe(*replaced) + "),";
        throw InputError(
            place().file, place().line, name(),
            place().label() + ": expression '" + text_ + "' is " + expr::type_name(t) + ", which " + why +
                " cannot hold without losing values (" +
                (element == expr::Type::integer ? "int: any dtype but bool" : "float: float32 or float64") +
                ")");
    }
    out_ = {name(), out, expr::is_array(t)};
    // The one-pass path writes floats only (a float expression is never stored as an int: allowed).
    const bool float_out = out == io::ColumnType::Float32 || out == io::ColumnType::Float64;
    scaled_ = float_out ? expr_->scaled_input() : std::nullopt;
    return {out_};
}

void ExprProducer::outputs_declared(std::span<const ProductId> ids) {
    if (ids.size() != 1)
        throw std::logic_error("ExprProducer::outputs_declared: one product");
    out_id_ = ids[0];
}

// The evaluator's result as the product's column of `length` entries (events, or compacted rows).
io::Column ExprProducer::column_of(expr::ColumnResult&& r, std::size_t length) const {
    io::Column col = io::Column::make(out_.name, out_.type);
    std::size_t n = length;
    if (out_.jagged) {
        n = static_cast<std::size_t>(r.offsets.empty() ? 0 : r.offsets.back());
        col.offsets = std::move(r.offsets);
        if (col.offsets.empty())
            col.offsets.assign(length + 1, 0);
    }
    // The evaluator's own element type is taken over without a copy; others are converted.
    const expr::Type element = expr::element_of(r.type);
    if (element == expr::Type::real && out_.type == io::ColumnType::Float64) {
        r.reals.resize(n);
        col.mut<double>() = std::move(r.reals);
    } else if (element == expr::Type::integer && out_.type == io::ColumnType::Int64) {
        r.ints.resize(n);
        col.mut<std::int64_t>() = std::move(r.ints);
    } else if (element == expr::Type::boolean && out_.type == io::ColumnType::Bool) {
        r.bools.resize(n);
        col.mut<std::uint8_t>() = std::move(r.bools);
    } else {
        std::visit(
            [&](auto& values) {
                using T = typename std::decay_t<decltype(values)>::value_type;
                if constexpr (std::is_arithmetic_v<T>)
                    convert(r, n, values, place());
            },
            col.values);
    }
    return col;
}

namespace {

// out[k] = T(double(in[k]) op c): the evaluators' operation on each element, rounded to the
// product's type as column_of does — the same bits, in one pass.
template <class T, class S>
[[gnu::always_inline]] inline void scale_values(const S* in, std::size_t n, const expr::ScaledInput& s,
                                                T* out) {
    const double c = s.constant;
    auto run = [&](auto op) {
        for (std::size_t k = 0; k < n; ++k)
            out[k] = static_cast<T>(op(static_cast<double>(in[k])));
    };
    switch (s.op) {
    case expr::Op::add:
        run([c](double x) { return x + c; });
        break;
    case expr::Op::sub:
        if (s.constant_first)
            run([c](double x) { return c - x; });
        else
            run([c](double x) { return x - c; });
        break;
    case expr::Op::mul:
        run([c](double x) { return x * c; });
        break;
    default:
        if (s.constant_first)
            run([c](double x) { return c / x; });
        else
            run([c](double x) { return x / c; });
        break;
    }
}

// The loop compiled for AVX-512 and AVX2 too, picked at load time (the Debian baseline is SSE2:
// two floats converted per instruction): a shift's replacement runs over every muon of the batch.
#if HEPKIT_ARCH_CLONES
#define HEPKIT_SCALE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPKIT_SCALE_CLONES
#endif
// One plain function per pair of types (target_clones takes no templates).
HEPKIT_SCALE_CLONES void scale(const float* in, std::size_t n, const expr::ScaledInput& s, float* out) {
    scale_values(in, n, s, out);
}
HEPKIT_SCALE_CLONES void scale(const float* in, std::size_t n, const expr::ScaledInput& s, double* out) {
    scale_values(in, n, s, out);
}
HEPKIT_SCALE_CLONES void scale(const double* in, std::size_t n, const expr::ScaledInput& s, float* out) {
    scale_values(in, n, s, out);
}
HEPKIT_SCALE_CLONES void scale(const double* in, std::size_t n, const expr::ScaledInput& s, double* out) {
    scale_values(in, n, s, out);
}

} // namespace

// A scale (`Muon_pt * 1.01`, a shift's usual replacement) over every row of the batch: one pass
// from the input to the product's type, where the evaluator would convert the input to doubles,
// operate, and convert again (three passes and two buffers; ~1 ns per event of the Z→μμ
// benchmark's muon scale). Other rows selected: the general path (its rows hold 0 elsewhere).
bool ExprProducer::produce_scaled(Batch& batch) const {
    if (!scaled_ || batch.rows().size() != batch.size())
        return false;
    const ProductId in_id = ids_[scaled_->slot];
    batch.check_offsets(in_id);
    const io::Column& in = batch.get(in_id);
    io::Column col = io::Column::make(out_.name, out_.type);
    std::size_t first = 0, n = in.entries();
    if (in.jagged()) {
        first = static_cast<std::size_t>(in.offsets.front());
        n = static_cast<std::size_t>(in.offsets.back()) - first;
        col.offsets = in.offsets; // shared, unless they need rebasing
        if (first != 0)
            for (auto& o : col.offsets.mut())
                o -= static_cast<std::int64_t>(first);
    }
    std::visit(
        [&](auto& values) {
            using T = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_floating_point_v<T>) {
                values.resize(n);
                if (in.type == io::ColumnType::Float32)
                    scale(in.as<float>().data() + first, n, *scaled_, values.data());
                else
                    scale(in.as<double>().data() + first, n, *scaled_, values.data());
            }
        },
        col.values);
    batch.put(out_id_, std::move(col));
    // The input's offsets, shared (io::Offsets) where they needed no rebasing: a cut comparing the
    // two (cut_changes) then needs no pass over them.
    batch.offsets_known_valid(out_id_);
    return true;
}

void ExprProducer::produce(Batch& batch) const {
    if (!expr_)
        throw std::logic_error("ExprProducer " + name() + ": produce before declare");
    if (produce_scaled(batch))
        return;
    // A flat float64 product computed on few rows takes recycled storage, zeros again, rather than
    // allocating and zeroing the batch's length; its column gives it back (Recycle.hpp).
    const auto rows = batch.rows();
    const bool recycle = !out_.jagged && out_.type == io::ColumnType::Float64 &&
                         expr_->type() == expr::Type::real &&
                         detail::worth_recycling(batch.size(), rows.size());
    if (recycle && !rows.empty()) {
        auto c = std::make_shared<CompactColumn>();
        expr::ColumnResult r = evaluate(*this, *expr_, ids_, batch, rows, true);
        r.reals.resize(rows.size());
        c->values = std::move(r.reals);
        c->rows.assign(rows.begin(), rows.end());
        batch.put_compact(out_id_, std::move(c));
        return;
    }
    std::vector<double> zeros = recycle ? detail::take_zeros(batch.size()) : std::vector<double>();
    io::Column col = column_of(evaluate(*this, *expr_, ids_, batch, rows, false, recycle ? &zeros : nullptr),
                               batch.size());
    if (recycle)
        batch.put_shared(out_id_, detail::shared_recycled(std::move(col), {rows.begin(), rows.end()}));
    else
        batch.put(out_id_, std::move(col));
    // The evaluator's offsets start at 0, never decrease and end at the values' size: no check
    // when a later step reads the product.
    batch.offsets_known_valid(out_id_);
}

bool ExprProducer::produce_rows(const Batch& batch, std::span<const std::uint32_t> rows,
                                std::vector<io::Column>& out) const {
    if (!expr_)
        throw std::logic_error("ExprProducer " + name() + ": produce before declare");
    out.clear();
    out.push_back(column_of(evaluate(*this, *expr_, ids_, batch, rows, true), rows.size()));
    return true;
}

ExprFilter::ExprFilter(StepPlace place, std::string expression)
    : Filter(std::move(place)), text_(std::move(expression)) {
    try {
        inputs_ = expression_names(text_, this->place().file, this->place().line);
    } catch (const InputError& e) {
        throw InputError(e.file(), e.line(), e.key(), this->place().label() + ": " + e.message());
    }
}

void ExprFilter::declare(const Schema& schema) {
    expr_ = compile(text_, inputs_, schema, place(), ids_);
    if (expr::is_array(expr_->type()))
        throw InputError(
            place().file, place().line, name(),
            place().label() + ": expression '" + text_ + "' is " + expr::type_name(expr_->type()) +
                " (one value per object); a filter needs one truth value per event: use any(...), "
                "all(...), sum(...) or len(...)");
}

void ExprFilter::select(const Batch& batch, std::span<std::uint8_t> pass) const {
    if (!expr_)
        throw std::logic_error("ExprFilter " + name() + ": select before declare");
    // One value per selected row (not per event of the batch: after selective filters that would
    // be a batch-length result to zero and scatter into for a few rows).
    const auto rows = batch.rows();
    const expr::ColumnResult r = evaluate(*this, *expr_, ids_, batch, rows, true);
    switch (r.type) {
    case expr::Type::boolean:
        for (std::size_t k = 0; k < rows.size(); ++k)
            pass[k] = r.bools[k] != 0;
        break;
    case expr::Type::integer:
        for (std::size_t k = 0; k < rows.size(); ++k)
            pass[k] = r.ints[k] != 0;
        break;
    default:
        // Python's truth of a float: nonzero, NaN too (NaN != 0 is true)
        for (std::size_t k = 0; k < rows.size(); ++k)
            pass[k] = r.reals[k] != 0;
        break;
    }
}

} // namespace hepkit::events
