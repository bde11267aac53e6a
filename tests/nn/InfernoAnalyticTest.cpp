// The lower bound of the INFERNO benchmark table (arXiv:1806.04743, "analytical likelihood";
// analysis-methods README §1) without a network: the expected uncertainty of s from the Fisher
// information of the extended unbinned likelihood of the known densities,
//   I_jk = ∫ ∂_j ν(x) ∂_k ν(x) / ν(x) dx (+ 1/σ² of the constraints),  ν(x) = s f_s(x) + b f_b(x | r, λ),
// integrated numerically over (x0, x1, x2) (Simpson's rule), σ(s) = √(I⁻¹)_ss. The paper's
// table gives 14.71, 15.52, 15.65, 15.62, 16.89 for B0–B4; the issue asks 1 %.

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace {

double normal(double x, double mean, double sd) {
    const double z = (x - mean) / sd;
    return std::exp(-0.5 * z * z) / (sd * std::sqrt(2 * std::numbers::pi));
}

/// Simpson weights of n (odd) points spaced h.
std::vector<double> simpson(int n, double h) {
    std::vector<double> w(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        w[static_cast<std::size_t>(i)] = (i == 0 || i == n - 1 ? 1.0 : i % 2 ? 4.0 : 2.0) * h / 3;
    return w;
}

/// The Fisher matrix over (s, r, λ, b) at s = 50, r = 0, λ = 3, b = 1000.
Eigen::Matrix4d inferno_fisher() {
    const double s = 50, b = 1000, lambda = 3;
    const int n0 = 241, n1 = 241, n2 = 801;
    const double lo0 = -10, hi0 = 14, lo1 = -18, hi1 = 18, hi2 = 12;
    const double h0 = (hi0 - lo0) / (n0 - 1), h1 = (hi1 - lo1) / (n1 - 1), h2 = hi2 / (n2 - 1);
    const auto w0 = simpson(n0, h0), w1 = simpson(n1, h1), w2 = simpson(n2, h2);
    Eigen::Matrix4d fisher = Eigen::Matrix4d::Zero();
    for (int i = 0; i < n0; ++i) {
        const double x0 = lo0 + i * h0;
        const double s0 = normal(x0, 0, 1), b0 = normal(x0, 2, std::sqrt(5.0));
        for (int j = 0; j < n1; ++j) {
            const double x1 = lo1 + j * h1;
            const double s01 = s0 * normal(x1, 0, 1), b01 = b0 * normal(x1, 0, 3);
            for (int k = 0; k < n2; ++k) {
                const double x2 = k * h2;
                const double fs = s01 * 2 * std::exp(-2 * x2);
                const double fb = b01 * lambda * std::exp(-lambda * x2);
                const double nu = s * fs + b * fb;
                // ∂ν/∂s, ∂ν/∂r (the background mean of x0 is 2 + r), ∂ν/∂λ, ∂ν/∂b
                const std::array<double, 4> d{fs, b * fb * (x0 - 2) / 5, b * fb * (1 / lambda - x2), fb};
                const double w = w0[static_cast<std::size_t>(i)] * w1[static_cast<std::size_t>(j)] *
                                 w2[static_cast<std::size_t>(k)] / nu;
                for (int p = 0; p < 4; ++p)
                    for (int q = 0; q <= p; ++q)
                        fisher(p, q) += w * d[static_cast<std::size_t>(p)] * d[static_cast<std::size_t>(q)];
            }
        }
    }
    return fisher.selfadjointView<Eigen::Lower>();
}

/// σ(s) with the parameters `used` (s first) free, constraint widths added where given (> 0).
double sigma_s(const Eigen::Matrix4d& fisher, const std::vector<int>& used,
               const std::array<double, 4>& constraint) {
    const auto n = static_cast<Eigen::Index>(used.size());
    Eigen::MatrixXd m(n, n);
    for (Eigen::Index a = 0; a < n; ++a) {
        for (Eigen::Index c = 0; c < n; ++c)
            m(a, c) = fisher(used[static_cast<std::size_t>(a)], used[static_cast<std::size_t>(c)]);
        const double width = constraint[static_cast<std::size_t>(used[static_cast<std::size_t>(a)])];
        if (width > 0)
            m(a, a) += 1 / (width * width);
    }
    return std::sqrt(m.inverse()(0, 0));
}

TEST(NnInfernoAnalytic, FisherBoundMatchesThePaperWithinOnePercent) {
    const Eigen::Matrix4d f = inferno_fisher();
    const std::array<double, 4> free{0, 0, 0, 0}, constrained{0, 0.4, 1.0, 100};
    const std::array<double, 5> paper{14.71, 15.52, 15.65, 15.62, 16.89};
    const std::array<double, 5> ours{sigma_s(f, {0}, free), sigma_s(f, {0, 1}, free),
                                     sigma_s(f, {0, 1, 2}, free), sigma_s(f, {0, 1, 2}, constrained),
                                     sigma_s(f, {0, 1, 2, 3}, constrained)};
    for (std::size_t k = 0; k < 5; ++k) {
        EXPECT_NEAR(ours[k], paper[k], 0.01 * paper[k]) << "B" << k;
        RecordProperty(std::string("B").append(std::to_string(k)), std::to_string(ours[k]));
    }
    // B0 is the counting bound with one free yield: 1/√I_ss, the others only widen it
    for (std::size_t k = 1; k < 5; ++k)
        EXPECT_GT(ours[k], ours[0]);
    std::printf("analytical likelihood sigma(s): B0 %.3f B1 %.3f B2 %.3f B3 %.3f B4 %.3f\n", ours[0], ours[1],
                ours[2], ours[3], ours[4]);
}

} // namespace
