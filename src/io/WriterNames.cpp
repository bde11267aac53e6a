#include "WriterNames.hpp"

#include <stdexcept>

namespace hepkit::io::detail {

namespace {
constexpr std::size_t kMaxName = 1000;

std::string shown(std::string_view name) {
    std::string s;
    for (const char c : name.substr(0, 80)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            static const char* hex = "0123456789abcdef";
            s += "\\x";
            s += hex[u >> 4];
            s += hex[u & 15];
        } else {
            s += c;
        }
    }
    return "'" + s + (name.size() > 80 ? "...'" : "'");
}
} // namespace

void check_key_name(std::string_view name, std::string_view what) {
    std::string w(what);
    if (name.empty())
        throw std::invalid_argument(w + ": empty name (ROOT keys need a name)");
    if (name.size() > kMaxName)
        throw std::invalid_argument(w + " " + shown(name) + ": " + std::to_string(name.size()) +
                                    " characters, at most 1000 allowed");
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f || c == '/' || c == ';') {
            std::string m = w;
            m.append(" ").append(shown(name)).append(": character ").append(shown(std::string_view(&c, 1)));
            m.append(
                " not allowed (printable ASCII without '/' and ';', which ROOT paths use for directories "
                "and cycles)");
            throw std::invalid_argument(m);
        }
    }
}

void check_branch_name(std::string_view name) {
    if (name.empty())
        throw std::invalid_argument("column with an empty name: a branch needs a name");
    if (name.size() > kMaxName)
        throw std::invalid_argument("column " + shown(name) + ": name longer than 1000 characters");
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    bool ok = alpha(name[0]);
    for (std::size_t i = 1; ok && i < name.size(); ++i)
        ok = alpha(name[i]) || digit(name[i]) || name[i] == '.';
    if (!ok)
        throw std::invalid_argument(
            "column " + shown(name) +
            ": not a name a ROOT branch can hold; allowed: a letter or '_' then letters, "
            "digits, '_' or '.' (leaf lists and TTree::Draw parse the name)");
}

} // namespace hepkit::io::detail
