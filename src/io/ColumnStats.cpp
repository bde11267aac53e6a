#include "hepkit/io/ColumnStats.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace hepkit::io {

namespace {
template <class T>
ColumnStats stats_of(const std::vector<T>& v) {
    ColumnStats s;
    s.n = v.size();
    s.integral = std::is_integral_v<T>;
    if (v.empty())
        return s;
    if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>) {
            std::int64_t exact = 0;
            bool ok = true;
            for (T x : v)
                ok = ok && !__builtin_add_overflow(exact, static_cast<std::int64_t>(x), &exact);
            if (ok)
                s.integer_sum = exact;
        } else {
            std::uint64_t exact = 0;
            bool ok = true;
            for (T x : v)
                ok = ok && !__builtin_add_overflow(exact, static_cast<std::uint64_t>(x), &exact);
            if (ok)
                s.unsigned_sum = exact;
        }
    }
    double sum = 0;
    T lo = v.front(), hi = v.front();
    for (T x : v) {
        sum += static_cast<double>(x);
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    s.sum = s.integer_sum    ? static_cast<double>(*s.integer_sum)
            : s.unsigned_sum ? static_cast<double>(*s.unsigned_sum)
                             : sum;
    s.min = static_cast<double>(lo);
    s.max = static_cast<double>(hi);
    return s;
}
} // namespace

std::optional<ColumnStats> column_stats(const Column& column) {
    return std::visit(
        [](const auto& v) -> std::optional<ColumnStats> {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                return std::nullopt;
            } else {
                return stats_of(v);
            }
        },
        column.values);
}

void merge_stats(ColumnStats& into, const ColumnStats& more) {
    if (more.n == 0)
        return;
    if (into.n == 0) {
        into = more;
        return;
    }
    into.n += more.n;
    into.min = std::min(into.min, more.min);
    into.max = std::max(into.max, more.max);
    if (into.integer_sum && more.integer_sum) {
        std::int64_t s = 0;
        if (__builtin_add_overflow(*into.integer_sum, *more.integer_sum, &s))
            into.integer_sum.reset();
        else
            into.integer_sum = s;
    } else {
        into.integer_sum.reset();
    }
    if (into.unsigned_sum && more.unsigned_sum) {
        std::uint64_t s = 0;
        if (__builtin_add_overflow(*into.unsigned_sum, *more.unsigned_sum, &s))
            into.unsigned_sum.reset();
        else
            into.unsigned_sum = s;
    } else {
        into.unsigned_sum.reset();
    }
    into.sum = into.integer_sum    ? static_cast<double>(*into.integer_sum)
               : into.unsigned_sum ? static_cast<double>(*into.unsigned_sum)
                                   : into.sum + more.sum;
}

} // namespace hepkit::io
