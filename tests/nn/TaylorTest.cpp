// hepkit::nn::taylor_coefficients (arXiv:1803.08782) against closed forms: the polynomial of the
// reference table (reference/analysis-methods §3), the Gaussian log-likelihood ratio, weighted
// means, the chain rule through the input standardisation, batching, ranking and the errors.

#include "ScriptModels.hpp"

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Model.hpp"
#include "hepkit/nn/Taylor.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <random>

namespace fs = std::filesystem;
using hepkit::nn::Model;
using hepkit::nn::Table;
using hepkit::nn::TaylorConvention;
using hepkit::nn::TaylorOptions;
using hepkit::nn::TaylorResult;
using hepkit::nn::test::save_script_model;

namespace {

Table table(std::vector<std::string> names, std::vector<double> values, std::vector<double> weights = {}) {
    Table t;
    t.feature_names = std::move(names);
    t.rows = values.size() / t.feature_names.size();
    t.features = std::move(values);
    t.weights = std::move(weights);
    return t;
}

/// The coefficients by their index, for look-up.
std::map<std::vector<std::size_t>, hepkit::nn::TaylorCoefficient> by_index(const TaylorResult& r) {
    std::map<std::vector<std::size_t>, hepkit::nn::TaylorCoefficient> out;
    for (const auto& c : r.coefficients)
        out[c.index] = c;
    return out;
}

// f(x, y) = x·y + x·y² + y³ (reference/analysis-methods §3), no parameters: it runs in float64.
const char* kPolynomial = "def forward(self, x):\n"
                          "    a = x[:, 0]\n"
                          "    b = x[:, 1]\n"
                          "    return (a * b + a * b * b + b * b * b).unsqueeze(1)\n";

} // namespace

TEST(NnTaylor, PolynomialCoefficientsAreExactInBothConventions) {
    const auto path = hepkit::test::temp_path("nn-taylor", "poly.pt").string();
    save_script_model(path, kPolynomial);
    const auto model = Model::load(path);
    const auto data = table({"x", "y"}, {3.0, 2.0});
    // index → (bare derivative, Taylor convention), the reference table at (3, 2)
    const std::map<std::vector<std::size_t>, std::pair<double, double>> expected{
        {{0}, {6, 6}},       {{1}, {27, 27}},     {{0, 0}, {0, 0}},    {{0, 1}, {5, 5}},   {{1, 1}, {18, 9}},
        {{0, 0, 0}, {0, 0}}, {{0, 0, 1}, {0, 0}}, {{0, 1, 1}, {2, 1}}, {{1, 1, 1}, {6, 1}}};
    for (auto convention : {TaylorConvention::Derivative, TaylorConvention::Taylor}) {
        TaylorOptions options;
        options.order = 3;
        options.convention = convention;
        const auto result = hepkit::nn::taylor_coefficients(model, data, options);
        EXPECT_EQ(result.order, 3);
        EXPECT_EQ(result.convention, convention);
        ASSERT_EQ(result.coefficients.size(), expected.size());
        const auto got = by_index(result);
        for (const auto& [index, values] : expected) {
            const double want = convention == TaylorConvention::Derivative ? values.first : values.second;
            ASSERT_TRUE(got.count(index));
            EXPECT_NEAR(got.at(index).mean, want, 1e-12) << hepkit::nn::to_string(convention);
            EXPECT_NEAR(got.at(index).mean_abs, std::abs(want), 1e-12);
        }
        EXPECT_EQ(got.at({0, 1, 1}).names, (std::vector<std::string>{"x", "y", "y"}));
    }
    fs::remove(path);
}

TEST(NnTaylor, RankedByMeanAbsWithTiesByIndex) {
    const auto path = hepkit::test::temp_path("nn-taylor", "poly_rank.pt").string();
    save_script_model(path, kPolynomial);
    TaylorOptions options;
    options.order = 3;
    const auto result =
        hepkit::nn::taylor_coefficients(Model::load(path), table({"x", "y"}, {3.0, 2.0}), options);
    std::vector<std::vector<std::size_t>> order;
    for (const auto& c : result.coefficients)
        order.push_back(c.index);
    // 27, 18, 6 (t_x before t_yyy: same value, lower order first), 5, 2, then the zeros in index order
    const std::vector<std::vector<std::size_t>> expected{{1},       {1, 1}, {0},       {1, 1, 1}, {0, 1},
                                                         {0, 1, 1}, {0, 0}, {0, 0, 0}, {0, 0, 1}};
    EXPECT_EQ(order, expected);
    fs::remove(path);
}

