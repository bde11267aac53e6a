#pragma once
// What both model kinds' training loops share: the seeded split of the samples into training and
// validation sets, and the weights of the best validation epoch (early stopping keeps them).

#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Domain.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <torch/torch.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace hepkit::surrogate::detail {

/// The manifest file of a model directory, of either kind (it says which kind it holds).
inline constexpr const char* kManifest = "surrogate.json";

template <class T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng);

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
    shuffle(order, rng);
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

/// A Fisher–Yates shuffle on mt19937_64 (the same order on every standard library).
template <class T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i-- > 1;)
        std::swap(v[i], v[static_cast<std::size_t>(rng() % (i + 1))]);
}

struct Stopped {
    double best = INFINITY; ///< the best validation loss
    int best_epoch = 0, epochs_run = 0;
};

/// Runs `epoch(e)` for e = 1 … epochs — it trains one epoch and returns the validation loss —
/// until `patience` epochs bring no better loss (0: all epochs run); `params` end with the best
/// epoch's weights.
template <class Epoch>
Stopped early_stopping(const std::vector<torch::Tensor>& params, int epochs, int patience, Epoch&& epoch) {
    Stopped s;
    BestWeights best;
    for (int e = 1; e <= epochs; ++e) {
        const double loss = epoch(e);
        s.epochs_run = e;
        if (loss < s.best) {
            s.best = loss;
            s.best_epoch = e;
            best.keep(params);
        } else if (patience > 0 && e - s.best_epoch >= patience) {
            break;
        }
    }
    best.restore(params);
    return s;
}

/// libtorch's intra-op threads set for a training and put back at its end (also when it throws).
class TorchThreads {
  public:
    explicit TorchThreads(int threads) : old_(at::get_num_threads()) { at::set_num_threads(threads); }
    ~TorchThreads() { at::set_num_threads(old_); }
    TorchThreads(const TorchThreads&) = delete;
    TorchThreads& operator=(const TorchThreads&) = delete;

  private:
    int old_;
};

/// The relative error |p − t| / (1 + t) = |e^Δ − 1| of a prediction p of a time t, from their
/// difference Δ = log1p(p) − log1p(t) (`loss: relative`). Beyond |Δ| = 3 it goes on along its
/// tangent: e^Δ would overflow early in a training, and the gradient of a prediction far too short
/// would vanish with e^Δ (an error that cannot exceed 1).
inline torch::Tensor relative_error(const torch::Tensor& delta) {
    const torch::Tensor inside = delta.clamp(-3.0, 3.0);
    return (torch::expm1(inside) + torch::exp(inside) * (delta - inside)).abs();
}

/// `loss: relative` of standardised log1p-targets: `d` their differences (…, targets), `scale`
/// each target's standardisation scale (log1p seconds per unit; it broadcasts over the last
/// dimension). Divided by the scale again so that to first order it is the absolute error |d|.
inline torch::Tensor relative_loss(const torch::Tensor& d, const torch::Tensor& scale) {
    return relative_error(d * scale) / scale;
}

/// A network's weights written to / read from `file`, libtorch's errors as OutputError /
/// InputError naming the file.
template <class Net>
void save_network(const Net& net, const std::string& file) {
    try {
        torch::save(net, file);
    } catch (const c10::Error& e) {
        throw OutputError(file, 0, "",
                          fmt::format("cannot write the network: {}", e.what_without_backtrace()));
    }
}
template <class Net>
void load_network(Net& net, const std::string& file) {
    try {
        torch::load(net, file);
    } catch (const c10::Error& e) {
        throw InputError(file, 0, "", fmt::format("cannot load the network: {}", e.what_without_backtrace()));
    }
    net->eval();
}

/// A model manifest's `settings` ({name: [values]}, Domain.hpp) and back; a manifest without them
/// (a model trained before settings were recorded, or on data without them) checks none.
inline nlohmann::json settings_json(const SettingsDomain& d) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t i = 0; i < d.values.size(); ++i)
        j[setting_names()[i]] = d.values[i];
    return j;
}
inline SettingsDomain settings_from_json(const nlohmann::json& manifest) {
    SettingsDomain d;
    if (!manifest.contains("settings"))
        return d;
    const nlohmann::json& j = manifest.at("settings");
    for (const auto& name : setting_names())
        d.values.push_back(j.contains(name) ? j.at(name).get<std::vector<double>>() : std::vector<double>());
    return d;
}

} // namespace hepkit::surrogate::detail
