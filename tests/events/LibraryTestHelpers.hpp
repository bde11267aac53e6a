#pragma once
// Small hand-made batches for the library producer tests: columns from literal lists, a schema
// of inputs, and running a producer through declare → outputs_declared → produce as the runner
// does.

#include "hepkit/events/Library.hpp"
#include "hepkit/events/Products.hpp"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace hepkit::events::testing {

template <class T>
io::Column scalar(const std::string& name, io::ColumnType type, std::vector<T> values) {
    io::Column c = io::Column::make(name, type);
    c.mut<T>() = std::move(values);
    return c;
}

template <class T>
io::Column jagged(const std::string& name, io::ColumnType type, const std::vector<std::vector<T>>& events) {
    io::Column c = io::Column::make(name, type);
    c.offsets.push_back(0);
    for (const auto& e : events) {
        c.mut<T>().insert(c.mut<T>().end(), e.begin(), e.end());
        c.offsets.push_back(static_cast<std::int64_t>(c.mut<T>().size()));
    }
    return c;
}

inline io::Column f32(const std::string& name, const std::vector<std::vector<float>>& events) {
    return jagged<float>(name, io::ColumnType::Float32, events);
}
inline io::Column f64(const std::string& name, const std::vector<std::vector<double>>& events) {
    return jagged<double>(name, io::ColumnType::Float64, events);
}

/// Input columns → schema → producers declared in order → a batch with the inputs put.
class Fixture {
  public:
    explicit Fixture(std::vector<io::Column> inputs) : inputs_(std::move(inputs)) {
        for (const auto& c : inputs_)
            schema_.add(ProductInfo{c.name, c.type, c.jagged()}, "branch of the input");
    }
    Schema& schema() { return schema_; }
    /// Declares the producer's outputs (after the inputs and earlier producers).
    void declare(Producer& p) {
        std::vector<ProductId> ids;
        for (auto& info : p.declare(schema_))
            ids.push_back(schema_.add(std::move(info), std::string("producer ").append(p.name())));
        p.outputs_declared(ids);
        producers_.push_back(&p);
    }
    /// A batch of all events with the inputs, narrowed to `pass` when given, after which every
    /// declared producer runs.
    Batch run(const std::vector<std::uint8_t>& pass = {}) {
        const std::size_t events = inputs_.front().entries();
        Batch batch(schema_, 1000, events);
        for (const auto& c : inputs_)
            batch.put(*schema_.find(c.name), c);
        if (!pass.empty())
            batch.narrow(pass);
        for (Producer* p : producers_)
            p->produce(batch);
        return batch;
    }

  private:
    std::vector<io::Column> inputs_;
    Schema schema_;
    std::vector<Producer*> producers_;
};

inline StepPlace place(const std::string& name) {
    return StepPlace{"producer", name, "", 0};
}

/// A step's YAML as the configuration reader hands it over (file run.yaml, key producers[0]).
inline StepConfig step_config(const std::string& yaml, const std::string& name = "step") {
    return StepConfig{StepPlace{"producer", name, "run.yaml", 3},
                      config::YamlView(YAML::Load(yaml), "run.yaml", "producers[0]")};
}

/// Per-event vectors of a jagged product.
template <class T>
std::vector<std::vector<T>> events_of(const Batch& batch, const std::string& name) {
    const io::Column& c = batch.get(*batch.schema().find(name));
    const auto v = c.as<T>();
    std::vector<std::vector<T>> out;
    for (std::size_t i = 0; i + 1 < c.offsets.size(); ++i)
        out.emplace_back(v.begin() + c.offsets[i], v.begin() + c.offsets[i + 1]);
    return out;
}

/// Values of a per-event product.
template <class T>
std::vector<T> values_of(const Batch& batch, const std::string& name) {
    const auto v = batch.get(*batch.schema().find(name)).as<T>();
    return {v.begin(), v.end()};
}

} // namespace hepkit::events::testing
