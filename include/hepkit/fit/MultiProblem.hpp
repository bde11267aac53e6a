#pragma once
/// @file
/// MultiProblem: a sum of fits sharing parameters by name, optionally with error sources shared
/// across the parts' data (a joint covariance).

#include "hepkit/fit/ErrorModel.hpp"
#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

/// Several fits sharing parameters: `maps[k][j]` is the index in the global parameter vector
/// of parameter j of part k. The cost is the sum; with `shared`, the parts' y data (all xy or
/// indexed) also carry these error sources across all their points (e.g. a common
/// normalisation uncertainty), added to the joint covariance.
class MultiProblem : public Problem {
  public:
    MultiProblem(std::vector<std::unique_ptr<Problem>> parts, std::vector<std::vector<std::size_t>> maps,
                 std::vector<ErrorSource> shared = {});
    std::string type() const override { return "multi"; }
    std::size_t data_size() const override;
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    /// Passes the pool to every part.
    void set_thread_pool(ThreadPool* pool) override;

  private:
    std::vector<double> gather(std::size_t k, std::span<const double> p) const;
    /// χ² (+ log det V when V depends on p) of all parts' residuals with the shared errors.
    double joint(std::span<const double> p, bool chi2_only) const;
    std::vector<std::unique_ptr<Problem>> parts_;
    std::vector<std::vector<std::size_t>> maps_;
    std::vector<ErrorSource> shared_;
};

} // namespace hepkit::fit
