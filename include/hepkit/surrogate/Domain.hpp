#pragma once
/// @file
/// A model's training domain and what leaves it: features outside their training range, and
/// settings (Features.hpp: setting_names) with a value no training sample had — a model cannot
/// know what a setting it never saw change does, so its prediction there is flagged, not trusted.

#include <string>
#include <vector>

namespace hepkit::surrogate {

/// A feature outside the model's training range, or a setting with a value training never saw.
/// Kept as numbers and formatted where shown: a scan point far outside the range flags most of
/// its features, and formatting every flag took half of a prediction's time (docs/surrogate.md,
/// "Speed", twelfth session).
struct OutsideFeature {
    std::string name;
    double value = 0, lo = 0, hi = 0; ///< its value and the training range (a setting's values' range)
    /// "name = value (trained on [min, max])"
    std::string message() const;
};

/// The features of `values` (one per name) outside their training range [lo, hi], appended to
/// `out`: with a slack of 1 % of the range (a value at the edge, rounded, is inside).
void features_outside(const std::vector<std::string>& names, const double* values,
                      const std::vector<double>& lo, const std::vector<double>& hi,
                      std::vector<OutsideFeature>& out);

/// The settings of a model's training samples: per setting (setting_names() order), the values
/// they had, sorted. A model trained on data made before the settings were recorded has none:
/// then nothing is checked.
struct SettingsDomain {
    std::vector<std::vector<double>> values;

    bool recorded() const { return !values.empty(); }
    /// Adds one training sample's settings (setting_names() order).
    void add(const std::vector<double>& settings);
    /// The settings of a scenario whose value no training sample had, appended to `out`.
    void outside(const std::vector<double>& settings, std::vector<OutsideFeature>& out) const;
};

} // namespace hepkit::surrogate
