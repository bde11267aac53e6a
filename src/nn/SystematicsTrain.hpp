#pragma once
// The parts of the training loop (Train.cpp) that a penalised or inference-aware loss adds
// (include/hepkit/nn/Systematics.hpp): the batches of every class and variation sample, the loss
// of a batch and of a whole set, and the evaluation of the trained network as a HistFactory
// workspace. src/nn only.

#include "Network.hpp"
#include "SystematicsLoss.hpp"

#include "hepkit/nn/Train.hpp"

#include <torch/torch.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::nn {

class SystematicsTraining {
  public:
    SystematicsTraining(const TrainConfig& config, const DataSplits& splits, torch::Dtype dtype);

    /// Whether the loss is penalised or inference-aware (else cross-entropy, evaluated only).
    bool trains() const { return config_.type != LossType::CrossEntropy; }
    bool inference_aware() const { return config_.type == LossType::InferenceAware; }
    /// The network's outputs: one per bin for softmax histograms, else 1.
    std::size_t outputs() const;

    /// A new epoch: the order in which the variation samples' training events are batched.
    void start_epoch(at::Generator& generator);

    /// The loss of the training batch made of rows `idx` (of x, y, w), the b-th to e-th of the
    /// epoch's `rows`: the variation samples contribute their events of the same fraction of their
    /// epoch. `ce`: the batch's weighted cross-entropy (penalised), undefined otherwise.
    torch::Tensor batch_loss(Network& net, const torch::Tensor& x, const torch::Tensor& y,
                             const torch::Tensor& w, const torch::Tensor& ce, std::int64_t b, std::int64_t e,
                             std::int64_t rows);

    /// The loss of the validation (set 1) or test (set 2) events; `ce` their cross-entropy (penalised).
    /// The penalty alone goes to `penalty`.
    double set_loss(Network& net, int set, double ce, double* penalty = nullptr);

    /// The trained network on the test set: the workspace and the expected σ of the POI.
    SystematicsResult evaluate(Network& net) const;
    /// The same for every `loss.evaluations` entry, in their order.
    std::vector<std::pair<std::string, SystematicsResult>> evaluate_others(Network& net) const;

  private:
    LossConfig config_;
    SystematicsModel model_;
    std::vector<std::pair<std::string, SystematicsModel>> evaluations_;
    std::size_t classes_ = 0;
    torch::Dtype dtype_;
    std::vector<SampleEvents> variations_train_;
    std::vector<torch::Tensor> variation_order_;
    LossEvents validation_, test_;
};

} // namespace hepkit::nn
