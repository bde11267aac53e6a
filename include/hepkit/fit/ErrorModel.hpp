#pragma once
/// @file
/// Uncertainty model of Gaussian fits (xy, indexed): error sources on x and y that add up to
/// covariance matrices, as kafe2 models them (Quast et al., arXiv:2210.12768, §2).
///
/// A source is `simple` (σ per point or one σ for all, with a correlation coefficient ρ between
/// every pair: V_ij = σ_i σ_j (δ_ij + ρ (1 − δ_ij))) or `matrix` (a covariance matrix, or a
/// correlation matrix C with σ: V_ij = σ_i σ_j C_ij). A relative source scales σ by |reference|:
/// the data (x or y values) or, for y, the model values — then V depends on the parameters.

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace hepkit::fit {

struct ErrorSource {
    enum class Axis { x, y };
    enum class Reference { data, model };
    Axis axis = Axis::y;
    std::string name;
    std::vector<double> sigma; ///< one value for all points, or one per point (absolute or relative)
    double correlation = 0;    ///< simple sources: ρ between all pairs, in [-1, 1]
    Eigen::MatrixXd matrix;    ///< matrix sources (empty for simple ones)
    bool matrix_is_correlation = false;
    bool relative = false;
    Reference reference = Reference::data;

    bool depends_on_model() const { return relative && reference == Reference::model; }
    /// The covariance for reference values `ref` (|ref| scales a relative source).
    /// Throws std::invalid_argument naming the source on wrong sizes or bad values.
    Eigen::MatrixXd covariance(const Eigen::VectorXd& ref) const;
    /// Checks sizes against `n` points and values (σ > 0, |ρ| ≤ 1, symmetric matrices).
    void check(std::size_t n) const;
};

} // namespace hepkit::fit
