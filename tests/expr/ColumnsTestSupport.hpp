#pragma once
// What the columnar-evaluation tests share (ColumnsTest.cpp, ColumnsCrossCheckTest.cpp): batches of
// columns with their expr views, the per-event reference evaluation through Bindings filled by the
// test itself, and the bit-exact comparison of results.

#include "hepkit/core/Error.hpp"
#include "hepkit/expr/Columns.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <thread>

namespace columns_test {

using namespace hepkit;
using namespace hepkit::expr;

inline std::vector<std::uint32_t> all_rows(std::size_t n) {
    std::vector<std::uint32_t> r(n);
    for (std::size_t i = 0; i < n; ++i)
        r[i] = static_cast<std::uint32_t>(i);
    return r;
}

// A batch of named columns, kept alive by the fixture; views in the order of the schema.
struct Batch {
    std::size_t events = 0;
    Bindings schema;
    std::vector<ColumnView> views;
    std::vector<std::shared_ptr<void>> keep;

    template <class T>
    void flat(const std::string& name, std::vector<T> v) {
        auto p = std::make_shared<std::vector<T>>(std::move(v));
        keep.push_back(p);
        add(name, view_of(*p), {});
    }
    template <class T>
    void jagged(const std::string& name, std::vector<std::int64_t> offsets, std::vector<T> v) {
        auto p = std::make_shared<std::vector<T>>(std::move(v));
        auto o = std::make_shared<std::vector<std::int64_t>>(std::move(offsets));
        keep.push_back(p);
        keep.push_back(o);
        add(name, view_of(*p), *o);
    }
    template <class T>
    static ArrayView view_of(const std::vector<T>& v) {
        if constexpr (std::is_same_v<T, bool>)
            static_assert(!std::is_same_v<T, bool>, "store bools as Bool");
        else
            return ArrayView(std::span<const T>(v));
    }
    void add(const std::string& name, ArrayView values, std::span<const std::int64_t> offsets) {
        const Type t = offsets.empty() ? values.element_type() : array_of(values.element_type());
        const std::size_t slot = schema.declare(name, t);
        views.resize(slot + 1);
        views[slot] = ColumnView{values, offsets};
    }
    // Bools as uint8_t 0/1 (hepkit::io's layout), bound through ArrayView::booleans.
    void flat_bool(const std::string& name, std::vector<std::uint8_t> v) {
        auto p = std::make_shared<std::vector<std::uint8_t>>(std::move(v));
        keep.push_back(p);
        add(name, ArrayView::booleans(*p), {});
    }
    void jagged_bool(const std::string& name, std::vector<std::int64_t> offsets,
                     std::vector<std::uint8_t> v) {
        auto p = std::make_shared<std::vector<std::uint8_t>>(std::move(v));
        auto o = std::make_shared<std::vector<std::int64_t>>(std::move(offsets));
        keep.push_back(p);
        keep.push_back(o);
        add(name, ArrayView::booleans(*p), *o);
    }
};

// The reference: Expression::evaluate on each row in order, with the message a batch gives.
struct Reference {
    ColumnResult result;
    std::string error; // what() of the first error, empty if none
};

inline Reference reference(const Expression& e, const Batch& b, std::span<const std::uint32_t> rows,
                           std::int64_t first_entry) {
    Reference ref;
    ColumnResult& r = ref.result;
    r.type = e.type();
    r.events = b.events;
    const bool array = is_array(e.type());
    if (array)
        r.offsets.assign(b.events + 1, 0);
    else if (e.type() == Type::boolean)
        r.bools.assign(b.events, 0);
    else if (e.type() == Type::integer)
        r.ints.assign(b.events, 0);
    else
        r.reals.assign(b.events, 0);
    Bindings ev = b.schema;
    std::vector<std::vector<Value>> per_event(b.events);
    for (const std::uint32_t row : rows) {
        try {
            for (std::size_t s = 0; s < b.views.size(); ++s) {
                const ColumnView& c = b.views[s];
                if (c.jagged())
                    ev.set(s, c.values.slice(static_cast<std::size_t>(c.offsets[row]),
                                             static_cast<std::size_t>(c.offsets[row + 1] - c.offsets[row])));
                else
                    ev.set(s, c.values[row]);
            }
            if (array) {
                e.evaluate(ev, per_event[row]);
                continue;
            }
            const Value v = e.evaluate(ev);
            if (v.type == Type::boolean)
                r.bools[row] = v.b;
            else if (v.type == Type::integer)
                r.ints[row] = v.i;
            else
                r.reals[row] = v.r;
        } catch (const InputError& x) {
            std::string file = x.file(), key = x.key();
            int line = x.line();
            if (key.empty()) { // an element that could not be read: the expression names it
                key = e.text();
                line = 0;
                file = "";
            }
            ref.error = InputError(file, line, key,
                                   x.message() + " (event " +
                                       std::to_string(static_cast<std::int64_t>(row) + first_entry) + ")")
                            .what();
            return ref;
        }
    }
    if (array)
        for (std::size_t i = 0; i < b.events; ++i) {
            for (const Value& v : per_event[i]) {
                if (v.type == Type::boolean)
                    r.bools.push_back(v.b);
                else if (v.type == Type::integer)
                    r.ints.push_back(v.i);
                else
                    r.reals.push_back(v.r);
            }
            r.offsets[i + 1] = static_cast<std::int64_t>(r.bools.size() + r.ints.size() + r.reals.size());
        }
    return ref;
}

inline bool same_real(double a, double b) {
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); // also the sign of 0
}

// Empty when equal, else the first difference.
inline std::string difference(const ColumnResult& want, const ColumnResult& got) {
    if (want.type != got.type)
        return std::string("type ") + type_name(got.type) + ", want " + type_name(want.type);
    if (want.events != got.events)
        return std::string("events ").append(std::to_string(got.events));
    if (want.offsets != got.offsets)
        return "offsets differ";
    if (want.bools != got.bools)
        return "bools differ";
    if (want.ints != got.ints) {
        for (std::size_t k = 0; k < std::min(want.ints.size(), got.ints.size()); ++k)
            if (want.ints[k] != got.ints[k])
                return std::string("int ")
                    .append(std::to_string(k))
                    .append(": ")
                    .append(std::to_string(got.ints[k]))
                    .append(", want ")
                    .append(std::to_string(want.ints[k]));
        return "ints differ in size";
    }
    if (want.reals.size() != got.reals.size())
        return "reals differ in size";
    for (std::size_t k = 0; k < want.reals.size(); ++k)
        if (!same_real(want.reals[k], got.reals[k]))
            return std::string("real ")
                .append(std::to_string(k))
                .append(": ")
                .append(std::to_string(got.reals[k]))
                .append(", want ")
                .append(std::to_string(want.reals[k]));
    return "";
}

} // namespace columns_test
