// parse_train_config: a whole `hepkit nn train` document read into TrainConfig, and errors that name
// file:line: key for unknown keys, bad choices and values out of range.

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::nn;

namespace {

/// Writes `text` as train.yaml in a fresh directory (with an empty signal.csv for the data section).
std::string write_config(const std::string& text) {
    std::string name = "hepkit_nn_train_config_";
    const fs::path dir = fs::temp_directory_path() / name.append(std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "sig.csv") << "x,y\n1,2\n";
    std::ofstream(dir / "bkg.csv") << "x,y\n3,4\n";
    const auto path = (dir / "train.yaml").string();
    std::ofstream(path) << text;
    return path;
}

const char* kData = "data:\n"
                    "  features: [x, y]\n"
                    "  samples:\n"
                    "    - {files: [sig.csv], class: 1}\n"
                    "    - {files: [bkg.csv], class: 0}\n";

std::string error_of(const std::string& text) {
    const auto path = write_config(std::string(kData).append(text));
    try {
        parse_train_config(hepkit::config::load_yaml_view(path));
    } catch (const hepkit::InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(NnTrainConfig, AWholeDocumentIsRead) {
    const auto path = write_config(std::string(kData).append(
        "task: multiclass\n"
        "classes: [a, b]\n"
        "network: {hidden: [8, 4], activation: leaky_relu, dropout: 0.25, batch_norm: true}\n"
        "optimizer: {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.001}\n"
        "schedule: {name: step, step_size: 3, gamma: 0.5}\n"
        "training: {epochs: 7, batch_size: 32, seed: 9, threads: 2, precision: float64,\n"
        "           class_weights: [1, 2], early_stopping: {patience: 4, min_delta: 0.01}}\n"
        "outputs: {directory: out, plots: false, progress: false}\n"
        "taylor: {order: 3, convention: taylor, output_node: 1, max_events: 500}\n"));
    const auto c = parse_train_config(hepkit::config::load_yaml_view(path));
    EXPECT_EQ(c.task, Task::Multiclass);
    EXPECT_EQ(c.class_names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.network.hidden, (std::vector<int>{8, 4}));
    EXPECT_EQ(c.network.activation, Activation::LeakyRelu);
    EXPECT_EQ(c.network.dropout, 0.25);
    EXPECT_TRUE(c.network.batch_norm);
    EXPECT_EQ(c.optimizer.name, "sgd");
    EXPECT_EQ(c.optimizer.momentum, 0.9);
    EXPECT_EQ(c.optimizer.weight_decay, 0.001);
    EXPECT_EQ(c.schedule.name, "step");
    EXPECT_EQ(c.schedule.step_size, 3);
    EXPECT_EQ(c.epochs, 7);
    EXPECT_EQ(c.batch_size, 32u);
    EXPECT_EQ(c.seed, 9u);
    EXPECT_EQ(c.threads, 2);
    EXPECT_EQ(c.precision, Precision::Float64);
    EXPECT_EQ(c.class_weights, (std::vector<double>{1, 2}));
    EXPECT_EQ(c.early_stopping.patience, 4);
    EXPECT_EQ(c.outputs.directory, "out");
    EXPECT_FALSE(c.outputs.plots);
    EXPECT_TRUE(c.taylor.enabled);
    EXPECT_EQ(c.taylor.options.order, 3);
    EXPECT_EQ(c.taylor.options.convention, TaylorConvention::Taylor);
    EXPECT_EQ(c.taylor.options.output_node, 1u);
    EXPECT_EQ(c.taylor.max_events, 500u);
    EXPECT_EQ(c.data.features.size(), 2u);
    EXPECT_EQ(c.data.samples.size(), 2u);
}

TEST(NnTrainConfig, ErrorsNameFileLineAndKey) {
    // the data section has 5 lines: the first key after it is on line 6
    auto e = error_of("network: {hidden: [8], activation: swish}\n");
    EXPECT_NE(e.find("train.yaml:6"), std::string::npos) << e;
    EXPECT_NE(e.find("activation"), std::string::npos) << e;
    EXPECT_NE(e.find("'swish', allowed: relu, tanh, elu, leaky_relu, sigmoid"), std::string::npos) << e;

    e = error_of("task: binary\ntraining:\n  epochs: 5\n  batchsize: 10\n");
    EXPECT_NE(e.find("train.yaml:"), std::string::npos) << e;
    EXPECT_NE(e.find("batchsize"), std::string::npos) << e;

    e = error_of("task: binary\noptimizer:\n  lr: -1\n");
    EXPECT_NE(e.find("train.yaml:8"), std::string::npos) << e;
    EXPECT_NE(e.find("lr"), std::string::npos) << e;
    EXPECT_NE(e.find("-1, must be > 0"), std::string::npos) << e;

    e = error_of("network:\n  dropout: 1.5\n");
    EXPECT_NE(e.find("train.yaml:7"), std::string::npos) << e;
    EXPECT_NE(e.find("must be in [0, 1)"), std::string::npos) << e;

    e = error_of("training: {epochs: 0}\n");
    EXPECT_NE(e.find("train.yaml:6"), std::string::npos) << e;
    EXPECT_NE(e.find("epochs"), std::string::npos) << e;

    e = error_of("schedule: {name: linear}\n");
    EXPECT_NE(e.find("'linear', allowed: none, step, exponential, cosine"), std::string::npos) << e;

    e = error_of("taylor: {order: 4}\n");
    EXPECT_NE(e.find("train.yaml:6"), std::string::npos) << e;
    EXPECT_NE(e.find("taylor.order: 4, allowed: 1, 2, 3"), std::string::npos) << e;

    e = error_of("epochs: 3\n");
    EXPECT_NE(e.find("epochs"), std::string::npos) << e;
}
