#include "hepkit/core/ConfigReader.hpp"

#include "hepkit/core/Number.hpp"

#include "hepkit/core/Error.hpp"

#include "UniqueKeys.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <yaml-cpp/depthguard.h> // YAML::DeepRecursion (not in yaml.h of 0.7)
#include <yaml-cpp/yaml.h>

namespace hepkit::config {
namespace {

// Deeper nesting than any hepkit format uses; bounds the recursion of printing and converting.
constexpr int max_json_depth = 256;
// Values that one YAML-to-JSON conversion may produce: bounds alias expansion ("billion laughs").
constexpr std::size_t max_converted_values = 1000000;

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "", "cannot open file for reading");
    check_input_size(path, 64);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
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

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 2: "; keep the readable part, with bytes that are not UTF-8 replaced and long tails cut.
std::string json_error_text(const std::string& what) {
    std::string s = what;
    const auto bracket = s.find("] ");
    if (s.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos)
        s.erase(0, bracket + 2);
    for (auto& c : s)
        if (static_cast<unsigned char>(c) >= 0x80 || (static_cast<unsigned char>(c) < 0x20 && c != '\n'))
            c = '?';
    return shorten(s, 300);
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
        YAML::Node root = YAML::Load(text);
        detail::check_unique_yaml_keys(root, path);
        return root;
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
        nlohmann::json doc = nlohmann::json::parse(text);
        detail::check_unique_json_keys(text, path);
        return doc;
    } catch (const nlohmann::json::parse_error& e) {
        const int line = line_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
        // A YAML (or other non-JSON) file given where JSON is expected: say so instead of
        // echoing the parser's view of the first bytes.
        const auto first = text.find_first_not_of(" \t\r\n");
        const bool json_like = first != std::string::npos && (text[first] == '{' || text[first] == '[');
        if (!json_like)
            throw InputError(path, line, "",
                             "not a JSON file (JSON starts with '{' or '['; is it a YAML file? DCSim's "
                             "workload and dataset files are JSON, scenarios are YAML)");
        throw InputError(path, line, "", "JSON syntax error: " + json_error_text(e.what()));
    } catch (const nlohmann::json::exception& e) {
        // Thrown while parsing for values the parser cannot hold, e.g. "number overflow parsing
        // '1e309'" (out_of_range.406): name the literal and its line.
        const std::string what = e.what();
        const auto q1 = what.find('\'');
        const auto q2 = q1 == std::string::npos ? q1 : what.find('\'', q1 + 1);
        if (q1 != std::string::npos && q2 != std::string::npos) {
            const std::string literal = what.substr(q1 + 1, q2 - q1 - 1);
            const auto at = text.find(literal);
            throw InputError(path, at == std::string::npos ? 0 : line_of_offset(text, at), "",
                             describe_bad_number(literal));
        }
        throw InputError(path, 0, "", "cannot read JSON: " + json_error_text(what));
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
        // Only finite numbers become numbers: `NaN`, `.inf` or `1e400` stay text, so that every
        // reader rejects them the same way (JsonView::as_double names them).
        if (const auto d = parse_finite(text))
            return *d;
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

YamlView::YamlView(const YAML::Node& node, std::string file, std::string key)
    : node_(std::make_shared<const YAML::Node>(node)), file_(std::move(file)), key_(std::move(key)) {}

YamlView load_yaml_view(const std::string& path) {
    return {load_yaml_file(path), path};
}

bool YamlView::has(const std::string& name) const {
    return node_->IsMap() && (*node_)[name];
}
std::size_t YamlView::size() const {
    return node_->size();
}
bool YamlView::is_map() const {
    return node_->IsMap();
}
bool YamlView::is_sequence() const {
    return node_->IsSequence();
}

int YamlView::line() const {
    const auto mark = node_->Mark();
    return mark.line >= 0 ? mark.line + 1 : 0;
}

void YamlView::fail(const std::string& message) const {
    throw InputError(file_, line(), key_, message);
}

YamlView YamlView::at(const std::string& name) const {
    if (!node_->IsMap())
        fail(fmt::format("expected a map containing '{}'", name));
    YAML::Node child = (*node_)[name];
    if (!child)
        fail(fmt::format("missing required key '{}'", name));
    return {child, file_, detail::child_key(key_, name)};
}

YamlView YamlView::at(std::size_t index) const {
    if (!node_->IsSequence() || index >= node_->size())
        fail(fmt::format("expected a list with at least {} entries", index + 1));
    return {(*node_)[index], file_, fmt::format("{}[{}]", key_, index)};
}

std::string YamlView::as_string() const {
    if (!node_->IsScalar())
        fail("expected a single value");
    return node_->Scalar();
}

double YamlView::as_double() const {
    const std::string text = as_string();
    if (const auto v = parse_finite(text))
        return *v;
    fail(describe_bad_number(text));
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
        fail(fmt::format("'{}' is not an integer", shorten(text)));
    }
}

bool YamlView::as_bool() const {
    const std::string text = as_string();
    if (text == "true" || text == "yes" || text == "on" || text == "1")
        return true;
    if (text == "false" || text == "no" || text == "off" || text == "0")
        return false;
    fail(fmt::format("'{}' is not a boolean (true/false)", shorten(text)));
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
    if (!node_->IsMap())
        fail("expected a map");
    for (const auto& kv : *node_) {
        const std::string name = kv.first.Scalar();
        bool ok = false;
        std::string list;
        for (const char* a : allowed) {
            ok = ok || name == a;
            list += list.empty() ? a : std::string(", ") + a;
        }
        if (!ok)
            throw InputError(file_, static_cast<int>(kv.first.Mark().line + 1), detail::child_key(key_, name),
                             fmt::format("unknown key; allowed here: {}", list));
    }
}

void JsonView::fail(const std::string& message) const {
    throw InputError(file_, 0, key_, message);
}

JsonView JsonView::at(const std::string& name) const {
    if (!node_->is_object())
        fail(fmt::format("expected an object containing '{}'", name));
    auto it = node_->find(name);
    if (it == node_->end())
        fail(fmt::format("missing required key '{}'", name));
    return {*it, file_, detail::child_key(key_, name)};
}

std::string JsonView::as_string() const {
    if (!node_->is_string())
        fail(fmt::format("expected a string, got {}", show(*node_)));
    return node_->get<std::string>();
}

double JsonView::as_double() const {
    if (node_->is_string()) {
        const auto& text = node_->get_ref<const std::string&>();
        if (spells_non_finite(text) || is_out_of_range_number(text))
            fail(describe_bad_number(text));
    }
    if (!node_->is_number())
        fail(fmt::format("expected a number, got {}", show(*node_)));
    const double v = node_->get<double>();
    if (!std::isfinite(v)) // not from JSON text, but documents can be built in code
        fail("NaN and infinities are not allowed");
    return v;
}

long long JsonView::as_int() const {
    if (!node_->is_number_integer() && !node_->is_number_unsigned())
        fail(fmt::format("expected an integer, got {}", show(*node_)));
    if (node_->is_number_unsigned() &&
        node_->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<long long>::max()))
        fail(fmt::format("{} is too large", show(*node_)));
    return node_->get<long long>();
}

std::string show(const nlohmann::json& value) {
    // dump() throws type_error.316 on strings that are not UTF-8: replace such bytes instead.
    return shorten(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 120);
}

} // namespace hepkit::config
