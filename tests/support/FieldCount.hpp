#pragma once
// The number of fields of an aggregate struct, counted by the compiler: the largest N for which
// `T{x1, ..., xN}` compiles with values x that convert to any type (the technique of
// Boost.PFR). Tests compare it with the fields a parameter registry covers, so that a field added
// to a config struct without its registration line fails a test.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace hepkit::test {

namespace detail {
struct AnyField {
    template <class T>
    operator T() const; // never defined: used in unevaluated operands only
};
template <class T, std::size_t... I>
constexpr bool braces_take(std::index_sequence<I...>) {
    return requires {
        T{(void(I), AnyField{})...};
    };
}
} // namespace detail

/// Fields of the aggregate T (a class with base classes or more than 64 fields is not supported).
template <class T, std::size_t N = 0>
constexpr std::size_t field_count() {
    static_assert(std::is_aggregate_v<T>, "field_count needs an aggregate");
    if constexpr (N > 64 || !detail::braces_take<T>(std::make_index_sequence<N + 1>{}))
        return N;
    else
        return field_count<T, N + 1>();
}

} // namespace hepkit::test
