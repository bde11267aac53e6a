// Internals shared by the library producers (LibrarySupport.hpp).
#include "LibrarySupport.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Builtins.hpp"
#include "hepkit/expr/Lexer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <yaml-cpp/yaml.h>

namespace hepkit::events::lib {

std::string where(const StepPlace& place) {
    std::string s = place.kind.empty() ? std::string("producer") : place.kind;
    s.append(" ").append(place.name);
    if (!place.file.empty()) {
        s.append(" (").append(place.file);
        if (place.line > 0)
            s.append(":").append(std::to_string(place.line));
        s.append(")");
    }
    return s;
}

void fail(const StepPlace& place, const std::string& key, const std::string& message) {
    std::string text = where(place);
    text.append(": ").append(message);
    throw InputError(place.file, place.line, key, text);
}

std::string output_or_name(const StepPlace& place, const std::string& output) {
    if (!output.empty())
        return output;
    if (place.name.empty())
        fail(place, "output", "needs an output name (the key `output`, or a step name)");
    return place.name;
}

std::string join(const std::string& prefix, const std::string& field) {
    std::string s = prefix;
    s.append("_").append(field);
    return s;
}

void check_fields(const StepPlace& place, const std::string& key, const std::vector<std::string>& names) {
    if (names.empty())
        fail(place, key, "needs at least one field");
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty())
            fail(place, key, "a field name is empty");
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j]) {
                std::string m = "field '";
                m.append(names[i]).append("' is listed twice");
                fail(place, key, m);
            }
    }
}

void check_keys(const StepConfig& config, std::initializer_list<const char*> allowed) {
    const YAML::Node& node = config.yaml.node();
    if (!node.IsMap())
        config.yaml.fail("a step is a map of keys");
    for (const auto& kv : node) {
        const std::string name = kv.first.Scalar();
        if (name == "type" || name == "name")
            continue;
        bool ok = false;
        std::string list = "type, name";
        for (const char* a : allowed) {
            ok = ok || name == a;
            list.append(", ").append(a);
        }
        if (!ok) {
            std::string key = config.yaml.key();
            key.append(key.empty() ? "" : ".").append(name);
            std::string m = where(config.place);
            m.append(": unknown key '").append(name).append("'; allowed here: ").append(list);
            throw InputError(config.yaml.file(), static_cast<int>(kv.first.Mark().line + 1), key, m);
        }
    }
}

std::string read_string(const config::YamlView& yaml, const char* key, const std::string& fallback) {
    if (!yaml.has(key))
        return fallback;
    return yaml.at(key).as_string();
}

std::vector<std::string> read_names(const config::YamlView& yaml, const char* key) {
    const config::YamlView v = yaml.at(key);
    std::vector<std::string> names;
    if (v.is_sequence()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            names.push_back(v.at(i).as_string());
    } else {
        names.push_back(v.as_string());
    }
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i].empty())
            (v.is_sequence() ? v.at(i) : v).fail("expected a name, got an empty string");
    return names;
}

std::optional<double> parse_number(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(begin, &end);
    if (end != begin + text.size() || errno == ERANGE || !std::isfinite(v))
        return std::nullopt;
    return v;
}

NumberOrProduct read_number_or_product(const config::YamlView& value) {
    const std::string text = value.as_string();
    NumberOrProduct r;
    if (const auto v = parse_number(text))
        r.number = *v;
    else if (text.empty())
        value.fail("expected a number or a product name, got an empty string");
    else
        r.product = text;
    return r;
}

std::vector<std::string> expression_names(const StepPlace& place, const std::string& text) {
    const expr::Origin origin{place.file, place.line > 0 ? place.line : 1, text, true};
    const std::vector<expr::Token> tokens = expr::tokenize(text, 1, origin);
    static constexpr std::array<std::string_view, 10> keywords{"and", "or",   "not", "True", "False",
                                                               "if",  "else", "in",  "is",   "None"};
    std::vector<std::string> names;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const expr::Token& t = tokens[i];
        if (t.kind != expr::Token::name)
            continue;
        if (i + 1 < tokens.size() && tokens[i + 1].kind == expr::Token::op && tokens[i + 1].text == "(")
            continue;
        if (std::find(keywords.begin(), keywords.end(), t.text) != keywords.end())
            continue;
        const std::size_t dot = t.text.rfind('.');
        const bool module =
            dot != std::string::npos && expr::is_module(std::string_view(t.text).substr(0, dot));
        if ((dot == std::string::npos || module) &&
            expr::find_constant(std::string_view(t.text).substr(dot == std::string::npos ? 0 : dot + 1)))
            continue;
        if (std::find(names.begin(), names.end(), t.text) == names.end())
            names.push_back(t.text);
    }
    return names;
}

