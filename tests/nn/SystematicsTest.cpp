// Systematics-aware training (issue 17 §2): differentiable histograms (forward counts, gradients),
// expressions in libtorch, the Asimov Hessian against the Fisher closed form of analysis-methods
// README §2 (1e-12), the penalty's zero, the loss configuration.

#include "DiffHistogram.hpp"
#include "ExprTorch.hpp"
#include "SystematicsLoss.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

namespace hepkit::nn {
namespace {

torch::Tensor dvec(std::vector<double> v) {
    return torch::tensor(v, torch::kFloat64);
}

TEST(NnDiffHistogram, HardCountsAndGaussianBackward) {
    HistogramConfig c;
    c.bins = 4;
    const auto x = dvec({0.1, 0.3, 0.3, 0.99, 1.0, -0.2, 0.5}).requires_grad_(true);
    const auto w = dvec({1, 2, 0.5, 1, 3, 7, 1});
    const auto h = diff_histogram(c, x, w);
    // bins [0,.25) [.25,.5) [.5,.75) [.75,1]: 1 | 2+0.5 | 1 (0.5) | 1+3 (1.0 in the last); -0.2 nowhere
    const std::vector<double> expected{1, 2.5, 1, 4};
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(h[i].item<double>(), expected[static_cast<std::size_t>(i)]);
    // backward: Σ_i ∂h_i/∂x_e = w_e Σ_i g_i'(x_e), g_i = exp(−(x − c_i)²/(2σ²)), σ = 0.125
    h.sum().backward();
    const double sigma = 0.125;
    for (int e = 0; e < 7; ++e) {
        const double xe = x[e].item<double>();
        double d = 0;
        for (int i = 0; i < 4; ++i) {
            const double ci = 0.125 + 0.25 * i;
            d += -(xe - ci) / (sigma * sigma) * std::exp(-(xe - ci) * (xe - ci) / (2 * sigma * sigma));
        }
        EXPECT_NEAR(x.grad()[e].item<double>(), w[e].item<double>() * d, 1e-12) << e;
    }
    EXPECT_TRUE(torch::equal(hard_histogram(c, x, w), h.detach()));
}

/// Central differences of f(x) against autograd, each component.
void check_gradient(const std::function<torch::Tensor(const torch::Tensor&)>& f, torch::Tensor x) {
    x = x.detach().clone().requires_grad_(true);
    const auto weights = torch::linspace(1, 2, f(x).numel(), torch::kFloat64);
    (f(x) * weights).sum().backward();
    for (std::int64_t i = 0; i < x.numel(); ++i) {
        const double eps = 1e-6;
        auto up = x.detach().clone(), down = x.detach().clone();
        up.view({-1})[i] += eps;
        down.view({-1})[i] -= eps;
        const double numeric = ((f(up) - f(down)) * weights).sum().item<double>() / (2 * eps);
        EXPECT_NEAR(x.grad().view({-1})[i].item<double>(), numeric, 1e-6 * (1 + std::abs(numeric))) << i;
    }
}

TEST(NnDiffHistogram, KdeCountsAndNumericalGradient) {
    HistogramConfig c;
    c.kind = HistogramKind::Kde;
    c.bins = 5;
    c.bandwidth = 0.05;
    const auto x = dvec({0.12, 0.33, 0.5, 0.71, 0.95, 0.2});
    const auto w = dvec({1, 2, 1, 0.5, 1, 3});
    const auto h = diff_histogram(c, x, w);
    // by the normal CDF Φ: bin 0 [0, 0.2) (event 0.12 mostly, 0.2 half) and the whole range
    // (the event at 0.95 spills a sixth of its weight beyond 1)
    const auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    double bin0 = 0, inside = 0;
    const std::vector<double> xs{0.12, 0.33, 0.5, 0.71, 0.95, 0.2}, ws{1, 2, 1, 0.5, 1, 3};
    for (std::size_t e = 0; e < xs.size(); ++e) {
        bin0 += ws[e] * (phi((0.2 - xs[e]) / 0.05) - phi((0.0 - xs[e]) / 0.05));
        inside += ws[e] * (phi((1.0 - xs[e]) / 0.05) - phi((0.0 - xs[e]) / 0.05));
    }
    EXPECT_NEAR(h[0].item<double>(), bin0, 1e-12);
    EXPECT_NEAR(h.sum().item<double>(), inside, 1e-12);
    EXPECT_LT(inside, 8.5 - 0.15);
    check_gradient([&](const torch::Tensor& v) { return diff_histogram(c, v, w); }, x);
    check_gradient([&](const torch::Tensor& v) { return diff_histogram(c, x, v); }, w);
}

TEST(NnDiffHistogram, SoftmaxCountsAndNumericalGradient) {
    HistogramConfig c;
    c.kind = HistogramKind::Softmax;
    c.bins = 3;
    c.temperature = 0.5;
    const auto logits = dvec({0.1, 2, -1, 1, 1, 1, -3, 0, 0.5, 2, 2.1, 0}).view({4, 3});
    const auto w = dvec({1, 2, 0.5, 1});
    const auto h = diff_histogram(c, logits, w);
    EXPECT_NEAR(h.sum().item<double>(), 4.5, 1e-12); // every event's probabilities sum to 1
    const auto p0 = torch::softmax(logits[0] / 0.5, 0);
    const auto p1 = torch::softmax(logits[1] / 0.5, 0);
    EXPECT_NEAR(h[0].item<double>() - (torch::softmax(logits / 0.5, 1).select(1, 0) * w).sum().item<double>(),
                0, 1e-14);
    EXPECT_NEAR(p1[0].item<double>(), 1.0 / 3, 1e-15);
    EXPECT_GT(p0[1].item<double>(), 0.9);
    check_gradient([&](const torch::Tensor& v) { return diff_histogram(c, v, w); }, logits);
    // evaluation: the largest output's bin (event 3: bin 1)
    const auto hard = hard_histogram(c, logits, w);
    EXPECT_EQ(hard[1].item<double>(), 1 + 1); // events 0 and 3
    EXPECT_EQ(hard[0].item<double>(), 2);     // event 1: a tie goes to the first
    EXPECT_EQ(hard[2].item<double>(), 0.5);
}

TEST(NnExprTorch, EvaluatesAndDifferentiates) {
    const TorchExpression e("x0 * 3 / lambda + sqrt(abs(x1)) - 2 ** r", {"x0", "x1", "lambda", "r"}, "expr");
    EXPECT_TRUE(e.uses(0) && e.uses(1) && e.uses(2) && e.uses(3));
    const auto x0 = dvec({1, 2}), x1 = dvec({-4, 9});
    const auto lambda = torch::scalar_tensor(3.0, torch::kFloat64).requires_grad_(true);
    const auto r = torch::scalar_tensor(0.5, torch::kFloat64);
    const auto v = e.eval({x0, x1, lambda, r});
    EXPECT_NEAR(v[0].item<double>(), 1 + 2 - std::sqrt(2.0), 1e-15);
    EXPECT_NEAR(v[1].item<double>(), 2 + 3 - std::sqrt(2.0), 1e-15);
    v.sum().backward(); // ∂/∂λ of x0·3/λ summed: −3(1 + 2)/9
    EXPECT_NEAR(lambda.grad().item<double>(), -1.0, 1e-15);
    // float32 columns stay float32 with float64 parameters
    EXPECT_EQ(e.eval({x0.to(torch::kFloat32), x1.to(torch::kFloat32), lambda, r}).scalar_type(),
              torch::kFloat32);
}

TEST(NnExprTorch, ErrorsNameTheKeyAndTheAllowedNames) {
    try {
        TorchExpression("x0 + y", {"x0", "r"}, "loss.nuisances[0].inputs.expr");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown name 'y' (allowed: x0, r)"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("loss.nuisances[0].inputs.expr"), std::string::npos) << e.what();
    }
    EXPECT_THROW(TorchExpression("x0 +", {"x0"}, "k"), InputError);
    EXPECT_THROW(TorchExpression("lgamma(x0)", {"x0"}, "k"), InputError);
}

/// Random positive templates of `bins` bins.
std::vector<double> positive(std::mt19937_64& rng, int bins, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> v(static_cast<std::size_t>(bins));
    for (auto& x : v)
        x = u(rng);
    return v;
}

// analysis-methods README §2: at the Asimov point H is the Fisher matrix, I_μμ = Σ s²/n,
// I_μθ = Σ sΔ/n, I_θθ = Σ Δ²/n + 1, σ_μ² = I_θθ / (I_μμ I_θθ − I_μθ²).
TEST(NnAsimovHessian, MatchesTheFisherClosedForm) {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 5; ++trial) {
        const auto s = positive(rng, 10, 0.5, 20), b = positive(rng, 10, 50, 300),
                   c = positive(rng, 10, -5, 5);
        std::vector<double> delta = positive(rng, 10, -10, 10);
        const auto S = dvec(s), B = dvec(b), D = dvec(delta);
        // templates: up = b + Δ + c, down = b − Δ + c: the smooth interpolation has slope Δ at 0
        // and curvature c, which the Hessian at the Asimov point does not see
        const auto up = B + D + dvec(c), down = B - D + dvec(c);
        const auto nu = [&](const torch::Tensor& p) {
            return p[0] * S + B + smooth_delta(p[1], B, up, down);
        };
        const auto H = asimov_hessian(nu, dvec({1, 0}), {std::nullopt, 1.0});
        double imm = 0, imt = 0, itt = 1;
        for (std::size_t i = 0; i < 10; ++i) {
            const double n = s[i] + b[i];
            imm += s[i] * s[i] / n;
            imt += s[i] * delta[i] / n;
            itt += delta[i] * delta[i] / n;
        }
        EXPECT_NEAR(H[0][0].item<double>(), imm, 1e-12 * imm);
        EXPECT_NEAR(H[0][1].item<double>(), imt, 1e-12 * std::abs(imt) + 1e-13);
        EXPECT_NEAR(H[1][0].item<double>(), imt, 1e-12 * std::abs(imt) + 1e-13);
        EXPECT_NEAR(H[1][1].item<double>(), itt, 1e-12 * itt);
        const double var = itt / (imm * itt - imt * imt);
        EXPECT_NEAR(torch::inverse(H)[0][0].item<double>(), var, 1e-12 * var);
    }
}

// The variance is differentiable in the templates: autograd through the double backward against
// central differences of the closed form.
TEST(NnAsimovHessian, GradientOfTheVarianceInTheTemplates) {
    std::mt19937_64 rng(11);
    const auto s0 = positive(rng, 6, 1, 10), b = positive(rng, 6, 50, 100), d = positive(rng, 6, -8, 8);
    const auto closed = [&](const std::vector<double>& s) {
        double imm = 0, imt = 0, itt = 1;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const double n = s[i] + b[i];
            imm += s[i] * s[i] / n, imt += s[i] * d[i] / n, itt += d[i] * d[i] / n;
        }
        return itt / (imm * itt - imt * imt);
    };
    const auto S = dvec(s0).requires_grad_(true);
    const auto B = dvec(b), D = dvec(d);
    const auto nu = [&](const torch::Tensor& p) { return p[0] * S + B + p[1] * D; };
    torch::inverse(asimov_hessian(nu, dvec({1, 0}), {std::nullopt, 1.0}))[0][0].backward();
    for (std::size_t i = 0; i < s0.size(); ++i) {
        auto up = s0, down = s0;
        up[i] += 1e-5, down[i] -= 1e-5;
        const double numeric = (closed(up) - closed(down)) / 2e-5;
        EXPECT_NEAR(S.grad()[static_cast<std::int64_t>(i)].item<double>(), numeric,
                    1e-6 * std::abs(numeric) + 1e-12);
    }
}

