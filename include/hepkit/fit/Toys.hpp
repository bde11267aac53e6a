#pragma once
/// @file
/// Pseudo-experiment ensembles: data drawn from the fitted model at "true" parameters (Gaussian
/// with the fit's covariance for xy and indexed fits, Poisson bin contents for histograms,
/// accept–reject events for unbinned fits), each refitted; bias, pull mean and width, and the
/// coverage of the ±1σ intervals per free parameter. Constraints keep their centres.

#include "hepkit/fit/Fit.hpp"

#include <cstdint>
#include <functional>

namespace hepkit::fit {

struct ToyParameter {
    std::string name;
    double truth = 0, bias = 0, pull_mean = 0, pull_width = 0, coverage = 0;
    double pull_mean_error = 0, pull_width_error = 0; ///< statistical (1/√N, 1/√(2N))
};
struct ToyStudy {
    int toys = 0, failed = 0;
    /// toys whose fit ended on a parameter limit (their Hessian errors are meaningless there):
    /// left out of the pull statistics, as MINUIT users do
    int at_limit = 0;
    std::vector<ToyParameter> parameters; ///< free parameters only
};

/// Called after each toy with (toys done, toys in all): progress output for long ensembles.
using ToyProgress = std::function<void(int, int)>;

/// Runs `n` toy fits of `fit` with truth `truth` (all parameters).
ToyStudy run_toys(const Fit& fit, const std::vector<double>& truth, int n, std::uint64_t seed,
                  const ToyProgress& progress = {});

} // namespace hepkit::fit
