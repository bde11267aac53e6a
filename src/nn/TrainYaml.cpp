// The YAML of `hepkit nn train` (parse_train_config, include/hepkit/nn/Train.hpp; reference in
// docs/nn-train.md). Syntax and type errors are reported where they are; range checks are
// validate()'s, and their UsageError is turned into an InputError at the offending key's line.

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <limits>
#include <sstream>

namespace hepkit::nn {

namespace {

using config::YamlView;

template <typename E>
E choose(const YamlView& v, std::initializer_list<std::pair<const char*, E>> options) {
    const std::string text = v.as_string();
    std::string allowed;
    for (const auto& [name, value] : options) {
        if (text == name)
            return value;
        allowed += allowed.empty() ? "" : ", ";
        allowed += name;
    }
    v.fail(fmt::format("'{}', allowed: {}", text, allowed));
}

std::string one_of(const YamlView& v, std::initializer_list<const char*> options) {
    const std::string text = v.as_string();
    std::string allowed;
    for (const char* name : options) {
        if (text == name)
            return text;
        allowed += allowed.empty() ? "" : ", ";
        allowed += name;
    }
    v.fail(fmt::format("'{}', allowed: {}", text, allowed));
}

void read_network(const YamlView& v, NetworkConfig& n) {
    v.check_keys({"hidden", "activation", "dropout", "batch_norm"});
    if (v.has("hidden")) {
        const auto h = v.at("hidden");
        if (!h.is_sequence())
            h.fail("must be a list of layer sizes, e.g. [64, 64]");
        n.hidden.clear();
        for (std::size_t i = 0; i < h.size(); ++i) {
            const long long units = h.at(i).as_int();
            if (units <= 0 || units > 1'000'000)
                h.at(i).fail(fmt::format("{} units, must be in 1..1000000", units));
            n.hidden.push_back(static_cast<int>(units));
        }
    }
    if (v.has("activation")) {
        n.activation = choose<Activation>(v.at("activation"), {{"relu", Activation::Relu},
                                                               {"tanh", Activation::Tanh},
                                                               {"elu", Activation::Elu},
                                                               {"leaky_relu", Activation::LeakyRelu},
                                                               {"sigmoid", Activation::Sigmoid}});
    }
    if (v.has("dropout"))
        n.dropout = v.at("dropout").as_double();
    if (v.has("batch_norm"))
        n.batch_norm = v.at("batch_norm").as_bool();
}

void read_training(const YamlView& v, TrainConfig& c) {
    v.check_keys({"epochs", "batch_size", "seed", "threads", "precision", "class_weights", "early_stopping"});
    auto integer = [&](const char* key, long long min, long long max) {
        const auto x = v.at(key);
        const long long n = x.as_int();
        if (n < min || n > max)
            x.fail(fmt::format("{}, must be in {}..{}", n, min, max));
        return n;
    };
    if (v.has("epochs"))
        c.epochs = static_cast<int>(integer("epochs", 1, 1'000'000));
    if (v.has("batch_size"))
        c.batch_size = static_cast<std::size_t>(integer("batch_size", 1, 1LL << 30));
    if (v.has("seed"))
        c.seed = static_cast<std::uint64_t>(integer("seed", 0, std::numeric_limits<long long>::max()));
    if (v.has("threads"))
        c.threads = static_cast<int>(integer("threads", 1, 1024));
    if (v.has("precision")) {
        c.precision = choose<Precision>(v.at("precision"),
                                        {{"float32", Precision::Float32}, {"float64", Precision::Float64}});
    }
    if (v.has("class_weights")) {
        const auto w = v.at("class_weights");
        if (!w.is_sequence())
            w.fail("must be a list of factors, one per class");
        for (std::size_t i = 0; i < w.size(); ++i)
            c.class_weights.push_back(w.at(i).as_double());
    }
    if (v.has("early_stopping")) {
        const auto e = v.at("early_stopping");
        e.check_keys({"patience", "min_delta"});
        if (e.has("patience"))
            c.early_stopping.patience = static_cast<int>(e.at("patience").as_int());
        if (e.has("min_delta"))
            c.early_stopping.min_delta = e.at("min_delta").as_double();
    }
}

void read_taylor(const YamlView& v, TaylorTracking& t) {
    v.check_keys({"order", "convention", "output_node", "max_events", "batch_size"});
    t.enabled = true;
    if (v.has("order")) {
        const long long order = v.at("order").as_int();
        if (order < 1 || order > 3)
            v.at("order").fail(fmt::format("{}, allowed: 1, 2, 3", order));
        t.options.order = static_cast<int>(order);
    }
    if (v.has("convention")) {
        t.options.convention =
            choose<TaylorConvention>(v.at("convention"), {{"derivative", TaylorConvention::Derivative},
                                                          {"taylor", TaylorConvention::Taylor}});
    }
    auto count = [&](const char* key) {
        const long long n = v.at(key).as_int();
        if (n < 0)
            v.at(key).fail(fmt::format("{}, must be >= 0", n));
        return static_cast<std::size_t>(n);
    };
    if (v.has("output_node"))
        t.options.output_node = count("output_node");
    if (v.has("max_events"))
        t.max_events = count("max_events");
    if (v.has("batch_size")) {
        t.options.batch_size = count("batch_size");
        if (t.options.batch_size == 0)
            v.at("batch_size").fail("0, must be > 0");
    }
}

/// The node a dotted key (`training.early_stopping.patience`) names, or the deepest one present.
YamlView locate(const YamlView& root, const std::string& key) {
    YamlView v = root;
    std::stringstream parts(key);
    for (std::string part; std::getline(parts, part, '.');) {
        if (!v.is_map() || !v.has(part))
            break;
        v = v.at(part);
    }
    return v;
}

} // namespace

TrainConfig parse_train_config(const config::YamlView& root) {
    if (!root.is_map())
        root.fail(
            "a training configuration is a map with data:, network:, training:, ... (docs/nn-train.md)");
    root.check_keys({"data", "task", "classes", "network", "optimizer", "schedule", "training", "outputs",
                     "taylor", "loss"});
    TrainConfig c;
    c.data = parse_data_config(root.at("data"));
    if (root.has("task")) {
        c.task = choose<Task>(
            root.at("task"),
            {{"binary", Task::Binary}, {"multiclass", Task::Multiclass}, {"regression", Task::Regression}});
    }
    if (root.has("classes")) {
        const auto v = root.at("classes");
        if (!v.is_sequence())
            v.fail("must be a list of class names, class 0 first");
        for (std::size_t i = 0; i < v.size(); ++i)
            c.class_names.push_back(v.at(i).as_string());
    }
    if (root.has("network"))
        read_network(root.at("network"), c.network);
    if (root.has("optimizer")) {
        const auto v = root.at("optimizer");
        v.check_keys({"name", "lr", "momentum", "weight_decay"});
        if (v.has("name"))
            c.optimizer.name = one_of(v.at("name"), {"adam", "sgd"});
        if (v.has("lr"))
            c.optimizer.lr = v.at("lr").as_double();
        if (v.has("momentum"))
            c.optimizer.momentum = v.at("momentum").as_double();
        if (v.has("weight_decay"))
            c.optimizer.weight_decay = v.at("weight_decay").as_double();
    }
    if (root.has("schedule")) {
        const auto v = root.at("schedule");
        v.check_keys({"name", "step_size", "gamma", "min_lr"});
        if (v.has("name"))
            c.schedule.name = one_of(v.at("name"), {"none", "step", "exponential", "cosine"});
        if (v.has("step_size"))
            c.schedule.step_size = static_cast<int>(v.at("step_size").as_int());
        if (v.has("gamma"))
            c.schedule.gamma = v.at("gamma").as_double();
        if (v.has("min_lr"))
            c.schedule.min_lr = v.at("min_lr").as_double();
    }
    if (root.has("training"))
        read_training(root.at("training"), c);
    if (root.has("outputs")) {
        const auto v = root.at("outputs");
        v.check_keys({"directory", "plots", "progress"});
        if (v.has("directory"))
            c.outputs.directory = v.at("directory").as_string();
        if (v.has("plots"))
            c.outputs.plots = v.at("plots").as_bool();
        if (v.has("progress"))
            c.outputs.progress = v.at("progress").as_bool();
    }
    if (root.has("taylor"))
        read_taylor(root.at("taylor"), c.taylor);
    if (root.has("loss"))
        c.loss = parse_loss_config(root.at("loss"));
    try {
        validate(c);
    } catch (const UsageError& e) {
        locate(root, e.key()).fail(e.message());
    }
    return c;
}

} // namespace hepkit::nn