/// A linear "network" x → x0 + 0.5·x1 through a sigmoid: enough to make histograms of.
Forward linear_forward() {
    return [](const torch::Tensor& x) { return torch::sigmoid(x.select(1, 0) + 0.5 * x.select(1, 1)); };
}

LossEvents two_gaussians(std::int64_t n) {
    torch::manual_seed(3);
    LossEvents ev;
    ev.classes.push_back({torch::randn({n, 2}, torch::kFloat64) + 1, torch::ones({n}, torch::kFloat64)});
    ev.classes.push_back({torch::randn({n, 2}, torch::kFloat64) - 1, torch::ones({n}, torch::kFloat64)});
    return ev;
}

LossConfig kit_loss(const std::string& expr) {
    LossConfig c;
    c.type = LossType::InferenceAware;
    c.poi_sample = "signal";
    c.yields = {{"signal", 50}, {"background", 1000}};
    NuisanceConfig n;
    n.name = "theta";
    n.constraint = 1;
    n.inputs.push_back({"background", "x1", expr});
    c.nuisances.push_back(n);
    return c;
}

// The model's Hessian equals J^T diag(1/ν) J + C with J from autograd of ν, in a whole model with
// inputs shifted by the nuisance (KDE histograms: smooth, so that J is an honest derivative).
TEST(NnSystematicsModel, HessianIsTheFisherMatrixOfItsHistograms) {
    LossConfig c = kit_loss("x1 + theta");
    c.histogram.kind = HistogramKind::Kde;
    const SystematicsModel m(c, {"background", "signal"}, {"x0", "x1"}, {});
    const LossEvents ev = two_gaussians(2000);
    const Forward f = linear_forward();
    const auto H = m.asimov_hessian(f, ev);
    const auto p = m.nominal().requires_grad_(true);
    const auto nu = m.expected(f, ev, p, false);
    std::vector<torch::Tensor> rows;
    for (std::int64_t i = 0; i < nu.size(0); ++i)
        rows.push_back(torch::autograd::grad({nu[i]}, {p}, {}, true)[0]);
    const auto J = torch::stack(rows);
    auto fisher = J.t().mm(J / nu.detach().view({-1, 1}));
    fisher[1][1] += 1; // the unit constraint on θ
    EXPECT_TRUE(torch::allclose(H.detach(), fisher, 1e-10, 1e-12)) << H << fisher;
    // the yields: signal 50, background 1000 events in the hard histograms (the KDE's spill
    // beyond [0, 1] is not renormalised)
    EXPECT_NEAR(m.expected(f, ev, m.nominal(), true).sum().item<double>(), 1050, 1e-9);
    EXPECT_LT(m.expected(f, ev, m.nominal(), false).sum().item<double>(), 1050);
}

