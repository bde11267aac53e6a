// Histogram and ntuple consumers (Consumers.hpp): expressions over a batch's products, filling
// rules for jagged values, cuts and weights, and the ntuple's selected rows.

#include "hepkit/events/Consumers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Builtins.hpp"
#include "hepkit/expr/Lexer.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace hepkit::events {

namespace {

// "consumer mu_pt (run.yaml:12)": the place of a step in messages (the same form as
// StepPlace::label, kept here so that this file stands alone).
std::string where(const StepPlace& p) {
    std::string s = p.kind.empty() ? std::string("step") : p.kind;
    s.append(" ").append(p.name);
    if (!p.file.empty())
        s.append(" (").append(p.file).append(":").append(std::to_string(p.line)).append(")");
    return s;
}

[[noreturn]] void fail_at(const StepPlace& p, const std::string& key, const std::string& message) {
    throw InputError(p.file, p.line, key.empty() ? p.name : p.name + "." + key, message);
}

expr::Type expr_type(const ProductInfo& info) {
    using io::ColumnType;
    expr::Type t = expr::Type::integer;
    if (info.type == ColumnType::Bool)
        t = expr::Type::boolean;
    else if (info.type == ColumnType::Float32 || info.type == ColumnType::Float64)
        t = expr::Type::real;
    return info.jagged ? expr::array_of(t) : t;
}

// Python's bool() of a value, as a cut reads it: nonzero is true, NaN too.
bool truth(double v) {
    return v != 0 || std::isnan(v);
}

} // namespace

// ---- expressions over products --------------------------------------------------------------

namespace detail {

std::vector<std::string> ProductExpression::names() const {
    std::vector<std::string> out;
    if (text_.empty())
        return out;
    expr::Origin origin;
    origin.key = text_;
    origin.columns = true;
    const auto tokens = expr::tokenize(text_, 1, origin);
    static const std::set<std::string> keywords{"and", "or", "not", "if", "else", "True", "False"};
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const auto& t = tokens[k];
        if (t.kind != expr::Token::name || keywords.count(t.text) != 0 ||
            t.text.find('.') != std::string::npos)
            continue;
        const bool called =
            k + 1 < tokens.size() && tokens[k + 1].kind == expr::Token::op && tokens[k + 1].text == "(";
        if (called || expr::find_constant(t.text))
            continue;
        if (std::find(out.begin(), out.end(), t.text) == out.end())
            out.push_back(t.text);
    }
    return out;
}

void ProductExpression::bind(const Schema& schema, const std::string& file, int line,
                             const std::string& who) {
    expr::Bindings names;
    products_.clear();
    expr::Origin origin;
    origin.key = text_;
    origin.columns = true;
    for (const auto& t : expr::tokenize(text_, 1, origin)) {
        if (t.kind != expr::Token::name || names.find(t.text))
            continue;
        if (auto id = schema.find(t.text)) {
            names.declare(t.text, expr_type(schema.info(*id)));
            products_.push_back(*id);
        }
    }
    // a name that is neither a product, a function nor a constant: the schema's message, which
    // lists the closest products (the parser would list only the bound names)
    for (const auto& n : this->names())
        if (!schema.find(n))
            schema.require(n, who);
    expr_ = expr::Expression::parse(text_, names, file, line);
}

namespace {
// A product column as the expression evaluator reads it; integer types ArrayView does not take
// are widened into `scratch` (int64).
expr::ColumnView view_of(const io::Column& c, std::vector<std::vector<std::int64_t>>& scratch) {
    using io::ColumnType;
    expr::ColumnView v;
    v.offsets = c.offsets;
    auto widen = [&](auto span) {
        auto& s = scratch.emplace_back(span.begin(), span.end());
        return expr::ArrayView(std::span<const std::int64_t>(s));
    };
    switch (c.type) {
    case ColumnType::Float64:
        v.values = expr::ArrayView(c.as<double>());
        break;
    case ColumnType::Float32:
        v.values = expr::ArrayView(c.as<float>());
        break;
    case ColumnType::Int64:
        v.values = expr::ArrayView(c.as<std::int64_t>());
        break;
    case ColumnType::Int32:
        v.values = expr::ArrayView(c.as<std::int32_t>());
        break;
    case ColumnType::Bool: {
        const auto b = c.as<std::uint8_t>(); // 0/1 bytes, the layout of bool
        v.values = expr::ArrayView(std::span<const bool>(reinterpret_cast<const bool*>(b.data()), b.size()));
        break;
    }
    case ColumnType::Int8:
        v.values = widen(c.as<std::int8_t>());
        break;
    case ColumnType::UInt8:
        v.values = widen(c.as<std::uint8_t>());
        break;
    case ColumnType::Int16:
        v.values = widen(c.as<std::int16_t>());
        break;
    case ColumnType::UInt16:
        v.values = widen(c.as<std::uint16_t>());
        break;
    case ColumnType::UInt32:
        v.values = widen(c.as<std::uint32_t>());
        break;
    case ColumnType::UInt64: {
        const auto u = c.as<std::uint64_t>();
        for (std::size_t k = 0; k < u.size(); ++k)
            if (u[k] > static_cast<std::uint64_t>(INT64_MAX))
                throw InputError(
                    "", 0, c.name,
                    fmt::format("value {} at position {} exceeds the expressions' int64 range", u[k], k));
        v.values = widen(u);
        break;
    }
    case ColumnType::String:
        throw std::logic_error("string product " + c.name + " in an expression");
    }
    return v;
}
} // namespace

