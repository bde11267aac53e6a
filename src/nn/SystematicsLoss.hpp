#pragma once
// The binned likelihood with nuisance parameters on differentiable histograms of the network
// output, inside libtorch in double precision, and the penalised and inference-aware losses made of
// it (include/hepkit/nn/Systematics.hpp, docs/nn-systematics.md). src/nn only.

#include "ExprTorch.hpp"
#include "Network.hpp"

#include "hepkit/nn/Dataset.hpp"
#include "hepkit/nn/Systematics.hpp"
#include "hepkit/nn/Train.hpp"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::nn {

/// Events of one sample in one step: raw features (n, F) and weights (n).
struct SampleEvents {
    torch::Tensor x, w;
};

/// The events a loss sees: one entry per class (the likelihood's samples, by class index) and per
/// variation sample (in the order of DataSplits::variations).
struct LossEvents {
    std::vector<SampleEvents> classes;
    std::vector<SampleEvents> variations;
};

/// The network as a histogram sees it: raw features (n, F) → histogram input (DiffHistogram.hpp:
/// the probability of a one-output network, the logits of a softmax-bin network).
using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

/// The Hessian over p of the Asimov negative log-likelihood Σ_i [ν_i(p) − d_i ln ν_i(p)] +
/// Σ_j (p_j − p0_j)²/(2σ_j²) at p = p0, with d = ν(p0) (a function of whatever ν depends on, so
/// that H is differentiable in it and equals the Fisher information J^T diag(1/ν) J + C there), by
/// double backward. Bins with d = 0 are left out. constraints[j]: σ_j of p_j, nullopt: none.
torch::Tensor asimov_hessian(const std::function<torch::Tensor(const torch::Tensor&)>& nu,
                             const torch::Tensor& p0, const std::vector<std::optional<double>>& constraints);

/// The C¹ template interpolation of analysis-methods README §1: δ(α) = aα² + bα for |α| ≤ 1,
/// continued linearly with the slope at ±1; a = ½(up + down) − nom, b = ½(up − down). α is 0-d.
torch::Tensor smooth_delta(const torch::Tensor& alpha, const torch::Tensor& nom, const torch::Tensor& up,
                           const torch::Tensor& down);

class SystematicsModel {
  public:
    /// Resolves names: classes by `class_names`, features by `features`, variations by their
    /// nuisance and class. Throws hepkit::InputError naming `loss.<key>` for what does not resolve
    /// (an unknown class, feature or parameter in an expression, a template nuisance without its up
    /// and down samples).
    SystematicsModel(const LossConfig& config, const std::vector<std::string>& class_names,
                     const std::vector<std::string>& features, const std::vector<Variation>& variations);

    /// Parameters: the POI, then the nuisances in the order of the configuration.
    const std::vector<std::string>& parameter_names() const { return names_; }
    /// Their nominal values (float64).
    torch::Tensor nominal() const;

    /// Expected events per bin ν(p) (float64, bins) for parameters p (P); `hard`: the evaluation
    /// histograms, no gradient.
    torch::Tensor expected(const Forward& net, const LossEvents& events, const torch::Tensor& p,
                           bool hard) const;

    /// The Hessian of the Asimov negative log-likelihood over all parameters at the nominal point
    /// (P × P), the Gaussian constraints included; differentiable in the network's weights. The
    /// Asimov data are ν(nominal) as a function of the weights, so H equals the Fisher information
    /// J^T diag(1/ν) J + C there (analysis-methods README §2), and so do its derivatives in the
    /// weights: the difference Σ_i ∂²ν_i (1 − d_i/ν_i) vanishes identically in them. It is computed
    /// in that form, J = ∂ν/∂p by forward mode (one tangent per parameter, the network rerun only
    /// for the classes whose inputs the parameter changes): the same value and gradient as the
    /// double backward of the free asimov_hessian to rounding, at about half the cost.
    torch::Tensor asimov_hessian(const Forward& net, const LossEvents& events) const;

