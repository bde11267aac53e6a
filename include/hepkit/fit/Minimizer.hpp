#pragma once
/// @file
/// Minimisation of a cost (−2 ln L up to a constant) over parameters that may be fixed or
/// limited: a quasi-Newton method (BFGS, Nocedal & Wright, "Numerical Optimization", 2006,
/// alg. 6.1) on numerical central-difference gradients, with MINUIT's transformations for
/// limited parameters (F. James, MINUIT reference manual, CERN D506, §1.2.1), then the Hessian
/// of the cost by finite differences in the external parameters.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hepkit::fit {

struct ParameterSpec {
    std::string name;
    double start = 1.0;
    bool fixed = false;
    std::optional<double> lower, upper;
};

/// MINUIT's transformation of a limited parameter: external x = T(u) of an unbounded internal u.
struct LimitTransform {
    std::optional<double> lo, hi;
    double to_external(double u) const;
    double to_internal(double x) const;
    double derivative(double u) const; ///< dx/du
};

/// The cost over the full parameter vector (fixed ones included).
using CostFunction = std::function<double(std::span<const double>)>;
/// Gradient of the cost over the full parameter vector (written into the second argument).
using GradientFunction = std::function<void(std::span<const double>, std::span<double>)>;

struct MinimizerResult {
    std::vector<double> values; ///< at the minimum, all parameters
    double cost = 0;
    bool converged = false;
    double edm = 0; ///< estimated distance to the minimum (0.5 gᵀ H⁻¹ g)
    int evaluations = 0;
    std::string message;          ///< why it stopped when it did not converge
    bool calls_exhausted = false; ///< stopped at MinimizerOptions::max_calls
    /// Diagonal of an approximate Hessian per parameter (0 where unknown): sets the Hessian's steps.
    std::vector<double> curvature;
};

struct MinimizerOptions {
    double tolerance = 1e-7; ///< stop when EDM < tolerance (cost units; errordef is 1)
    int max_iterations = 5000;
    /// Stop, not converged, after this many cost evaluations (gradient evaluations count as
    /// one); 0 = default_max_calls(free parameters).
    long long max_calls = 0;
    /// Called after every cost evaluation with the evaluations so far and the lowest cost yet
    /// (progress reports; keep it cheap).
    std::function<void(long long, double)> progress;
};

/// The default bound on cost evaluations of one minimisation with n free parameters: ten times
/// Minuit2's default call limit for MIGRAD (200 + 100 n + 5 n², MnApplication), as
/// this BFGS spends more evaluations per step on central-difference gradients than MIGRAD does.
/// A fit that needs more than this has almost always run away (an outlier, a model that cannot
/// describe the data) rather than being slow.
long long default_max_calls(std::size_t n);

/// Minimises `cost` from the start values of `params`.
/// With `gradient`, analytic derivatives replace the central differences.
MinimizerResult minimize(const CostFunction& cost, const std::vector<ParameterSpec>& params,
                         const MinimizerOptions& options = {}, const GradientFunction* gradient = nullptr);

/// Hessian of `cost` at `x` over the free parameters (indices `free`), by central differences
/// with steps adapted to the curvature; row-major, size free.size()².
/// `curvature` (optional, per parameter, 0 = unknown) gives the steps directly (0.05 σ).
std::vector<double> hessian(const CostFunction& cost, const std::vector<double>& x,
                            const std::vector<std::size_t>& free, int* evaluations = nullptr,
                            const std::vector<double>* curvature = nullptr);

} // namespace hepkit::fit