TEST(NnTaylor, GaussianLikelihoodRatioSecondOrderIsTheClosedForm) {
    // g(x) = log N(x | 0, Σ) − log N(x | 0, I), Σ = [[1, ρ], [ρ, 1]]: ∂²g/∂x∂xᵀ = −(Σ⁻¹ − I) everywhere
    // (reference/analysis-methods §3). Float32 parameters: the analysis runs on a float64 copy.
    const char* source = "def forward(self, x):\n"
                         "    p = torch.inverse(self.sigma)\n"
                         "    q = ((x @ p) * x).sum(1)\n"
                         "    r = (x * x).sum(1)\n"
                         "    return (-0.5 * q + 0.5 * r - 0.5 * torch.logdet(self.sigma)).unsqueeze(1)\n";
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal;
    for (double rho : {0.5, -0.25, 0.75, 0.875}) {
        const auto path = hepkit::test::temp_path("nn-taylor", "gauss.pt").string();
        const auto s = static_cast<float>(rho);
        save_script_model(path, source, {{"sigma", torch::tensor({{1.0f, s}, {s, 1.0f}})}});
        const auto model = Model::load(path);
        const std::vector<double> probe{0.3, -1.2};
        const auto before = model.predict(probe, 1);
        std::vector<double> x;
        for (int i = 0; i < 500; ++i)
            x.push_back(normal(rng)), x.push_back(normal(rng));
        TaylorOptions options;
        options.order = 3;
        options.batch_size = 128;
        const auto got = by_index(hepkit::nn::taylor_coefficients(model, table({"x1", "x2"}, x), options));
        const double t12 = rho / (1 - rho * rho), t11 = 1 - 1 / (1 - rho * rho);
        EXPECT_NEAR(got.at({0, 1}).mean, t12, 1e-6) << rho;
        EXPECT_NEAR(got.at({0, 1}).mean_abs, std::abs(t12), 1e-6) << rho;
        EXPECT_NEAR(got.at({0, 0}).mean, t11, 1e-6) << rho;
        EXPECT_NEAR(got.at({1, 1}).mean, t11, 1e-6) << rho;
        EXPECT_NEAR(got.at({0, 0, 1}).mean_abs, 0.0, 1e-9) << rho; // a quadratic form
        // at x = 0 the first derivatives vanish
        const auto at0 =
            by_index(hepkit::nn::taylor_coefficients(model, table({"x1", "x2"}, {0.0, 0.0}), options));
        EXPECT_NEAR(at0.at({0}).mean_abs, 0.0, 1e-12);
        EXPECT_NEAR(at0.at({1}).mean_abs, 0.0, 1e-12);
        EXPECT_NEAR(at0.at({0, 1}).mean, t12, 1e-6);
        // the shared model keeps its own precision (the analysis converted a copy)
        EXPECT_EQ(model.predict(probe, 1).values, before.values);
        fs::remove(path);
    }
}

TEST(NnTaylor, WeightedMeansAcrossBatches) {
    const auto path = hepkit::test::temp_path("nn-taylor", "square.pt").string();
    // f = x0²/2 + 3 x1: t_0 = x0, t_00 = 1, t_1 = 3
    save_script_model(
        path, "def forward(self, x):\n    return (0.5 * x[:, 0] * x[:, 0] + 3.0 * x[:, 1]).unsqueeze(1)\n");
    const auto data = table({"a", "b"}, {1.0, 0.0, -2.0, 0.0, 3.0, 0.0}, {1.0, 2.0, 0.5});
    TaylorOptions options;
    options.order = 2;
    options.batch_size = 2; // three events: two batches
    const auto got = by_index(hepkit::nn::taylor_coefficients(Model::load(path), data, options));
    EXPECT_NEAR(got.at({0}).mean_abs, (1.0 + 4.0 + 1.5) / 3.5, 1e-14);
    EXPECT_NEAR(got.at({0}).mean, (1.0 - 4.0 + 1.5) / 3.5, 1e-14);
    EXPECT_NEAR(got.at({1}).mean, 3.0, 1e-14);
    EXPECT_NEAR(got.at({0, 0}).mean, 1.0, 1e-14);
    EXPECT_NEAR(got.at({0, 1}).mean_abs, 0.0, 1e-14);
    fs::remove(path);
}

