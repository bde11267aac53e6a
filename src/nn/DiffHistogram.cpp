// Differentiable histograms (DiffHistogram.hpp). Each kind builds an (events × bins) matrix of
// per-event contributions and sums it with the weights: the batches of training are thousands of
// events and ten-odd bins, so the matrix is small and every operation is one aten kernel.

#include "DiffHistogram.hpp"

#include <cmath>
#include <numbers>

namespace hepkit::nn {

namespace {

/// Bin edges' lower ends and centres as (1, bins) rows, and the bin width.
struct Bins {
    torch::Tensor lower, centre;
    double width = 0;
};

Bins bins_of(const HistogramConfig& c, const torch::Tensor& like) {
    Bins b;
    b.width = (c.hi - c.lo) / c.bins;
    const auto i = torch::arange(c.bins, like.options()).view({1, -1});
    b.lower = c.lo + i * b.width;
    b.centre = b.lower + 0.5 * b.width;
    return b;
}

/// 1 where x (n, 1) lies in bin i: [lower, lower + width), the last bin closed at hi.
torch::Tensor indicator(const HistogramConfig& c, const torch::Tensor& x, const Bins& b) {
    auto k = torch::floor((x - c.lo) / b.width);
    k = torch::where(x == c.hi, torch::full_like(k, c.bins - 1), k);
    const auto i = torch::arange(c.bins, x.options()).view({1, -1});
    return (k == i).to(x.scalar_type());
}

torch::Tensor as_column(const torch::Tensor& out) {
    return out.reshape({-1, 1});
}

thread_local bool forward_mode = false;

/// softmax over dim 1, by the aten kernel or (ForwardModeScope) spelled out.
torch::Tensor softmax_rows(const torch::Tensor& z) {
    if (!forward_mode)
        return torch::softmax(z, 1);
    const auto e = torch::exp(z - std::get<0>(z.detach().max(1, true)));
    return e / e.sum(1, true);
}

} // namespace

ForwardModeScope::ForwardModeScope() : previous_(forward_mode) {
    forward_mode = true;
}
ForwardModeScope::~ForwardModeScope() {
    forward_mode = previous_;
}
bool ForwardModeScope::active() {
    return forward_mode;
}

int histogram_outputs(const HistogramConfig& config) {
    return config.kind == HistogramKind::Softmax ? config.bins : 1;
}

torch::Tensor histogram_input(const HistogramConfig& config, const torch::Tensor& logits) {
    return config.kind == HistogramKind::Softmax ? logits : torch::sigmoid(logits.reshape({-1}));
}

torch::Tensor diff_histogram(const HistogramConfig& c, const torch::Tensor& out, const torch::Tensor& w) {
    const auto wc = w.reshape({-1, 1});
    switch (c.kind) {
    case HistogramKind::Softmax:
        return (softmax_rows(out / c.temperature) * wc).sum(0);
    case HistogramKind::Kde: {
        const auto x = as_column(out);
        const Bins b = bins_of(c, x);
        const double h = c.bandwidth > 0 ? c.bandwidth : 0.5 * b.width;
        const auto cdf = [&](const torch::Tensor& edge) {
            return 0.5 * (1 + torch::erf((edge - x) / (h * std::numbers::sqrt2)));
        };
        return ((cdf(b.lower + b.width) - cdf(b.lower)) * wc).sum(0);
    }
    case HistogramKind::HardGauss:
        break;
    }
    const auto x = as_column(out);
    const Bins b = bins_of(c, x);
    const double sigma = 0.5 * b.width;
    const auto g = torch::exp(-(x - b.centre).square() / (2 * sigma * sigma));
    // straight through: the value of the indicator, the gradient of the Gaussian (g − g is 0 exactly)
    const auto contribution = indicator(c, x.detach(), b) + (g - g.detach());
    return (contribution * wc).sum(0);
}

torch::Tensor hard_histogram(const HistogramConfig& c, const torch::Tensor& out, const torch::Tensor& w) {
    torch::NoGradGuard no_grad;
    const auto wc = w.reshape({-1, 1});
    if (c.kind == HistogramKind::Softmax) {
        const auto k = out.argmax(1, true);
        const auto i = torch::arange(c.bins, k.options()).view({1, -1});
        return ((k == i).to(w.scalar_type()) * wc).sum(0);
    }
    const auto x = as_column(out);
    return (indicator(c, x, bins_of(c, x)) * wc).sum(0);
}

} // namespace hepkit::nn
