// hepkit::nn::train on in-memory toys: a linearly separable toy is learned (AUC), a line is fitted,
// the same seed gives the same model file byte for byte, early stopping stops and restores the best
// weights, and the exported TorchScript gives the trained network's outputs.

#include "TrainToys.hpp"

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::nn;
using hepkit::nn::test::Gauss;

namespace {

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TrainConfig small_config() {
    TrainConfig c;
    c.network.hidden = {16, 16};
    c.epochs = 15;
    c.batch_size = 64;
    c.optimizer.lr = 0.01;
    c.outputs.progress = false;
    return c;
}

} // namespace

TEST(NnTrain, ALinearlySeparableToyReachesAucAbove099) {
    const auto splits = test::separable_toy(3000);
    auto c = small_config();
    const auto r = train(c, splits);
    ASSERT_EQ(r.roc.size(), 1u);
    EXPECT_GT(r.roc[0].auc, 0.99);
    EXPECT_EQ(r.epochs_run, 15);
    EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
    EXPECT_GT(r.events_per_second, 0);
    // a perfect separation leaves the test loss small, as the validation loss was
    EXPECT_LT(r.test_loss, 0.1);
}

TEST(NnTrain, TheSameSeedGivesTheSameModelBytes) {
    const auto splits = test::separable_toy(800);
    auto c = small_config();
    c.epochs = 3;
    c.network.dropout = 0.2; // the dropout masks draw from the seeded generator too
    const auto a = hepkit::test::temp_path("nn-train", "a.pt").string(),
               b = hepkit::test::temp_path("nn-train", "b.pt").string(),
               d = hepkit::test::temp_path("nn-train", "d.pt").string();
    const auto ra = train(c, splits);
    save_model(ra.model, a);
    save_model(train(c, splits).model, b);
    c.seed = 2;
    const auto rd = train(c, splits);
    save_model(rd.model, d);
    EXPECT_EQ(read_bytes(a), read_bytes(b));
    EXPECT_NE(read_bytes(a), read_bytes(d));
    EXPECT_NE(ra.test_outputs, rd.test_outputs);
    fs::remove(a);
    fs::remove(b);
    fs::remove(d);
}

// Determinism holds on a given thread count (issue 16), also with more than one: libtorch's
// parallel kernels split the work the same way every time for the same count.
TEST(NnTrain, TwoThreadsGiveTheSameModelBytesTwice) {
    const auto splits = test::separable_toy(4000);
    auto c = small_config();
    c.epochs = 3;
    c.network.hidden = {64, 64};
    c.batch_size = 512; // large enough batches for libtorch to split them over the threads
    c.threads = 2;
    const auto a = hepkit::test::temp_path("nn-train", "t2a.pt").string(),
               b = hepkit::test::temp_path("nn-train", "t2b.pt").string();
    save_model(train(c, splits).model, a);
    save_model(train(c, splits).model, b);
    EXPECT_EQ(read_bytes(a), read_bytes(b));
    fs::remove(a);
    fs::remove(b);
}

TEST(NnTrain, EarlyStoppingStopsAndRestoresTheBestWeights) {
    // labels independent of the features: a wide network with a large step size overfits the
    // noise, so the validation loss rises after the first epochs
    auto splits =
        test::toy_splits(400, 4, 2, [](const double*, Gauss& g) { return g.uniform() < 0.5 ? 1.0 : 0.0; });
    TrainConfig c;
    c.network.hidden = {128, 128};
    c.epochs = 200;
    c.batch_size = 16;
    c.optimizer.lr = 0.01;
    c.early_stopping.patience = 3;
    const auto r = train(c, splits);
    EXPECT_TRUE(r.stopped_early);
    EXPECT_LT(r.epochs_run, 200);
    EXPECT_EQ(r.epochs_run, r.best_epoch + 3);
    double best = r.history[0].validation_loss;
    for (const auto& e : r.history)
        best = std::min(best, e.validation_loss);
    EXPECT_EQ(r.history[static_cast<std::size_t>(r.best_epoch) - 1].validation_loss, best);
    // the model holds the best epoch's weights: its validation loss (computed here in double from
    // its probabilities) is the one recorded for that epoch
    const auto p = r.model.predict(splits.validation.features, splits.validation.rows);
    double loss = 0;
    for (std::size_t i = 0; i < p.rows; ++i) {
        const double q = p.values[i];
        loss -= splits.validation.targets[i] > 0.5 ? std::log(q) : std::log(1 - q);
    }
    loss /= static_cast<double>(p.rows);
    EXPECT_NEAR(loss, best, 1e-4 * best);
}

