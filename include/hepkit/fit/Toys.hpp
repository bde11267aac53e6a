#pragma once
/// @file
/// Pseudo-experiments for xy fits: data drawn from the fitted model with the fit's covariance
/// (Gaussian, correlated through a Cholesky factor), refitted N times; bias, pull mean and
/// width, and the coverage of the ±1σ intervals per parameter.

#include "hepkit/fit/Problems.hpp"

#include <cstdint>

namespace hepkit::fit {

struct ToyParameter {
    std::string name;
    double truth = 0, bias = 0, pull_mean = 0, pull_width = 0, coverage = 0;
    double pull_mean_error = 0, pull_width_error = 0; ///< statistical (1/√N, 1/√(2N))
};
struct ToyStudy {
    int toys = 0, failed = 0;
    std::vector<ToyParameter> parameters;
};

/// Runs `n` toy fits of an xy problem: truth = `truth` parameters (all of them), data y_i ~
/// N(f(x_i; truth), V) with V the problem's covariance at the truth. Constant V only
/// (parameter-independent errors); throws std::invalid_argument otherwise.
ToyStudy run_toys(const XYProblem& problem, const XModel& model, const std::vector<Fit::Parameter>& truth,
                  int n, std::uint64_t seed);

} // namespace hepkit::fit
