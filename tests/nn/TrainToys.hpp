#pragma once
// Toy data sets for the training tests of hepkit::nn: Gaussian features drawn from a seeded
// generator (Box–Muller on std::mt19937_64, identical on every platform), split into the three sets.

#include "hepkit/nn/Dataset.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace hepkit::nn::test {

class Gauss {
  public:
    explicit Gauss(std::uint64_t seed) : rng_(seed) {}
    double operator()() {
        const double u1 = (static_cast<double>(rng_() >> 11) + 0.5) / 9007199254740992.0;
        const double u2 = static_cast<double>(rng_() >> 11) / 9007199254740992.0;
        return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    }
    double uniform() { return static_cast<double>(rng_() >> 11) / 9007199254740992.0; }

  private:
    std::mt19937_64 rng_;
};

/// `rows` events of `cols` standard-normal features (shifted by `offset`), the target from
/// `target(features, gauss)`, weight 1.
inline Table toy_table(std::size_t rows, std::size_t cols, std::uint64_t seed,
                       const std::function<double(const double*, Gauss&)>& target, double offset = 0) {
    Table t;
    for (std::size_t j = 0; j < cols; ++j)
        t.feature_names.push_back(std::string("x").append(std::to_string(j)));
    t.rows = rows;
    Gauss g(seed);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j)
            t.features.push_back(offset + 2.0 * g());
        t.targets.push_back(target(&t.features[i * cols], g));
    }
    return t;
}

inline DataSplits toy_splits(std::size_t rows, std::size_t cols, int classes,
                             const std::function<double(const double*, Gauss&)>& target, double offset = 0) {
    DataSplits d;
    d.train = toy_table(rows, cols, 11, target, offset);
    d.validation = toy_table(rows / 2, cols, 12, target, offset);
    d.test = toy_table(rows / 2, cols, 13, target, offset);
    d.classes = classes;
    return d;
}

/// Class 1 when x0 + x1 > 0.5, with a margin of 0.3 cut out (linearly separable).
inline DataSplits separable_toy(std::size_t rows) {
    auto splits = toy_splits(
        rows, 3, 2, [](const double* x, Gauss&) { return x[0] + x[1] > 0.5 ? 1.0 : 0.0; }, 0);
    for (Table* t : {&splits.train, &splits.validation, &splits.test}) {
        Table kept;
        kept.feature_names = t->feature_names;
        for (std::size_t i = 0; i < t->rows; ++i) {
            if (std::abs(t->at(i, 0) + t->at(i, 1) - 0.5) < 0.3)
                continue;
            kept.features.insert(kept.features.end(), t->features.begin() + static_cast<long>(i * 3),
                                 t->features.begin() + static_cast<long>(i * 3 + 3));
            kept.targets.push_back(t->targets[i]);
            ++kept.rows;
        }
        *t = kept;
    }
    return splits;
}

} // namespace hepkit::nn::test
