#pragma once
// Histograms of a network's output that gradients flow through (Systematics.hpp, HistogramKind):
// hard counts with a Gaussian-derivative backward (the KIT papers), a binned KDE (neos), softmax
// bins (INFERNO); and the hard histogram the trained network is evaluated with. src/nn only.

#include "hepkit/nn/Systematics.hpp"

#include <torch/torch.h>

namespace hepkit::nn {

/// Weighted counts per bin (bins) of `out` — (n) or (n, 1) scores for HardGauss and Kde, (n, bins)
/// logits for Softmax — with event weights `w` (n). Differentiable in `out` and `w`.
///
/// HardGauss: forward Σ w·1[x in bin i] exactly; backward ∂/∂x = w·g_i'(x) with g_i(x) =
/// exp(−(x − c_i)²/(2σ²)), c_i the bin centre, σ = half the bin width (arXiv:2003.07186, Sec. 3);
/// ∂/∂w the hard indicator. Kde: Σ w·[Φ((hi_i − x)/h) − Φ((lo_i − x)/h)], h = bandwidth.
/// Softmax: Σ w·softmax(out/τ)_i.
torch::Tensor diff_histogram(const HistogramConfig& config, const torch::Tensor& out, const torch::Tensor& w);

/// While alive, diff_histogram's softmax is written as exp(z − max z)/Σexp: libtorch 1.13's
/// forward-mode (JVP) formula of aten::softmax modifies in place a tensor that reverse mode saved,
/// so reverse-over-forward differentiation (SystematicsModel::asimov_hessian) fails with it. The
/// two agree to rounding; outside such a scope the aten kernel is used.
class ForwardModeScope {
  public:
    ForwardModeScope();
    ~ForwardModeScope();
    ForwardModeScope(const ForwardModeScope&) = delete;
    ForwardModeScope& operator=(const ForwardModeScope&) = delete;
    static bool active();

  private:
    bool previous_;
};

/// The hard histogram of evaluation: the bin of the score (HardGauss, Kde; values outside [lo, hi]
/// fall into no bin, hi itself into the last) or of the largest output (Softmax). No gradient.
torch::Tensor hard_histogram(const HistogramConfig& config, const torch::Tensor& out, const torch::Tensor& w);

/// The number of network outputs a histogram kind needs: `bins` for Softmax, 1 otherwise.
int histogram_outputs(const HistogramConfig& config);

/// The network output a histogram is made of: the probability sigmoid(logit) of a one-output
/// network (HardGauss, Kde), the logits themselves (Softmax).
torch::Tensor histogram_input(const HistogramConfig& config, const torch::Tensor& logits);

} // namespace hepkit::nn