ProductId need(const Schema& schema, const StepPlace& place, const std::string& name, Shape shape) {
    ProductId id = 0;
    try {
        id = schema.require(name, where(place));
    } catch (const InputError& e) {
        // The schema's message lists the closest names; the place is the step's configuration.
        throw InputError(place.file, place.line, name, e.message());
    }
    const ProductInfo& info = schema.info(id);
    if (shape == Shape::jagged && !info.jagged) {
        std::string m = "product '";
        m.append(name)
            .append("' is ")
            .append(describe(info))
            .append(", one value per event; an array (one "
                    "value per object) is needed here");
        fail(place, name, m);
    }
    if (shape == Shape::scalar && info.jagged) {
        std::string m = "product '";
        m.append(name)
            .append("' is ")
            .append(describe(info))
            .append(", one array per event; one value per "
                    "event is needed here");
        fail(place, name, m);
    }
    return id;
}

ProductInfo make_output(const Schema& schema, const StepPlace& place, std::string name, io::ColumnType type,
                        bool jagged) {
    if (const auto old = schema.find(name)) {
        std::string m = "output '";
        m.append(name)
            .append("' is already made by ")
            .append(schema.origin(*old))
            .append("; choose another `output`");
        fail(place, "output", m);
    }
    return ProductInfo{std::move(name), type, jagged};
}

std::vector<ProductInfo> collection_outputs(const Schema& schema, const StepPlace& place,
                                            const std::string& output, const std::vector<std::string>& fields,
                                            std::span<const ProductId> field_ids, const std::string& count,
                                            bool index) {
    std::vector<ProductInfo> out;
    for (std::size_t i = 0; i < fields.size(); ++i)
        out.push_back(
            make_output(schema, place, join(output, fields[i]), schema.info(field_ids[i]).type, true));
    out.push_back(make_output(schema, place, count, io::ColumnType::Int32, false));
    if (index)
        out.push_back(make_output(schema, place, join(output, "index"), io::ColumnType::Int32, true));
    return out;
}

std::vector<double> to_doubles(const io::Column& column) {
    return visit_type(column.type, [&]<class T>(std::type_identity<T>) {
        const std::span<const T> v = column.as<T>();
        return std::vector<double>(v.begin(), v.end());
    });
}

bool same_offsets(const io::Column& a, const io::Column& b) {
    return a.offsets.data() == b.offsets.data() ||
           (a.offsets.size() == b.offsets.size() &&
            std::equal(a.offsets.begin(), a.offsets.end(), b.offsets.begin()));
}

void count_mismatch(const Batch& batch, const StepPlace& place, ProductId ref, ProductId other,
                    std::uint32_t row) {
    const io::Column& a = batch.get(ref);
    const io::Column& b = batch.get(other);
    const std::string& name_a = batch.schema().info(ref).name;
    const std::string& name_b = batch.schema().info(other).name;
    std::string m = "entry ";
    m.append(std::to_string(batch.first_entry() + row))
        .append(": '")
        .append(name_a)
        .append("' has ")
        .append(std::to_string(a.offsets[row + 1] - a.offsets[row]))
        .append(" objects but '")
        .append(name_b)
        .append("' has ")
        .append(std::to_string(b.offsets[row + 1] - b.offsets[row]))
        .append("; the products of one collection must have one value per object");
    fail(place, name_b, m);
}

void check_counts(const Batch& batch, const StepPlace& place, ProductId ref, ProductId other) {
    if (ref == other)
        return;
    const io::Column& a = batch.get(ref);
    const io::Column& b = batch.get(other);
    if (same_offsets(a, b))
        return;
    for (const std::uint32_t r : batch.rows())
        if (a.offsets[r + 1] - a.offsets[r] != b.offsets[r + 1] - b.offsets[r])
            count_mismatch(batch, place, ref, other, r);
}

void check_all_counts(const Batch& batch, const StepPlace& place, ProductId ref,
                      std::span<const ProductId> others) {
    for (const ProductId id : others)
        check_counts(batch, place, ref, id);
}

bool Layouts::check(ProductId id) {
    if (id == ref_)
        return true;
    for (const auto& [known, same] : known_)
        if (known == id)
            return same;
    const bool same = same_offsets(batch_.get(ref_), batch_.get(id));
    if (!same)
        check_counts(batch_, place_, ref_, id);
    known_.emplace_back(id, same);
    return same;
}

