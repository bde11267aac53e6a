#include "hepkit/core/ConfigReader.hpp"

#include "hepkit/core/Number.hpp"

#include "hepkit/core/Error.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <yaml-cpp/depthguard.h> // YAML::DeepRecursion (not in yaml.h of 0.7)

namespace hepkit::config {
namespace {

std::string child_key(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
}

// Configuration documents are small; the bound keeps a wrong path (a data file, /dev/zero) or a
// hostile document from taking the parser's memory (yaml-cpp holds ~20x the text in nodes).
constexpr std::size_t max_document_bytes = 64u << 20;
// Deeper nesting than any hepkit format uses; bounds the recursion of printing and converting.
constexpr int max_json_depth = 256;
// Values that one YAML-to-JSON conversion may produce: bounds alias expansion ("billion laughs").
constexpr std::size_t max_converted_values = 1000000;

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "", "cannot open file for reading");
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_document_bytes)
            throw InputError(path, 0, "",
                             fmt::format("file larger than {} MiB; is it really a YAML/JSON configuration?",
                                         max_document_bytes >> 20));
    }
    return text;
}

// nlohmann's parser is iterative, but printing and converting values recurse: refuse deeper
// nesting before parsing, naming the line.
void check_json_nesting(const std::string& path, const std::string& text) {
    int depth = 0, line = 1;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (c == '\n')
            ++line;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_json_depth)
                throw InputError(path, line, "",
                                 fmt::format("JSON nested deeper than {} levels", max_json_depth));
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

int line_of_offset(const std::string& text, std::size_t offset) {
    int line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if (text[i] == '\n')
            ++line;
    return line;
}

} // namespace

YAML::Node load_yaml_file(const std::string& path) {
    const std::string text = read_whole(path);
    try {
        return YAML::Load(text);
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's own bound (its message is a bare "bad file")
        throw InputError(path, e.mark.line + 1, "", "YAML nested too deeply (more than about 500 levels)");
    } catch (const YAML::ParserException& e) {
        throw InputError(path, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
    }
}

nlohmann::json load_json_file(const std::string& path) {
    const std::string text = read_whole(path);
    check_json_nesting(path, text);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(path, line_of_offset(text, e.byte == 0 ? 0 : e.byte - 1), "",
                         std::string("JSON syntax error: ") + e.what());
    } catch (const nlohmann::json::out_of_range& e) {
        // a number beyond double's range (1e309): the library names the literal but not where it is
        // (found by fuzzing: it escaped as a non-InputError)
        const std::string what = e.what();
        const auto open = what.find('\''), close = what.rfind('\'');
        const std::string literal = open < close ? what.substr(open + 1, close - open - 1) : "";
        const auto at = literal.empty() ? std::string::npos : text.find(literal);
        throw InputError(path, at == std::string::npos ? 0 : line_of_offset(text, at), "",
                         fmt::format("number '{}' is out of range (beyond +-1.8e308)", literal));
    }
}

namespace {

// YAML aliases make the node graph a DAG (an alias bomb) or even a cycle (`&a [*a]`): the
// conversion bounds its depth and the number of values it produces.
struct Conversion {
    const std::string& file;
    std::size_t values = 0;
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        throw InputError(file, node.Mark().line >= 0 ? node.Mark().line + 1 : 0, "", message);
    }
};

nlohmann::json to_json(const YAML::Node& node, Conversion& conv, int depth) {
    if (depth > max_json_depth)
        conv.fail(node, fmt::format("nested deeper than {} levels (a recursive alias?)", max_json_depth));
    if (++conv.values > max_converted_values)
        conv.fail(node, fmt::format("more than {} values (aliases expanding without bound?)",
                                    max_converted_values));
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& kv : node)
            out[kv.first.Scalar()] = to_json(kv.second, conv, depth + 1);
        return out;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : node)
            out.push_back(to_json(item, conv, depth + 1));
        return out;
    }
    case YAML::NodeType::Scalar: {
        const std::string& text = node.Scalar();
        if (node.Tag() == "!") // quoted: always a string
            return text;
        std::size_t used = 0;
        try {
            const long long i = std::stoll(text, &used);
            if (used == text.size())
                return i;
        } catch (const std::exception&) {
        }
        try {
            const double d = std::stod(text, &used);
            // NaN/inf stay text (and fail as "not a number" where a number is read), as JSON's
            // "nan" does: an accepted NaN made distribution sampling loop forever (fuzzing)
            if (used == text.size() && std::isfinite(d))
                return d;
        } catch (const std::exception&) {
        }
        if (text == "true")
            return true;
        if (text == "false")
            return false;
        return text;
    }
    default:
        return nullptr;
    }
}

} // namespace

