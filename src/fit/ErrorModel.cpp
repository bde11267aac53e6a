#include "hepkit/fit/ErrorModel.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::fit {

void ErrorSource::check(std::size_t n) const {
    const std::string what =
        fmt::format("{} error{}", axis == Axis::x ? "x" : "y", name.empty() ? "" : " '" + name + "'");
    if (matrix.size() > 0) {
        if (static_cast<std::size_t>(matrix.rows()) != n || static_cast<std::size_t>(matrix.cols()) != n)
            throw std::invalid_argument(fmt::format("{}: the matrix is {}x{} but there are {} data points",
                                                    what, matrix.rows(), matrix.cols(), n));
        if (!matrix.allFinite() ||
            (matrix - matrix.transpose()).cwiseAbs().maxCoeff() > 1e-12 * (1 + matrix.cwiseAbs().maxCoeff()))
            throw std::invalid_argument(fmt::format("{}: the matrix must be finite and symmetric", what));
        if (matrix_is_correlation && sigma.empty())
            throw std::invalid_argument(fmt::format("{}: a correlation matrix needs error_value", what));
    } else if (sigma.empty()) {
        throw std::invalid_argument(fmt::format("{}: no error value", what));
    }
    if (!sigma.empty() && sigma.size() != 1 && sigma.size() != n)
        throw std::invalid_argument(fmt::format(
            "{}: {} error values for {} data points (give one or one per point)", what, sigma.size(), n));
    for (double s : sigma)
        if (!(s > 0) || !std::isfinite(s))
            throw std::invalid_argument(fmt::format("{}: error value {} must be > 0 and finite", what, s));
    if (!(std::fabs(correlation) <= 1))
        throw std::invalid_argument(
            fmt::format("{}: correlation coefficient {} must be in [-1, 1]", what, correlation));
}

Eigen::MatrixXd ErrorSource::covariance(const Eigen::VectorXd& ref) const {
    const Eigen::Index n = ref.size();
    Eigen::VectorXd s(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double v =
            sigma.empty() ? 1.0 : (sigma.size() == 1 ? sigma[0] : sigma[static_cast<std::size_t>(i)]);
        s[i] = relative ? v * std::fabs(ref[i]) : v;
    }
    if (matrix.size() > 0) {
        if (matrix_is_correlation)
            return s.asDiagonal() * matrix * s.asDiagonal();
        if (relative) { // a relative covariance matrix: V_ij = M_ij |ref_i| |ref_j|
            const Eigen::VectorXd a = ref.cwiseAbs();
            return a.asDiagonal() * matrix * a.asDiagonal();
        }
        return matrix;
    }
    Eigen::MatrixXd V = correlation * (s * s.transpose());
    V.diagonal() = s.cwiseProduct(s);
    return V;
}

} // namespace hepkit::fit
