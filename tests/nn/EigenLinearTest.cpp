// The Eigen-backed matrix products of hepkit::nn (src/nn/EigenLinear) against libtorch's own
// (torch::mm), their gradients and second derivatives, and the network's explicit tangent
// (Network.cpp, TangentScope) against libtorch's forward mode through aten's operators.

#include "EigenLinear.hpp"
#include "Network.hpp"

#include <gtest/gtest.h>

#include <torch/csrc/autograd/forward_grad.h>

namespace hepkit::nn {
namespace {

double max_rel(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-300)).item<double>();
}

TEST(NnEigenLinear, ProductsEqualTorchMmForEveryLayoutAndType) {
    torch::manual_seed(3);
    for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
        const double tol = dtype == torch::kFloat32 ? 1e-6 : 1e-14;
        const auto a = torch::randn({37, 11}, dtype), b = torch::randn({11, 5}, dtype);
        // contiguous, transposed views, a strided slice (neither stride 1: copied), vectors
        EXPECT_LT(max_rel(eigen_mm(a, b), torch::mm(a, b)), tol);
        const auto at = torch::randn({11, 37}, dtype).t(), bt = torch::randn({5, 11}, dtype).t();
        EXPECT_LT(max_rel(eigen_mm(at, bt), torch::mm(at, bt)), tol);
        const auto strided = torch::randn({74, 22}, dtype).slice(0, 0, 74, 2).slice(1, 0, 22, 2);
        EXPECT_LT(max_rel(eigen_mm(strided, b), torch::mm(strided, b)), tol);
        // an expanded tensor (stride 0: rows overlap) is copied first
        const auto expanded = torch::randn({1, 11}, dtype).expand({37, 11});
        EXPECT_LT(max_rel(eigen_mm(expanded, b), torch::mm(expanded, b)), tol);
        // more rows than one parallel task takes (512), with libtorch's threads
        const auto tall = torch::randn({1500, 11}, dtype);
        EXPECT_LT(max_rel(eigen_mm(tall, b), torch::mm(tall, b)), tol);
        const auto row = torch::randn({1, 11}, dtype), column = torch::randn({11, 1}, dtype);
        EXPECT_LT(max_rel(eigen_mm(row, b), torch::mm(row, b)), tol);
        EXPECT_LT(max_rel(eigen_mm(a, column), torch::mm(a, column)), tol);
        // empty inner dimension: zeros, as torch::mm
        EXPECT_EQ(
            eigen_mm(torch::zeros({3, 0}, dtype), torch::zeros({0, 4}, dtype)).abs().sum().item<double>(), 0);
    }
    // other types fall back to torch::mm
    const auto i = torch::arange(6, torch::kInt64).view({2, 3});
    EXPECT_TRUE(torch::equal(eigen_mm(i, i.t()), torch::mm(i, i.t())));
}

TEST(NnEigenLinear, GradientsAndSecondDerivativesEqualTorchMm) {
    torch::manual_seed(4);
    const auto a0 = torch::randn({6, 4}, torch::kFloat64), b0 = torch::randn({4, 3}, torch::kFloat64);
    // f = Σ tanh(a·b)²: first and second derivatives by both products
    const auto derivatives = [&](bool eigen) {
        auto a = a0.clone().requires_grad_(), b = b0.clone().requires_grad_();
        const auto f = torch::tanh(eigen ? eigen_mm(a, b) : torch::mm(a, b)).pow(2).sum();
        const auto g = torch::autograd::grad({f}, {a, b}, {}, true, true);
        // the gradient of Σ (∂f/∂a)² with respect to b: needs the backward's own derivative
        const auto gg = torch::autograd::grad({g[0].pow(2).sum()}, {b});
        return std::vector<torch::Tensor>{g[0].detach(), g[1].detach(), gg[0]};
    };
    const auto e = derivatives(true), t = derivatives(false);
    for (std::size_t k = 0; k < e.size(); ++k)
        EXPECT_LT(max_rel(e[k], t[k]), 1e-13) << "derivative " << k;
    // the linear layer: x·Wᵀ + b
    const auto w = torch::randn({3, 4}, torch::kFloat64), bias = torch::randn({3}, torch::kFloat64);
    EXPECT_LT(max_rel(eigen_linear(a0, w, bias), torch::nn::functional::linear(a0, w, bias)), 1e-14);
}

