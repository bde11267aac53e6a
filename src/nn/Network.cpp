// The feed-forward network of `hepkit nn train` (Network.hpp).

#include "Network.hpp"

#include <string>

namespace hepkit::nn {

NetworkImpl::NetworkImpl(const NetworkConfig& cfg, std::size_t inputs, std::size_t outputs,
                         const Standardization& standardization, torch::Dtype dtype)
    : config(cfg) {
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    mean = register_buffer("mean", torch::tensor(standardization.mean, opts).to(dtype));
    scale = register_buffer("scale", torch::tensor(standardization.scale, opts).to(dtype));
    auto width = static_cast<std::int64_t>(inputs);
    for (std::size_t i = 0; i <= config.hidden.size(); ++i) {
        const bool last = i == config.hidden.size();
        const std::int64_t out = last ? static_cast<std::int64_t>(outputs) : config.hidden[i];
        linear.push_back(register_module("linear" + std::to_string(i), torch::nn::Linear(width, out)));
        if (!last && config.batch_norm) {
            norms.push_back(register_module("norm" + std::to_string(i),
                                            torch::nn::BatchNorm1d(torch::nn::BatchNormOptions(out))));
        }
        width = out;
    }
    to(dtype);
}

torch::Tensor NetworkImpl::forward(torch::Tensor x) {
    x = (x - mean) / scale;
    for (std::size_t i = 0; i + 1 < linear.size(); ++i) {
        x = linear[i]->forward(x);
        if (config.batch_norm)
            x = norms[i]->forward(x);
        x = activate(config.activation, x);
        if (config.dropout > 0)
            x = torch::dropout(x, config.dropout, is_training());
    }
    return linear.back()->forward(x);
}

torch::Tensor activate(Activation activation, const torch::Tensor& x) {
    switch (activation) {
    case Activation::Relu:
        return torch::relu(x);
    case Activation::Tanh:
        return torch::tanh(x);
    case Activation::Elu:
        return torch::elu(x);
    case Activation::LeakyRelu:
        return torch::leaky_relu(x, 0.01);
    case Activation::Sigmoid:
        return torch::sigmoid(x);
    }
    return x;
}

torch::Tensor task_head(Task task, const torch::Tensor& logits) {
    switch (task) {
    case Task::Binary:
        return torch::sigmoid(logits);
    case Task::Multiclass:
        return torch::softmax(logits, 1);
    case Task::Regression:
        break;
    }
    return logits;
}

} // namespace hepkit::nn
