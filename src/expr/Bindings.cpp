#include "hepkit/expr/Bindings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::expr {

std::size_t Bindings::declare(const std::string& name, Type type) {
    if (const auto slot = find(name)) {
        if (types_[*slot] != type)
            throw std::invalid_argument(fmt::format("binding '{}' is {}, cannot become {}", name,
                                                    type_name(types_[*slot]), type_name(type)));
        return *slot;
    }
    names_.push_back(name);
    types_.push_back(type);
    Value zero = is_array(type) ? Value::real(0) : Value::integer(0);
    zero.type = element_of(type);
    scalars_.push_back(zero);
    arrays_.emplace_back();
    return names_.size() - 1;
}

std::optional<std::size_t> Bindings::find(std::string_view name) const {
    const auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end())
        return std::nullopt;
    return static_cast<std::size_t>(it - names_.begin());
}

void Bindings::set(const std::string& name, Value v) {
    const auto slot = find(name);
    set(slot ? *slot : declare(name, v.type), v);
}

void Bindings::set(std::size_t slot, Value v) {
    const Type t = types_.at(slot);
    if (is_array(t) || (v.type != t && promote(v.type, t) != t))
        throw std::invalid_argument(fmt::format("binding '{}' is {}, cannot hold a {}", names_[slot],
                                                type_name(t), type_name(v.type)));
    if (v.type != t)
        v = t == Type::real ? Value::real(v.as_real()) : Value::integer(v.as_int());
    scalars_[slot] = v;
}

void Bindings::set(std::size_t slot, const ArrayView& v) {
    const Type t = types_.at(slot);
    if (t != array_of(v.element_type()))
        throw std::invalid_argument(fmt::format("binding '{}' is {}, cannot hold an {}", names_[slot],
                                                type_name(t), type_name(array_of(v.element_type()))));
    arrays_[slot] = v;
}

void EventBatch::add_column(const std::string& name, const ArrayView& values) {
    if (values.size() != events_)
        throw std::invalid_argument(
            fmt::format("column '{}' has {} values for a batch of {} events", name, values.size(), events_));
    const std::size_t slot = schema_.declare(name, values.element_type());
    columns_.resize(std::max(columns_.size(), slot + 1));
    columns_[slot] = {values, {}};
}

void EventBatch::add_jagged(const std::string& name, std::span<const std::uint64_t> offsets,
                            const ArrayView& content) {
    if (offsets.size() != events_ + 1)
        throw std::invalid_argument(
            fmt::format("jagged column '{}' has {} offsets for a batch of {} events (needs {})", name,
                        offsets.size(), events_, events_ + 1));
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i)
        if (offsets[i] > offsets[i + 1])
            throw std::invalid_argument(
                fmt::format("jagged column '{}': offsets decrease at event {} ({} > {})", name, i, offsets[i],
                            offsets[i + 1]));
    if (offsets.back() > content.size())
        throw std::invalid_argument(fmt::format("jagged column '{}': last offset {} beyond its {} values",
                                                name, offsets.back(), content.size()));
    const std::size_t slot = schema_.declare(name, array_of(content.element_type()));
    columns_.resize(std::max(columns_.size(), slot + 1));
    columns_[slot] = {content, offsets};
}

void EventBatch::fill(std::size_t event, Bindings& b) const {
    for (std::size_t slot = 0; slot < columns_.size(); ++slot) {
        const Column& c = columns_[slot];
        if (c.offsets.empty())
            b.set(slot, c.values[event]);
        else
            b.set(slot, c.values.slice(c.offsets[event], c.offsets[event + 1] - c.offsets[event]));
    }
}

} // namespace hepkit::expr
