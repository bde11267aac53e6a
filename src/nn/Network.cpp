// The feed-forward network of `hepkit nn train` (Network.hpp).

#include "Network.hpp"
#include "EigenLinear.hpp"

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

namespace {

thread_local std::int64_t tangent_level = -1;

/// d activate(z) / dz as a tensor of z's shape (a = activate(z) given, where it is cheaper).
torch::Tensor activation_slope(Activation activation, const torch::Tensor& z, const torch::Tensor& a) {
    switch (activation) {
    case Activation::Relu:
        return (z > 0).to(z.scalar_type());
    case Activation::Tanh:
        return 1 - a * a;
    case Activation::Elu:
        return torch::where(z > 0, torch::ones_like(z), a + 1);
    case Activation::LeakyRelu:
        return torch::where(z > 0, torch::ones_like(z), torch::full_like(z, 0.01));
    case Activation::Sigmoid:
        return a * (1 - a);
    }
    return torch::ones_like(z);
}

} // namespace

TangentScope::TangentScope(std::uint64_t level) : previous_(tangent_level) {
    tangent_level = static_cast<std::int64_t>(level);
}
TangentScope::~TangentScope() {
    tangent_level = previous_;
}

torch::Tensor NetworkImpl::forward(torch::Tensor x) {
    // aten: torch::linear, through which libtorch's forward mode passes (a dual input with batch
    // normalisation or dropout); else the Eigen products
    const auto layers = [&](torch::Tensor h, bool aten) {
        const auto product = [&](std::size_t i, const torch::Tensor& in) {
            return aten ? linear[i]->forward(in) : eigen_linear(in, linear[i]->weight, linear[i]->bias);
        };
        h = (h - mean) / scale;
        for (std::size_t i = 0; i + 1 < linear.size(); ++i) {
            h = product(i, h);
            if (config.batch_norm)
                h = norms[i]->forward(h);
            h = activate(config.activation, h);
            if (config.dropout > 0)
                h = torch::dropout(h, config.dropout, is_training());
        }
        return product(linear.size() - 1, h);
    };
    if (tangent_level >= 0) {
        auto [primal, tangent] = at::_unpack_dual(x, tangent_level);
        if (tangent.defined()) {
            if (config.batch_norm || (config.dropout > 0 && is_training()))
                return layers(x, true);
            // (x, t) → (f(x), J_f(x)·t): one pass, the tangent through each layer's weights and
            // the slope of its activation at the primal's pre-activation
            torch::Tensor h = (primal - mean) / scale, t = tangent / scale;
            for (std::size_t i = 0; i + 1 < linear.size(); ++i) {
                const torch::Tensor z = eigen_linear(h, linear[i]->weight, linear[i]->bias);
                h = activate(config.activation, z);
                t = activation_slope(config.activation, z, h) * eigen_mm(t, linear[i]->weight.t());
            }
            const torch::Tensor out = eigen_linear(h, linear.back()->weight, linear.back()->bias);
            return at::_make_dual(out, eigen_mm(t, linear.back()->weight.t()), tangent_level);
        }
    }
    return layers(x, false);
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
