#pragma once
// Shared by `hepkit root stats` and `hepkit root dump`: choosing branches by glob patterns and
// parsing an entry range `A:B`.

#include "hepkit/core/Error.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstdint>
#include <fnmatch.h>
#include <string>
#include <vector>

namespace hepkit::app {

/// The branches whose full name matches one of the comma-separated glob patterns (`Muon_*,nMuon`;
/// empty: all), in tree order. `keep` filters further (readable, numeric, ...). Throws UsageError
/// when a pattern matches no branch.
template <class Keep>
std::vector<std::string> select_branches(const io::Tree& tree, const std::string& patterns, Keep keep) {
    std::vector<std::string> globs;
    std::size_t start = 0;
    while (start <= patterns.size() && !patterns.empty()) {
        const std::size_t comma = patterns.find(',', start);
        const std::string p =
            patterns.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!p.empty())
            globs.push_back(p);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    std::vector<bool> used(globs.size(), false);
    std::vector<std::string> out;
    for (const auto& b : tree.branches()) {
        bool match = globs.empty();
        for (std::size_t g = 0; g < globs.size(); ++g)
            if (::fnmatch(globs[g].c_str(), b.name.c_str(), 0) == 0)
                match = true, used[g] = true;
        if (match && keep(b))
            out.push_back(b.name);
    }
    for (std::size_t g = 0; g < globs.size(); ++g)
        if (!used[g])
            throw UsageError("--branches",
                             "'" + globs[g] + "' matches no branch of tree '" + tree.name() + "'");
    return out;
}

/// `A:B`, `A:` or `:B` (entries [A, B) clamped to the tree), checked against `entries`.
inline std::pair<std::int64_t, std::int64_t> parse_entry_range(const std::string& text,
                                                               std::int64_t entries) {
    std::int64_t a = 0, b = entries;
    const auto colon = text.find(':');
    const auto number = [&](const std::string& s, std::int64_t fallback) -> std::int64_t {
        if (s.empty())
            return fallback;
        std::size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size() || v < 0)
            throw UsageError("--entries", "'" + text + "' is not a range A:B of entry numbers ≥ 0");
        return v;
    };
    if (colon == std::string::npos)
        throw UsageError("--entries", "'" + text + "' is not a range A:B (e.g. 0:1000)");
    a = number(text.substr(0, colon), 0);
    b = number(text.substr(colon + 1), entries);
    if (a > b || b > entries)
        throw UsageError("--entries",
                         "range " + text + " is outside the tree's 0:" + std::to_string(entries));
    return {a, b};
}

} // namespace hepkit::app
