#pragma once
/// @file
/// One table per enum: the names of its values, read by parsers (scenario files, the command
/// line, scans), written by printers (logs, traces, summaries) and listed by CLI checks, so
/// that a new value is one line in its table and every error lists the allowed names.
///
///     inline constexpr auto evictions = make_enum_table<Eviction>(
///         "eviction policy", {{"lru", Eviction::lru}, {"fifo", Eviction::fifo}});
///     evictions.parse("mru"); // throws: 'mru' is not an eviction policy (allowed: lru, fifo)
///
/// An entry marked `alias` is accepted by parse() but never printed or listed (an older
/// spelling kept for compatibility).

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit {

template <class E>
struct EnumName {
    std::string_view name;
    E value;
    bool alias = false; ///< accepted when parsing, never printed
};

template <class E, std::size_t N>
class EnumTable {
  public:
    constexpr EnumTable(std::string_view what, const std::array<EnumName<E>, N>& entries)
        : what_(what), entries_(entries) {}

    /// The value named `name`, or nothing.
    constexpr std::optional<E> find(std::string_view name) const {
        for (const auto& e : entries_)
            if (e.name == name)
                return e.value;
        return std::nullopt;
    }
    /// The value named `name`; throws std::invalid_argument
    /// "'NAME' is not a(n) WHAT (allowed: a, b, c)".
    E parse(std::string_view name) const {
        if (const auto v = find(name))
            return *v;
        const bool vowel =
            !what_.empty() && std::string_view("aeiou").find(what_[0]) != std::string_view::npos;
        throw std::invalid_argument("'" + std::string(name) + "' is not " + (vowel ? "an " : "a ") +
                                    std::string(what_) + " (allowed: " + allowed() + ")");
    }
    /// The printed name of `value` (its first entry that is not an alias).
    constexpr std::string_view name(E value) const {
        for (const auto& e : entries_)
            if (!e.alias && e.value == value)
                return e.name;
        return "?";
    }
    /// The names a user may give, in table order (aliases left out).
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : entries_)
            if (!e.alias)
                out.emplace_back(e.name);
        return out;
    }
    /// names() joined by ", " (for messages and help texts).
    std::string allowed() const {
        std::string out;
        for (const auto& e : entries_)
            if (!e.alias)
                out += (out.empty() ? "" : ", ") + std::string(e.name);
        return out;
    }
    /// What the enum is, for messages ("dispatcher policy").
    constexpr std::string_view what() const { return what_; }

  private:
    std::string_view what_;
    std::array<EnumName<E>, N> entries_;
};

/// Builds a table; N is deduced from the braced list of entries.
template <class E, std::size_t N>
constexpr EnumTable<E, N> make_enum_table(std::string_view what, const EnumName<E> (&entries)[N]) {
    std::array<EnumName<E>, N> a{};
    for (std::size_t i = 0; i < N; ++i)
        a[i] = entries[i];
    return EnumTable<E, N>(what, a);
}

} // namespace hepkit
