// hepkit::nn::load_data (samples into training, validation and test sets, class weights, regression
// targets) and Standardization, on CSV files written here, with hand-computed expectations.
#include "Helpers.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/nn/Dataset.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using hepkit::nn::DataConfig;
using hepkit::nn::DataSplits;
using hepkit::nn::load_data;
using hepkit::nn::Sample;
using hepkit::nn::Standardization;
using hepkit::nn::Table;
using hepkit::test::input_error;

namespace {

// A CSV file of `n` events: event = first + i, x = 10·event, w = 1 + (event % 3).
std::string csv(const std::string& name, int first, int n) {
    const auto path =
        (fs::temp_directory_path() / ("hepkit_nn_split_" + std::to_string(::getpid()) + "_" + name)).string();
    std::ofstream out(path);
    out << "event,x,w\n";
    for (int i = 0; i < n; ++i)
        out << first + i << ',' << 10 * (first + i) << ',' << 1 + (first + i) % 3 << '\n';
    return path;
}

Sample sample(const std::string& path, std::optional<int> label, const std::string& weight = "") {
    Sample s;
    s.name = fs::path(path).stem().string();
    s.source.files = {path};
    s.source.weight = weight;
    s.label = label;
    return s;
}

DataConfig two_classes(const std::string& sig, const std::string& bkg) {
    DataConfig c;
    c.features = {"x", "event"};
    c.names = c.features;
    c.samples = {sample(sig, 1), sample(bkg, 0)};
    return c;
}

} // namespace

TEST(NnLoadData, FoldSplitPutsEachEventWhereItsFoldSays) {
    const auto sig = csv("fold_sig.csv", 0, 8), bkg = csv("fold_bkg.csv", 100, 4);
    DataConfig c = two_classes(sig, bkg);
    c.split.by = "event % 4";
    c.split.train_folds = {0, 1};
    c.split.validation_folds = {2};
    c.split.test_folds = {3};
    const DataSplits d = load_data(c);
    EXPECT_EQ(d.classes, 2);
    // signal events 0..7, then background 100..103, in file order within each set
    EXPECT_EQ(d.train.features, (std::vector<double>{0, 0, 10, 1, 40, 4, 50, 5, 1000, 100, 1010, 101}));
    EXPECT_EQ(d.train.targets, (std::vector<double>{1, 1, 1, 1, 0, 0}));
    EXPECT_EQ(d.validation.features, (std::vector<double>{20, 2, 60, 6, 1020, 102}));
    EXPECT_EQ(d.test.features, (std::vector<double>{30, 3, 70, 7, 1030, 103}));
    EXPECT_EQ(d.test.targets, (std::vector<double>{1, 1, 0}));
    EXPECT_TRUE(d.train.weights.empty()); // no weights given: every event weighs 1
    EXPECT_EQ(d.train.feature_names, (std::vector<std::string>{"x", "event"}));
    // a fold in no list is an error
    c.split.test_folds.clear();
    const auto e = input_error([&] { load_data(c); });
    EXPECT_EQ(e.key(), "split.by");
    EXPECT_NE(e.message().find("has fold 3"), std::string::npos) << e.what();
    // the fold must be an integer
    c.split.by = "event / 4";
    EXPECT_NE(input_error([&] { load_data(c); }).message().find("must be an integer"), std::string::npos);
    fs::remove(sig);
    fs::remove(bkg);
}

TEST(NnLoadData, BalancedClassWeights) {
    // signal 0..2 with w = 1, 2, 3 (sum 6); background 10..11 with w = 2, 3 (sum 5), all in training
    const auto sig = csv("bal_sig.csv", 0, 3), bkg = csv("bal_bkg.csv", 10, 3);
    DataConfig c = two_classes(sig, bkg);
    c.samples[0].source.weight = "w";
    c.samples[1].source.weight = "w";
    c.samples[1].source.max_events = 2;
    c.split.by = "0";
    c.split.train_folds = {0};
    c.class_weights = "balanced";
    const DataSplits d = load_data(c);
    // total 11; signal × 11 / (2 · 6), background × 11 / (2 · 5)
    const double f_sig = 11.0 / 12.0, f_bkg = 11.0 / 10.0;
    ASSERT_EQ(d.train.weights.size(), 5u);
    const std::vector<double> want{1 * f_sig, 2 * f_sig, 3 * f_sig, 2 * f_bkg, 3 * f_bkg};
    for (std::size_t k = 0; k < want.size(); ++k)
        EXPECT_DOUBLE_EQ(d.train.weights[k], want[k]) << k;
    double s1 = 0, s0 = 0;
    for (std::size_t r = 0; r < d.train.rows; ++r)
        (d.train.targets[r] == 1 ? s1 : s0) += d.train.weights[r];
    EXPECT_DOUBLE_EQ(s1, 5.5);
    EXPECT_DOUBLE_EQ(s0, 5.5);
    // without weights: the counts are balanced (3 and 2 events: 5/6 and 5/4)
    c.samples[0].source.weight = c.samples[1].source.weight = "";
    const DataSplits u = load_data(c);
    EXPECT_EQ(u.train.weights, (std::vector<double>{5.0 / 6, 5.0 / 6, 5.0 / 6, 1.25, 1.25}));
    fs::remove(sig);
    fs::remove(bkg);
}

