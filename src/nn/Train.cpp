// The training loop of `hepkit nn train` (include/hepkit/nn/Train.hpp): minibatch gradient descent
// on weighted losses, a learning-rate schedule per epoch, early stopping on the validation loss with
// the best weights restored, and the export of the result (Export.cpp).

#include "ModelImpl.hpp"
#include "Network.hpp"
#include "SystematicsTrain.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

namespace hepkit::nn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The tensors of one set: features (rows, cols), targets, per-event loss weights (rows).
struct Tensors {
    torch::Tensor x, y, w;
    std::int64_t rows = 0;
};

Tensors to_tensors(const Table& t, const TrainConfig& config, torch::Dtype dtype, const char* set) {
    Tensors out;
    out.rows = static_cast<std::int64_t>(t.rows);
    out.x = to_tensor(t.features.data(), t.rows, t.cols(), dtype);
    if (t.targets.size() != t.rows)
        throw InputError("", 0, set, fmt::format("{} events but {} targets", t.rows, t.targets.size()));
    std::vector<double> w(t.rows);
    for (std::size_t i = 0; i < t.rows; ++i) {
        w[i] = t.weight(i);
        if (config.task != Task::Regression) {
            const double c = t.targets[i];
            const auto k = static_cast<std::size_t>(c);
            if (k < config.class_weights.size())
                w[i] *= config.class_weights[k];
        }
    }
    out.w = to_tensor(w.data(), t.rows, 1, dtype).view({-1});
    auto y = to_tensor(t.targets.data(), t.rows, 1, torch::kFloat64);
    out.y = config.task == Task::Multiclass ? y.view({-1}).to(torch::kLong) : y.to(dtype);
    return out;
}

/// Per-event losses of a batch: BCE on logits (binary), cross-entropy (multi-class), squared error.
torch::Tensor event_losses(Task task, const torch::Tensor& out, const torch::Tensor& y) {
    switch (task) {
    case Task::Binary:
        return torch::binary_cross_entropy_with_logits(out, y, {}, {}, at::Reduction::None).view({-1});
    case Task::Multiclass:
        return torch::nll_loss(torch::log_softmax(out, 1), y, {}, at::Reduction::None);
    case Task::Regression:
        break;
    }
    return (out - y).square().view({-1});
}

/// The weighted mean cross-entropy of a whole set in evaluation mode (no gradients, in chunks).
double cross_entropy(Network& net, Task task, const Tensors& s) {
    if (s.rows == 0)
        return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard no_grad;
    double sum = 0, weights = 0;
    constexpr std::int64_t kChunk = 65536;
    for (std::int64_t b = 0; b < s.rows; b += kChunk) {
        const auto e = std::min(s.rows, b + kChunk);
        const auto l = event_losses(task, net->forward(s.x.slice(0, b, e)), s.y.slice(0, b, e));
        const auto w = s.w.slice(0, b, e);
        sum += (l * w).sum().item<double>();
        weights += w.sum().item<double>();
    }
    return sum / weights;
}

/// The loss of a whole set (set 1 validation, 2 test): the cross-entropy, or a systematics-aware
/// loss (its penalty alone to `penalty`).
double set_loss(Network& net, Task task, const Tensors& s, std::optional<SystematicsTraining>& systematics,
                int set, double* penalty) {
    if (!systematics || !systematics->trains())
        return cross_entropy(net, task, s);
    const double ce = systematics->inference_aware() ? 0.0 : cross_entropy(net, task, s);
    return systematics->set_loss(net, set, ce, penalty);
}

