#pragma once
// Helpers shared by the fit types' source files (not installed).

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <span>
#include <string>
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

inline Eigen::VectorXd as_vector(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// "the model is not finite at x = 1 (nan), 2 (inf) (2 of 3 data points)": up to five places
// where `bad` holds, or empty if none. `what` names the place (x, index, bin centre, event).
template <typename Bad>
std::string where_not(const std::vector<double>& at, const std::vector<double>& f, const char* what,
                      const char* verb, Bad bad) {
    std::string list;
    std::size_t count = 0;
    for (std::size_t i = 0; i < at.size() && i < f.size(); ++i)
        if (bad(f[i]) && ++count <= 5)
            list += fmt::format("{}{:.6g} ({:.6g})", count > 1 ? ", " : "", at[i], f[i]);
    if (count == 0)
        return {};
    return fmt::format("the model is {} at {} = {}{} ({} of {})", verb, what, list, count > 5 ? ", ..." : "",
                       count, at.size());
}

/// "the model is not finite at x = 1 (nan), ...", or empty where f is finite everywhere.
std::string not_finite_at(const std::vector<double>& at, const std::vector<double>& f, const char* what);
/// A data value far outside the others, whatever the model: more than 10⁴ median absolute
/// deviations from the median (a typo, a unit error, a sentinel value such as 1e15); else empty.
std::string data_outlier(const std::vector<double>& at, const char* what, const char* key,
                         const std::vector<double>& y);
/// The data point farthest from the model in units of its uncertainty; empty if none is finite.
std::string largest_residual(const std::vector<double>& at, const char* what, const std::vector<double>& y,
                             const std::vector<double>& f, const std::vector<double>& sigma);
} // namespace hepkit::fit::detail