expr::ColumnResult ProductExpression::evaluate(const Batch& batch,
                                               std::span<const std::uint32_t> rows) const {
    std::vector<std::vector<std::int64_t>> scratch;
    scratch.reserve(products_.size()); // views point into it: no reallocation
    std::vector<expr::ColumnView> cols;
    cols.reserve(products_.size());
    for (ProductId id : products_) {
        cols.emplace_back();
        if (!batch.compact_view(id, cols.back())) // a compact product is read at its rows
            cols.back() = view_of(batch.get(id), scratch);
    }
    return expr::evaluate_columns(*expr_, cols, batch.size(), rows, batch.first_entry());
}

} // namespace detail

// ---- histogram consumer ---------------------------------------------------------------------

HistogramConsumer::HistogramConsumer(StepPlace place, Config config)
    : Consumer(std::move(place)), config_(std::move(config)), x_(config_.x), y_(config_.y),
      weight_(config_.weight), cut_(config_.cut) {
    if (config_.x.empty())
        fail_at(this->place(), "x", "a histogram needs an expression to fill (x)");
    if (config_.y_axis &&
        Hist::cells(config_.x_axis, *config_.y_axis) > static_cast<std::size_t>(Axis::max_bins))
        fail_at(this->place(), "y_bins",
                fmt::format("{} × {} bins: a 2D histogram has at most 10^7 cells", config_.x_axis.size(),
                            config_.y_axis->size()));
    if (config_.y.empty() != !config_.y_axis.has_value())
        fail_at(this->place(), "y",
                config_.y.empty() ? "y binning given without a y expression"
                                  : "a 2D histogram needs y binning");
}

namespace {

// An error of the lexer or parser names the expression's text: rethrown naming the step's key
// (x, y, weight, cut) and the step too; any other error as it is.
[[noreturn]] void rethrow_keyed(const InputError& err, const StepPlace& p, const char* key,
                                const std::string& text) {
    if (err.key() != text)
        throw err;
    throw InputError(err.file().empty() ? p.file : err.file(), err.file().empty() ? p.line : err.line(),
                     p.name + "." + key, fmt::format("{}: {} '{}': {}", where(p), key, text, err.message()));
}

} // namespace

std::vector<std::string> HistogramConsumer::inputs() const {
    std::vector<std::string> out;
    const std::pair<const detail::ProductExpression*, const char*> keyed[] = {
        {&x_, "x"}, {&y_, "y"}, {&weight_, "weight"}, {&cut_, "cut"}};
    for (const auto& [e, key] : keyed) {
        std::vector<std::string> names;
        try {
            names = e->names();
        } catch (const InputError& err) {
            rethrow_keyed(err, place(), key, e->text());
        }
        for (auto& n : names)
            if (std::find(out.begin(), out.end(), n) == out.end())
                out.push_back(std::move(n));
    }
    return out;
}