TEST(NnTrain, TheExportedModelGivesTheTrainedNetworksOutputs) {
    const auto splits = test::separable_toy(1000);
    for (const auto precision : {Precision::Float32, Precision::Float64}) {
        for (const auto activation :
             {Activation::Tanh, Activation::Elu, Activation::LeakyRelu, Activation::Sigmoid}) {
            auto c = small_config();
            c.epochs = 2;
            c.network.activation = activation;
            c.network.batch_norm = true;
            c.network.dropout = 0.1;
            c.precision = precision;
            const auto r = train(c, splits);
            const auto path = hepkit::test::temp_path("nn-train", "export.pt").string();
            save_model(r.model, path);
            const auto model = Model::load(path);
            const auto p = model.predict(splits.test.features, splits.test.rows);
            ASSERT_EQ(p.values.size(), r.test_outputs.size());
            const double tol = precision == Precision::Float32 ? 1e-6 : 1e-14;
            for (std::size_t i = 0; i < p.values.size(); ++i)
                ASSERT_NEAR(p.values[i], r.test_outputs[i], tol) << to_string(activation) << " event " << i;
            EXPECT_EQ(model.input_names(), splits.train.feature_names);
            EXPECT_EQ(model.input_mean(), r.standardization.mean);
            EXPECT_NE(model.metadata().find("\"format\":\"hepkit-nn/1\""), std::string::npos)
                << model.metadata();
            fs::remove(path);
        }
    }
}

TEST(NnTrain, BatchNormTrainsWhenTheLastBatchHoldsOneEvent) {
    // batch normalisation cannot normalise a single event: 65 events in batches of 64 leave one
    auto splits = test::separable_toy(200);
    splits.train.rows = 65;
    splits.train.features.resize(65 * 3);
    splits.train.targets.resize(65);
    auto c = small_config();
    c.epochs = 2;
    c.network.batch_norm = true;
    const auto r = train(c, splits);
    EXPECT_EQ(r.epochs_run, 2);
    EXPECT_TRUE(std::isfinite(r.history.back().train_loss));
}

TEST(NnTrain, AMulticlassToyIsSeparatedPerClass) {
    // three classes by the sector of (x0, x1): the softmax rows sum to one, every one-vs-rest AUC is high
    const auto splits = test::toy_splits(
        3000, 2, 3, [](const double* x, Gauss&) { return x[0] > 0 ? (x[1] > 0 ? 0.0 : 1.0) : 2.0; });
    auto c = small_config();
    c.task = Task::Multiclass;
    c.class_names = {"a", "b", "c"};
    c.epochs = 20;
    const auto r = train(c, splits);
    ASSERT_EQ(r.outputs, 3u);
    ASSERT_EQ(r.roc.size(), 3u);
    for (const auto& roc : r.roc)
        EXPECT_GT(roc.auc, 0.98) << roc.label;
    EXPECT_EQ(r.roc[2].label, "c");
    for (std::size_t i = 0; i < splits.test.rows; ++i)
        EXPECT_NEAR(r.test_outputs[3 * i] + r.test_outputs[3 * i + 1] + r.test_outputs[3 * i + 2], 1.0, 1e-5);
}

TEST(NnTrain, ARegressionFitsALine) {
    // y = 3 x0 − 2 x1 + 1 with a noise of 0.1: a linear network (no hidden layer) finds the line
    const auto splits = test::toy_splits(
        2000, 2, 0, [](const double* x, Gauss& g) { return 3 * x[0] - 2 * x[1] + 1 + 0.1 * g(); }, 5.0);
    TrainConfig c;
    c.task = Task::Regression;
    c.network.hidden = {};
    c.epochs = 40;
    c.batch_size = 32;
    c.optimizer.lr = 0.05;
    c.schedule.name = "cosine";
    const auto r = train(c, splits);
    EXPECT_TRUE(r.roc.empty());
    EXPECT_EQ(r.best_epoch, r.epochs_run); // no early stopping: the last epoch's weights
    EXPECT_NEAR(r.test_loss, 0.01, 0.003); // the noise variance
    const std::vector<double> x = {5.0, 5.0, 7.0, 4.0};
    const auto p = r.model.predict(x, 2);
    EXPECT_NEAR(p.values[0], 3 * 5.0 - 2 * 5.0 + 1, 0.02);
    EXPECT_NEAR(p.values[1], 3 * 7.0 - 2 * 4.0 + 1, 0.02);
    // the schedule: cosine from 0.05 at epoch 1 to near 0 at the end
    EXPECT_DOUBLE_EQ(r.history[0].lr, 0.05);
    EXPECT_NEAR(r.history[20].lr, 0.025, 1e-12);
}

