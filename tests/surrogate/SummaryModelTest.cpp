// The summary-level surrogate on data whose answer is known: an index.csv written here with
// observables that are closed-form power laws of the features (no simulator noise), so the
// network must reproduce them on held-out rows; reproducibility; the training-domain flags; the
// errors of a model directory that is not one.

#include "hepkit/surrogate/SummaryModel.hpp"
#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/Generate.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
using namespace hepkit;
using namespace hepkit::surrogate;

namespace {

// Features drawn at random (positive, spanning a factor ~4 each); every observable is
// c · jobs^a · worker_cores^b · route_bw_mean^c: what the model must learn.
double law(const std::vector<double>& f, std::size_t target) {
    const auto& names = feature_names();
    const auto at = [&](const char* n) {
        return f[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
    };
    const double a = 0.2 + 0.1 * static_cast<double>(target % 5),
                 b = -0.5 + 0.05 * static_cast<double>(target);
    return 100.0 * (1 + static_cast<double>(target)) * std::pow(at("jobs"), a) *
           std::pow(at("worker_cores"), b) * std::pow(at("route_bw_mean") / 1e9, -0.3);
}

// `times`: the makespan is the law times this feature's value (a target proportional to a feature).
void write_index(const fs::path& dir, std::size_t rows, std::uint64_t seed, double scale = 1,
                 const char* times = nullptr) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::string header = "sample,seed,base";
    for (const auto& f : feature_names())
        header += "," + f;
    for (const auto& o : observable_names())
        header += "," + o;
    std::ofstream out(dir / "index.csv");
    out << header << "\n";
    for (std::size_t r = 0; r < rows; ++r) {
        std::vector<double> f;
        for (std::size_t i = 0; i < feature_names().size(); ++i)
            f.push_back(scale * (1 + 3 * u(rng)) * std::pow(10.0, static_cast<double>(i % 7)));
        out << r << "," << r << ",0";
        for (const double x : f)
            out << fmt::format(",{:.17g}", x);
        std::size_t t = 0;
        const auto& names = feature_names();
        const double factor =
            times ? f[static_cast<std::size_t>(std::find(names.begin(), names.end(), times) - names.begin())]
                  : 1;
        for (const auto& o : observable_names()) {
            const bool counted = o == "jobs" || o == "done" || o == "failed";
            out << fmt::format(",{:.17g}", counted ? 100.0 : law(f, t++) * (o == "makespan_s" ? factor : 1));
        }
        out << "\n";
    }
}

SummaryTrainConfig small(const fs::path& data, const fs::path& output) {
    SummaryTrainConfig c;
    c.data = data.string();
    c.output = output.string();
    c.ensemble = 2;
    c.hidden = {16};
    c.epochs = 300;
    c.learning_rate = 1e-2;
    c.patience = 60;
    c.seed = 3;
    return c;
}

TEST(SurrogateSummaryModel, LearnsAPowerLawAndPredictsHeldOutRows) {
    const auto data = hepkit::test::fresh_dir("summary", "data"),
               test = hepkit::test::fresh_dir("summary", "test"),
               model = hepkit::test::fresh_dir("summary", "model");
    write_index(data, 300, 1);
    write_index(test, 100, 2);
    const SummaryTrainReport r = train_summary(small(data, model));
    EXPECT_EQ(r.train_samples + r.validation_samples, 300U);
    EXPECT_EQ(r.validation_samples, 60U);
    ASSERT_EQ(r.best_epochs.size(), 2U);
    const SummaryModel m = SummaryModel::load(model.string());
    EXPECT_EQ(m.members(), 2U);
    const SummaryEvaluation e = evaluate_summary(m, test.string());
    ASSERT_EQ(e.targets.size(), 11U);
    EXPECT_EQ(e.samples, 100U);
    for (std::size_t t = 0; t < e.targets.size(); ++t)
        EXPECT_LT(e.rel_mae[t], 0.03) << e.targets[t]; // a power law is linear in the logs
    // evaluate's numbers are predict's
    std::ifstream in(test / "index.csv");
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    std::vector<double> row;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');)
        row.push_back(std::stod(f));
    const std::vector<double> f(row.begin() + 3,
                                row.begin() + 3 + static_cast<std::ptrdiff_t>(feature_names().size()));
    const SummaryPrediction p = m.predict(f);
    for (std::size_t t = 0; t < e.targets.size(); ++t)
        EXPECT_DOUBLE_EQ(p.mean[t], e.predicted[t]);
    EXPECT_TRUE(p.outside.empty());
}

TEST(SurrogateSummaryModel, SameSeedSameModelAndTheDomainIsFlagged) {
    const auto data = hepkit::test::fresh_dir("summary", "data2"),
               a = hepkit::test::fresh_dir("summary", "a"), b = hepkit::test::fresh_dir("summary", "b");
    write_index(data, 120, 5);
    auto c = small(data, a);
    c.epochs = 40;
    train_summary(c);
    c.output = b.string();
    train_summary(c);
    std::vector<double> f(feature_names().size());
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = 2.5 * std::pow(10.0, static_cast<double>(i % 7));
    const auto pa = SummaryModel::load(a.string()).predict(f), pb = SummaryModel::load(b.string()).predict(f);
    EXPECT_EQ(pa.mean, pb.mean);
    EXPECT_EQ(pa.spread, pb.spread);
    EXPECT_TRUE(pa.outside.empty());
    f[0] = 100; // jobs: trained on [1, 4]
    const auto out = SummaryModel::load(a.string()).predict(f);
    ASSERT_EQ(out.outside.size(), 1U);
    EXPECT_NE(out.outside[0].message().find("jobs = 100 (trained on ["), std::string::npos)
        << out.outside[0].message();
    EXPECT_EQ(out.outside[0].name, "jobs");
    EXPECT_DOUBLE_EQ(out.outside[0].value, 100);
    EXPECT_LT(out.outside[0].lo, out.outside[0].hi);
}

TEST(SurrogateSummaryModel, ChosenFeaturesOnly) {
    // The law reads three features: a model that sees only those learns it as well.
    const auto data = hepkit::test::fresh_dir("summary", "chosen");
    write_index(data, 300, 9);
    SummaryTrainConfig c = small(data, hepkit::test::fresh_dir("summary", "chosen-model"));
    c.features = {"jobs", "worker_cores", "route_bw_mean"};
    const SummaryTrainReport r = train_summary(c);
    for (const auto& [target, mae] : r.validation_rel_mae)
        EXPECT_LT(mae, 0.05) << target;
    std::ifstream in(fs::path(c.output) / "surrogate.json");
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j.at("used_features").size(), 3U);
    // a name that is no feature is an error naming the entry and listing the features
    const std::string yaml = "model: summary\ndata: d\nfeatures: [jobs, colour]\n";
    try {
        parse_summary_config(config::YamlView(YAML::Load(yaml), "train.yaml"));
        FAIL() << "accepted";
    } catch (const InputError& e) {
        EXPECT_NE(
            std::string(e.what()).find("train.yaml:3: features[1]: unknown feature 'colour'; allowed: jobs,"),
            std::string::npos)
            << e.what();
    }
}

