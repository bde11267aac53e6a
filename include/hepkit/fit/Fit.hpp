#pragma once
/// @file
/// The fit driver: parameters (start values, fixed, limited), constraints, minimisation of the
/// cost (−2 ln L up to a constant, errordef 1), Hessian errors (V_p = 2 H⁻¹), MINOS-like
/// asymmetric errors from the profile likelihood, 2-D contours, goodness of fit.
///
///     auto problem = std::make_unique<XYProblem>(x, y, model, {ErrorSource{...}});
///     Fit fit(std::move(problem), {{"a", 1.0}, {"b", 0.0}});
///     fit.add_constraint("a", 2.4, 0.1);
///     FitResult r = fit.run(/*asymmetric=*/true);
///
/// The fit types (Problem.hpp) have a header each: XYProblem.hpp, IndexedProblem.hpp,
/// HistogramProblem.hpp, UnbinnedProblem.hpp, MultiProblem.hpp, CustomProblem.hpp.

#include "hepkit/fit/Minimizer.hpp"
#include "hepkit/fit/Problem.hpp"

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace hepkit::fit {

struct FitResult {
    std::string type;
    std::vector<std::string> names;
    std::vector<double> values, errors;
    std::vector<std::optional<double>> error_low, error_high; ///< asymmetric (negative, positive)
    std::vector<bool> fixed;
    Eigen::MatrixXd covariance, correlation; ///< over all parameters (fixed: zero rows)
    double cost = 0;
    std::optional<double> chi2; ///< goodness statistic
    int ndf = 0;
    std::optional<double> chi2_probability;
    bool converged = false;
    std::string message;
    int evaluations = 0;
};

class Fit {
  public:
    struct Parameter {
        std::string name;
        double start = 1.0;
    };
    Fit(std::unique_ptr<Problem> problem, std::vector<Parameter> parameters);

    std::size_t index(const std::string& name) const; ///< throws std::invalid_argument naming it
    void fix(const std::string& name, std::optional<double> value = std::nullopt);
    void limit(const std::string& name, std::optional<double> lower, std::optional<double> upper);
    void set_start(const std::string& name, double value);
    /// Gaussian constraint value ± sigma (relative: sigma × |value|).
    void add_constraint(const std::string& name, double value, double sigma, bool relative = false);
    /// Multivariate Gaussian constraint with covariance `matrix` (or correlation matrix and sigmas).
    void add_matrix_constraint(const std::vector<std::string>& names, const std::vector<double>& values,
                               const Eigen::MatrixXd& matrix, const std::vector<double>& sigmas = {});

    /// Minimises and computes errors; asymmetric errors (profile likelihood) if asked.
    /// A fit that does not converge says why in FitResult::message, with what the problem can
    /// tell about the cause (Problem::diagnose: where the model is not finite, the largest
    /// residual) and the parameter values where it stopped.
    FitResult run(bool asymmetric = false);
    /// Bound on the cost evaluations of the minimisation (all its stages together) and of each
    /// profile minimisation (asymmetric errors, contours, profiles); 0 = default_max_calls(free
    /// parameters). Reaching it ends the fit as not converged.
    void set_max_calls(long long calls) { max_calls_ = calls; }
    long long max_calls() const;
    /// Called during run()'s minimisation after every cost evaluation with the evaluations so far,
    /// the bound and the lowest cost yet (for progress reports; keep it cheap).
    void set_progress(std::function<void(long long, long long, double)> progress) {
        progress_ = std::move(progress);
    }
    /// Threads for the problem's passes over large data sets (Problem::set_thread_pool); fits
    /// made by with_problem (toys) use the same pool. nullptr (the default): serial. The pool
    /// must outlive the fit's runs.
    void set_thread_pool(ThreadPool* pool);
    /// Cost including constraints.
    double total_cost(std::span<const double> p) const;

    /// Profile of the cost in one parameter: (value, Δcost) for `points` values over ±`sigmas` errors.
    std::vector<std::pair<double, double>> profile(const FitResult& r, const std::string& name,
                                                   int points = 41, double sigmas = 3) const;
    /// 2-D confidence contour of parameters a and b at `sigma` (1, 2, 3: Δcost 2.30, 6.18, 11.83,
    /// the 68.3/95.4/99.7% quantiles of a χ² with 2 d.o.f.), profiling the others. Traced along
    /// `points` rays from the minimum (evenly spaced for a linear fit: directions whitened by the
    /// pair's covariance), each crossing found to |Δcost − level| < 1e-7, then refined where the
    /// polygon (in units of the errors) turns by more than 4° at a point (up to 16× `points`). Closed: the
    /// last point repeats the first.
    std::vector<std::pair<double, double>> contour(const FitResult& r, const std::string& a,
                                                   const std::string& b, double sigma = 1,
                                                   int points = 96) const;

    const Problem& problem() const { return *problem_; }
    /// A fit of another problem (a toy) with the same parameters, limits and constraints.
    Fit with_problem(std::unique_ptr<Problem> problem) const;
    /// Cost gradient (analytic where the problem gives one, else central differences).
    void cost_gradient(std::span<const double> p, std::span<double> g) const;
    const std::vector<ParameterSpec>& parameters() const { return params_; }
    int constraint_count() const { return static_cast<int>(constraint_terms_); }

  private:
    /// Levenberg–Marquardt (LevenbergMarquardt.hpp) on the problem's Newton structure plus the
    /// constraints; nullopt if the problem has none or it does not converge (BFGS takes over).
    /// `spent`: the evaluations it used, which count against the bound.
    std::optional<MinimizerResult> levenberg_marquardt(long long max_calls, long long& spent) const;
    /// Minimum of the cost with some parameters held at given values; returns (cost, values).
    std::pair<double, std::vector<double>>
    profile_min(const std::vector<double>& start,
                const std::vector<std::pair<std::size_t, double>>& held) const;
    double minos(const FitResult& r, std::size_t i, int side) const;

    std::unique_ptr<Problem> problem_;
    std::vector<ParameterSpec> params_;
    struct Constraint {
        std::vector<std::size_t> index;
        Eigen::VectorXd value;
        Eigen::MatrixXd inverse;
    };
    std::vector<Constraint> constraints_;
    std::size_t constraint_terms_ = 0;
    long long max_calls_ = 0;
    std::function<void(long long, long long, double)> progress_;
    ThreadPool* pool_ = nullptr;
};

/// Upper tail probability of a χ² with `ndf` degrees of freedom (regularised incomplete gamma
/// function Q(ndf/2, x/2), Numerical Recipes 3rd ed. §6.2).
double chi2_probability(double chi2, int ndf);

} // namespace hepkit::fit