TEST(NnSystematicsModel, PenaltyIsZeroWithoutAShiftAndGrowsWithIt) {
    const LossEvents ev = two_gaussians(1000);
    const Forward f = linear_forward();
    LossConfig c = kit_loss("x1 + 0 * theta");
    c.type = LossType::Penalised;
    EXPECT_EQ(SystematicsModel(c, {"background", "signal"}, {"x0", "x1"}, {}).penalty(f, ev).item<double>(),
              0.0);
    double last = 0;
    for (const double size : {0.1, 0.3, 1.0}) {
        c.nuisances[0].inputs[0].expr = "x1 + " + std::to_string(size) + " * theta";
        const double p =
            SystematicsModel(c, {"background", "signal"}, {"x0", "x1"}, {}).penalty(f, ev).item<double>();
        EXPECT_GT(p, last);
        last = p;
    }
}

TEST(NnSystematicsModel, InferenceLossHasGradientsForTheNetwork) {
    torch::manual_seed(5);
    auto lin = torch::nn::Linear(torch::nn::LinearOptions(2, 1));
    lin->to(torch::kFloat64);
    const Forward f = [&](const torch::Tensor& x) { return torch::sigmoid(lin->forward(x).view({-1})); };
    LossConfig c = kit_loss("x1 + theta");
    const SystematicsModel m(c, {"background", "signal"}, {"x0", "x1"}, {});
    const auto loss = m.inference_loss(f, two_gaussians(2000));
    EXPECT_TRUE(std::isfinite(loss.item<double>()));
    loss.backward();
    EXPECT_GT(lin->weight.grad().abs().sum().item<double>(), 0);
    EXPECT_TRUE(torch::isfinite(lin->weight.grad()).all().item<bool>());
}