// A target learned relative to a feature (relative_to) follows that feature exactly, even one the
// networks do not see; without it, a network that does not see the feature cannot learn it.
TEST(SurrogateSummaryModel, TargetsRelativeToAFeature) {
    const auto data = hepkit::test::fresh_dir("summary", "relative"),
               test = hepkit::test::fresh_dir("summary", "relative-test");
    write_index(data, 300, 11, 1, "flops_total");
    write_index(test, 100, 12, 1, "flops_total");
    const auto makespan_error = [&](const SummaryTrainConfig& c) {
        train_summary(c);
        const SummaryEvaluation e = evaluate_summary(SummaryModel::load(c.output), test.string());
        return e.rel_mae.at(static_cast<std::size_t>(
            std::find(e.targets.begin(), e.targets.end(), "makespan_s") - e.targets.begin()));
    };
    SummaryTrainConfig c = small(data, hepkit::test::fresh_dir("summary", "relative-model"));
    c.features = {"jobs", "worker_cores", "route_bw_mean"};
    c.relative_to = {{"makespan_s", "flops_total"}};
    EXPECT_LT(makespan_error(c), 0.03);
    std::ifstream in(fs::path(c.output) / "surrogate.json");
    EXPECT_EQ(nlohmann::json::parse(in).at("relative_to").at("makespan_s").at("feature"), "flops_total");
    c.relative_to.clear();
    c.output = hepkit::test::fresh_dir("summary", "absolute-model").string();
    EXPECT_GT(makespan_error(c), 0.2); // flops_total spans a factor 4 that no input tells
    // the file's form, and its errors
    const auto parsed = parse_summary_config(config::YamlView(
        YAML::Load("model: summary\ndata: d\nrelative_to: {makespan_s: pack_compute_end_max_s}\n"),
        "t.yaml"));
    ASSERT_EQ(parsed.relative_to.size(), 1U);
    EXPECT_EQ(parsed.relative_to[0].second, "pack_compute_end_max_s");
    for (const auto& [yaml, message] :
         {std::pair{"model: summary\ndata: d\nrelative_to: {colour: jobs}\n", "'colour' is not a target"},
          {"model: summary\ndata: d\nrelative_to: {makespan_s: colour}\n", "unknown feature 'colour'"},
          {"model: summary\ndata: d\nrelative_to: [makespan_s]\n", "expected a map of target: feature"}}) {
        try {
            parse_summary_config(config::YamlView(YAML::Load(yaml), "t.yaml"));
            ADD_FAILURE() << "accepted " << yaml;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        }
    }
}

TEST(SurrogateSummaryModel, NothingToLearnFromIsAnError) {
    // every feature the same in every sample: no input left to learn from
    const auto data = hepkit::test::fresh_dir("summary", "constant");
    {
        std::ofstream out(data / "index.csv");
        out << "sample,seed,base";
        for (const auto& f : feature_names())
            out << "," << f;
        for (const auto& o : observable_names())
            out << "," << o;
        out << "\n";
        for (int r = 0; r < 20; ++r) {
            out << r << "," << r << ",0";
            for (std::size_t i = 0; i < feature_names().size(); ++i)
                out << ",2";
            for (std::size_t i = 0; i < observable_names().size(); ++i)
                out << "," << 100 + r;
            out << "\n";
        }
    }
    try {
        train_summary(small(data, hepkit::test::fresh_dir("summary", "constant-model")));
        FAIL() << "trained";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no feature varies over the training samples"),
                  std::string::npos)
            << e.what();
    }
}

TEST(SurrogateSummaryModel, BadModelsAndDataNameTheFile) {
    const auto empty = hepkit::test::fresh_dir("summary", "empty");
    try {
        SummaryModel::load(empty.string());
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("surrogate.json: cannot read"), std::string::npos) << e.what();
    }
    std::ofstream(empty / "surrogate.json") << "{\"kind\": \"sequence\"}";
    try {
        SummaryModel::load(empty.string());
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not a summary model"), std::string::npos) << e.what();
    }
    try {
        train_summary(
            small(hepkit::test::fresh_dir("summary", "nodata"), hepkit::test::fresh_dir("summary", "out")));
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("index.csv: cannot read the index"), std::string::npos)
            << e.what();
    }
}

} // namespace