TEST(NnLoadData, SeededSplitFollowsTheDocumentedStream) {
    const auto sig = csv("seed_sig.csv", 0, 3000), bkg = csv("seed_bkg.csv", 5000, 2000);
    DataConfig c = two_classes(sig, bkg);
    c.split.seed = 42;
    const DataSplits d = load_data(c);
    // The rule of docs/nn-data.md: stream "nn.split.sample<k>" of RandomStreams(seed), one uniform01
    // per event: < 0.6 training, < 0.8 validation, else test.
    std::vector<double> train_events;
    std::size_t validation = 0;
    for (std::size_t k = 0; k < 2; ++k) {
        auto engine = hepkit::RandomStreams(42).stream("nn.split.sample" + std::to_string(k));
        for (int i = 0; i < (k == 0 ? 3000 : 2000); ++i) {
            const double u = hepkit::uniform01(engine);
            if (u < 0.6)
                train_events.push_back((k == 0 ? 0 : 5000) + i);
            else if (u < 0.8)
                ++validation;
        }
    }
    ASSERT_EQ(d.train.rows, train_events.size());
    for (std::size_t r = 0; r < d.train.rows; ++r)
        ASSERT_EQ(d.train.at(r, 1), train_events[r]) << r;
    EXPECT_EQ(d.validation.rows, validation);
    EXPECT_EQ(d.train.rows + d.validation.rows + d.test.rows, 5000u);
    // 5000 events: the fractions within 4 standard deviations (binomial)
    EXPECT_NEAR(static_cast<double>(d.train.rows), 3000, 4 * std::sqrt(5000 * 0.6 * 0.4));
    EXPECT_NEAR(static_cast<double>(d.test.rows), 1000, 4 * std::sqrt(5000 * 0.2 * 0.8));
    // another seed, another split; the same seed, the same split
    c.split.seed = 43;
    EXPECT_NE(load_data(c).train.features, d.train.features);
    c.split.seed = 42;
    EXPECT_EQ(load_data(c).test.features, d.test.features);
    fs::remove(sig);
    fs::remove(bkg);
}

TEST(NnLoadData, RegressionTargetAndEmptySample) {
    const auto a = csv("reg_a.csv", 0, 4);
    DataConfig c;
    c.features = {"x"};
    c.target = "event * 2 + 1";
    c.samples = {sample(a, std::nullopt)};
    c.split.by = "event % 2";
    c.split.train_folds = {0};
    c.split.test_folds = {1};
    const DataSplits d = load_data(c);
    EXPECT_EQ(d.classes, 0);
    EXPECT_EQ(d.train.features, (std::vector<double>{0, 20}));
    EXPECT_EQ(d.train.targets, (std::vector<double>{1, 5}));
    EXPECT_EQ(d.test.targets, (std::vector<double>{3, 7}));
    EXPECT_EQ(d.validation.rows, 0u);
    c.samples[0].source.cut = "x > 1000";
    const auto e = input_error([&] { load_data(c); });
    EXPECT_NE(e.message().find("has no events passing its cut"), std::string::npos) << e.what();
    c.samples[0].source.cut = "";
    c.samples[0].label = 0; // a class in a regression
    EXPECT_EQ(input_error([&] { load_data(c); }).key(), "samples");
    fs::remove(a);
}

