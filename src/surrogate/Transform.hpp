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
    double mean = 0, scale = 1;
    double to(double x) const { return ((log ? std::log(std::max(x, 1e-300)) : x) - mean) / scale; }
    double from(double z) const {
        const double x = z * scale + mean;
        return log ? std::exp(x) : x;
    }
    /// `allow_log`: false keeps the values linear (they may be 0 at prediction time).
    static Transform fit(const std::vector<double>& v, bool allow_log = true) {
        Transform t;
        t.log = allow_log && !v.empty() && std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
        double s = 0, s2 = 0;
        for (const double x : v) {
            const double y = t.log ? std::log(x) : x;
            s += y;
            s2 += y * y;
        }
        const double n = std::max<double>(static_cast<double>(v.size()), 1);
        t.mean = s / n;
        t.scale = std::sqrt(std::max(s2 / n - t.mean * t.mean, 0.0));
        return t;
    }
    nlohmann::json json() const { return {{"log", log}, {"mean", mean}, {"scale", scale}}; }
    static Transform from_json(const nlohmann::json& j) {
        Transform t;
        t.log = j.at("log").get<bool>();
        t.mean = j.at("mean").get<double>();
        t.scale = j.at("scale").get<double>();
        return t;
    }
};

} // namespace hepkit::surrogate::detail
