#pragma once
/// @file
/// Levenberg–Marquardt minimisation (Marquardt 1963) on a cost's Newton structure: the cost, its
/// gradient and a positive semi-definite approximation of its Hessian in one pass (Gauss–Newton
/// for χ², expected Fisher information for Poisson bins, BHHH for unbinned fits; Problem::newton).
/// Fixed parameters stay at their start values; limited ones are clamped to their limits after
/// each step. The fit driver tries it first where the problem has the structure and falls back to
/// the quasi-Newton minimize() (Minimizer.hpp) when it does not converge.

#include "hepkit/fit/Minimizer.hpp"

#include <Eigen/Dense>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace hepkit::fit {

/// Cost, gradient and approximate Hessian over the full parameter vector at p (g and A arrive
/// zero-sized to P and P×P); false where the structure is not available at p.
using NewtonFunction =
    std::function<bool(std::span<const double>, double&, Eigen::VectorXd&, Eigen::MatrixXd&)>;

struct LevenbergMarquardtOptions {
    /// Bound on cost evaluations; the method gives up (nullopt) after half of it, leaving the
    /// rest to the quasi-Newton fallback. A structure pass counts as one evaluation when
    /// `cheap_newton`, else as free parameters + 1 (a differenced Jacobian).
    long long max_calls = 0;
    /// The structure costs about one cost evaluation (analytic derivatives in the same pass): a
    /// trial point is then judged by its structure pass alone, without a cost evaluation first.
    bool cheap_newton = false;
    /// Called once per iteration with (evaluations so far, max_calls, current cost).
    std::function<void(long long, long long, double)> progress;
};

/// Minimises from the start values of `params` until the EDM with the approximate Hessian
/// (0.5 gᵀ A⁻¹ g, as MIGRAD's criterion) is below 1e-9. Returns nullopt when the structure is
/// unavailable at the start, no parameter is free, or it stops without converging; `spent`
/// receives the evaluations it used either way (counted as in LevenbergMarquardtOptions).
/// `cost` screens trial points when the structure is not cheap.
std::optional<MinimizerResult> levenberg_marquardt(const NewtonFunction& newton, const CostFunction& cost,
                                                   const std::vector<ParameterSpec>& params,
                                                   const LevenbergMarquardtOptions& options,
                                                   long long& spent);

} // namespace hepkit::fit