std::vector<std::int64_t> selected_offsets(const Batch& batch, std::span<const std::int64_t> source) {
    std::vector<std::int64_t> out(batch.size() + 1, 0);
    std::int64_t n = 0;
    std::uint32_t next = 0;
    for (const std::uint32_t r : batch.rows()) {
        for (; next <= r; ++next)
            out[next] = n;
        n += source[r + 1] - source[r];
    }
    for (; next <= batch.size(); ++next)
        out[next] = n;
    return out;
}

Picked pick(const Batch& batch, std::span<const std::int64_t> source, std::span<const std::uint8_t> keep) {
    // Hot path (measure before changing): branch-free compaction, `from[n] = k; n += keep[k]`, with
    // room for one index past the last kept object.
    Picked p;
    p.source = source;
    const std::size_t events = batch.size();
    const auto rows = batch.rows();
    p.offsets.resize(events + 1);
    if (rows.size() == events) {
        // Every row selected: one pass over the whole content; the count kept before each
        // object, read at the rows' starts, gives the offsets.
        const std::int64_t begin = source[0], end = source[events];
        const auto total = static_cast<std::size_t>(end - begin);
        std::vector<std::int64_t> before(total + 1);
        p.from.resize(total + 1);
        std::int64_t n = 0;
        for (std::size_t i = 0; i < total; ++i) {
            const std::int64_t k = begin + static_cast<std::int64_t>(i);
            before[i] = n;
            p.from[static_cast<std::size_t>(n)] = k;
            n += keep[static_cast<std::size_t>(k)];
        }
        before[total] = n;
        for (std::size_t r = 0; r <= events; ++r)
            p.offsets[r] = before[static_cast<std::size_t>(source[r] - begin)];
        p.from.resize(static_cast<std::size_t>(n));
        return p;
    }
    std::size_t bound = 0;
    for (const std::uint32_t r : rows)
        bound += static_cast<std::size_t>(source[r + 1] - source[r]);
    p.from.resize(bound + 1);
    std::int64_t n = 0;
    std::uint32_t next = 0; // first row whose start offset is not yet set
    for (const std::uint32_t r : rows) {
        for (; next <= r; ++next)
            p.offsets[next] = n;
        for (std::int64_t k = source[r]; k < source[r + 1]; ++k) {
            p.from[static_cast<std::size_t>(n)] = k;
            n += keep[static_cast<std::size_t>(k)];
        }
    }
    for (; next <= events; ++next)
        p.offsets[next] = n;
    p.from.resize(static_cast<std::size_t>(n));
    return p;
}

void put_picked(Batch& batch, Picked&& picked, std::span<const ProductId> fields,
                std::span<const std::uint8_t> same, std::span<const ProductId> out_ids, bool index) {
    const auto rows = batch.rows();
    const auto& po = picked.offsets;
    const auto source = picked.source;
    const std::int64_t* from = picked.from.data();
    const std::size_t total = picked.from.size();
    for (std::size_t f = 0; f < fields.size(); ++f) {
        const io::Column& in = batch.get(fields[f]);
        io::Column out = new_column(batch, out_ids[f]);
        out.offsets = po;
        visit_type(in.type, [&]<class T>(std::type_identity<T>) {
            const T* src = in.as<T>().data();
            std::vector<T>& dst = out.mut<T>();
            dst.resize(total);
            if (same[f]) {
                for (std::size_t k = 0; k < total; ++k)
                    dst[k] = src[from[k]];
            } else {
                // Another layout (a product made for some rows only): the same object of the
                // event, found through the event's start in each layout.
                for (const std::uint32_t r : rows)
                    for (std::int64_t k = po[r]; k < po[r + 1]; ++k)
                        dst[static_cast<std::size_t>(k)] = src[from[k] - source[r] + in.offsets[r]];
            }
        });
        batch.put(out_ids[f], std::move(out));
    }
    io::Column count = new_column(batch, out_ids[fields.size()]);
    auto& n = count.mut<std::int32_t>();
    n.resize(batch.size());
    for (std::size_t r = 0; r < batch.size(); ++r)
        n[r] = static_cast<std::int32_t>(po[r + 1] - po[r]);
    batch.put(out_ids[fields.size()], std::move(count));
    if (index) {
        io::Column idx = new_column(batch, out_ids[fields.size() + 1]);
        auto& local = idx.mut<std::int32_t>();
        local.resize(total);
        for (const std::uint32_t r : rows)
            for (std::int64_t k = po[r]; k < po[r + 1]; ++k)
                local[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(from[k] - source[r]);
        idx.offsets = std::move(picked.offsets);
        batch.put(out_ids[fields.size() + 1], std::move(idx));
    }
}

io::Column new_column(const Batch& batch, ProductId id) {
    const ProductInfo& info = batch.schema().info(id);
    return io::Column::make(info.name, info.type);
}

} // namespace hepkit::events::lib
