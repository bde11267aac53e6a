// Per-job models: the data they train on must be whole (the index and every sample of it), a
// retraining replaces the model in its directory, and the absolute and relative error losses.

#include "Helpers.hpp"
#include "SequenceTestData.hpp"
#include "TrainSupport.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/SequenceData.hpp"
#include "hepkit/surrogate/SequenceModel.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

using sequence_test::brief;

// The samples are those of DATA/index.csv, every one done: without the index (a generation that
// did not finish) or with a sample gone, training and evaluation refuse the data rather than use
// part of it unnoticed.
TEST(SurrogateSequence, IncompleteDataRefused) {
    const fs::path copy = hepkit::test::temp_dir("sequence", "incomplete");
    fs::remove_all(copy);
    fs::copy(sequence_test::sequence_data(), copy, fs::copy_options::recursive);
    EXPECT_EQ(load_sequences(copy.string()).size(), 8U);
    fs::remove(copy / "scenarios" / "000003" / "observables.json");
    try {
        load_sequences(copy.string());
        FAIL() << "a sample missing";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("1 of the 8 samples"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("000003"), std::string::npos) << e.what();
    }
    fs::remove(copy / "index.csv");
    try {
        load_sequences(copy.string());
        FAIL() << "no index";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("index.csv: missing: the generation has not finished"),
                  std::string::npos)
            << e.what();
    }
    fs::remove_all(copy);
}

// A retraining into a model's directory replaces the model: no network of the older, larger
// ensemble stays beside the new one; other files there stay, and no staging folder is left.
TEST(SurrogateSequence, RetrainingReplacesTheModel) {
    const fs::path out = hepkit::test::temp_dir("sequence", "retrain");
    fs::remove_all(out);
    SequenceTrainConfig c = brief(SequenceKind::gru, out, 1);
    c.epochs = 1;
    c.max_samples = 4;
    c.ensemble = 3;
    train_sequence(c);
    ASSERT_TRUE(fs::exists(out / "network_2.pt"));
    std::ofstream(out / "notes.txt") << "the user's\n";
    c.ensemble = 2;
    train_sequence(c);
    std::set<std::string> files;
    for (const auto& e : fs::directory_iterator(out))
        files.insert(e.path().filename().string());
    EXPECT_EQ(files, (std::set<std::string>{"network_0.pt", "network_1.pt", "notes.txt", "surrogate.json"}));
    EXPECT_EQ(SequenceModel::load(out.string()).members(), 2U); // (no .training-PID left in `files`)
    fs::remove_all(out);
}

// A loss trains another model from the same seed than the `other` loss, one that learns (its
// validation loss falls), and the manifest says which loss it was.
void expect_another_model(SequenceLoss loss, const std::string& name, SequenceLoss other) {
    const fs::path a = hepkit::test::temp_dir("sequence", "loss-" + to_string(other)),
                   b = hepkit::test::temp_dir("sequence", "loss-" + name);
    SequenceTrainConfig c = brief(SequenceKind::platform, a, 3);
    c.max_samples = 6;
    c.batch_size = 2;
    c.loss = other;
    train_sequence(c);
    c.output = b.string();
    c.loss = loss;
    std::vector<double> losses;
    train_sequence(c, [&](int, int, double, double v) { losses.push_back(v); });
    EXPECT_LT(*std::min_element(losses.begin(), losses.end()), losses.front());
    std::ifstream in(b / "surrogate.json");
    EXPECT_EQ(nlohmann::json::parse(in)["training"]["loss"], name);
    const auto sample = load_sequences(sequence_test::sequence_data().string(), 1).front();
    const auto pa = SequenceModel::load(a.string()).predict(sample),
               pb = SequenceModel::load(b.string()).predict(sample);
    ASSERT_EQ(pa.size(), pb.size());
    double differ = 0;
    for (std::size_t k = 0; k < pa.size(); ++k)
        differ = std::max(differ, std::abs(pa[k] - pb[k]) / std::max(1.0, std::abs(pa[k])));
    EXPECT_GT(differ, 1e-3) << "the loss changed nothing";
}

TEST(SurrogateSequence, AbsoluteErrorLoss) {
    expect_another_model(SequenceLoss::l1, "l1", SequenceLoss::mse);
}

TEST(SurrogateSequence, RelativeErrorLoss) {
    expect_another_model(SequenceLoss::relative, "relative", SequenceLoss::l1); // not l1 under its name
    // without a machine head the padded batch and the validation take their own paths
    const fs::path out = hepkit::test::temp_dir("sequence", "loss-relative-gru");
    SequenceTrainConfig c = brief(SequenceKind::gru, out, 3);
    c.max_samples = 6;
    c.batch_size = 2;
    c.loss = SequenceLoss::relative;
    std::vector<double> losses;
    train_sequence(c, [&](int, int, double, double v) { losses.push_back(v); });
    ASSERT_FALSE(losses.empty());
    EXPECT_TRUE(
        std::all_of(losses.begin(), losses.end(), [](double v) { return std::isfinite(v) && v > 0; }));
    EXPECT_LT(*std::min_element(losses.begin(), losses.end()), losses.front());
    fs::remove_all(out);
}

