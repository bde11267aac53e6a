// Systematics-aware losses in the training loop and the workspace of the trained network
// (SystematicsTrain.hpp).

#include "SystematicsTrain.hpp"

#include "DiffHistogram.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace hepkit::nn {

namespace {

std::vector<Variation> variations_of(const DataSplits& d) {
    std::vector<Variation> out;
    for (const auto& v : d.variations)
        out.push_back(v.variation);
    return out;
}

std::vector<std::string> class_names_of(const TrainConfig& c, int classes) {
    std::vector<std::string> names = c.class_names;
    for (auto k = static_cast<int>(names.size()); k < classes; ++k)
        names.push_back(std::to_string(k));
    return names;
}

/// At most n rows of t (0: all), every k-th, with their targets and weights.
Table every_kth(const Table& t, std::size_t n) {
    if (n == 0 || t.rows <= n)
        return t;
    const std::size_t k = (t.rows + n - 1) / n;
    Table out;
    out.feature_names = t.feature_names;
    for (std::size_t r = 0; r < t.rows; r += k) {
        out.features.insert(out.features.end(),
                            t.features.begin() + static_cast<std::ptrdiff_t>(r * t.cols()),
                            t.features.begin() + static_cast<std::ptrdiff_t>((r + 1) * t.cols()));
        if (!t.targets.empty())
            out.targets.push_back(t.targets[r]);
        if (!t.weights.empty())
            out.weights.push_back(t.weights[r]);
        ++out.rows;
    }
    return out;
}

} // namespace

SystematicsTraining::SystematicsTraining(const TrainConfig& config, const DataSplits& splits,
                                         torch::Dtype dtype)
    : config_(config.loss), model_(config.loss, class_names_of(config, splits.classes),
                                   splits.train.feature_names, variations_of(splits)),
      classes_(static_cast<std::size_t>(splits.classes)), dtype_(dtype) {
    if (config.task != Task::Binary)
        throw InputError("", 0, "loss.type",
                         fmt::format("{} training needs task: binary (signal against background), not {}",
                                     to_string(config_.type), to_string(config.task)));
    for (const auto& e : config_.evaluations) {
        LossConfig other = config_;
        other.nuisances = e.nuisances;
        evaluations_.emplace_back(e.name,
                                  SystematicsModel(other, class_names_of(config, splits.classes),
                                                   splits.train.feature_names, variations_of(splits)));
    }
    std::vector<const Table*> val, test;
    for (const auto& v : splits.variations) {
        const LossEvents e = loss_events(Table{}, {&v.train}, 0, dtype);
        variations_train_.push_back(e.variations.front());
        val.push_back(&v.validation);
        test.push_back(&v.test);
    }
    const Table validation = every_kth(splits.validation, config_.validation_events);
    validation_ = loss_events(validation, val, classes_, dtype);
    test_ = loss_events(splits.test, test, classes_, dtype);
}

std::size_t SystematicsTraining::outputs() const {
    return config_.type == LossType::InferenceAware
               ? static_cast<std::size_t>(histogram_outputs(config_.histogram))
               : 1;
}

void SystematicsTraining::start_epoch(at::Generator& generator) {
    variation_order_.clear();
    for (const auto& v : variations_train_)
        variation_order_.push_back(torch::randperm(v.x.size(0), generator, torch::kLong));
}

torch::Tensor SystematicsTraining::batch_loss(Network& net, const torch::Tensor& x, const torch::Tensor& y,
                                              const torch::Tensor& w, const torch::Tensor& ce, std::int64_t b,
                                              std::int64_t e, std::int64_t rows) {
    LossEvents events;
    const auto labels = y.view({-1});
    for (std::size_t k = 0; k < classes_; ++k) {
        const auto idx = (labels == static_cast<double>(k)).nonzero().view({-1});
        events.classes.push_back({x.index_select(0, idx), w.index_select(0, idx)});
    }
    for (std::size_t v = 0; v < variations_train_.size(); ++v) {
        const auto n = variations_train_[v].x.size(0);
        const auto idx = variation_order_[v].slice(0, b * n / rows, e * n / rows);
        events.variations.push_back(
            {variations_train_[v].x.index_select(0, idx), variations_train_[v].w.index_select(0, idx)});
    }
    if (inference_aware())
        return model_.inference_loss(model_.forward_of(net), events).to(dtype_);
    return ce + config_.lambda * model_.penalty(model_.forward_of(net), events).to(dtype_);
}

double SystematicsTraining::set_loss(Network& net, int set, double ce, double* penalty) {
    const LossEvents& events = set == 1 ? validation_ : test_;
    if (events.classes.empty() || events.classes.front().x.size(0) == 0)
        return std::numeric_limits<double>::quiet_NaN();
    if (inference_aware()) // the Hessian needs autograd, also outside training
        return model_.inference_loss(model_.forward_of(net), events).item<double>();
    torch::NoGradGuard no_grad;
    const double p = model_.penalty(model_.forward_of(net), events).item<double>();
    if (penalty)
        *penalty = p;
    return ce + config_.lambda * p;
}

SystematicsResult SystematicsTraining::evaluate(Network& net) const {
    return evaluate_systematics(model_, model_.forward_of(net), test_);
}

std::vector<std::pair<std::string, SystematicsResult>>
SystematicsTraining::evaluate_others(Network& net) const {
    std::vector<std::pair<std::string, SystematicsResult>> out;
    for (const auto& [name, model] : evaluations_)
        out.emplace_back(name, evaluate_systematics(model, model.forward_of(net), test_));
    return out;
}

} // namespace hepkit::nn
