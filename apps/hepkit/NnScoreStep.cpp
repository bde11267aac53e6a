// `nn_score` (NnScoreStep.hpp): runs a TorchScript model on the selected rows of each batch.

#include "NnScoreStep.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Model.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::app {

namespace {

class NnScore final : public events::Producer {
  public:
    explicit NnScore(const events::StepConfig& config) : Producer(config.place) {
        config.check_keys({"model", "inputs", "node", "output"});
        const config::YamlView& y = config.yaml;
        std::filesystem::path model = y.at("model").as_string();
        if (model.is_relative() && !config.place.file.empty())
            model = std::filesystem::path(config.place.file).parent_path() / model;
        model_ = std::make_shared<nn::Model>(nn::Model::load(model.string()));
        if (y.has("inputs")) {
            const config::YamlView list = y.at("inputs");
            if (!list.is_sequence())
                list.fail("expected a list of product names");
            for (std::size_t i = 0; i < list.size(); ++i)
                inputs_.push_back(list.at(i).as_string());
        } else {
            inputs_ = model_->input_names();
            if (inputs_.empty())
                y.fail(fmt::format("the model {} carries no input names: list its inputs with `inputs:`",
                                   model.string()));
        }
        if (!model_->input_names().empty() && inputs_.size() != model_->input_names().size())
            y.at("inputs").fail(fmt::format("the model {} takes {} inputs ({}), the list has {}",
                                            model.string(), model_->input_names().size(),
                                            fmt::join(model_->input_names(), ", "), inputs_.size()));
        if (y.has("node")) {
            const long long node = y.at("node").as_int();
            if (node < 0)
                y.at("node").fail(fmt::format("expected an output column index >= 0, got {}", node));
            node_ = static_cast<std::size_t>(node);
        }
        output_ = y.has("output") ? y.at("output").as_string() : config.place.name;
    }

    std::vector<std::string> inputs() const override { return inputs_; }

    std::vector<events::ProductInfo> declare(const events::Schema& schema) override {
        ids_.clear();
        for (const std::string& name : inputs_) {
            const events::ProductId id = schema.require(name, place().label());
            const events::ProductInfo& info = schema.info(id);
            if (info.jagged || info.type == io::ColumnType::String)
                throw InputError(place().file, place().line, name,
                                 fmt::format("{}: a network input must be one number per event, `{}` is {}: "
                                             "pick one element first (an expr producer: `{}[0]`)",
                                             place().label(), name, events::describe(info), name));
            ids_.push_back(id);
        }
        return {events::ProductInfo{output_, io::ColumnType::Float32, false}};
    }

    void outputs_declared(std::span<const events::ProductId> ids) override { out_ = ids.front(); }

    void produce(events::Batch& batch) const override {
        const auto rows = batch.rows();
        const std::size_t n_in = ids_.size();
        std::vector<double> x(rows.size() * n_in);
        for (std::size_t f = 0; f < n_in; ++f) {
            const io::Column& c = batch.get(ids_[f]);
            for (std::size_t k = 0; k < rows.size(); ++k)
                x[k * n_in + f] = c.value_as_double(rows[k]);
        }
        io::Column out = io::Column::make(output_, io::ColumnType::Float32);
        auto& v = out.mut<float>();
        v.assign(batch.size(), 0.0f);
        if (!rows.empty()) {
            const nn::Prediction p = model_->predict(x, rows.size());
            if (node_ >= p.outputs)
                throw InputError(place().file, place().line, "node",
                                 fmt::format("{}: the model has {} outputs, node {} does not exist",
                                             place().label(), p.outputs, node_));
            for (std::size_t k = 0; k < rows.size(); ++k)
                v[rows[k]] = static_cast<float>(p.values[k * p.outputs + node_]);
        }
        batch.put(*out_, std::move(out));
    }

  private:
    std::shared_ptr<const nn::Model> model_;
    std::vector<std::string> inputs_;
    std::size_t node_ = 0;
    std::string output_;
    std::vector<events::ProductId> ids_;
    std::optional<events::ProductId> out_;
};

} // namespace

void register_nn_steps(events::Registry& registry) {
    registry.add_producer(
        "nn_score", [](const events::StepConfig& c) { return std::make_unique<NnScore>(c); },
        "a network's output for each event (TorchScript model.pt of hepkit nn train, or any with one "
        "(events, features) input): model, inputs, node, output");
}

} // namespace hepkit::app