TEST(NnTaylor, StandardizedInputsFollowTheChainRule) {
    // hepkit's models standardise in forward: z = (x − mean)/scale; f = z0·z1² + z0.
    const auto path = hepkit::test::temp_path("nn-taylor", "std.pt").string();
    save_script_model(path,
                      "def forward(self, x):\n"
                      "    z = (x - self.mean) / self.scale\n"
                      "    return (z[:, 0] * z[:, 1] * z[:, 1] + z[:, 0]).unsqueeze(1)\n",
                      {{"mean", torch::tensor({1.0, 2.0}, torch::kFloat64)},
                       {"scale", torch::tensor({2.0, 4.0}, torch::kFloat64)}},
                      R"({"input_names": ["a", "b"], "standardization": {"mean": [1, 2], "scale": [2, 4]}})");
    const auto model = Model::load(path);
    const auto data = table({"a", "b"}, {5.0, 10.0}); // z = (2, 2)
    TaylorOptions options;
    options.order = 3;
    const auto z = by_index(hepkit::nn::taylor_coefficients(model, data, options));
    EXPECT_NEAR(z.at({0}).mean, 2.0 * 2.0 + 1.0, 1e-12); // ∂f/∂z0 = z1² + 1
    EXPECT_NEAR(z.at({1}).mean, 2.0 * 2.0 * 2.0, 1e-12); // 2 z0 z1
    EXPECT_NEAR(z.at({0, 1}).mean, 4.0, 1e-12);          // 2 z1
    EXPECT_NEAR(z.at({0, 1, 1}).mean, 2.0, 1e-12);
    options.standardized = false; // with respect to the raw x: one 1/scale per index
    const auto raw = by_index(hepkit::nn::taylor_coefficients(model, data, options));
    EXPECT_NEAR(raw.at({0}).mean, 5.0 / 2.0, 1e-12);
    EXPECT_NEAR(raw.at({1}).mean, 8.0 / 4.0, 1e-12);
    EXPECT_NEAR(raw.at({0, 1}).mean, 4.0 / 8.0, 1e-12);
    EXPECT_NEAR(raw.at({0, 1, 1}).mean, 2.0 / 32.0, 1e-12);
    options.convention = TaylorConvention::Taylor;
    options.standardized = true;
    EXPECT_NEAR(by_index(hepkit::nn::taylor_coefficients(model, data, options)).at({0, 1, 1}).mean, 1.0,
                1e-12);
    fs::remove(path);
}

TEST(NnTaylor, BatchSizeAndOutputNodeDoNotChangeTheAnswer) {
    const auto path = hepkit::test::temp_path("nn-taylor", "mlp.pt").string();
    torch::manual_seed(3);
    // a small two-output MLP with random weights (float32, as trained)
    save_script_model(path,
                      "def forward(self, x):\n"
                      "    h = torch.tanh(torch.linear(x, self.w1, self.b1))\n"
                      "    return torch.linear(h, self.w2, self.b2)\n",
                      {{"w1", torch::randn({8, 3})},
                       {"b1", torch::randn({8})},
                       {"w2", torch::randn({2, 8})},
                       {"b2", torch::randn({2})}});
    const auto model = Model::load(path);
    std::vector<double> x;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    for (int i = 0; i < 3 * 301; ++i)
        x.push_back(normal(rng));
    const auto data = table({"a", "b", "c"}, x);
    TaylorOptions big, small;
    big.order = small.order = 3;
    small.batch_size = 17;
    big.output_node = small.output_node = 1;
    const auto a = by_index(hepkit::nn::taylor_coefficients(model, data, big));
    const auto b = by_index(hepkit::nn::taylor_coefficients(model, data, small));
    ASSERT_EQ(a.size(), 3u + 6u + 10u);
    for (const auto& [index, c] : a) {
        EXPECT_NEAR(b.at(index).mean_abs, c.mean_abs, 1e-12 * (1 + std::abs(c.mean_abs)));
        EXPECT_NEAR(b.at(index).mean, c.mean, 1e-12 * (1 + std::abs(c.mean)));
    }
    big.output_node = 0;
    EXPECT_NE(by_index(hepkit::nn::taylor_coefficients(model, data, big)).at({0}).mean, a.at({0}).mean);
    fs::remove(path);
}