    /// Inference-aware loss: (H⁻¹)₀₀, or its square root (InferenceObjective::Sigma).
    torch::Tensor inference_loss(const Forward& net, const LossEvents& events) const;

    /// Penalised loss's penalty: the mean over shifts (each nuisance acting on inputs at
    /// nominal ± step, each template nuisance's up and down samples) of
    /// Σ_i (h_shift,i − h_nom,i)² / (Y · max(h_nom,i, 10⁻⁶·Y)) over the bins of the shifted
    /// class's expected events (Y its yield): the χ² of the change in units of the nominal's Poisson
    /// variance divided by Y, i.e. the mean squared relative change of the histogram, so that λ
    /// does not depend on the yields' scale.
    torch::Tensor penalty(const Forward& net, const LossEvents& events) const;

    /// The hard histograms of one class (expected events, float64) at parameters p.
    torch::Tensor class_histogram(const Forward& net, const LossEvents& events, std::size_t k,
                                  const torch::Tensor& p, bool hard) const;

    const LossConfig& config() const { return config_; }
    /// The training network as a Forward (its output through histogram_input).
    Forward forward_of(Network& net) const;
    std::size_t classes() const { return class_names_.size(); }
    const std::vector<std::string>& class_names() const { return class_names_; }
    /// The classes a nuisance changes through its inputs or templates (for the workspace).
    std::vector<std::size_t> shape_classes(std::size_t nuisance) const;
    /// The yield factor of class k at p (1 without yield effects), float64 0-d.
    torch::Tensor yield_factor(std::size_t k, const torch::Tensor& p) const;
    /// The expected events of class k in the likelihood (loss.yields, or the sum of its weights).
    double yield(std::size_t k, const LossEvents& events) const;

  private:
    struct Input {
        std::size_t feature;
        TorchExpression expr;
    };
    struct Template {
        std::size_t nuisance, up, down; ///< variation indices
    };
    /// Histograms already computed in one asimov_hessian: a sample's histogram at the nominal
    /// point, reused by the passes whose tangent (parameter) its inputs do not depend on.
    struct Memo {
        std::int64_t tangent = -1;
        std::uint64_t level = 0;
        std::vector<std::pair<const SampleEvents*, torch::Tensor>> nominal;
    };
    torch::Tensor histogram_of(const Forward& net, const SampleEvents& s, const std::vector<Input>& inputs,
                               const torch::Tensor& p, bool hard, Memo* memo) const;
    torch::Tensor class_histogram(const Forward& net, const LossEvents& events, std::size_t k,
                                  const torch::Tensor& p, bool hard, Memo* memo) const;
    torch::Tensor expected(const Forward& net, const LossEvents& events, const torch::Tensor& p,
                           Memo* memo) const;

    LossConfig config_;
    std::vector<std::string> class_names_, features_, names_;
    std::size_t poi_class_ = 0;
    std::vector<std::vector<Input>> inputs_; ///< per class
    std::vector<std::vector<std::pair<std::size_t, TorchExpression>>>
        yields_;                                   ///< per class: nuisance, factor
    std::vector<std::vector<Template>> templates_; ///< per class
    std::vector<std::size_t> input_nuisances_;     ///< nuisances with input effects
};

/// The network on the test events `test`: its hard histograms as a HistFactory workspace (the
/// classes' templates at the loss's yields with μ = 1, a normfactor for the POI, per nuisance a
/// histosys at nominal ± step with the smooth interpolation where it changes a class's shape, a
/// normsys (linear) where it only scales a yield, constraints as `sigmas` of α = (θ − θ₀)/step;
/// Asimov data at the nominal point), σ of the POI from its Hessian and from the profile scan.
SystematicsResult evaluate_systematics(const SystematicsModel& model, const Forward& net,
                                       const LossEvents& test);

/// LossEvents of a table: rows split by their class (targets), weights as given (event weights
/// only: a histogram is normalised per class), plus the variations' tables.
LossEvents loss_events(const Table& t, const std::vector<const Table*>& variations, std::size_t classes,
                       torch::Dtype dtype);

} // namespace hepkit::nn