void HistogramConsumer::declare(const Schema& schema) {
    const auto& p = place();
    const std::string who = where(p);
    const std::pair<detail::ProductExpression*, const char*> keyed[] = {
        {&x_, "x"}, {&y_, "y"}, {&weight_, "weight"}, {&cut_, "cut"}};
    for (const auto& [e, key] : keyed) {
        if (e->empty())
            continue;
        try {
            e->bind(schema, p.file, p.line, who);
        } catch (const InputError& err) {
            rethrow_keyed(err, p, key, e->text());
        }
    }
    const bool xj = expr::is_array(x_.expression().type());
    const bool yj = !y_.empty() && expr::is_array(y_.expression().type());
    const bool elements = xj || yj; // fills once per element
    if (!weight_.empty() && expr::is_array(weight_.expression().type()) && !elements)
        fail_at(
            p, "weight",
            fmt::format("'{}' is an array per event but x '{}' is one value per event: weight per element "
                        "needs a jagged x (or reduce the weight, e.g. with sum() or [0])",
                        weight_.text(), x_.text()));
    if (!cut_.empty() && expr::is_array(cut_.expression().type()) && !elements)
        fail_at(
            p, "cut",
            fmt::format("'{}' selects elements but x '{}' is one value per event: use any(...) or all(...) "
                        "to select events",
                        cut_.text(), x_.text()));
}

Hist HistogramConsumer::make_hist() const {
    Hist h = config_.y_axis ? Hist(name(), config_.x_axis, *config_.y_axis) : Hist(name(), config_.x_axis);
    h.set_title(config_.title);
    return h;
}

namespace {
// A result's values as doubles without a call per value (the fill loop is hot): floats are read
// in place, ints and bools converted once.
class Reals {
  public:
    explicit Reals(const expr::ColumnResult& r) {
        switch (expr::element_of(r.type)) {
        case expr::Type::real:
            p_ = r.reals.data();
            return;
        case expr::Type::integer:
            owned_.assign(r.ints.begin(), r.ints.end());
            break;
        default:
            owned_.assign(r.bools.begin(), r.bools.end());
            break;
        }
        p_ = owned_.data();
    }
    Reals(const Reals&) = delete; // p_ may point into owned_
    Reals& operator=(const Reals&) = delete;
    double operator[](std::size_t k) const { return p_[k]; }

  private:
    std::vector<double> owned_;
    const double* p_ = nullptr;
};
} // namespace

void HistogramConsumer::fill(const Batch& batch, Hist& hist) const {
    std::span<const std::uint32_t> rows = batch.rows();
    if (rows.empty())
        return;
    // A per-event cut first: the other expressions are evaluated only on the events it keeps, as
    // TTree::Draw's selection and a filter before the histogram would (`nMuon >= 2` guards
    // `Muon_pt[1]`). A jagged cut selects elements below.
    std::optional<expr::ColumnResult> c;
    std::vector<std::uint32_t> kept;
    if (!cut_.empty()) {
        c = cut_.evaluate(batch, rows);
        if (c->offsets.empty()) {
            kept.reserve(rows.size());
            for (const std::uint32_t r : rows)
                if (truth(c->real_at(r)))
                    kept.push_back(r);
            rows = kept;
            c.reset();
            if (rows.empty())
                return;
        }
    }
    const expr::ColumnResult x = x_.evaluate(batch, rows);
    std::optional<expr::ColumnResult> y, w;
    if (!y_.empty())
        y = y_.evaluate(batch, rows);
    if (!weight_.empty())
        w = weight_.evaluate(batch, rows);
    const bool xj = !x.offsets.empty(), yj = y && !y->offsets.empty();
    const bool wj = w && !w->offsets.empty(), cj = c && !c->offsets.empty();
    const Reals xs(x);
    const std::optional<Reals> ys = y ? std::optional<Reals>(std::in_place, *y) : std::nullopt;
    const std::optional<Reals> ws = w ? std::optional<Reals>(std::in_place, *w) : std::nullopt;
    const std::optional<Reals> cs = c ? std::optional<Reals>(std::in_place, *c) : std::nullopt;

    if (!xj && !yj) { // one value per event
        for (const std::uint32_t r : rows) {
            const double wt = ws ? (*ws)[r] : 1.0;
            if (ys)
                hist.fill(xs[r], (*ys)[r], wt);
            else
                hist.fill(xs[r], wt);
        }
        return;
    }
    // jagged: the elements of x (or y); per-event values are broadcast over them, jagged ones
    // must have the same length in each event
    const expr::ColumnResult& shape = xj ? x : *y;
    auto length_check = [&](const expr::ColumnResult& v, std::uint32_t r, const std::string& what,
                            const std::string& text) {
        const auto n = shape.offsets[r + 1] - shape.offsets[r], m = v.offsets[r + 1] - v.offsets[r];
        if (n != m)
            throw InputError(
                place().file, place().line, name() + "." + what,
                fmt::format("entry {}: '{}' has {} values, {} '{}' has {}: element by element they "
                            "must have the same length",
                            batch.first_entry() + static_cast<std::int64_t>(r), text, m, xj ? "x" : "y",
                            xj ? x_.text() : y_.text(), n));
    };
    for (const std::uint32_t r : rows) {
        if (cj)
            length_check(*c, r, "cut", cut_.text());
        if (wj)
            length_check(*w, r, "weight", weight_.text());
        if (xj && yj)
            length_check(*y, r, "y", y_.text());
        const auto begin = shape.offsets[r], end = shape.offsets[r + 1];
        for (auto k = begin; k < end; ++k) {
            const auto e = static_cast<std::size_t>(k - begin);
            if (cj && !truth((*cs)[static_cast<std::size_t>(c->offsets[r]) + e]))
                continue;
            const double wt = !ws ? 1.0 : wj ? (*ws)[static_cast<std::size_t>(w->offsets[r]) + e] : (*ws)[r];
            const double xv = xj ? xs[static_cast<std::size_t>(k)] : xs[r];
            if (ys) {
                const double yv = yj ? (*ys)[static_cast<std::size_t>(y->offsets[r]) + e] : (*ys)[r];
                hist.fill(xv, yv, wt);
            } else {
                hist.fill(xv, wt);
            }
        }
    }
}