TEST(NnTaylor, ErrorsNameTheModelAndTheBadValue) {
    const auto path = hepkit::test::temp_path("nn-taylor", "named.pt").string();
    save_script_model(path, "def forward(self, x):\n    return x[:, 0:1] * x[:, 1:2]\n", {},
                      R"({"input_names": ["a", "b"]})");
    const auto model = Model::load(path);
    TaylorOptions options;
    const auto expect_error = [&](const Table& data, const TaylorOptions& o, const std::string& part) {
        try {
            hepkit::nn::taylor_coefficients(model, data, o);
            ADD_FAILURE() << "no error; expected one saying " << part;
        } catch (const hepkit::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    // the wrong number of features: InputError naming the model file
    expect_error(table({"a", "b", "c"}, {1, 2, 3}), options, path);
    expect_error(table({"a", "b", "c"}, {1, 2, 3}), options, "takes 2 inputs");
    expect_error(table({"a", "b"}, {}), options, "no events");
    expect_error(table({"a", "b"}, {1, 2}, {0.0}), options, "weigh 0");
    for (int order : {0, 4}) {
        auto o = options;
        o.order = order;
        EXPECT_THROW(hepkit::nn::taylor_coefficients(model, table({"a", "b"}, {1, 2}), o),
                     hepkit::UsageError);
    }
    auto o = options;
    o.output_node = 1;
    EXPECT_THROW(hepkit::nn::taylor_coefficients(model, table({"a", "b"}, {1, 2}), o), hepkit::UsageError);
    EXPECT_THROW(hepkit::nn::parse_taylor_convention("hessian"), hepkit::UsageError);
    EXPECT_EQ(hepkit::nn::parse_taylor_convention("taylor"), TaylorConvention::Taylor);
    EXPECT_EQ(hepkit::nn::to_string(TaylorConvention::Derivative), "derivative");
    fs::remove(path);
    // a model without input names that cannot take the data's width: the error names its file
    const auto unnamed = hepkit::test::temp_path("nn-taylor", "unnamed.pt").string();
    save_script_model(unnamed, "def forward(self, x):\n    return torch.linear(x, self.w)\n",
                      {{"w", torch::ones({1, 2}, torch::kFloat64)}});
    try {
        hepkit::nn::taylor_coefficients(Model::load(unnamed), table({"a", "b", "c"}, {1, 2, 3}), options);
        ADD_FAILURE() << "no error for 3 features into a 2-input layer";
    } catch (const hepkit::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(unnamed), std::string::npos) << e.what();
    }
    fs::remove(unnamed);
}

TEST(NnTaylor, JsonHoldsTheRankedCoefficients) {
    const auto path = hepkit::test::temp_path("nn-taylor", "poly_json.pt").string();
    save_script_model(path, kPolynomial);
    TaylorOptions options;
    options.convention = TaylorConvention::Taylor;
    const auto result =
        hepkit::nn::taylor_coefficients(Model::load(path), table({"x", "y"}, {3.0, 2.0}), options);
    const auto doc = nlohmann::json::parse(hepkit::nn::to_json(result));
    EXPECT_EQ(doc.at("convention"), "taylor");
    EXPECT_EQ(doc.at("order"), 2);
    EXPECT_EQ(doc.at("features"), (std::vector<std::string>{"x", "y"}));
    ASSERT_EQ(doc.at("coefficients").size(), 5u);
    EXPECT_EQ(doc.at("coefficients")[0].at("index"), (std::vector<std::size_t>{1}));
    EXPECT_EQ(doc.at("coefficients")[0].at("names"), (std::vector<std::string>{"y"}));
    EXPECT_EQ(doc.at("coefficients")[1].at("index"), (std::vector<std::size_t>{1, 1}));
    EXPECT_DOUBLE_EQ(doc.at("coefficients")[1].at("mean").get<double>(), 9.0);
    EXPECT_DOUBLE_EQ(doc.at("coefficients")[1].at("mean_abs").get<double>(), 9.0);
    fs::remove(path);
}
