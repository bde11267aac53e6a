#pragma once
// The feed-forward network of `hepkit nn train` as a libtorch module (src/nn only; the public
// headers stay torch-free). Its forward takes raw features and standardises them first, so that
// the network trained and the TorchScript exported from it (Export.cpp) are the same function.

#include "hepkit/nn/Train.hpp"

#include <torch/torch.h>

#include <vector>

namespace hepkit::nn {

struct NetworkImpl : torch::nn::Module {
    /// `inputs` features (standardised by `mean`/`scale` first) to `outputs` logits or values.
    NetworkImpl(const NetworkConfig& config, std::size_t inputs, std::size_t outputs,
                const Standardization& standardization, torch::Dtype dtype);

    /// Raw features (rows, inputs) → logits (binary, multi-class) or values (regression).
    /// Matrix products by Eigen (EigenLinear.hpp). Inside a TangentScope, an input that is a dual
    /// tensor of the scope's forward-mode level gives a dual output: primal and tangent propagated
    /// together, layer by layer (J·v of the network), still through Eigen.
    torch::Tensor forward(torch::Tensor x);

    NetworkConfig config;
    torch::Tensor mean, scale;                 ///< buffers: x' = (x − mean) / scale
    std::vector<torch::nn::Linear> linear;     ///< hidden layers, then the output layer
    std::vector<torch::nn::BatchNorm1d> norms; ///< one per hidden layer with batch_norm
};
TORCH_MODULE(Network);

/// While alive, NetworkImpl::forward propagates tangents of forward-mode level `level` itself
/// (SystematicsModel::asimov_hessian): libtorch's forward mode cannot pass through the Eigen
/// products, and the explicit tangent shares the primal's activations.
class TangentScope {
  public:
    explicit TangentScope(std::uint64_t level);
    ~TangentScope();
    TangentScope(const TangentScope&) = delete;
    TangentScope& operator=(const TangentScope&) = delete;

  private:
    std::int64_t previous_;
};

/// The activation as the trained network applies it (the same aten operator as the export's).
torch::Tensor activate(Activation activation, const torch::Tensor& x);

/// The task's output transform: sigmoid (binary), softmax over classes (multi-class), identity.
torch::Tensor task_head(Task task, const torch::Tensor& logits);

/// The network (in evaluation mode) as a TorchScript module with the same forward followed by the
/// task's head, and its metadata (hepkit.json) — loaded back through an archive so that the
/// Model is exactly what model.pt holds.
Model export_model(const Network& network, const TrainConfig& config,
                   const std::vector<std::string>& input_names, const Standardization& standardization,
                   std::size_t outputs);

} // namespace hepkit::nn
