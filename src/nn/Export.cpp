// Export of a trained network to TorchScript (Network.hpp): a torch::jit::Module holding copies of
// the trained tensors, with a forward written as TorchScript source from aten builtins only
// (torch.linear, torch.batch_norm, the activations), so that the archive needs no Python class and
// loads in libtorch and in Python's torch.jit.load alike. Evaluation mode is built in: no dropout,
// batch normalisation with the running statistics.

#include "ModelImpl.hpp"
#include "Network.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <unordered_map>

namespace hepkit::nn {

namespace {

std::string activation_source(Activation activation) {
    switch (activation) {
    case Activation::Relu:
        return "torch.relu(x)";
    case Activation::Tanh:
        return "torch.tanh(x)";
    case Activation::Elu:
        return "torch.elu(x)";
    case Activation::LeakyRelu:
        return "torch.leaky_relu(x, 0.01)";
    case Activation::Sigmoid:
        return "torch.sigmoid(x)";
    }
    return "x";
}

torch::Tensor copy(const torch::Tensor& t) {
    return t.detach().clone();
}

std::string metadata_json(const TrainConfig& config, const std::vector<std::string>& input_names,
                          const Standardization& standardization, std::size_t outputs) {
    nlohmann::json classes = nlohmann::json::array();
    if (config.task != Task::Regression) {
        const std::size_t n = config.task == Task::Binary ? 2 : outputs;
        for (std::size_t k = 0; k < n; ++k)
            classes.push_back(k < config.class_names.size() ? config.class_names[k] : std::to_string(k));
    }
    nlohmann::json doc{
        {"format", "hepkit-nn/1"},
        {"input_names", input_names},
        {"standardization", {{"mean", standardization.mean}, {"scale", standardization.scale}}},
        {"task", to_string(config.task)},
        {"classes", classes},
        {"outputs", outputs}};
    return doc.dump();
}

} // namespace

Model export_model(const Network& network, const TrainConfig& config,
                   const std::vector<std::string>& input_names, const Standardization& standardization,
                   std::size_t outputs) {
    torch::NoGradGuard no_grad;
    torch::jit::Module module("HepkitNetwork");
    module.register_buffer("mean", copy(network->mean));
    module.register_buffer("scale", copy(network->scale));
    std::string source = "def forward(self, x):\n    x = (x - self.mean) / self.scale\n";
    const auto& layers = network->linear;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string w = fmt::format("linear{}_weight", i), b = fmt::format("linear{}_bias", i);
        module.register_parameter(w, copy(layers[i]->weight), false);
        module.register_parameter(b, copy(layers[i]->bias), false);
        source += fmt::format("    x = torch.linear(x, self.{}, self.{})\n", w, b);
        if (i + 1 == layers.size())
            break;
        if (network->config.batch_norm) {
            const auto& bn = network->norms[i];
            const std::string p = fmt::format("norm{}_", i);
            module.register_parameter(p + "weight", copy(bn->weight), false);
            module.register_parameter(p + "bias", copy(bn->bias), false);
            module.register_buffer(p + "running_mean", copy(bn->running_mean));
            module.register_buffer(p + "running_var", copy(bn->running_var));
            // eval mode: the running statistics, as torch.nn.BatchNorm1d.eval() uses them
            source +=
                fmt::format("    x = torch.batch_norm(x, self.{0}weight, self.{0}bias, self.{0}running_mean, "
                            "self.{0}running_var, False, 0.0, {1:.17g}, False)\n",
                            p, bn->options.eps());
        }
        source += fmt::format("    x = {}\n", activation_source(network->config.activation));
    }
    switch (config.task) {
    case Task::Binary:
        source += "    return torch.sigmoid(x)\n";
        break;
    case Task::Multiclass:
        source += "    return torch.softmax(x, 1)\n";
        break;
    case Task::Regression:
        source += "    return x\n";
        break;
    }
    module.define(source);

    auto impl = std::make_shared<Model::Impl>();
    impl->metadata = metadata_json(config, input_names, standardization, outputs);
    // through an archive: the model is what model.pt holds, loaded as any reader loads it
    std::stringstream archive;
    module.save(archive, {{kMetadataFile, impl->metadata}});
    std::unordered_map<std::string, std::string> extra{{kMetadataFile, ""}};
    impl->module = torch::jit::load(archive, c10::Device(c10::kCPU), extra);
    impl->module.eval();
    impl->path = "(the trained network)"; // in memory until save_model
    impl->input_names = input_names;
    impl->input_mean = standardization.mean;
    impl->input_scale = standardization.scale;
    impl->dtype = network->mean.scalar_type();
    return Model(std::move(impl));
}

void save_model(const Model& model, const std::string& path) {
    AtomicFile file(path);
    try {
        model.impl().module.save(file.stream(), {{kMetadataFile, model.metadata()}});
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw OutputError(path, 0, "",
                          "cannot write the TorchScript model: " + what.substr(0, what.find('\n')));
    }
    file.commit();
}

} // namespace hepkit::nn
