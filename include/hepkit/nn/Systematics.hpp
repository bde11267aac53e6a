#pragma once
/// @file
/// Systematics-aware training (issue 17, section 2): differentiable histograms of the network
/// output, the binned likelihood with nuisance parameters evaluated on them inside libtorch, and
/// the two losses built on it —
///
/// - **penalised** (Wunsch et al., arXiv:1907.11674): cross-entropy + λ · the change of the output
///   histogram between nominal and shifted inputs (or re-weighted / alternative samples);
/// - **inference-aware** (Wunsch et al., arXiv:2003.07186; de Castro & Dorigo, INFERNO,
///   arXiv:1806.04743): the expected variance of the parameter of interest, (H⁻¹)_μμ of the Asimov
///   negative log-likelihood over (μ, nuisances), constraints included; H in its Fisher form
///   J^T diag(1/ν) J + C, J = ∂ν/∂(μ, nuisances) by forward mode (at the Asimov point it equals the
///   double backward's Hessian, also in its derivatives in the weights).
///
/// The configuration is the `loss:` section of `hepkit nn train` (docs/nn-systematics.md):
///
///     loss:
///       type: inference-aware                    # cross-entropy | penalised | inference-aware
///       histogram: {kind: softmax, bins: 10, temperature: 0.1}
///       poi: {name: mu, sample: signal}
///       yields: {signal: 50, background: 1000}   # expected events per class (likelihood samples)
///       nuisances:
///         - {name: r, nominal: 0, step: 0.4, inputs: [{sample: background, feature: x0, expr: "x0 + r"}]}
///         - {name: lambda, nominal: 3, constraint: 1, step: 1,
///            inputs: [{sample: background, feature: x2, expr: "x2 * 3 / lambda"}]}
///         - {name: b, nominal: 1000, constraint: 100, step: 100, yield: {sample: background, expr: "b /
///         1000"}}
///         - {name: theta, constraint: 1, templates: {sample: background}}   # up/down from data.samples
///
/// The samples of the likelihood are the classes of the data (class_names name them); alternative
/// samples for a template nuisance are data samples with `variation: {of: background, nuisance:
/// theta, direction: up}` (Dataset.hpp). libtorch stays private: no torch types here.

#include "hepkit/core/ConfigReader.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::nn {

/// How the histogram of the network output lets gradients through.
enum class HistogramKind {
    /// Hard counts forward; backward the derivative of a Gaussian centred on each bin with
    /// σ = half the bin width (the KIT papers, arXiv:2003.07186 and 1907.11674).
    HardGauss,
    /// Binned kernel density estimate: each event spreads over the bins as a Gaussian of width
    /// `bandwidth` integrated over each bin (neos, arXiv:2203.05570), forward and backward.
    Kde,
    /// The network has `bins` outputs; bin i receives softmax(logits / temperature)_i of each event
    /// (INFERNO, arXiv:1806.04743); evaluation assigns each event to its largest output.
    Softmax,
};

struct HistogramConfig {
    HistogramKind kind = HistogramKind::HardGauss;
    int bins = 10;
    /// HardGauss, Kde: the bins are equal over [lo, hi] of the network output (the probability of
    /// class 1 of a binary network, in [0, 1]); values outside fall into no bin.
    double lo = 0, hi = 1;
    /// Kde: the kernel's standard deviation; 0 means half the bin width.
    double bandwidth = 0;
    /// Softmax: the training temperature τ (INFERNO: 0.1).
    double temperature = 0.1;
};

/// A nuisance acting on an input: `feature` of the events of `sample` (a class name; empty: every
/// class) is replaced by `expr`, a hepkit::expr expression of the features (by name) and of the
/// nuisance parameters (by name), evaluated inside libtorch so that gradients flow through it.
struct InputEffect {
    std::string sample;
    std::string feature;
    std::string expr;
};

/// A nuisance scaling the expected events of `sample` by `expr` (a function of the parameters,
/// 1 at the nominal values), e.g. `b / 1000`.
struct YieldEffect {
    std::string sample;
    std::string expr;
};

/// A nuisance parameter θ of the likelihood (in its own units).
struct NuisanceConfig {
    std::string name;
    double nominal = 0;
    /// Width of the Gaussian constraint N(θ | nominal, constraint); nullopt: free (no constraint).
    std::optional<double> constraint;
    /// The variation ±step used where a shift is needed: the shifted inputs of the penalised loss,
    /// and the up/down templates of the workspace written after training (histosys at θ = nominal
    /// ± step). Default: the constraint, else 1. Template nuisances: the alternative samples are
    /// at ±step.
    std::optional<double> step;
    std::vector<InputEffect> inputs;
    std::vector<YieldEffect> yields;
    /// Template nuisance: the class whose up/down alternatives are the data samples with
    /// `variation: {of: <template_sample>, nuisance: <name>}`; empty: none. The expected counts are
    /// interpolated with the C¹ quadratic/linear interpolation of analysis-methods README §1 (no
    /// kink at θ = nominal, where the Hessian is taken).
    std::string template_sample;

    double step_or_default() const { return step ? *step : constraint ? *constraint : 1.0; }
};

/// A further evaluation of the trained network: the same POI, yields and histogram with another
/// set of nuisances (the INFERNO benchmarks B0–B4 of one trained network, README §1).
struct EvaluationConfig {
    std::string name;
    std::vector<NuisanceConfig> nuisances;
};

enum class LossType { CrossEntropy, Penalised, InferenceAware };
/// Inference-aware objective: (H⁻¹)_μμ (INFERNO) or its square root σ_μ (the KIT paper).
enum class InferenceObjective { Variance, Sigma };

struct LossConfig {
    LossType type = LossType::CrossEntropy;
    HistogramConfig histogram;
    /// The parameter of interest: a factor on the expected events of `poi_sample`.
    std::string poi = "mu";
    std::string poi_sample = "signal";
    double poi_nominal = 1;
    /// Expected events per class (by class name) in the likelihood and the penalty. Classes not
    /// listed: their sum of event weights in the set.
    std::map<std::string, double> yields;
    std::vector<NuisanceConfig> nuisances;
    /// Penalised: the factor λ of the penalty.
    double lambda = 1;
    /// Inference-aware: what is minimised; the Asimov point is at the nominal parameters.
    InferenceObjective objective = InferenceObjective::Variance;
    /// The validation loss (early stopping, the loss curve) is computed on at most this many
    /// validation events, every k-th (0: all): the inference-aware loss holds the graph of the
    /// whole set at once.
    std::size_t validation_events = 100000;
    /// `evaluations:`: after training, the test-set workspace and σ of the POI also for these
    /// nuisance sets (each named; the result per name in summary.json, workspace-NAME.json).
    std::vector<EvaluationConfig> evaluations;
};

/// Reads a `loss:` section; errors name the file, line and key (hepkit::InputError).
LossConfig parse_loss_config(const config::YamlView& v);
/// Range checks (also for a configuration built in code); hepkit::UsageError naming the field
/// (`loss.histogram.bins`).
void validate(const LossConfig& config);

std::string to_string(LossType type);
std::string to_string(HistogramKind kind);

/// The role of a data sample that is an alternative (template) of another for a nuisance.
struct Variation {
    std::string of;        ///< the class name (a likelihood sample)
    std::string nuisance;  ///< the nuisance's name
    std::string direction; ///< "up" (θ = nominal + step) or "down"
};

} // namespace hepkit::nn
