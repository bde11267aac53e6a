// hepkit::nn::parse_data_config: the `data:` section read from YAML files written here, and its
// errors, which name the file, the line and the key.
#include "Helpers.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Dataset.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using hepkit::nn::DataConfig;
using hepkit::nn::parse_data_config;
using hepkit::test::input_error;

namespace {

// A folder of its own with two CSV files and the configuration `yaml` (the `data:` section's body).
class NnDataConfig : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("hepkit_nn_config_" + std::to_string(::getpid()));
        fs::create_directories(dir_ / "in");
        std::ofstream(dir_ / "in/sig.csv") << "x\n1\n";
        std::ofstream(dir_ / "in/bkg_1.csv") << "x\n2\n";
        std::ofstream(dir_ / "in/bkg_2.csv") << "x\n3\n";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& body) const {
        const auto path = (dir_ / "train.yaml").string();
        std::ofstream(path) << "data:\n" << body;
        return path;
    }
    DataConfig parse(const std::string& body) const {
        return parse_data_config(hepkit::config::load_yaml_view(write(body)).at("data"));
    }
    hepkit::InputError error(const std::string& body) const {
        return input_error([&] { parse(body); });
    }
    fs::path dir_;
};

const std::string samples = "  samples:\n"
                            "    - {files: in/sig.csv, class: 1}\n"
                            "    - {files: [in/bkg_1.csv], class: 0}\n";

} // namespace

TEST_F(NnDataConfig, FullSection) {
    const DataConfig c = parse("  features: [MET_pt, {name: lead_pt, expr: \"Muon_pt[0]\"}]\n"
                               "  samples:\n"
                               "    - name: signal\n"
                               "      files: [in/sig.csv]\n"
                               "      tree: Events\n"
                               "      class: 1\n"
                               "      weight: genWeight\n"
                               "      cut: \"nMuon >= 1\"\n"
                               "      max_events: 100\n"
                               "    - {files: \"in/bkg_*.csv\", class: 0}\n"
                               "  split: {fractions: [0.5, 0.25, 0.25], seed: 7}\n"
                               "  class_weights: balanced\n");
    EXPECT_EQ(c.features, (std::vector<std::string>{"MET_pt", "Muon_pt[0]"}));
    EXPECT_EQ(c.names, (std::vector<std::string>{"MET_pt", "lead_pt"}));
    ASSERT_EQ(c.samples.size(), 2u);
    const auto& s = c.samples[0];
    EXPECT_EQ(s.name, "signal");
    EXPECT_EQ(s.source.files, (std::vector<std::string>{(dir_ / "in/sig.csv").string()}));
    EXPECT_EQ(s.source.tree, "Events");
    EXPECT_EQ(s.label, 1);
    EXPECT_EQ(s.source.weight, "genWeight");
    EXPECT_EQ(s.source.cut, "nMuon >= 1");
    EXPECT_EQ(s.source.max_events, 100u);
    // a pattern expands to its matches sorted by name; the name defaults to the first file's stem
    EXPECT_EQ(c.samples[1].source.files,
              (std::vector<std::string>{(dir_ / "in/bkg_1.csv").string(), (dir_ / "in/bkg_2.csv").string()}));
    EXPECT_EQ(c.samples[1].name, "bkg_1");
    EXPECT_EQ(c.split.train, 0.5);
    EXPECT_EQ(c.split.validation, 0.25);
    EXPECT_EQ(c.split.seed, 7u);
    EXPECT_TRUE(c.split.by.empty());
    EXPECT_EQ(c.class_weights, "balanced");
    EXPECT_TRUE(c.target.empty());
}

