#pragma once
// What both model kinds' training loops share: the seeded split of the samples into training and
// validation sets, and the weights of the best validation epoch (early stopping keeps them).

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace hepkit::surrogate::detail {

struct Split {
    std::vector<std::size_t> train, validation;
};

/// A seeded shuffle of 0 … n−1 (a Fisher–Yates on mt19937_64, the same on every library), its
/// first round(fraction·n) — at least 1, leaving at least `min_train` — for validation.
inline Split seeded_split(std::size_t n, double fraction, std::uint64_t seed, std::size_t min_train) {
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    std::mt19937_64 rng(seed);
    for (std::size_t i = n; i-- > 1;)
        std::swap(order[i], order[static_cast<std::size_t>(rng() % (i + 1))]);
    const auto n_val = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n))), 1, n - min_train);
    Split s;
    s.validation.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_val));
    s.train.assign(order.begin() + static_cast<std::ptrdiff_t>(n_val), order.end());
    return s;
}

/// A copy of a module's weights, taken at the best epoch and put back at the end.
class BestWeights {
  public:
    void keep(const std::vector<torch::Tensor>& params) {
        saved_.clear();
        for (const auto& p : params)
            saved_.push_back(p.detach().clone());
    }
    void restore(std::vector<torch::Tensor> params) const {
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < params.size() && i < saved_.size(); ++i)
            params[i].copy_(saved_[i]);
    }

  private:
    std::vector<torch::Tensor> saved_;
};

} // namespace hepkit::surrogate::detail