// The model's Hessian (Fisher form, J by forward mode) against the double backward of the Asimov
// NLL (the free asimov_hessian), for every histogram kind, with an input nuisance (constrained) and
// a yield nuisance: the same matrix, and the same gradient of (H⁻¹)₀₀ in the network's weights,
// since the two differ by Σ ∂²ν (1 − d/ν), identically zero in the weights at the Asimov point.
TEST(NnSystematicsModel, HessianAndItsWeightGradientEqualTheDoubleBackward) {
    for (const HistogramKind kind : {HistogramKind::Softmax, HistogramKind::HardGauss, HistogramKind::Kde}) {
        torch::manual_seed(3);
        LossConfig c = kit_loss("x1 + theta");
        c.histogram.kind = kind;
        c.histogram.bins = 4;
        NuisanceConfig k;
        k.name = "k";
        k.nominal = 1;
        k.constraint = 0.1;
        k.yields.push_back({"background", "k"});
        c.nuisances.push_back(k);
        const bool softmax = kind == HistogramKind::Softmax;
        auto lin = torch::nn::Linear(torch::nn::LinearOptions(2, softmax ? 4 : 1));
        lin->to(torch::kFloat64);
        const Forward f = [&](const torch::Tensor& x) {
            return softmax ? lin->forward(x) : torch::sigmoid(lin->forward(x).view({-1}));
        };
        const SystematicsModel m(c, {"background", "signal"}, {"x0", "x1"}, {});
        const LossEvents ev = two_gaussians(1000);
        const auto fisher = m.asimov_hessian(f, ev);
        torch::inverse(fisher)[0][0].backward();
        const auto g_fisher = lin->weight.grad().clone();
        lin->weight.mutable_grad().zero_();
        const auto nu = [&](const torch::Tensor& p) { return m.expected(f, ev, p, false); };
        const auto reference = asimov_hessian(nu, m.nominal(), {std::nullopt, 1.0, 0.1});
        torch::inverse(reference)[0][0].backward();
        const auto g_reference = lin->weight.grad();
        EXPECT_TRUE(torch::allclose(fisher.detach(), reference.detach(), 1e-9, 1e-12))
            << to_string(kind) << fisher << reference;
        EXPECT_GT(g_reference.abs().max().item<double>(), 0) << to_string(kind);
        EXPECT_TRUE(
            torch::allclose(g_fisher, g_reference, 1e-7, 1e-12 * g_reference.abs().max().item<double>()))
            << to_string(kind) << g_fisher << g_reference;
    }
}

