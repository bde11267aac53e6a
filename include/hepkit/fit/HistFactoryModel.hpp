#pragma once
/// @file
/// The HistFactory likelihood of a workspace (HistFactory.hpp) with pyhf's conventions:
///
///   ν_cbi(θ) = (nom_cbi + Σ_histosys Δ_cbi(α)) · Π_multiplicative f_cbi(θ)      (sample b, bin i)
///   −ln L(θ) = Σ_ci [ν_ci − n_ci ln ν_ci + lnΓ(n_ci + 1)] − Σ_constraints ln p(aux | θ)
///
/// with ν_ci = Σ_b ν_cbi; Gaussian constraints (normsys, histosys: N(0 | α, 1); lumi: N(aux | λ, σ);
/// staterror: N(1 | γ_i, δ_i), δ_i = sqrt(Σ_b σ_bi²)/Σ_b nom_bi over the channel's samples that
/// carry it) and Poisson ones (shapesys: Pois(τ_i | γ_i τ_i), τ_i = (nom_i/σ_i)², continuous
/// via lnΓ). Constants included, so nll() equals pyhf's −logpdf. Bins whose staterror or shapesys
/// uncertainty (or nominal) is zero have their γ fixed at 1 and no constraint, as in pyhf.
/// Parameters are named as pyhf names them (the modifier's name; NAME[i] for per-bin ones) and
/// ordered by name. Gradient and Hessian are analytic.

#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/HistFactory.hpp"

#include <Eigen/Dense>
#include <span>
#include <string>
#include <vector>

namespace hepkit::fit::hf {

struct ModelParameter {
    std::string name;
    ModifierType type = ModifierType::NormFactor;
    double init = 1, lower = 0, upper = 10;
    bool fixed = false;
    enum class Constraint { None, Normal, Poisson } constraint = Constraint::None;
    double aux = 0;   ///< the auxiliary datum (Normal: its mean; Poisson: τ)
    double sigma = 1; ///< Normal: the width
    double tau = 0;   ///< Poisson: the scale τ (rate γτ)
};

class Model {
  public:
    /// Builds the likelihood of `ws` under measurement `measurement` (empty: the first). Throws
    /// std::invalid_argument (the reader turns it into an InputError naming the file) for
    /// inconsistent modifiers: a name used by modifiers of incompatible types, per-bin modifiers
    /// of different lengths, normsys factors ≤ 0 under code1/code4, missing lumi settings.
    explicit Model(const Workspace& ws, const std::string& measurement = {});

    const std::vector<ModelParameter>& parameters() const { return params_; }
    std::size_t size() const { return params_.size(); }
    std::size_t poi() const { return poi_; }
    /// Index of parameter `name`; throws std::invalid_argument listing the names.
    std::size_t index(const std::string& name) const;
    std::vector<double> inits() const;
    std::vector<std::string> names() const;
    /// Main-measurement bins, channel after channel (channels in workspace order).
    std::size_t bins() const { return observed_.size(); }
    const std::vector<double>& observed() const { return observed_; }
    /// The auxiliary data, one per constrained parameter in parameter order (unconstrained: 0).
    std::vector<double> auxdata() const;

    /// Expected events per main bin at p.
    std::vector<double> expected(std::span<const double> p) const;
    /// Expected events per bin of each sample at p (for post-fit plots and yields tables).
    struct SampleRates {
        std::string channel, sample;
        std::size_t offset = 0; ///< its channel's first main bin
        std::vector<double> rates;
    };
    std::vector<SampleRates> expected_samples(std::span<const double> p) const;
    /// −ln L at p for main data `n` and auxiliary data `aux` (defaults: the workspace's).
    double nll(std::span<const double> p) const { return nll(p, observed_, aux_); }
    double nll(std::span<const double> p, std::span<const double> n, std::span<const double> aux) const;
    /// ∂(−ln L)/∂p (all parameters, fixed ones included).
    void gradient(std::span<const double> p, std::span<double> g) const;
    void gradient(std::span<const double> p, std::span<const double> n, std::span<const double> aux,
                  std::span<double> g) const;
    /// ∂²(−ln L)/∂p∂p (exact). With `fisher`, the main-bin part is the expected information
    /// Σ ∂ν∂ν/ν instead (positive semi-definite; what Levenberg–Marquardt steps on).
    Eigen::MatrixXd hessian(std::span<const double> p, bool fisher = false) const;
    Eigen::MatrixXd hessian(std::span<const double> p, std::span<const double> n, std::span<const double> aux,
                            bool fisher = false) const;

    /// The model with other data: main bins `n` and auxiliary data `aux` (as auxdata()).
    Model with_data(std::vector<double> n, std::vector<double> aux) const;
    /// The Asimov data set at p: main bins = expected(p), aux = the constrained parameters' values
    /// mapped to their auxiliary data (Normal: θ; Poisson: γτ).
    Model asimov(std::span<const double> p) const;

    /// Internal evaluation structure (HistFactoryNll.cpp).
    struct Term {
        bool additive = false; ///< histosys (adds a delta) or a factor
        Interpolation code = Interpolation::Linear;
        bool interpolated = false;      ///< normsys, histosys (else the parameter itself is the factor)
        std::vector<std::size_t> param; ///< per bin (size 1: shared by all bins)
        std::vector<double> hi, lo;     ///< per bin (normsys: one value)
    };
    struct SampleTerms {
        std::string channel, sample;
        std::size_t offset = 0; ///< first main bin
        std::vector<double> nominal;
        std::vector<Term> terms;
    };

  private:
    std::vector<ModelParameter> params_;
    std::size_t poi_ = 0;
    std::vector<SampleTerms> samples_;
    std::vector<double> observed_, aux_;
};

/// The cost −2 ln L of a model for hepkit's Fit (errordef 1), with analytic gradient, exact
/// Hessian and the Fisher structure for Levenberg–Marquardt.
class HistFactoryProblem : public Problem {
  public:
    explicit HistFactoryProblem(Model model) : model_(std::move(model)) {}
    std::string type() const override { return "histfactory"; }
    /// Main bins plus auxiliary data (one per constrained parameter): the measurements in the NDF.
    std::size_t data_size() const override;
    double cost(std::span<const double> p) const override { return 2 * model_.nll(p); }
    std::optional<double> goodness(std::span<const double>) const override { return std::nullopt; }
    bool gradient(std::span<const double> p, std::span<double> g) const override;
    bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                Eigen::MatrixXd& A) const override;
    bool cheap_newton() const override { return true; }
    bool hessian(std::span<const double> p, Eigen::MatrixXd& H) const override;
    /// Pseudo-experiment at `truth`: main bins Poisson(ν_i), auxiliary data drawn from the
    /// constraints at the true parameters (Normal: N(θ, σ); Poisson: Poisson(γτ)), as pyhf samples.
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;
    const Model& model() const { return model_; }

  private:
    Model model_;
};

/// A Fit of the model: parameters named and started as the model says, bounds as limits,
/// fixed ones fixed. `run()` gives the maximum-likelihood estimate with Hessian errors.
Fit make_fit(const Model& model);

} // namespace hepkit::fit::hf
