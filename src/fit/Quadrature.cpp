#include "hepkit/fit/Quadrature.hpp"

#include <cmath>

namespace hepkit::fit {
namespace {

// Gauss–Legendre nodes and weights on [-1, 1] (10 points; Abramowitz & Stegun 25.4.30).
constexpr double gl10_x[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845,
                              0.9739065285171717};
constexpr double gl10_w[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820, 0.1494513491505806,
                              0.0666713443086881};

double gl(const std::function<double(double)>& f, double a, double b, const double* xs, const double* ws,
          int n) {
    const double c = (a + b) / 2, h = (b - a) / 2;
    double s = 0;
    for (int i = 0; i < n; ++i)
        s += ws[i] * (f(c - h * xs[i]) + f(c + h * xs[i]));
    return s * h;
}

// 5-point rule (exact for polynomials of degree 9), for the error estimate of the 10-point one.
constexpr double gl5_x[3] = {0.0, 0.5384693101056831, 0.9061798459386640};
constexpr double gl5_w[3] = {0.5688888888888889, 0.4786286704993665, 0.2369268850561891};

double gl5(const std::function<double(double)>& f, double a, double b) {
    const double c = (a + b) / 2, h = (b - a) / 2;
    return h * (gl5_w[0] * f(c) + gl5_w[1] * (f(c - h * gl5_x[1]) + f(c + h * gl5_x[1])) +
                gl5_w[2] * (f(c - h * gl5_x[2]) + f(c + h * gl5_x[2])));
}

double adapt(const std::function<double(double)>& f, double a, double b, int depth,
             std::vector<std::pair<double, double>>* nodes) {
    // The 10-point result is kept when the 5-point one agrees with it to 1e-9: its own error is
    // then far smaller (it is exact to degree 19).
    const double i5 = gl5(f, a, b);
    const double i10 = gl(f, a, b, gl10_x, gl10_w, 5);
    if (depth > 12 || std::fabs(i10 - i5) <= 1e-9 * std::fabs(i10) + 1e-300 || !std::isfinite(i10)) {
        if (nodes) {
            const double c = (a + b) / 2, h = (b - a) / 2;
            for (int i = 0; i < 5; ++i) {
                nodes->emplace_back(c - h * gl10_x[i], h * gl10_w[i]);
                nodes->emplace_back(c + h * gl10_x[i], h * gl10_w[i]);
            }
        }
        return i10;
    }
    const double m = (a + b) / 2;
    return adapt(f, a, m, depth + 1, nodes) + adapt(f, m, b, depth + 1, nodes);
}

} // namespace

double integrate(const std::function<double(double)>& f, double a, double b) {
    return adapt(f, a, b, 0, nullptr);
}

double integrate(const std::function<double(double)>& f, double a, double b,
                 std::vector<std::pair<double, double>>& nodes) {
    nodes.clear();
    return adapt(f, a, b, 0, &nodes);
}

} // namespace hepkit::fit