TEST(NnSystematicsModel, NamesThatDoNotResolveAreErrors) {
    LossConfig c = kit_loss("x1 + theta");
    EXPECT_THROW(SystematicsModel(c, {"bkg", "sig"}, {"x0", "x1"}, {}), InputError); // poi sample
    c.nuisances[0].inputs[0].feature = "x7";
    EXPECT_THROW(SystematicsModel(c, {"background", "signal"}, {"x0", "x1"}, {}), InputError);
    c = kit_loss("x1 + theta");
    c.nuisances[0].inputs.clear();
    c.nuisances[0].template_sample = "background";
    try {
        SystematicsModel(c, {"background", "signal"}, {"x0", "x1"}, {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("direction: up"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace hepkit::nn

// The `loss:` section through parse_train_config: a whole section, and errors naming file:line: key.
namespace {

std::string loss_config(const std::string& loss) {
    namespace fs = std::filesystem;
    std::string name = "hepkit_nn_loss_config_";
    const fs::path dir = fs::temp_directory_path() / name.append(std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "sig.csv") << "x,y\n1,2\n";
    std::ofstream(dir / "bkg.csv") << "x,y\n3,4\n";
    const auto path = (dir / "train.yaml").string();
    std::ofstream(path)
        << "data:\n  features: [x, y]\n  samples:\n    - {files: [sig.csv], class: 1}\n"
           "    - {files: [bkg.csv], class: 0}\n"
           "    - {files: [bkg.csv], variation: {of: background, nuisance: t, direction: up}}\n"
           "classes: [background, signal]\n"
        << loss;
    return path;
}

std::string loss_error(const std::string& loss) {
    try {
        hepkit::nn::parse_train_config(hepkit::config::load_yaml_view(loss_config(loss)));
    } catch (const hepkit::InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(NnLossConfig, AWholeSectionIsRead) {
    const auto c = hepkit::nn::parse_train_config(hepkit::config::load_yaml_view(loss_config(
        "loss:\n  type: penalised\n  lambda: 3\n  histogram: {kind: kde, bins: 5, range: [0, 2], bandwidth: "
        "0.1}\n"
        "  poi: {name: s, sample: signal, nominal: 50}\n  yields: {signal: 50, background: 1000}\n"
        "  nuisances:\n    - {name: r, constraint: 0.4, inputs: [{sample: background, feature: x, expr: \"x "
        "+ r\"}]}\n"
        "    - {name: b, nominal: 1000, constraint: 100, yield: {sample: background, expr: \"b / 1000\"}}\n"
        "  evaluations:\n    - {name: B0, nuisances: []}\n")));
    using namespace hepkit::nn;
    EXPECT_EQ(c.loss.type, LossType::Penalised);
    EXPECT_EQ(c.loss.lambda, 3);
    EXPECT_EQ(c.loss.histogram.kind, HistogramKind::Kde);
    EXPECT_EQ(c.loss.histogram.bins, 5);
    EXPECT_EQ(c.loss.histogram.hi, 2);
    EXPECT_EQ(c.loss.poi, "s");
    EXPECT_EQ(c.loss.poi_nominal, 50);
    EXPECT_EQ(c.loss.yields.at("background"), 1000);
    ASSERT_EQ(c.loss.nuisances.size(), 2U);
    EXPECT_EQ(*c.loss.nuisances[0].constraint, 0.4);
    EXPECT_EQ(c.loss.nuisances[0].step_or_default(), 0.4);
    EXPECT_EQ(c.loss.nuisances[0].inputs[0].expr, "x + r");
    EXPECT_EQ(c.loss.nuisances[1].yields[0].expr, "b / 1000");
    ASSERT_EQ(c.loss.evaluations.size(), 1U);
    ASSERT_EQ(c.data.samples.size(), 3U);
    ASSERT_TRUE(c.data.samples[2].variation.has_value());
    EXPECT_EQ(c.data.samples[2].variation->direction, "up");
}

TEST(NnLossConfig, ErrorsNameFileLineAndKey) {
    EXPECT_NE(loss_error("loss: {type: bayesian}\n")
                  .find("train.yaml:8: loss.type: 'bayesian', allowed: "
                        "cross-entropy, penalised, inference-aware"),
              std::string::npos)
        << loss_error("loss: {type: bayesian}\n");
    EXPECT_NE(loss_error("loss:\n  histogram: {kind: box}\n")
                  .find("loss.histogram.kind: 'box', allowed: hard, kde, softmax"),
              std::string::npos);
    EXPECT_NE(loss_error("loss:\n  type: penalised\n  histogram: {kind: softmax}\n  nuisances: [{name: t, "
                         "templates: {sample: background}}]\n")
                  .find("softmax bins need a network with one output per bin"),
              std::string::npos);
    EXPECT_NE(loss_error("loss:\n  nuisances: [{name: t}]\n").find("acts on nothing"), std::string::npos);
    EXPECT_NE(loss_error("loss:\n  nuisances: [{name: t, constraint: -1, templates: {sample: background}}]\n")
                  .find("-1, must be > 0"),
              std::string::npos);
    EXPECT_NE(loss_error("loss:\n  nuisances: [{name: mu, templates: {sample: background}}]\n").find("twice"),
              std::string::npos);
    EXPECT_NE(loss_error("task: regression\nloss: {type: inference-aware}\n").find("trains a binary network"),
              std::string::npos);
}
