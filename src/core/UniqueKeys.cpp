// Keys written twice (UniqueKeys.hpp).
//
// YAML requires a mapping's keys to be unique (YAML 1.2, section 3.2.1.1) and JSON asks for unique
// names (RFC 8259, section 4), but the parsers keep going: yaml-cpp keeps every pair and a look-up
// finds the first, PyYAML (kafe2's reader) and nlohmann keep the last. A key written twice would
// silently lose one of its values, and the same file would mean different things to two tools:
// refused, naming the key's place, its line and the first one's.
#include "UniqueKeys.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <cstddef>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace hepkit::config::detail {

std::string child_key(const std::string& parent, std::string_view name) {
    const std::string shown = name.empty() ? std::string("\"\"") : std::string(name);
    return parent.empty() ? shown : parent + "." + shown;
}

namespace {

// A key as an error shows it: control characters (a terminal's escapes, a NUL that would cut the
// message, a block scalar's line breaks) as '?', long keys shortened.
std::string printable(std::string_view text) {
    std::string s = shorten(text, 80);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return s;
}

[[noreturn]] void twice(const std::string& path, int line, const std::string& key, std::string_view name,
                        int first_line, const char* language, const char* container) {
    throw InputError(
        path, line, printable(key),
        fmt::format("key '{}' appears twice in the same {} (first on line {}); {} requires unique "
                    "keys: keep one",
                    printable(name), container, first_line, language));
}

// The keys seen in one map or object with their lines: a list searched in order while short (most
// maps of a configuration hold a few keys), a hash table beyond.
class Seen {
  public:
    /// The line of an earlier `name`, or 0 after recording this one.
    int add(std::string_view name, int line) {
        if (table_.empty()) {
            for (const auto& [n, l] : list_)
                if (n == name)
                    return l;
            list_.emplace_back(std::string(name), line);
            if (list_.size() > kListMax) {
                for (auto& [n, l] : list_)
                    table_.emplace(std::move(n), l);
                list_.clear();
            }
            return 0;
        }
        const auto [it, fresh] = table_.emplace(std::string(name), line);
        return fresh ? 0 : it->second;
    }

  private:
    static constexpr std::size_t kListMax = 16;
    std::vector<std::pair<std::string, int>> list_;
    std::unordered_map<std::string, int> table_;
};

// Where a node sits, built into a key only for an error (a string per node would cost more than
// the check): a map's key or a list's index, and the parent's place.
struct Place {
    const Place* parent = nullptr;
    std::string_view name;
    std::size_t index = 0;
    bool in_list = false;

    std::string key() const {
        if (!parent)
            return "";
        const std::string up = parent->key();
        return in_list ? fmt::format("{}[{}]", up, index) : child_key(up, name);
    }
};

// Keys compared as written (the scalar's text: `1` and `1.0` differ, `a` and `"a"` do not);
// complex keys (a list or map as a key) are not compared. An alias refers to a node already
// checked: each map and list is visited once (by its position in the text), so an alias bomb or
// a recursive alias costs no more than its text.
struct YamlCheck {
    const std::string& path;
    std::unordered_set<std::size_t> visited; // positions of the maps and lists checked
};

void check_yaml(const YAML::Node& node, YamlCheck& check, const Place& place) {
    if (!node.IsMap() && !node.IsSequence())
        return;
    if (!check.visited.insert(node.Mark().pos).second)
        return;
    if (node.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : node)
            check_yaml(item, check, Place{&place, {}, i++, true});
        return;
    }
    Seen seen;
    for (const auto& kv : node) {   // one pass: yaml-cpp's iteration is the check's main cost
        if (!kv.first.IsScalar()) { // a list or map as a key: not compared, its value checked
            check_yaml(kv.second, check, Place{&place, "?"});
            continue;
        }
        const std::string& name = kv.first.Scalar();
        const int line = kv.first.Mark().line + 1;
        if (const int first = seen.add(name, line))
            twice(check.path, line, Place{&place, name}.key(), name, first, "YAML", "map");
        check_yaml(kv.second, check, Place{&place, name});
    }
}

} // namespace

void check_unique_yaml_keys(const YAML::Node& root, const std::string& path) {
    YamlCheck check{path, {}};
    check_yaml(root, check, Place{});
}

// One pass over the text (a document that parsed, so its structure is valid): strings are skipped
// whole, a string followed by `:` is a key of the innermost object, a comma moves the innermost
// array to its next element. Linear in the text, with each key's own line. (nlohmann's parser
// callback gives no position, and its callback parser costs quadratic time in the entries of a
// container: a 32 MB workload file took 42 s instead of 0.6.)
void check_unique_json_keys(const std::string& text, const std::string& path) {
    struct Frame {
        bool object = false;
        Seen seen;
        std::string current;   // the key whose value is being read (objects)
        std::size_t index = 0; // the element being read (arrays)
    };
    std::vector<Frame> frames;
    auto place = [&frames] {
        std::string key;
        for (const Frame& f : frames)
            key = f.object ? child_key(key, f.current) : fmt::format("{}[{}]", key, f.index);
        return key;
    };
    int line = 1;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        switch (text[i]) {
        case '\n':
            ++line;
            break;
        case '{':
        case '[':
            frames.emplace_back().object = text[i] == '{';
            break;
        case '}':
        case ']':
            if (!frames.empty())
                frames.pop_back();
            break;
        case ',':
            if (!frames.empty() && !frames.back().object)
                ++frames.back().index;
            break;
        case '"': {
            std::size_t end = i + 1;
            bool escapes = false;
            for (; end < n && text[end] != '"'; ++end)
                if (text[end] == '\\') {
                    escapes = true;
                    ++end;
                }
            const std::size_t after = text.find_first_not_of(" \t\r\n", end + 1);
            if (!frames.empty() && frames.back().object && after != std::string::npos && text[after] == ':') {
                Frame& f = frames.back();
                const std::string_view raw(text.data() + i + 1, std::min(end, n) - i - 1);
                f.current = escapes ? nlohmann::json::parse(text.substr(i, end - i + 1)).get<std::string>()
                                    : std::string(raw);
                if (const int first = f.seen.add(f.current, line))
                    twice(path, line, place(), f.current, first, "JSON", "object");
            }
            i = end; // the closing quote (a string holds no raw line break)
            break;
        }
        default:
            break;
        }
    }
}

} // namespace hepkit::config::detail
