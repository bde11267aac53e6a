#pragma once
/// @file
/// CustomProblem: the user's cost function over the parameters (no data model, no goodness of
/// fit, no pseudo-experiments).

#include "hepkit/fit/Minimizer.hpp"
#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

class CustomProblem : public Problem {
  public:
    explicit CustomProblem(CostFunction cost, std::size_t data_size = 0)
        : cost_(std::move(cost)), data_size_(data_size) {}
    std::string type() const override { return "custom"; }
    std::size_t data_size() const override { return data_size_; }
    double cost(std::span<const double> p) const override { return cost_(p); }
    std::optional<double> goodness(std::span<const double>) const override { return std::nullopt; }

  private:
    CostFunction cost_;
    std::size_t data_size_;
};

} // namespace hepkit::fit