TEST(NnTrain, AWeightedRocIsTheWeightedPairFraction) {
    // pairs (pos, neg) with pos scored higher, weighted: (2·1 + 2·1 + 1·0 + 1·1) / (3 · 2) = 5/6
    const auto roc = roc_curve({0.9, 0.8, 0.7, 0.6}, {1, 0, 1, 0}, {2, 1, 1, 1});
    EXPECT_NEAR(roc.auc, 5.0 / 6.0, 1e-15);
    EXPECT_EQ(roc.fpr.front(), 0.0);
    EXPECT_EQ(roc.tpr.back(), 1.0);
    EXPECT_EQ(roc.fpr.back(), 1.0);
    // a tie between a positive and a negative counts one half
    EXPECT_NEAR(roc_curve({0.5, 0.5}, {1, 0}, {}).auc, 0.5, 1e-15);
    EXPECT_TRUE(std::isnan(roc_curve({0.5, 0.4}, {1, 1}, {}).auc));
}

TEST(NnTrain, DataThatDoesNotFitTheTaskIsAnError) {
    auto splits = test::separable_toy(200);
    splits.train.targets[3] = 2;
    try {
        train(small_config(), splits);
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("event 3 has class 2"), std::string::npos) << e.what();
    }
    splits = test::separable_toy(200);
    splits.validation = Table{};
    splits.validation.feature_names = splits.train.feature_names;
    EXPECT_THROW(train(small_config(), splits), hepkit::InputError);
    auto c = small_config();
    c.optimizer.name = "rmsprop";
    try {
        train(c, test::separable_toy(200));
        FAIL();
    } catch (const hepkit::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("rmsprop"), std::string::npos) << e.what();
        EXPECT_EQ(e.key(), "optimizer.name");
    }
}

TEST(NnTrain, TheOutputsAreWrittenWithTheirPlots) {
    // a multi-class training: model.pt, loss.csv (one row per epoch), roc.csv (one curve per class),
    // summary.json; the plots when /usr/bin/python3 has matplotlib (the script's exit 4 otherwise)
    const auto splits = test::toy_splits(
        600, 2, 3, [](const double* x, Gauss&) { return x[0] > 0 ? (x[1] > 0 ? 0.0 : 1.0) : 2.0; });
    auto c = small_config();
    c.task = Task::Multiclass;
    c.epochs = 4;
    const auto r = train(c, splits);
    const fs::path dir = hepkit::test::temp_path("nn-train", "outputs").string();
    const std::string script = std::string(HEPKIT_SOURCE_DIR).append("/tools/plot/hepkit_nn_plot.py");
    bool plots = true;
    try {
        write_train_outputs(c, r, dir.string(), script);
    } catch (const hepkit::OutputError& e) {
        ASSERT_NE(std::string(e.what()).find("matplotlib is missing"), std::string::npos) << e.what();
        plots = false;
    }
    for (const char* name : {"model.pt", "loss.csv", "roc.csv", "summary.json"})
        EXPECT_TRUE(fs::is_regular_file(dir / name)) << name;
    if (plots) {
        EXPECT_GT(fs::file_size(dir / "loss.png"), 1000u);
        EXPECT_GT(fs::file_size(dir / "roc.png"), 1000u);
    }
    std::ifstream loss(dir / "loss.csv");
    std::string line;
    std::getline(loss, line);
    EXPECT_EQ(line, "epoch,train_loss,validation_loss,lr,seconds");
    int rows = 0;
    while (std::getline(loss, line))
        ++rows;
    EXPECT_EQ(rows, 4);
    const std::string summary = read_bytes((dir / "summary.json").string());
    for (const char* key : {"\"epochs_run\": 4", "\"best_epoch\"", "\"auc\"", "\"events_per_second\"",
                            "\"multiclass\"", "\"test_loss\""})
        EXPECT_NE(summary.find(key), std::string::npos) << key << " in " << summary;
    const std::string roc = read_bytes((dir / "roc.csv").string());
    EXPECT_NE(roc.find("\n2,"), std::string::npos); // the curve of class 2
    fs::remove_all(dir);
}
