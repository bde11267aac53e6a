#include "hepkit/io/Column.hpp"

#include <array>
#include <atomic>
#include <stdexcept>

namespace hepkit::io {

namespace {
struct TypeInfo {
    std::string_view name;
    std::size_t size;
};
constexpr std::array<TypeInfo, 12> kTypes{{{"bool", 1},
                                           {"int8", 1},
                                           {"uint8", 1},
                                           {"int16", 2},
                                           {"uint16", 2},
                                           {"int32", 4},
                                           {"uint32", 4},
                                           {"int64", 8},
                                           {"uint64", 8},
                                           {"float32", 4},
                                           {"float64", 8},
                                           {"string", 0}}};

template <std::size_t I>
ColumnValues make_values(std::size_t index) {
    if constexpr (I < std::variant_size_v<ColumnValues>) {
        if (index == I)
            return ColumnValues(std::in_place_index<I>);
        return make_values<I + 1>(index);
    } else {
        throw std::logic_error("column type out of range");
    }
}
} // namespace

std::string_view column_type_name(ColumnType type) {
    return kTypes.at(static_cast<std::size_t>(type)).name;
}

std::size_t column_type_size(ColumnType type) {
    return kTypes.at(static_cast<std::size_t>(type)).size;
}

const std::vector<std::int64_t>& Offsets::vec() const {
    static const std::vector<std::int64_t> none;
    return p_ ? *p_ : none;
}

std::vector<std::int64_t>& Offsets::mut_shared() {
    if (!p_)
        p_ = std::make_shared<std::vector<std::int64_t>>();
    else if (p_.use_count() > 1) // shared: this column's own copy from here on
        p_ = std::make_shared<std::vector<std::int64_t>>(*p_);
    else // the other holder let go since mut() looked
        std::atomic_thread_fence(std::memory_order_acquire);
    return *p_;
}

void Offsets::set(std::vector<std::int64_t> v) {
    if (v.empty())
        p_.reset();
    else
        p_ = std::make_shared<std::vector<std::int64_t>>(std::move(v));
}

Column Column::make(std::string name, ColumnType type) {
    Column c;
    c.name = std::move(name);
    c.type = type;
    // Bool and UInt8 share the element type; the variant index keeps them apart.
    c.values = make_values<0>(static_cast<std::size_t>(type));
    return c;
}

std::size_t Column::size() const {
    return std::visit([](const auto& v) { return v.size(); }, values);
}

void fixed_to_jagged(Column& c) {
    if (c.jagged() || c.width <= 1)
        return;
    const std::size_t n = c.entries(), w = c.width;
    auto& offsets = c.offsets.mut();
    offsets.resize(n + 1);
    for (std::size_t i = 0; i <= n; ++i)
        offsets[i] = static_cast<std::int64_t>(i * w);
    c.width = 1;
}

std::size_t Column::entries() const {
    if (jagged())
        return offsets.size() - 1;
    return width == 0 ? 0 : size() / width;
}

double Column::value_as_double(std::size_t k) const {
    return std::visit(
        [&](const auto& v) -> double {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                throw std::logic_error("column " + name + " holds strings, not numbers");
            } else {
                return static_cast<double>(v.at(k));
            }
        },
        values);
}

} // namespace hepkit::io

namespace hepkit::io::detail {
void wrong_column_type(const Column& column) {
    throw std::logic_error("column " + column.name + " is " + std::string(column_type_name(column.type)) +
                           ", asked for another element type");
}
} // namespace hepkit::io::detail
