// hepkit::nn::Model: loading TorchScript archives (with and without hepkit's metadata), inference,
// and the errors for files that are not models or do not fit the data.

#include "ScriptModels.hpp"

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Model.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using hepkit::nn::Model;
using hepkit::nn::test::save_script_model;

TEST(NnModel, LoadsAFloatModelAndPredictsInBatches) {
    const auto path = hepkit::test::temp_path("nn-model", "linear.pt").string();
    // y = 2 x0 - x1 + 0.5: a float32 linear layer
    save_script_model(path, "def forward(self, x):\n    return torch.linear(x, self.w, self.b)\n",
                      {{"w", torch::tensor({{2.0f, -1.0f}})}, {"b", torch::tensor({0.5f})}},
                      R"({"input_names": ["a", "b"], "standardization": {"mean": [0, 0], "scale": [1, 1]}})");
    const auto model = Model::load(path);
    EXPECT_EQ(model.input_names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(model.input_scale().size(), 2u);
    std::vector<double> x;
    const std::size_t rows = 70000; // more than one batch of predict
    for (std::size_t i = 0; i < rows; ++i) {
        x.push_back(static_cast<double>(i % 7));
        x.push_back(1.0);
    }
    const auto p = model.predict(x, rows);
    ASSERT_EQ(p.rows, rows);
    ASSERT_EQ(p.outputs, 1u);
    for (std::size_t i = 0; i < rows; i += 997)
        EXPECT_DOUBLE_EQ(p.values[i], 2.0 * static_cast<double>(i % 7) - 0.5) << i;
    fs::remove(path);
}

TEST(NnModel, AModelWithoutParametersTakesFloat64) {
    const auto path = hepkit::test::temp_path("nn-model", "poly.pt").string();
    save_script_model(
        path, "def forward(self, x):\n    return (x[:, 0] * x[:, 1] + 1e-12 * x[:, 0]).unsqueeze(1)\n");
    const auto model = Model::load(path);
    EXPECT_TRUE(model.input_names().empty());
    EXPECT_TRUE(model.metadata().empty());
    const auto p = model.predict(std::vector<double>{3.0, 1.0 / 3.0}, 1);
    // 1/3 survives in float64 only: float32 would give 1.0000000298...
    EXPECT_DOUBLE_EQ(p.values[0], 3.0 * (1.0 / 3.0) + 3e-12);
    fs::remove(path);
}

TEST(NnModel, ErrorsNameTheFile) {
    const auto missing = hepkit::test::temp_path("nn-model", "missing.pt").string();
    try {
        Model::load(missing);
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    const auto junk = hepkit::test::temp_path("nn-model", "junk.pt").string();
    std::ofstream(junk) << "not a zip archive";
    try {
        Model::load(junk);
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not a TorchScript model"), std::string::npos) << e.what();
    }
    fs::remove(junk);
    const auto bad_meta = hepkit::test::temp_path("nn-model", "badmeta.pt").string();
    save_script_model(bad_meta, "def forward(self, x):\n    return x\n", {}, "{not json");
    EXPECT_THROW(Model::load(bad_meta), hepkit::InputError);
    fs::remove(bad_meta);
    const auto two = hepkit::test::temp_path("nn-model", "two.pt").string();
    save_script_model(two, "def forward(self, x):\n    return x\n", {}, R"({"input_names": ["a", "b"]})");
    const auto model = Model::load(two);
    try {
        model.predict(std::vector<double>{1, 2, 3}, 1);
        FAIL();
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("takes 2 inputs, the data has 3"), std::string::npos)
            << e.what();
    }
    fs::remove(two);
}
