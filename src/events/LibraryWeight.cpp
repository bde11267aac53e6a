// event_weight (Library.hpp): the product of numbers and products, float64.
#include "LibrarySupport.hpp"

#include <cmath>

namespace hepkit::events {

EventWeight::EventWeight(StepPlace place, Config config)
    : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.factors.empty())
        lib::fail(this->place(), "factors", "needs at least one factor (a number or a product name)");
    constant_ = 1;
    for (const NumberOrProduct& f : config_.factors) {
        if (f.is_product())
            continue;
        if (!std::isfinite(f.number))
            lib::fail(this->place(), "factors", "a factor must be a finite number or a product name");
        constant_ *= f.number;
    }
    config_.output = lib::output_or_name(this->place(), config_.output);
}

EventWeight::Config EventWeight::parse(const StepConfig& config) {
    lib::check_keys(config, {"factors", "output"});
    const config::YamlView& y = config.yaml;
    Config c;
    const config::YamlView list = y.at("factors");
    if (list.is_sequence()) {
        if (list.size() == 0)
            list.fail("expected a list of numbers and product names, got an empty list");
        for (std::size_t i = 0; i < list.size(); ++i)
            c.factors.push_back(lib::read_number_or_product(list.at(i)));
    } else {
        c.factors.push_back(lib::read_number_or_product(list));
    }
    c.output = lib::read_string(y, "output");
    return c;
}

std::vector<std::string> EventWeight::inputs() const {
    std::vector<std::string> names;
    for (const NumberOrProduct& f : config_.factors)
        if (f.is_product())
            names.push_back(f.product);
    return names;
}

std::vector<ProductInfo> EventWeight::declare(const Schema& schema) {
    ids_.clear();
    for (const NumberOrProduct& f : config_.factors)
        if (f.is_product())
            ids_.push_back(lib::need(schema, place(), f.product, lib::Shape::either));
    return {lib::make_output(schema, place(), config_.output, io::ColumnType::Float64, false)};
}

void EventWeight::outputs_declared(std::span<const ProductId> ids) {
    out_id_ = ids.front();
}

void EventWeight::produce(Batch& batch) const {
    const auto rows = batch.rows();
    io::Column out = lib::new_column(batch, *out_id_);
    auto& w = out.mut<double>();
    w.assign(batch.size(), 0.0);
    for (const std::uint32_t r : rows)
        w[r] = constant_;
    for (const ProductId id : ids_) {
        const io::Column& c = batch.get(id);
        lib::visit_type(c.type, [&]<class T>(std::type_identity<T>) {
            const T* v = c.as<T>().data();
            if (c.jagged()) {
                // Per-object factors (scale factors of each selected lepton): their product.
                for (const std::uint32_t r : rows) {
                    double p = 1;
                    for (std::int64_t k = c.offsets[r]; k < c.offsets[r + 1]; ++k)
                        p *= static_cast<double>(v[k]);
                    w[r] *= p;
                }
            } else {
                for (const std::uint32_t r : rows)
                    w[r] *= static_cast<double>(v[r]);
            }
        });
    }
    batch.put(*out_id_, std::move(out));
}

} // namespace hepkit::events
