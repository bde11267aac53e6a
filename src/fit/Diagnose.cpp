// Messages of Problem::diagnose shared by the fit types: where the model is not finite, data
// outliers, the largest residual.

#include "Internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::fit {

void detail::check_values(const std::vector<double>& v, const char* what) {
    if (v.empty())
        throw std::invalid_argument(fmt::format("{} is empty", what));
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw std::invalid_argument(fmt::format("{}[{}] = {} is not a finite number", what, i, v[i]));
}

namespace detail {

std::string not_finite_at(const std::vector<double>& at, const std::vector<double>& f, const char* what) {
    return where_not(at, f, what, "not finite", [](double v) { return !std::isfinite(v); });
}

// A data value far outside the others, whatever the model: more than 10⁴ median absolute
// deviations from the median (a typo, a unit error, a sentinel value such as 1e15).
std::string data_outlier(const std::vector<double>& at, const char* what, const char* key,
                         const std::vector<double>& y) {
    if (y.size() < 3)
        return {};
    auto median = [](std::vector<double> v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    const double m = median(y);
    std::vector<double> dev;
    for (double v : y)
        dev.push_back(std::fabs(v - m));
    const double mad = median(dev);
    if (!(mad > 0))
        return {};
    const auto worst = static_cast<std::size_t>(std::max_element(dev.begin(), dev.end()) - dev.begin());
    if (dev[worst] < 1e4 * mad)
        return {};
    return fmt::format("{} point {} ({} = {:.6g}) is {:.6g}, {:.3g} median absolute deviations from the "
                       "median of the data ({:.6g}): an outlier?",
                       key, worst + 1, what, at[worst], y[worst], dev[worst] / mad, m);
}

// The data point farthest from the model in units of its uncertainty.
std::string largest_residual(const std::vector<double>& at, const char* what, const std::vector<double>& y,
                             const std::vector<double>& f, const std::vector<double>& sigma) {
    std::size_t worst = 0;
    double pull = -1;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double z = std::fabs(y[i] - f[i]) / sigma[i];
        if (std::isfinite(z) && z > pull) {
            pull = z;
            worst = i;
        }
    }
    if (pull < 0)
        return {};
    return fmt::format("where it stopped, the largest residual is point {} ({} = {:.6g}, data {:.6g}, model "
                       "{:.6g}): {:.3g} σ",
                       worst + 1, what, at[worst], y[worst], f[worst], pull);
}

} // namespace detail
} // namespace hepkit::fit