nlohmann::json to_json(const YAML::Node& node, const std::string& file) {
    Conversion conv{file};
    return to_json(node, conv, 0);
}

int YamlView::line() const {
    const auto mark = node_.Mark();
    return mark.line >= 0 ? mark.line + 1 : 0;
}

void YamlView::fail(const std::string& message) const {
    throw InputError(file_, line(), key_, message);
}

YamlView YamlView::at(const std::string& name) const {
    if (!node_.IsMap())
        fail(fmt::format("expected a map containing '{}'", name));
    YAML::Node child = node_[name];
    if (!child)
        fail(fmt::format("missing required key '{}'", name));
    return {child, file_, child_key(key_, name)};
}

YamlView YamlView::at(std::size_t index) const {
    if (!node_.IsSequence() || index >= node_.size())
        fail(fmt::format("expected a list with at least {} entries", index + 1));
    return {node_[index], file_, fmt::format("{}[{}]", key_, index)};
}

std::string YamlView::as_string() const {
    if (!node_.IsScalar())
        fail("expected a single value");
    return node_.Scalar();
}

double YamlView::as_double() const {
    const std::string text = as_string();
    if (const auto v = parse_finite(text))
        return *v;
    fail(fmt::format("'{}' is not a number", text));
}

long long YamlView::as_int() const {
    const std::string text = as_string();
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used != text.size())
            throw std::invalid_argument("trailing");
        return v;
    } catch (const std::exception&) {
        fail(fmt::format("'{}' is not an integer", text));
    }
}

bool YamlView::as_bool() const {
    const std::string text = as_string();
    if (text == "true" || text == "yes" || text == "on" || text == "1")
        return true;
    if (text == "false" || text == "no" || text == "off" || text == "0")
        return false;
    fail(fmt::format("'{}' is not a boolean (true/false)", text));
}

double YamlView::as_quantity(units::Kind kind) const {
    const std::string text = as_string();
    try {
        return units::parse(text, kind);
    } catch (const std::invalid_argument& e) {
        fail(e.what());
    }
}

void YamlView::check_keys(std::initializer_list<const char*> allowed) const {
    if (!node_.IsMap())
        fail("expected a map");
    for (const auto& kv : node_) {
        const std::string name = kv.first.Scalar();
        bool ok = false;
        std::string list;
        for (const char* a : allowed) {
            ok = ok || name == a;
            list += list.empty() ? a : std::string(", ") + a;
        }
        if (!ok)
            throw InputError(file_, static_cast<int>(kv.first.Mark().line + 1), child_key(key_, name),
                             fmt::format("unknown key; allowed here: {}", list));
    }
}

namespace {
// A value as it appears in an error message: invalid UTF-8 replaced (dump() would throw
// type_error.316, a fuzzing finding) and long values cut.
std::string shown(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > 80)
        text = text.substr(0, 77) + "...";
    return text;
}
} // namespace

void JsonView::fail(const std::string& message) const {
    throw InputError(file_, 0, key_, message);
}

JsonView JsonView::at(const std::string& name) const {
    if (!node_->is_object())
        fail(fmt::format("expected an object containing '{}'", name));
    auto it = node_->find(name);
    if (it == node_->end())
        fail(fmt::format("missing required key '{}'", name));
    return {*it, file_, child_key(key_, name)};
}

std::string JsonView::as_string() const {
    if (!node_->is_string())
        fail(fmt::format("expected a string, got {}", shown(*node_)));
    return node_->get<std::string>();
}

double JsonView::as_double() const {
    if (!node_->is_number())
        fail(fmt::format("expected a number, got {}", shown(*node_)));
    return node_->get<double>();
}

long long JsonView::as_int() const {
    if (!node_->is_number_integer() && !node_->is_number_unsigned())
        fail(fmt::format("expected an integer, got {}", shown(*node_)));
    return node_->get<long long>();
}

} // namespace hepkit::config