// `loss: relative`'s error of a log1p difference is |p − t| / (1 + t) within |Δ| ≤ 3 and goes on
// along its tangent beyond, continuous and with a gradient everywhere.
TEST(SurrogateSequence, RelativeErrorOfALogDifference) {
    for (const double t : {0.0, 0.5, 3.0, 120.0})
        for (const double p : {0.0, 0.2, 2.0, 7.0, 100.0, 300.0}) {
            const double d = std::log1p(p) - std::log1p(t);
            if (std::abs(d) > 3)
                continue;
            const double e =
                surrogate::detail::relative_error(torch::tensor(d, torch::kDouble)).item<double>();
            EXPECT_NEAR(e, std::abs(p - t) / (1 + t), 1e-12) << p << " for " << t;
        }
    for (const double edge : {-3.0, 3.0}) {
        const auto at = [](double d) {
            return surrogate::detail::relative_error(torch::tensor(d, torch::kDouble)).item<double>();
        };
        EXPECT_NEAR(at(edge - 1e-9), at(edge + 1e-9), 1e-6); // no jump (the slope is ~20)
        const double slope = (at(edge + 1e-7) - at(edge - 1e-7)) / 2e-7;
        EXPECT_NEAR(std::abs(slope), std::exp(edge), 1e-5); // the tangent's slope, both sides
    }
    torch::Tensor far =
        torch::tensor({-9.0, 9.0}, torch::TensorOptions().dtype(torch::kDouble).requires_grad(true));
    surrogate::detail::relative_error(far).sum().backward();
    EXPECT_NEAR(far.grad()[0].item<double>(), -std::exp(-3.0), 1e-12); // too short: still pushed up
    EXPECT_NEAR(far.grad()[1].item<double>(), std::exp(3.0), 1e-12);
    EXPECT_TRUE(std::isfinite(surrogate::detail::relative_error(torch::tensor(800.0)).item<float>()));
}

// The loss of standardised targets: each target's difference in log1p seconds is its standardised
// one times its own scale, and the error is divided by that scale again.
TEST(SurrogateSequence, RelativeLossOfStandardisedTargets) {
    const std::vector<double> scale{0.05, 0.5, 2.0}, t{3.0, 40.0, 700.0}, p{3.3, 30.0, 1100.0};
    std::vector<double> d;
    for (std::size_t k = 0; k < t.size(); ++k)
        d.push_back((std::log1p(p[k]) - std::log1p(t[k])) / scale[k]);
    const torch::Tensor loss = surrogate::detail::relative_loss(
        torch::tensor(d, torch::kDouble).reshape({1, 1, 3}), torch::tensor(scale, torch::kDouble));
    ASSERT_EQ(loss.sizes(), (std::vector<std::int64_t>{1, 1, 3}));
    for (std::size_t k = 0; k < t.size(); ++k)
        EXPECT_NEAR(loss[0][0][static_cast<std::int64_t>(k)].item<double>(),
                    std::abs(p[k] - t[k]) / (1 + t[k]) / scale[k], 1e-12)
            << k;
    const torch::Tensor small = torch::tensor({1e-4, -1e-4}, torch::kDouble);
    const torch::Tensor near =
        surrogate::detail::relative_loss(small, torch::tensor({0.5, 2.0}, torch::kDouble));
    EXPECT_NEAR(near[0].item<double>(), 1e-4, 1e-7); // |d| to first order, whatever the scale
    EXPECT_NEAR(near[1].item<double>(), 1e-4, 1e-7);
}

// What the loss is for: the one prediction that minimises the mean relative error over times that
// scatter lies below their median, where the absolute log error's minimum lies (for log-normal
// times with log-sd s, e^(−s²) times the median: Σ |p − t| / t is a median weighted by 1/t).
TEST(SurrogateSequence, RelativeErrorPrefersShortPredictions) {
    torch::manual_seed(3);
    const double s = 0.4;
    const torch::Tensor logs = 5.0 + s * torch::randn({20000}, torch::kDouble); // log1p(t), t ~ 150 s
    const auto minimum = [&](bool relative) {
        torch::Tensor p =
            torch::full({1}, 5.0, torch::TensorOptions().dtype(torch::kDouble).requires_grad(true));
        torch::optim::Adam opt({p}, torch::optim::AdamOptions(0.01));
        for (int k = 0; k < 1500; ++k) {
            opt.zero_grad();
            const torch::Tensor d = p - logs;
            (relative ? surrogate::detail::relative_error(d) : d.abs()).mean().backward();
            opt.step();
        }
        return p.item<double>();
    };
    const double median = logs.median().item<double>();
    EXPECT_NEAR(minimum(false), median, 0.02);
    EXPECT_NEAR(minimum(true), median - s * s, 0.03);
}

} // namespace