double learning_rate(const TrainConfig& c, int epoch) {
    const double lr0 = c.optimizer.lr;
    const auto& s = c.schedule;
    if (s.name == "step")
        return lr0 * std::pow(s.gamma, epoch / s.step_size);
    if (s.name == "exponential")
        return lr0 * std::pow(s.gamma, epoch);
    if (s.name == "cosine")
        return s.min_lr + (lr0 - s.min_lr) * (1 + std::cos(std::numbers::pi * epoch / c.epochs)) / 2;
    return lr0;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, Network& net) {
    const auto& o = c.optimizer;
    if (o.name == "sgd") {
        return std::make_unique<torch::optim::SGD>(
            net->parameters(),
            torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
    }
    return std::make_unique<torch::optim::Adam>(net->parameters(),
                                                torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

/// Copies of the parameters and buffers (the best epoch's state).
std::vector<torch::Tensor> snapshot(Network& net) {
    std::vector<torch::Tensor> out;
    for (const auto& p : net->parameters())
        out.push_back(p.detach().clone());
    for (const auto& b : net->buffers())
        out.push_back(b.detach().clone());
    return out;
}

void restore(Network& net, const std::vector<torch::Tensor>& state) {
    torch::NoGradGuard no_grad;
    std::size_t i = 0;
    for (auto& p : net->parameters())
        p.copy_(state[i++]);
    for (auto& b : net->buffers())
        b.copy_(state[i++]);
}

/// At most `n` rows of `t` (all for n = 0), every k-th: the rows are ordered by sample, so a
/// prefix could hold one class only.
Table strided_rows(const Table& t, std::size_t n) {
    if (n == 0 || n >= t.rows)
        return t;
    const std::size_t k = (t.rows + n - 1) / n;
    Table out;
    out.feature_names = t.feature_names;
    for (std::size_t i = 0; i < t.rows; i += k) {
        for (std::size_t j = 0; j < t.cols(); ++j)
            out.features.push_back(t.at(i, j));
        if (!t.targets.empty())
            out.targets.push_back(t.targets[i]);
        if (!t.weights.empty())
            out.weights.push_back(t.weights[i]);
        ++out.rows;
    }
    return out;
}

void check_data(const TrainConfig& config, const DataSplits& d, std::size_t outputs) {
    const Table* sets[] = {&d.train, &d.validation, &d.test};
    const char* names[] = {"train", "validation", "test"};
    if (d.train.rows == 0)
        throw InputError("", 0, "data", "the training set has no events");
    if (d.validation.rows == 0)
        throw InputError("", 0, "data",
                         "the validation set has no events (the loss curve and early stopping need it)");
    for (int s = 0; s < 3; ++s) {
        const Table& t = *sets[s];
        if (t.cols() != d.train.cols() || t.features.size() != t.rows * t.cols())
            throw InputError(
                "", 0, names[s],
                fmt::format("{} features × {} events in {} values, the training set has {} features",
                            t.cols(), t.rows, t.features.size(), d.train.cols()));
        if (config.task == Task::Regression)
            continue;
        for (std::size_t i = 0; i < t.targets.size(); ++i) {
            const double c = t.targets[i];
            const std::size_t classes = config.task == Task::Binary ? 2 : outputs;
            if (c < 0 || c != std::floor(c) || c >= static_cast<double>(classes))
                throw InputError("", 0, names[s],
                                 fmt::format("event {} has class {}; the {} task takes 0 to {}", i, c,
                                             to_string(config.task), classes - 1));
        }
    }
}

} // namespace

TrainResult train(const TrainConfig& config, const DataSplits& splits, const EpochCallback& on_epoch) {
    validate(config);
    std::size_t outputs = 1;
    if (config.task == Task::Multiclass) {
        outputs = static_cast<std::size_t>(splits.classes);
        if (outputs < 2)
            throw InputError(
                "", 0, "task",
                fmt::format("multiclass needs 2 or more classes, the data has {}", splits.classes));
    }
    const auto dtype = config.precision == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
    // penalised and inference-aware losses (Systematics.hpp); softmax bins make one output per bin
    std::optional<SystematicsTraining> systematics;
    // with nuisances but a cross-entropy loss: only the evaluation (the workspace, σ of the POI)
    if (config.loss.type != LossType::CrossEntropy || !config.loss.nuisances.empty() ||
        !config.loss.evaluations.empty()) {
        systematics.emplace(config, splits, dtype);
        outputs = systematics->outputs();
    }
    // the task of the network's outputs: softmax bins are classes of their own
    TrainConfig head = config;
    if (outputs > 1)
        head.task = Task::Multiclass;
    check_data(config, splits, config.task == Task::Binary ? 1 : outputs);
    // determinism on a given thread count: every random draw from seeded generators
    at::set_num_threads(config.threads);
    torch::manual_seed(config.seed);
    auto shuffle = at::make_generator<at::CPUGeneratorImpl>(config.seed);

    TrainResult result;
    result.outputs = outputs;
    result.standardization = Standardization::fit(splits.train);
    Network net(config.network, splits.train.cols(), outputs, result.standardization, dtype);
    const Tensors train = to_tensors(splits.train, config, dtype, "train");
    const Tensors validation = to_tensors(splits.validation, config, dtype, "validation");
    const Tensors test = to_tensors(splits.test, config, dtype, "test");
    auto optimizer = make_optimizer(config, net);

    // `taylor:`: the coefficients of the network as exported, on validation events
    Table taylor_data;
    const auto track_taylor = [&](int epoch) {
        net->eval();
        TaylorOptions options = config.taylor.options;
        options.threads = config.threads;
        const Model model =
            export_model(net, head, splits.train.feature_names, result.standardization, outputs);
        result.taylor.push_back({epoch, taylor_coefficients(model, taylor_data, options)});
    };
    if (config.taylor.enabled) {
        taylor_data = strided_rows(splits.validation, config.taylor.max_events);
        track_taylor(0);
    }

    double best = std::numeric_limits<double>::infinity();
    std::vector<torch::Tensor> best_state = snapshot(net);
    int since_best = 0;
    double train_seconds = 0;
    std::int64_t trained_events = 0;
    const auto batch = static_cast<std::int64_t>(config.batch_size);
    for (int epoch = 0; epoch < config.epochs; ++epoch) {
        const auto start = Clock::now();
        const double lr = learning_rate(config, epoch);
        for (auto& group : optimizer->param_groups())
            group.options().set_lr(lr);
        net->train();
        const auto order = torch::randperm(train.rows, shuffle, torch::kLong);
        if (systematics)
            systematics->start_epoch(shuffle);
        torch::Tensor loss_sum = torch::zeros({}, dtype), weight_sum = torch::zeros({}, dtype);
        for (std::int64_t b = 0; b < train.rows; b += batch) {
            const auto end = std::min(train.rows, b + batch);
            // batch normalisation cannot normalise one event: a last batch of one is left out
            if (config.network.batch_norm && end - b < 2)
                break;
            const auto idx = order.slice(0, b, end);
            const auto w = train.w.index_select(0, idx);
            const auto x = train.x.index_select(0, idx);
            const auto y = train.y.index_select(0, idx);
            const auto ws = w.sum();
            torch::Tensor loss;
            if (!systematics || !systematics->inference_aware())
                loss = (event_losses(config.task, net->forward(x), y) * w).sum() / ws;
            if (systematics && systematics->trains())
                loss = systematics->batch_loss(net, x, y, w, loss, b, end, train.rows);
            optimizer->zero_grad();
            loss.backward();
            optimizer->step();
            loss_sum += loss.detach() * ws;
            weight_sum += ws;
        }
        train_seconds += seconds_since(start);
        trained_events += train.rows;
        net->eval();
        EpochRecord record;
        record.epoch = epoch + 1;
        record.lr = lr;
        record.train_loss = (loss_sum / weight_sum).item<double>();
        record.validation_loss =
            set_loss(net, config.task, validation, systematics, 1, &record.validation_penalty);
        record.seconds = seconds_since(start);
        result.history.push_back(record);
        if (config.taylor.enabled)
            track_taylor(record.epoch); // after the epoch's time: not part of the training throughput
        if (on_epoch)
            on_epoch(record, config);
        if (!std::isfinite(record.train_loss))
            throw InputError(
                "", 0, "optimizer.lr",
                fmt::format("the training loss is {} in epoch {}: diverged (lower the learning rate {})",
                            record.train_loss, record.epoch, lr));
        if (!std::isfinite(record.validation_loss))
            throw InputError(
                "", 0, "data",
                fmt::format("the validation loss is {} in epoch {} (do the validation weights sum to > 0?)",
                            record.validation_loss, record.epoch));
        if (record.validation_loss < best - config.early_stopping.min_delta) {
            best = record.validation_loss;
            result.best_epoch = record.epoch;
            best_state = snapshot(net);
            since_best = 0;
        } else if (++since_best >= config.early_stopping.patience && config.early_stopping.patience > 0) {
            result.stopped_early = record.epoch < config.epochs;
            break;
        }
    }
    result.epochs_run = static_cast<int>(result.history.size());
    result.events_per_second = train_seconds > 0 ? static_cast<double>(trained_events) / train_seconds : 0;
    if (config.early_stopping.patience > 0) {
        restore(net, best_state);
    } else {
        // without early stopping the model is the last epoch's, as a plain training loop leaves it
        result.best_epoch = result.epochs_run;
    }
    net->eval();

    result.test_loss = set_loss(net, config.task, test, systematics, 2, nullptr);
    if (test.rows > 0) {
        torch::NoGradGuard no_grad;
        const auto out = task_head(head.task, net->forward(test.x)).to(torch::kFloat64).contiguous();
        result.test_outputs.assign(out.data_ptr<double>(), out.data_ptr<double>() + out.numel());
    }
    if (systematics) {
        result.systematics = systematics->evaluate(net);
        result.evaluations = systematics->evaluate_others(net);
    }
    // ROC curves of classes; softmax bins of an inference-aware network are no classes
    if (config.task != Task::Regression && head.task == config.task && test.rows > 0) {
        const auto& t = splits.test;
        const std::size_t curves = config.task == Task::Binary ? 1 : outputs;
        for (std::size_t k = 0; k < curves; ++k) {
            const std::size_t positive_class = config.task == Task::Binary ? 1 : k;
            std::vector<double> scores(t.rows), weights(t.rows);
            std::vector<int> positive(t.rows);
            for (std::size_t i = 0; i < t.rows; ++i) {
                scores[i] = result.test_outputs[i * outputs + (config.task == Task::Binary ? 0 : k)];
                positive[i] = static_cast<std::size_t>(t.targets[i]) == positive_class;
                weights[i] = t.weight(i);
            }
            auto roc = roc_curve(scores, positive, weights);
            roc.label = positive_class < config.class_names.size() ? config.class_names[positive_class]
                                                                   : std::to_string(positive_class);
            result.roc.push_back(std::move(roc));
        }
    }
    result.model = export_model(net, head, splits.train.feature_names, result.standardization, outputs);
    return result;
}

} // namespace hepkit::nn
