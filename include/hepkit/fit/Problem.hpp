#pragma once
/// @file
/// The interface of a fit type (xy, indexed, histogram, unbinned, multi, custom: one header each,
/// XYProblem.hpp and so on): data, a model and an uncertainty model turned into a cost −2 ln L.
/// Also the model signatures the fit types take.

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace hepkit {
class ThreadPool;
}

namespace hepkit::fit {

/// f(x; p) with p the full parameter vector.
using XModel = std::function<double(double, std::span<const double>)>;
/// ∂f/∂p at x, written into the third argument (one value per parameter).
using XModelGradient = std::function<void(double, std::span<const double>, std::span<double>)>;
/// m(p): one value per data point.
using VectorModel = std::function<std::vector<double>(std::span<const double>)>;

/// What a fit type provides: its cost and, where defined, a goodness-of-fit statistic.
class Problem {
  public:
    virtual ~Problem() = default;
    virtual std::string type() const = 0;
    /// Number of data points (bins, events) entering the NDF.
    virtual std::size_t data_size() const = 0;
    /// −2 ln L up to a constant, for the full parameter vector.
    virtual double cost(std::span<const double> p) const = 0;
    /// χ² (xy, indexed: without the log det V term) or the Poisson deviance (histogram) at p;
    /// nullopt where no goodness of fit is defined (unbinned, custom).
    virtual std::optional<double> goodness(std::span<const double> p) const = 0;
    /// The same problem with data drawn from the model at `truth` (pseudo-experiments); throws
    /// std::invalid_argument for fit types without a generative model (custom, multi).
    virtual std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const;
    /// What at p makes the fit fail, in words, for the message of a fit that did not converge:
    /// where the model is not finite, or the data point farthest from the model (in σ). Empty
    /// when the problem has nothing to say.
    virtual std::string diagnose(std::span<const double> p) const {
        (void)p;
        return {};
    }
    /// Analytic gradient of the cost, if the problem can give one (models with gradients);
    /// returns false otherwise, and the minimiser differentiates numerically.
    virtual bool gradient(std::span<const double> p, std::span<double> g) const {
        (void)p;
        (void)g;
        return false;
    }
    /// Cost, gradient and a positive semi-definite approximation of the Hessian at p in one pass
    /// (Gauss–Newton for χ², expected Fisher information for Poisson bins, outer product of the
    /// per-event scores for unbinned fits — Berndt, Hall, Hall & Hausman 1974), for the
    /// Levenberg–Marquardt minimiser. False where the structure is not available.
    virtual bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                        Eigen::MatrixXd& A) const {
        (void)p;
        (void)cost;
        (void)g;
        (void)A;
        return false;
    }
    /// True when newton() costs about as much as cost() (analytic derivatives in the same pass):
    /// the Levenberg–Marquardt minimiser then skips the cost screening of trial points.
    virtual bool cheap_newton() const { return false; }
    /// The exact Hessian of the cost at p, where the problem can compute it cheaper than by
    /// differencing the cost (χ² with a constant covariance). False otherwise.
    virtual bool hessian(std::span<const double> p, Eigen::MatrixXd& H) const {
        (void)p;
        (void)H;
        return false;
    }
    /// Threads for the problem's passes over its data (large unbinned samples with a batch model);
    /// nullptr, the default, runs them serially. The pool must outlive every later call on the
    /// problem; results do not depend on it beyond rounding. Problems without such passes ignore it.
    virtual void set_thread_pool(ThreadPool* pool) { (void)pool; }
};

} // namespace hepkit::fit
