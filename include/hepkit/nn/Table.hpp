#pragma once
/// @file
/// A table of events for the networks of hepkit::nn: features, one target and one weight per
/// event, in float64 (converted to the training precision, float32 by default, when batched).
///
///     hepkit::nn::Table t;
///     t.feature_names = {"x", "y"};
///     t.rows = 2;
///     t.features = {1.0, 2.0,    // event 0: x, y
///                   3.0, 4.0};   // event 1
///
/// The layout is row-major (event by event), the layout a (events, features) tensor has, so a
/// table becomes a tensor without reordering. Loading tables from ROOT/CSV/HDF5 files and
/// splitting them is in Dataset.hpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::nn {

struct Table {
    std::vector<std::string> feature_names;
    std::size_t rows = 0;
    /// rows × feature_names.size(), row-major.
    std::vector<double> features;
    /// One per row: the class index (0, 1, ...) for classification, the value for regression.
    /// Empty where the data has no target (the data of a Taylor analysis).
    std::vector<double> targets;
    /// One per row; empty means every event weighs 1.
    std::vector<double> weights;

    std::size_t cols() const { return feature_names.size(); }
    double at(std::size_t row, std::size_t col) const { return features[row * cols() + col]; }
    double weight(std::size_t row) const { return weights.empty() ? 1.0 : weights[row]; }
};

} // namespace hepkit::nn
