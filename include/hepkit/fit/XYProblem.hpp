#pragma once
/// @file
/// XYProblem: f(x; p) against (x, y). V = V_y + (f′ f′ᵀ) ∘ V_x (x errors projected onto y with
/// the model's slope at the data x); cost χ² = rᵀ V⁻¹ r by a Cholesky decomposition, plus
/// log det V when V depends on the parameters (x errors, errors relative to the model), which
/// makes the cost the full Gaussian −2 ln L (kafe2, arXiv:2210.12768, eq. 6).

#include "hepkit/fit/ErrorModel.hpp"
#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

class XYProblem : public Problem {
  public:
    /// Throws std::invalid_argument on empty data, mismatched lengths, NaN, bad or singular errors.
    XYProblem(std::vector<double> x, std::vector<double> y, XModel model, std::vector<ErrorSource> errors);
    std::string type() const override { return "xy"; }
    std::size_t data_size() const override { return y_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;
    /// Gives the model's analytic gradient: the cost gradient is then −2 Jᵀ V⁻¹ r (constant V).
    void set_model_gradient(XModelGradient g) { model_gradient_ = std::move(g); }
    bool gradient(std::span<const double> p, std::span<double> g) const override;
    bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                Eigen::MatrixXd& A) const override;
    bool hessian(std::span<const double> p, Eigen::MatrixXd& H) const override;
    double model(double x, std::span<const double> p) const { return model_(x, p); }
    const std::vector<double>& x() const { return x_; }
    const std::vector<double>& y() const { return y_; }
    /// Total y uncertainty per point (√ of the projected covariance's diagonal) at p.
    std::vector<double> total_errors(std::span<const double> p) const;
    /// Residuals y − f and the projected covariance at p (for joint fits).
    Eigen::VectorXd residuals(std::span<const double> p) const;
    Eigen::MatrixXd covariance(std::span<const double> p) const;
    bool parameter_dependent() const { return has_x_ || model_dependent_; }
    /// Model uncertainty √(∇ₚfᵀ V_p ∇ₚf) at each x.
    std::vector<double> error_band(const std::vector<double>& xs, const FitResult& r) const;
    /// The data's own uncertainties, as a plot draws them: x errors (√ diag V_x, horizontal bars)
    /// and y errors without the projected x part (at p: errors relative to the model).
    std::vector<double> x_errors() const;
    /// Where the model is not finite at the data, else the point farthest from it (in σ).
    std::string diagnose(std::span<const double> p) const override;
    std::vector<double> y_errors(std::span<const double> p) const;
    bool has_x_errors() const { return has_x_; }

  private:
    double evaluate(std::span<const double> p, double* chi2_only) const;
    Eigen::VectorXd model_values(std::span<const double> p) const; ///< f(x_i; p)
    Eigen::MatrixXd projected(std::span<const double> p, const Eigen::VectorXd& f) const;
    std::vector<double> x_, y_;
    XModel model_;
    XModelGradient model_gradient_;
    std::vector<ErrorSource> errors_;
    Eigen::MatrixXd vy_const_, vx_;
    bool has_x_ = false, model_dependent_ = false;
    Eigen::LLT<Eigen::MatrixXd> fixed_llt_;
};

} // namespace hepkit::fit
