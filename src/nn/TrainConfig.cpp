// Checks and names of a training configuration (include/hepkit/nn/Train.hpp).

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hepkit::nn {

namespace {

void require(bool ok, const char* key, const std::string& message) {
    if (!ok)
        throw UsageError(key, message);
}

} // namespace

void validate(const TrainConfig& c) {
    for (std::size_t i = 0; i < c.network.hidden.size(); ++i)
        require(c.network.hidden[i] > 0, "network.hidden",
                fmt::format("layer {} has {} units, must be > 0", i, c.network.hidden[i]));
    require(c.network.dropout >= 0 && c.network.dropout < 1, "network.dropout",
            fmt::format("{}, must be in [0, 1)", c.network.dropout));
    require(c.optimizer.name == "adam" || c.optimizer.name == "sgd", "optimizer.name",
            fmt::format("'{}', allowed: adam, sgd", c.optimizer.name));
    require(c.optimizer.lr > 0 && std::isfinite(c.optimizer.lr), "optimizer.lr",
            fmt::format("{}, must be > 0", c.optimizer.lr));
    require(c.optimizer.momentum >= 0 && c.optimizer.momentum < 1, "optimizer.momentum",
            fmt::format("{}, must be in [0, 1)", c.optimizer.momentum));
    require(c.optimizer.weight_decay >= 0, "optimizer.weight_decay",
            fmt::format("{}, must be ≥ 0", c.optimizer.weight_decay));
    const auto& s = c.schedule;
    require(s.name == "none" || s.name == "step" || s.name == "exponential" || s.name == "cosine",
            "schedule.name", fmt::format("'{}', allowed: none, step, exponential, cosine", s.name));
    require(s.step_size > 0, "schedule.step_size", fmt::format("{}, must be > 0", s.step_size));
    require(s.gamma > 0 && s.gamma <= 1, "schedule.gamma", fmt::format("{}, must be in (0, 1]", s.gamma));
    require(s.min_lr >= 0 && s.min_lr <= c.optimizer.lr, "schedule.min_lr",
            fmt::format("{}, must be in [0, optimizer.lr = {}]", s.min_lr, c.optimizer.lr));
    require(c.epochs > 0, "training.epochs", fmt::format("{}, must be > 0", c.epochs));
    require(c.batch_size > 0, "training.batch_size", "0, must be > 0");
    require(c.threads > 0 && c.threads <= 1024, "training.threads",
            fmt::format("{}, must be in 1..1024", c.threads));
    require(c.early_stopping.patience >= 0, "training.early_stopping.patience",
            fmt::format("{}, must be ≥ 0 (0: no early stopping)", c.early_stopping.patience));
    require(c.early_stopping.min_delta >= 0, "training.early_stopping.min_delta",
            fmt::format("{}, must be ≥ 0", c.early_stopping.min_delta));
    for (double w : c.class_weights)
        require(w >= 0 && std::isfinite(w), "training.class_weights", fmt::format("{}, must be ≥ 0", w));
    require(c.task != Task::Regression || c.class_weights.empty(), "training.class_weights",
            "class weights need a classification task");
    validate(c.loss);
    require(c.loss.type == LossType::CrossEntropy || c.task == Task::Binary, "task",
            fmt::format("a {} loss trains a binary network (signal against background), not {}",
                        to_string(c.loss.type), to_string(c.task)));
}

std::string to_string(Task task) {
    switch (task) {
    case Task::Binary:
        return "binary";
    case Task::Multiclass:
        return "multiclass";
    case Task::Regression:
        return "regression";
    }
    return "?";
}

std::string to_string(Activation activation) {
    switch (activation) {
    case Activation::Relu:
        return "relu";
    case Activation::Tanh:
        return "tanh";
    case Activation::Elu:
        return "elu";
    case Activation::LeakyRelu:
        return "leaky_relu";
    case Activation::Sigmoid:
        return "sigmoid";
    }
    return "?";
}

} // namespace hepkit::nn
