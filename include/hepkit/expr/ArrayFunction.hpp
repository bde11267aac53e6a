#pragma once
/// @file
/// A model function evaluated for many values of its first argument at once — the batch
/// evaluator behind fit::BatchFunction. The function's graph (Graph.hpp) is differentiated
/// symbolically twice w.r.t. the parameters (the other arguments), and split into the part that
/// does not depend on x (evaluated once per call) and the part evaluated over blocks of 256
/// values with array loops and vectorised elementary functions (VecMath.hpp). Functions without
/// a derivative rule (gamma, lgamma, min, max) make the derivatives unavailable.

#include "hepkit/expr/Function.hpp"

#include <cstddef>
#include <memory>
#include <span>

namespace hepkit::expr {

class ArrayFunction {
  public:
    /// The function's first argument is the variable, the others the parameters in order.
    /// Throws std::invalid_argument for a function without arguments.
    explicit ArrayFunction(const Function& f);
    ~ArrayFunction();
    ArrayFunction(ArrayFunction&&) noexcept;
    ArrayFunction& operator=(ArrayFunction&&) noexcept;

    /// Number of parameters p.
    std::size_t parameters() const { return parameters_; }
    /// f[i] = f(x[i]; p).
    void values(std::span<const double> x, std::span<const double> p, std::span<double> f) const;
    /// f as values() and grad[k·n + i] = ∂f(x[i]; p)/∂p_k with n = x.size(); false when not
    /// differentiable.
    bool gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                   std::span<double> grad) const;
    /// f, ∂f/∂p and hess[(k(k+1)/2 + j)·n + i] = ∂²f(x[i]; p)/∂p_j∂p_k for j ≤ k.
    bool hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                  std::span<double> grad, std::span<double> hess) const;
    /// Whether gradients() and hessians() are available.
    bool differentiable() const { return differentiable_; }
    /// Array operations per block of x values for values (order 0), with first (1) or also
    /// second derivatives (2): the cost of a pass, for tests and docs.
    std::size_t array_operations(int order) const;

  private:
    struct Program;
    std::size_t parameters_ = 0;
    bool differentiable_ = true;
    std::unique_ptr<Program> values_, gradients_, hessians_;
};

} // namespace hepkit::expr
