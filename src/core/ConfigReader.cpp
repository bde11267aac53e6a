#include "hepkit/core/ConfigReader.hpp"

#include "hepkit/core/Number.hpp"

#include "hepkit/core/Error.hpp"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace hepkit::config {
namespace {

std::string child_key(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
}

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, 0, "", "cannot open file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
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
    } catch (const YAML::ParserException& e) {
        throw InputError(path, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
    }
}

nlohmann::json load_json_file(const std::string& path) {
    const std::string text = read_whole(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(path, line_of_offset(text, e.byte == 0 ? 0 : e.byte - 1), "",
                         std::string("JSON syntax error: ") + e.what());
    }
}

nlohmann::json to_json(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& kv : node)
            out[kv.first.Scalar()] = to_json(kv.second);
        return out;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : node)
            out.push_back(to_json(item));
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
            if (used == text.size())
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
        fail(fmt::format("expected a string, got {}", node_->dump()));
    return node_->get<std::string>();
}

double JsonView::as_double() const {
    if (!node_->is_number())
        fail(fmt::format("expected a number, got {}", node_->dump()));
    return node_->get<double>();
}

long long JsonView::as_int() const {
    if (!node_->is_number_integer() && !node_->is_number_unsigned())
        fail(fmt::format("expected an integer, got {}", node_->dump()));
    return node_->get<long long>();
}

} // namespace hepkit::config
