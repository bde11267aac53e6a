#pragma once
/// @file
/// Adaptive Gauss–Legendre quadrature for the fit types (histogram bins, unbinned ranges).

#include <functional>
#include <utility>
#include <vector>

namespace hepkit::fit {

/// Integral of f over [a, b] by adaptive Gauss–Legendre quadrature (5 and 10 points compared,
/// bisection where they differ by more than 1e-9 relative).
double integrate(const std::function<double(double)>& f, double a, double b);
/// The same, also giving the rule it ended with: Σ w f(t) over `nodes` (t, w) is the result, so
/// the integral's derivatives follow from f's derivatives at those nodes.
double integrate(const std::function<double(double)>& f, double a, double b,
                 std::vector<std::pair<double, double>>& nodes);

} // namespace hepkit::fit
