// read_table (Dataset.hpp): the expressions of a TableSource (features, weight, cut, target) parsed
// once for their names, the named columns read file by file (a ROOT file a chunk of entries at a
// time), the expressions evaluated over each chunk with expr::evaluate_columns, the cut first and
// the others only on the rows that pass it.
#include "ColumnSource.hpp"
#include "TableRead.hpp"

#include "hepkit/core/EditDistance.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Builtins.hpp"
#include "hepkit/expr/Columns.hpp"
#include "hepkit/expr/Parser.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <optional>

namespace hepkit::nn {

namespace detail {

namespace {

enum class Role { feature, weight, target, fold, cut };

// One expression of the source and how messages name it.
struct Quantity {
    Role role;
    std::string text;
    std::string label; ///< `feature 'lead_pt' (Muon_pt[0])`, `weight`, `cut`, ...
    std::vector<std::string> names;
    std::optional<expr::Expression> compiled;
};

// The column names an expression reads: its bare names that are not constants (pi) or dotted
// module functions (np.exp).
std::vector<std::string> names_of(const Quantity& q) {
    std::vector<expr::Node> nodes;
    try {
        expr::Parser(expr::Dialect::selection, expr::Origin{"", 0, q.text, true})
            .parse_expression(q.text, nodes);
    } catch (const InputError& e) {
        throw InputError(e.file(), e.line(), q.label, e.message());
    }
    std::vector<std::string> names;
    for (const auto& n : nodes)
        if (n.kind == expr::NodeKind::name && n.text.find('.') == std::string::npos &&
            !expr::find_constant(n.text) && std::find(names.begin(), names.end(), n.text) == names.end())
            names.push_back(n.text);
    return names;
}

// "did you mean X? available (N): a, b, ..." — the first 30 names of the file, the closest first.
std::string available(const std::string& wanted, const std::vector<std::string>& names) {
    std::string out;
    std::size_t best = std::numeric_limits<std::size_t>::max();
    const std::string* closest = nullptr;
    for (const auto& n : names)
        if (const std::size_t d = edit_distance(wanted, n); d < best)
            best = d, closest = &n;
    if (closest != nullptr && best <= std::max<std::size_t>(2, wanted.size() / 3))
        out.append("did you mean '").append(*closest).append("'? ");
    out.append(fmt::format("available ({}): ", names.size()));
    constexpr std::size_t shown = 30;
    for (std::size_t k = 0; k < names.size() && k < shown; ++k)
        out.append(k == 0 ? "" : ", ").append(names[k]);
    if (names.size() > shown)
        out.append(fmt::format(", ... ({} more)", names.size() - shown));
    return out;
}

expr::Type type_of(const io::Column& c) {
    const expr::Type t = c.type == io::ColumnType::Bool ? expr::Type::boolean
                         : (c.type == io::ColumnType::Float32 || c.type == io::ColumnType::Float64)
                             ? expr::Type::real
                             : expr::Type::integer;
    return c.jagged() ? expr::array_of(t) : t;
}

// A column lent to the evaluator without a copy.
expr::ColumnView view_of(const io::Column& c) {
    expr::ColumnView v;
    v.offsets = c.offsets;
    std::visit(
        [&](const auto& values) {
            using T = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<T, std::string>)
                throw std::logic_error("nn: a string column in an expression");
            else if constexpr (std::is_same_v<T, std::uint8_t>)
                v.values = c.type == io::ColumnType::Bool ? expr::ArrayView::booleans(values)
                                                          : expr::ArrayView(values);
            else
                v.values = expr::ArrayView(values);
        },
        c.values);
    return v;
}

// Parses every quantity against the columns of a file; checks that the per-event ones are scalars.
void compile(std::vector<Quantity>& quantities, const std::vector<io::Column>& columns,
             const std::string& path) {
    expr::Bindings bindings;
    for (const auto& c : columns)
        bindings.declare(c.name, type_of(c));
    for (auto& q : quantities) {
        try {
            q.compiled = expr::Expression::parse(q.text, bindings, path, 0);
        } catch (const InputError& e) {
            throw InputError(e.file(), 0, q.label, e.message());
        }
        const expr::Type t = q.compiled->type();
        if (expr::is_array(t)) {
            // The hint names an array column of the expression itself.
            std::string a = "Jet_pt";
            for (const auto& c : columns)
                if (c.jagged() && std::find(q.names.begin(), q.names.end(), c.name) != q.names.end()) {
                    a = c.name;
                    break;
                }
            throw InputError(
                path, 0, q.label,
                fmt::format("'{}' has one value per object (a jagged column), not one per event: "
                            "index it ({}[0]) or reduce it (sum({}), max({}), len({}))",
                            q.text, a, a, a, a));
        }
        if (q.role == Role::fold && t == expr::Type::real)
            throw InputError(path, 0, q.label,
                             "'" + q.text + "' is a float; the fold must be an integer (e.g. event % 4)");
    }
}

expr::ColumnResult evaluate(const Quantity& q, std::span<const expr::ColumnView> views, std::size_t events,
                            std::span<const std::uint32_t> rows, std::int64_t first) {
    try {
        return expr::evaluate_columns(*q.compiled, views, events, rows, first);
    } catch (const InputError& e) { // a data file has no lines: the expression's line 1 is dropped
        throw InputError(e.file(), 0, q.label, e.message());
    }
}

// The tree of the source's ROOT files: the one given, else the only one of the first ROOT file (a
// chain holds one tree of one name).
std::string tree_of(const TableSource& source) {
    if (!source.tree.empty())
        return source.tree;
    for (const auto& f : source.files)
        if (file_kind(f) == FileKind::Root)
            return only_tree(f);
    return "";
}

} // namespace

Table read_table(const TableSource& source, const std::string& fold, const std::string& key,
                 std::vector<std::int64_t>& folds) {
    if (source.files.empty())
        throw InputError("", 0, "files", "no input files");
    if (source.features.empty())
        throw InputError(source.files.front(), 0, "features", "no features");
    if (!source.names.empty() && source.names.size() != source.features.size())
        throw InputError(
            source.files.front(), 0, "names",
            fmt::format("{} names for {} features", source.names.size(), source.features.size()));
    Table table;
    table.feature_names = source.names.empty() ? source.features : source.names;
    std::vector<Quantity> qs;
    for (std::size_t j = 0; j < source.features.size(); ++j) {
        std::string label = "feature '" + table.feature_names[j] + "'";
        if (table.feature_names[j] != source.features[j])
            label.append(" (").append(source.features[j]).append(")");
        qs.push_back({Role::feature, source.features[j], label, {}, {}});
    }
    if (!source.weight.empty())
        qs.push_back({Role::weight, source.weight, "weight '" + source.weight + "'", {}, {}});
    if (!source.target.empty())
        qs.push_back({Role::target, source.target, "target '" + source.target + "'", {}, {}});
    if (!fold.empty())
        qs.push_back({Role::fold, fold, key + " '" + fold + "'", {}, {}});
    if (!source.cut.empty())
        qs.push_back({Role::cut, source.cut, "cut '" + source.cut + "'", {}, {}});
    std::vector<std::string> needed; // every column any expression names, in order
    for (auto& q : qs) {
        q.names = names_of(q);
        for (const auto& n : q.names)
            if (std::find(needed.begin(), needed.end(), n) == needed.end())
                needed.push_back(n);
    }
    const Quantity* cut = source.cut.empty() ? nullptr : &qs.back();
    const std::size_t cols = table.cols();
    const std::string tree = tree_of(source);
    folds.clear();
    bool full = false;
    for (const auto& path : source.files) {
        if (full)
            break;
        const auto src = open_columns(path, tree);
        for (const auto& q : qs)
            for (const auto& n : q.names)
                if (std::find(src->names().begin(), src->names().end(), n) == src->names().end())
                    throw InputError(path, 0, q.label,
                                     "no column '" + n + "'" + (tree.empty() ? "" : " in '" + tree + "'") +
                                         "; " + available(n, src->names()));
        for (auto& q : qs)
            q.compiled.reset(); // column types are those of this file
        const std::int64_t entries = src->entries();
        for (std::int64_t begin = 0; begin < entries && !full; begin += src->chunk()) {
            const std::int64_t end = std::min(entries, begin + src->chunk());
            const std::vector<io::Column> columns = src->read(needed, begin, end);
            if (!qs.front().compiled)
                compile(qs, columns, path);
            std::vector<expr::ColumnView> views;
            for (const auto& c : columns)
                views.push_back(view_of(c));
            const auto n = static_cast<std::size_t>(end - begin);
            if (n > std::numeric_limits<std::uint32_t>::max())
                throw InputError(path, 0, "files", "more than 2^32 events in one file: split it");
            std::vector<std::uint32_t> rows(n);
            for (std::size_t i = 0; i < n; ++i)
                rows[i] = static_cast<std::uint32_t>(i);
            if (cut != nullptr)
                rows = expr::passing_rows(evaluate(*cut, views, n, rows, begin), rows);
            if (source.max_events > 0 && table.rows + rows.size() >= source.max_events) {
                rows.resize(source.max_events - table.rows);
                full = true;
            }
            const std::size_t m = rows.size();
            table.features.resize((table.rows + m) * cols);
            std::size_t feature = 0;
            for (const auto& q : qs) {
                if (q.role == Role::cut)
                    continue;
                const expr::ColumnResult r = evaluate(q, views, n, rows, begin);
                if (q.role == Role::fold) {
                    for (const std::uint32_t row : rows)
                        folds.push_back(r.type == expr::Type::boolean ? r.bools[row] : r.ints[row]);
                    continue;
                }
                std::vector<double>* out = q.role == Role::weight   ? &table.weights
                                           : q.role == Role::target ? &table.targets
                                                                    : nullptr;
                for (std::size_t k = 0; k < m; ++k) {
                    const double v = r.real_at(rows[k]);
                    if (!std::isfinite(v))
                        throw InputError(
                            path, 0, q.label,
                            fmt::format("{} at entry {}; values must be finite (cut such events, or guard "
                                        "the expression with where())",
                                        std::isnan(v) ? "NaN"
                                        : v > 0       ? "inf"
                                                      : "-inf",
                                        begin + rows[k]));
                    if (out != nullptr)
                        out->push_back(v);
                    else
                        table.features[(table.rows + k) * cols + feature] = v;
                }
                if (q.role == Role::feature)
                    ++feature;
            }
            table.rows += m;
        }
    }
    return table;
}

} // namespace detail

Table read_table(const TableSource& source) {
    std::vector<std::int64_t> unused;
    return detail::read_table(source, "", "", unused);
}

} // namespace hepkit::nn