TEST(NnEigenLinear, NetworkTangentEqualsLibtorchForwardMode) {
    torch::manual_seed(5);
    Standardization st;
    st.mean = {0.5, -1, 2};
    st.scale = {2, 0.5, 1.5};
    for (const auto activation :
         {Activation::Relu, Activation::Tanh, Activation::Elu, Activation::LeakyRelu, Activation::Sigmoid}) {
        NetworkConfig cfg;
        cfg.hidden = {16, 8};
        cfg.activation = activation;
        Network net(cfg, 3, 4, st, torch::kFloat64);
        const auto x = torch::randn({50, 3}, torch::kFloat64), v = torch::randn({50, 3}, torch::kFloat64);
        // reference: the same function written with aten's operators, through libtorch's forward mode
        const auto aten = [&](const torch::Tensor& in) {
            torch::Tensor h = (in - net->mean) / net->scale;
            for (std::size_t i = 0; i + 1 < net->linear.size(); ++i)
                h = activate(activation, net->linear[i]->forward(h));
            return net->linear.back()->forward(h);
        };
        const auto level = torch::autograd::ForwardADLevel::get_next_idx();
        torch::Tensor expected_tangent, tangent, primal;
        {
            const auto dual = at::_make_dual(x, v, static_cast<std::int64_t>(level));
            expected_tangent =
                std::get<1>(at::_unpack_dual(aten(dual), static_cast<std::int64_t>(level))).clone();
            const TangentScope scope(level);
            const auto out = net->forward(dual);
            primal = std::get<0>(at::_unpack_dual(out, static_cast<std::int64_t>(level))).clone();
            tangent = std::get<1>(at::_unpack_dual(out, static_cast<std::int64_t>(level))).clone();
        }
        torch::autograd::ForwardADLevel::release_idx(level);
        ASSERT_TRUE(tangent.defined());
        EXPECT_LT(max_rel(primal, aten(x).detach()), 1e-13);
        EXPECT_LT(max_rel(tangent, expected_tangent), 1e-12) << "activation " << static_cast<int>(activation);
        // outside the scope (or without a tangent) the plain forward: same values
        EXPECT_LT(max_rel(net->forward(x).detach(), aten(x).detach()), 1e-13);
    }
}

TEST(NnEigenLinear, BatchNormalisedNetworkKeepsLibtorchsForwardMode) {
    // batch normalisation: the tangent through aten's operators (Network.cpp), checked against a
    // central difference of the network itself
    torch::manual_seed(6);
    Standardization st;
    st.mean = {0, 0};
    st.scale = {1, 1};
    NetworkConfig cfg;
    cfg.hidden = {8};
    cfg.activation = Activation::Tanh;
    cfg.batch_norm = true;
    Network net(cfg, 2, 1, st, torch::kFloat64);
    net->eval();
    const auto x = torch::randn({20, 2}, torch::kFloat64), v = torch::randn({20, 2}, torch::kFloat64);
    const auto level = torch::autograd::ForwardADLevel::get_next_idx();
    torch::Tensor tangent;
    {
        const TangentScope scope(level);
        const auto out = net->forward(at::_make_dual(x, v, static_cast<std::int64_t>(level)));
        tangent = std::get<1>(at::_unpack_dual(out, static_cast<std::int64_t>(level))).clone();
    }
    torch::autograd::ForwardADLevel::release_idx(level);
    const double eps = 1e-6;
    const auto difference = (net->forward(x + eps * v) - net->forward(x - eps * v)).detach() / (2 * eps);
    ASSERT_TRUE(tangent.defined());
    EXPECT_LT(max_rel(tangent, difference), 1e-7);
}

} // namespace
} // namespace hepkit::nn
