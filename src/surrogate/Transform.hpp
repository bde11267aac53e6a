#pragma once
// A column of numbers as a network sees it: the logarithm where every training value is positive
// (a squared error on logarithms is a relative error), then standardised. Shared by the summary
// and the per-job surrogates; saved in their surrogate.json.

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

namespace hepkit::surrogate::detail {

struct Transform {
    bool log = false;
    double offset = 0; ///< log(x + offset): a value at 0 stays finite (see fit)
    double mean = 0, scale = 1;
    double to(double x) const { return ((log ? std::log(std::max(x + offset, 1e-300)) : x) - mean) / scale; }
    /// A network's output back in the column's unit. Outputs are first clamped to ±8 standard
    /// deviations (of the training values' logarithms, for a log column): far outside the
    /// training domain a network extrapolates linearly, which exp() turned into 1e300 seconds.
    double from(double z) const {
        const double x = std::clamp(z, -8.0, 8.0) * scale + mean;
        return log ? std::exp(x) - offset : x;
    }
    /// `allow_log`: false keeps the values linear. `offset_fraction`: the logarithm is taken of
    /// x + offset_fraction × (the training median), so that an input the training never showed at
    /// 0 but that may be 0 (a hit rate drawn from [0, 0.5] is never exactly 0) maps next to the
    /// smallest training values instead of to −690 (a scan's hit rate 0 was predicted at 2.7 times
    /// the simulated makespan before). Targets use 0: they are relative quantities.
    static Transform fit(const std::vector<double>& v, bool allow_log = true, double offset_fraction = 0) {
        Transform t;
        t.log = allow_log && !v.empty() && std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
        if (t.log && offset_fraction > 0) {
            std::vector<double> sorted = v;
            std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                             sorted.end());
            t.offset = offset_fraction * sorted[sorted.size() / 2];
        }
        double s = 0, s2 = 0;
        for (const double x : v) {
            const double y = t.log ? std::log(x + t.offset) : x;
            s += y;
            s2 += y * y;
        }
        const double n = std::max<double>(static_cast<double>(v.size()), 1);
        t.mean = s / n;
        t.scale = std::sqrt(std::max(s2 / n - t.mean * t.mean, 0.0));
        return t;
    }
    nlohmann::json json() const {
        return {{"log", log}, {"offset", offset}, {"mean", mean}, {"scale", scale}};
    }
    static Transform from_json(const nlohmann::json& j) {
        Transform t;
        t.log = j.at("log").get<bool>();
        t.offset = j.value("offset", 0.0);
        t.mean = j.at("mean").get<double>();
        t.scale = j.at("scale").get<double>();
        return t;
    }
};

} // namespace hepkit::surrogate::detail