TEST_F(NnDataConfig, DefaultsFoldSplitAndRegression) {
    const DataConfig c = parse("  features: [x]\n" + samples);
    EXPECT_EQ(c.split.train, 0.6);
    EXPECT_EQ(c.split.seed, 1u);
    EXPECT_EQ(c.class_weights, "none");
    const DataConfig f = parse("  features: [x]\n" + samples +
                               "  split: {by: \"event % 4\", train: [0, 1], validation: 2, test: [3]}\n");
    EXPECT_EQ(f.split.by, "event % 4");
    EXPECT_EQ(f.split.train_folds, (std::vector<std::int64_t>{0, 1}));
    EXPECT_EQ(f.split.validation_folds, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(f.split.test_folds, (std::vector<std::int64_t>{3}));
    const DataConfig r = parse("  features: [x]\n  target: \"x * 2\"\n  samples: [{files: in/sig.csv}]\n");
    EXPECT_EQ(r.target, "x * 2");
    EXPECT_FALSE(r.samples[0].label.has_value());
}

TEST_F(NnDataConfig, TypoInAKeyNamesFileLineAndKey) {
    const auto e = error("  features: [x]\n"
                         "  samples:\n"
                         "    - files: in/sig.csv\n"
                         "      class: 1\n"
                         "      weigth: w\n"
                         "    - {files: in/bkg_1.csv, class: 0}\n");
    EXPECT_EQ(e.file(), (dir_ / "train.yaml").string());
    EXPECT_EQ(e.line(), 6);
    EXPECT_EQ(e.key(), "data.samples[0].weigth");
    EXPECT_NE(std::string(e.what()).find("weight"), std::string::npos) << e.what(); // the allowed keys
    const auto top = error("  feature: [x]\n" + samples);
    EXPECT_EQ(top.line(), 2);
    EXPECT_EQ(top.key(), "data.feature");
}

TEST_F(NnDataConfig, FractionsMustSumToOne) {
    const auto e = error("  features: [x]\n" + samples + "  split: {fractions: [0.6, 0.3, 0.2]}\n");
    EXPECT_EQ(e.line(), 6);
    EXPECT_EQ(e.key(), "data.split.fractions");
    EXPECT_NE(e.message().find("sum to 1.1"), std::string::npos) << e.what();
    EXPECT_EQ(error("  features: [x]\n" + samples + "  split: {fractions: [0.6, 0.4]}\n").key(),
              "data.split.fractions");
    EXPECT_EQ(error("  features: [x]\n" + samples + "  split: {fractions: [1.2, -0.1, -0.1]}\n").key(),
              "data.split.fractions[0]");
}

TEST_F(NnDataConfig, FoldSplitErrors) {
    EXPECT_NE(error("  features: [x]\n" + samples + "  split: {by: \"event % 2\", train: [0], test: [0]}\n")
                  .message()
                  .find("fold 0 is in two sets"),
              std::string::npos);
    EXPECT_EQ(
        error("  features: [x]\n" + samples + "  split: {by: \"event % 2\", train: [0], seed: 3}\n").key(),
        "data.split.seed");
    EXPECT_EQ(error("  features: [x]\n" + samples + "  split: {train: [0]}\n").key(), "data.split.train");
    EXPECT_EQ(error("  features: [x]\n" + samples + "  split: {by: \"event % 2\"}\n").message(),
              "missing required key 'train'");
}

TEST_F(NnDataConfig, ClassesAndTargets) {
    // a regression takes no class
    EXPECT_EQ(error("  features: [x]\n  target: x\n" + samples).key(), "data.samples[0].class");
    // a classification needs a class on every sample, two classes at least, none left out
    EXPECT_EQ(
        error("  features: [x]\n  samples: [{files: in/sig.csv, class: 1}, {files: in/bkg_1.csv}]\n").key(),
        "data.samples[1]");
    EXPECT_NE(
        error("  features: [x]\n  samples: [{files: in/sig.csv, class: 1}]\n").message().find("two classes"),
        std::string::npos);
    EXPECT_NE(
        error(
            "  features: [x]\n  samples: [{files: in/sig.csv, class: 2}, {files: in/bkg_1.csv, class: 0}]\n")
            .message()
            .find("0 to 2 with none left out"),
        std::string::npos);
    EXPECT_EQ(error("  features: [x]\n" + samples + "  class_weights: equal\n").key(), "data.class_weights");
    EXPECT_EQ(
        error("  features: [x]\n  target: x\n  samples: [{files: in/sig.csv}]\n  class_weights: balanced\n")
            .key(),
        "data.class_weights");
}

TEST_F(NnDataConfig, FilesAndFeatures) {
    const auto missing = error("  features: [x]\n  samples:\n    - {files: [in/nope.csv], class: 0}\n");
    EXPECT_EQ(missing.line(), 4);
    EXPECT_EQ(missing.key(), "data.samples[0].files[0]");
    EXPECT_NE(missing.message().find("in/nope.csv"), std::string::npos) << missing.what();
    EXPECT_NE(error("  features: [x]\n  samples: [{files: \"in/zz*.csv\", class: 0}]\n")
                  .message()
                  .find("matches no file"),
              std::string::npos);
    EXPECT_NE(error("  features: [x, x]\n" + samples).message().find("listed twice"), std::string::npos);
    EXPECT_EQ(error("  features: []\n" + samples).key(), "data.features");
    EXPECT_EQ(error("  features: [{name: a, exp: x}]\n" + samples).key(), "data.features[0].exp");
    EXPECT_EQ(error("  features: [x]\n  samples: [{files: in/sig.csv, class: 0, max_events: -1}]\n").key(),
              "data.samples[0].max_events");
}