std::unique_ptr<Result> HistogramConsumer::consume(const Batch& batch) const {
    Hist h = make_hist();
    fill(batch, h);
    return std::make_unique<HistogramResult>(std::move(h));
}

std::unique_ptr<Result> HistogramConsumer::empty() const {
    return std::make_unique<HistogramResult>(make_hist());
}

// ---- ntuple consumer ------------------------------------------------------------------------

NtupleConsumer::NtupleConsumer(StepPlace place, Config config)
    : Consumer(std::move(place)), config_(std::move(config)) {
    if (config_.products.empty())
        fail_at(this->place(), "products", "an ntuple needs at least one product");
    std::set<std::string> seen;
    for (const auto& p : config_.products)
        if (!seen.insert(p).second)
            fail_at(this->place(), "products", fmt::format("'{}' is listed twice", p));
    if (config_.tree.empty())
        fail_at(this->place(), "tree", "the tree needs a name");
}

void NtupleConsumer::declare(const Schema& schema) {
    ids_.clear();
    infos_.clear();
    for (const auto& p : config_.products) {
        const ProductId id = schema.require(p, where(place()));
        ids_.push_back(id);
        infos_.push_back(schema.info(id));
    }
}

io::Column take_rows(const io::Column& column, std::span<const std::uint32_t> rows) {
    io::Column out = io::Column::make(column.name, column.type); // the same variant alternative
    out.width = column.width;
    if (out.values.index() != column.values.index())
        throw std::logic_error("column " + column.name + ": values do not match its type");
    std::visit(
        [&](auto& picked) {
            using V = std::decay_t<decltype(picked)>;
            // same alternative index as `out`, so the same vector type
            const auto& values = *static_cast<const V*>(
                std::visit([](const auto& v) -> const void* { return &v; }, column.values));
            if (column.jagged()) {
                out.offsets.reserve(rows.size() + 1);
                out.offsets.push_back(0);
                for (const auto r : rows) {
                    const auto b = column.offsets[r], e = column.offsets[r + 1];
                    picked.insert(picked.end(), values.begin() + b, values.begin() + e);
                    out.offsets.push_back(static_cast<std::int64_t>(picked.size()));
                }
            } else {
                const std::size_t w = column.width;
                picked.reserve(rows.size() * w);
                for (const auto r : rows)
                    picked.insert(picked.end(), values.begin() + static_cast<std::ptrdiff_t>(r * w),
                                  values.begin() + static_cast<std::ptrdiff_t>((r + 1) * w));
            }
        },
        out.values);
    return out;
}

std::unique_ptr<Result> NtupleConsumer::consume(const Batch& batch) const {
    std::vector<io::Column> cols;
    cols.reserve(ids_.size());
    for (ProductId id : ids_) {
        cols.push_back(take_rows(batch.get(id), batch.rows()));
        cols.back().name = infos_[cols.size() - 1].name;
    }
    return std::make_unique<NtupleResult>(std::move(cols), config_.format, config_.tree);
}

std::unique_ptr<Result> NtupleConsumer::empty() const {
    std::vector<io::Column> cols;
    for (const auto& info : infos_) {
        auto c = io::Column::make(info.name, info.type);
        if (info.jagged)
            c.offsets = {0};
        cols.push_back(std::move(c));
    }
    return std::make_unique<NtupleResult>(std::move(cols), config_.format, config_.tree);
}

} // namespace hepkit::events
