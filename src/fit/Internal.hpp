#pragma once
// Helpers shared by the fit types' source files (not installed).

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

namespace hepkit::fit::detail {

constexpr double inf = std::numeric_limits<double>::infinity();

/// Throws std::invalid_argument naming `what` when v is empty or holds a value that is not finite.
void check_values(const std::vector<double>& v, const char* what);

// Forward differences from known values v0 = values(p): half the evaluations of the central
// rule, for the Levenberg–Marquardt steps (an O(h) error in J only slows the last iterations; the
// minimum is then polished, and errors use the exact Hessian). h ≈ √ε relative.
template <typename F>
Eigen::MatrixXd forward_jacobian(F&& values, std::span<const double> p, const Eigen::VectorXd& v0) {
    std::vector<double> q(p.begin(), p.end());
    Eigen::MatrixXd J(v0.size(), static_cast<Eigen::Index>(p.size()));
    for (std::size_t k = 0; k < q.size(); ++k) {
        const double h = 1.5e-8 * std::max(1.0, std::fabs(p[k]));
        q[k] = p[k] + h;
        J.col(static_cast<Eigen::Index>(k)) = (values(q) - v0) / h;
        q[k] = p[k];
    }
    return J;
}
} // namespace hepkit::fit::detail