TEST(NnStandardization, WeightedMeanAndStandardDeviation) {
    Table t;
    t.feature_names = {"a", "c"};
    t.rows = 3;
    t.features = {1, 5, 2, 5, 4, 5};
    t.weights = {1, 1, 2};
    const Standardization s = Standardization::fit(t);
    // mean (1 + 2 + 2·4) / 4 = 2.75; variance (1.75² + 0.75² + 2·1.25²) / 4 = 1.6875
    EXPECT_DOUBLE_EQ(s.mean[0], 2.75);
    EXPECT_DOUBLE_EQ(s.scale[0], std::sqrt(1.6875));
    EXPECT_DOUBLE_EQ(s.mean[1], 5);
    EXPECT_EQ(s.scale[1], 1.0); // constant: scale 1
    Table u = t;
    s.apply(u);
    EXPECT_DOUBLE_EQ(u.at(0, 0), (1 - 2.75) / std::sqrt(1.6875));
    EXPECT_DOUBLE_EQ(u.at(2, 0), (4 - 2.75) / std::sqrt(1.6875));
    EXPECT_EQ(u.at(1, 1), 0.0);
    // the standardised training set has weighted mean 0 and variance 1
    double m = 0, v = 0;
    for (std::size_t r = 0; r < 3; ++r)
        m += t.weights[r] * u.at(r, 0) / 4;
    for (std::size_t r = 0; r < 3; ++r)
        v += t.weights[r] * (u.at(r, 0) - m) * (u.at(r, 0) - m) / 4;
    EXPECT_NEAR(m, 0, 1e-15);
    EXPECT_NEAR(v, 1, 1e-15);
    // unweighted: population standard deviation of 1, 2, 4 (mean 7/3)
    t.weights.clear();
    const Standardization p = Standardization::fit(t);
    EXPECT_DOUBLE_EQ(p.mean[0], 7.0 / 3);
    EXPECT_DOUBLE_EQ(p.scale[0], std::sqrt((16.0 / 9 + 1.0 / 9 + 25.0 / 9) / 3));
    Table wrong;
    wrong.feature_names = {"a"};
    EXPECT_THROW(p.apply(wrong), std::invalid_argument);
    EXPECT_THROW(Standardization::fit(wrong), hepkit::InputError); // empty
}

// parse_data_config and load_data together: a ROOT signal and an HDF5 background next to the
// configuration, features with a name, a cut, weights, a fold split and balanced class weights.
TEST(NnLoadData, ConfigToSplitsOverRootAndHdf5) {
    const fs::path dir = fs::temp_directory_path() / ("hepkit_nn_e2e_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    using hepkit::io::Column;
    using hepkit::io::ColumnType;
    auto column = [](const std::string& name, std::vector<double> v) {
        Column c = Column::make(name, ColumnType::Float64);
        c.mut<double>() = std::move(v);
        return c;
    };
    Column pt = Column::make("Muon_pt", ColumnType::Float32);
    pt.mut<float>() = {30, 10, 25, 40};
    pt.offsets = {0, 1, 1, 3, 4}; // 4 events: 1, 0, 2, 1 muons
    Column event = Column::make("event", ColumnType::Int64);
    event.mut<std::int64_t>() = {0, 1, 2, 3};
    const std::vector<Column> sig{event, column("w", {1, 1, 2, 4}), pt};
    {
        hepkit::io::RootWriter out((dir / "sig.root").string());
        out.write_tree("Events", sig);
        out.close();
    }
    Column n = Column::make("nMuon", ColumnType::Int32);
    n.mut<std::int32_t>() = {1, 1, 1};
    Column bpt = Column::make("Muon_pt", ColumnType::Float32);
    bpt.mut<float>() = {5, 6, 7};
    bpt.offsets = {0, 1, 2, 3};
    event.mut<std::int64_t>() = {10, 11, 12};
    hepkit::io::write_hdf5((dir / "bkg.h5").string(),
                           std::vector<Column>{event, column("w", {1, 1, 1}), n, bpt});
    std::ofstream(dir / "train.yaml") << "data:\n"
                                         "  features: [{name: lead, expr: \"Muon_pt[0]\"}, event]\n"
                                         "  samples:\n"
                                         "    - {files: sig.root, class: 1, weight: w, cut: nMuon >= 1}\n"
                                         "    - {files: [bkg.h5], class: 0, weight: w}\n"
                                         "  split: {by: event % 2, train: [0], test: [1]}\n"
                                         "  class_weights: balanced\n";
    const auto config = hepkit::nn::parse_data_config(
        hepkit::config::load_yaml_view((dir / "train.yaml").string()).at("data"));
    EXPECT_EQ(config.samples[0].name, "sig");
    const DataSplits d = load_data(config);
    // signal events 0, 2 (even) train, 3 test (1 has no muon); background 10, 12 train, 11 test.
    // training sums: signal 1 + 2 = 3, background 2; total 5: factors 5/6 and 5/4
    EXPECT_EQ(d.train.feature_names, (std::vector<std::string>{"lead", "event"}));
    EXPECT_EQ(d.train.features, (std::vector<double>{30, 0, 10, 2, 5, 10, 7, 12}));
    EXPECT_EQ(d.train.targets, (std::vector<double>{1, 1, 0, 0}));
    EXPECT_EQ(d.train.weights, (std::vector<double>{5.0 / 6, 2 * (5.0 / 6), 1.25, 1.25}));
    EXPECT_EQ(d.test.features, (std::vector<double>{40, 3, 6, 11}));
    EXPECT_EQ(d.test.weights, (std::vector<double>{4 * (5.0 / 6), 1.25}));
    EXPECT_EQ(d.validation.rows, 0u);
    fs::remove_all(dir);
}
