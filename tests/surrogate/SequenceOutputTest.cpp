// Per-job models: the data they train on must be whole (the index and every sample of it), a
// retraining replaces the model in its directory, and the absolute-error loss.

#include "Helpers.hpp"
#include "SequenceTestData.hpp"
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

// `loss: l1` trains on each time's absolute error: the same seed gives another model than the
// squared error's, one that learns (its validation loss falls), and the manifest says which.
TEST(SurrogateSequence, AbsoluteErrorLoss) {
    const fs::path a = hepkit::test::temp_dir("sequence", "loss-mse"),
                   b = hepkit::test::temp_dir("sequence", "loss-l1");
    SequenceTrainConfig c = brief(SequenceKind::platform, a, 3);
    c.max_samples = 6;
    c.batch_size = 2;
    train_sequence(c);
    c.output = b.string();
    c.loss = SequenceLoss::l1;
    std::vector<double> losses;
    train_sequence(c, [&](int, int, double, double v) { losses.push_back(v); });
    EXPECT_LT(*std::min_element(losses.begin(), losses.end()), losses.front());
    std::ifstream in(b / "surrogate.json");
    EXPECT_EQ(nlohmann::json::parse(in)["training"]["loss"], "l1");
    const auto sample = load_sequences(sequence_test::sequence_data().string(), 1).front();
    const auto pa = SequenceModel::load(a.string()).predict(sample),
               pb = SequenceModel::load(b.string()).predict(sample);
    ASSERT_EQ(pa.size(), pb.size());
    double differ = 0;
    for (std::size_t k = 0; k < pa.size(); ++k)
        differ = std::max(differ, std::abs(pa[k] - pb[k]) / std::max(1.0, std::abs(pa[k])));
    EXPECT_GT(differ, 1e-3) << "the loss changed nothing";
}

} // namespace
