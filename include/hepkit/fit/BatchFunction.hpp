#pragma once
/// @file
/// Models evaluated for many values of the variable at once — the fast path of large fits.
///
/// BatchModel is the interface: f(x_i; p) for a whole array of x, and optionally ∂f/∂p_k and
/// ∂²f/∂p_j∂p_k. BatchFunction implements it for a PyFunction (a kafe2-style Python model) with
/// the expression module's batch evaluator (hepkit::expr::ArrayFunction): the function's graph is
/// differentiated symbolically twice (forward mode, with constant folding, merged scalar factors
/// and common subexpressions), and split into the part that does not depend on x (evaluated once
/// per call) and the part evaluated over blocks of 256 values with array loops and vectorised
/// elementary functions (VecMath.hpp). Functions without a derivative rule (gamma, lgamma, min,
/// max) make the derivatives unavailable; fits then fall back to finite differences of batch
/// values.

#include "hepkit/expr/ArrayFunction.hpp"
#include "hepkit/fit/PyFunction.hpp"

#include <cstddef>
#include <memory>
#include <span>

namespace hepkit::fit {

class BatchModel {
  public:
    virtual ~BatchModel() = default;
    /// Number of parameters p.
    virtual std::size_t parameters() const = 0;
    /// f[i] = f(x[i]; p).
    virtual void values(std::span<const double> x, std::span<const double> p, std::span<double> f) const = 0;
    /// f as values() and grad[k·n + i] = ∂f(x[i]; p)/∂p_k with n = x.size(). Returns false when
    /// the model has no analytic gradient (the outputs are then unspecified).
    virtual bool gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                           std::span<double> grad) const;
    /// f and ∂f/∂p as gradients(), and hess[(k(k+1)/2 + j)·n + i] = ∂²f(x[i]; p)/∂p_j∂p_k for
    /// j ≤ k. Returns false when the model has no analytic second derivatives.
    virtual bool hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                          std::span<double> grad, std::span<double> hess) const;
};

class BatchFunction : public BatchModel {
  public:
    /// The function's first argument is the variable, the others the parameters in order.
    explicit BatchFunction(const PyFunction& f);
    ~BatchFunction() override;
    BatchFunction(BatchFunction&&) noexcept;
    BatchFunction& operator=(BatchFunction&&) noexcept;

    std::size_t parameters() const override { return f_.parameters(); }
    void values(std::span<const double> x, std::span<const double> p, std::span<double> f) const override;
    bool gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                   std::span<double> grad) const override;
    bool hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                  std::span<double> grad, std::span<double> hess) const override;
    /// Whether gradients() and hessians() are available (every function has a derivative rule).
    bool differentiable() const { return f_.differentiable(); }
    /// Array operations per block of x values for values (order 0), with first (1) or also
    /// second derivatives (2): the cost of a pass, for tests and docs.
    std::size_t array_operations(int order) const;

  private:
    expr::ArrayFunction f_;
};

} // namespace hepkit::fit
