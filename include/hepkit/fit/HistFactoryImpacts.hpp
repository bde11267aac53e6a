#pragma once
/// @file
/// Pulls and impacts of the nuisance parameters of a HistFactory model (HistFactoryModel.hpp), as
/// CMS's combine (`combineTool.py -M Impacts`) and pyhf's tutorials define them:
///
/// - the pull of a constrained nuisance θ: (θ̂ − θ₀)/σ_prefit, with θ₀ its auxiliary datum mapped to
///   the parameter (Gaussian: the mean; Poisson shapesys: aux/τ, 1 on the workspace's data) and
///   σ_prefit the constraint's width (Gaussian: σ; Poisson(aux | γτ): 1/√τ, pyhf's width of a
///   Poisson-constrained parameter); its error σ̂/σ_prefit (below 1: the data constrain θ more
///   than the auxiliary measurement alone);
/// - the impact of θ on the POI: the model refitted with θ held at θ̂ ± σ̂ (post-fit) and at
///   θ̂ ± σ_prefit (pre-fit), the other parameters free; Δμ± = μ̂(θ held) − μ̂. The nuisances are
///   ranked by the larger of |Δμ₊|, |Δμ₋| post-fit.
///
/// σ̂ is the fit's Hessian error, or its profile-likelihood (MINOS-like) errors where the fit
/// result has them (FitResult::error_low / error_high, `hepkit infer -a`): θ̂ + σ̂_high and
/// θ̂ − |σ̂_low|. A value held beyond a parameter's bounds is held at the bound.

#include "hepkit/fit/HistFactoryModel.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hepkit {
class ThreadPool;
}

namespace hepkit::fit::hf {

/// One nuisance parameter: post-fit value and error, pull, impacts on the POI.
struct NuisanceImpact {
    std::string name;
    ModifierType type = ModifierType::NormSys;
    ModelParameter::Constraint constraint = ModelParameter::Constraint::None;
    double value = 0;      ///< θ̂
    double error_down = 0; ///< σ̂ below θ̂ (> 0; the Hessian error unless profile errors are given)
    double error_up = 0;   ///< σ̂ above θ̂
    /// Constrained only: θ₀ and σ_prefit, the pull (θ̂ − θ₀)/σ_prefit and its error
    /// ½(σ̂_down + σ̂_up)/σ_prefit; nullopt for free parameters (normfactor, shapefactor).
    std::optional<double> prefit_value, prefit_error, pull, pull_error;
    /// The values θ was held at and the POI's shifts Δμ = μ̂(θ held) − μ̂ there.
    double theta_up = 0, theta_down = 0;
    double impact_up = 0, impact_down = 0;
    /// Constrained only: θ held at θ̂ ± σ_prefit.
    std::optional<double> theta_prefit_up, theta_prefit_down, impact_prefit_up, impact_prefit_down;
    /// max(|impact_up|, |impact_down|): the ranking key.
    double rank_key() const;
};

struct Impacts {
    std::string poi;
    double poi_value = 0, poi_error = 0; ///< μ̂ and its Hessian error
    /// Every free parameter but the POI, ranked by rank_key() (largest first; ties by name).
    std::vector<NuisanceImpact> nuisances;
};

/// Pulls and impacts around `best`, the model's unconditional maximum-likelihood fit (Fit::run on
/// make_fit(model), with or without asymmetric errors). Two refits per nuisance (four when it is
/// constrained), each started at `best`, spread over `pool` when given (the result does not
/// depend on the number of threads). Throws std::invalid_argument when `best` is not a converged
/// fit of this model or the POI is fixed, std::runtime_error naming the nuisance and the held
/// value when a refit does not converge.
Impacts compute_impacts(const Model& model, const FitResult& best, ThreadPool* pool = nullptr);

/// A free parameter at whose estimate −ln L is not differentiable: its derivative jumps from
/// slope_below to slope_above (both ∂(−ln L)/∂θ). There the Hessian holds one side's curvature at
/// best, and a finite-difference Hessian straddling the kink (Fit's route for parameters near a
/// limit) the jump divided by its step: Hessian errors and correlations mean little; the profile
/// likelihood's (-a) still do. Typical causes: the kink of code0/code1 at α = 0 where the minimum
/// sits on it (Asimov data; a normsys degenerate with a free normalisation), and empty template
/// bins whose variations are not empty (docs/infer.md, "Hessian errors at a kink").
struct Kink {
    std::string name;
    double value = 0, slope_below = 0, slope_above = 0;
    double curvature_below = 0, curvature_above = 0; ///< ∂²(−ln L)/∂θ² on either side
};

/// The free parameters of `fit` (a fit of `model`) with a kink at their fitted value, from the
/// analytic derivative at θ̂ − 2ε, θ̂ − ε, θ̂ + ε, θ̂ + 2ε (ε = 1e-3 of the fit's error, at least
/// 1e-7·max(1, |θ̂|); the others held): a slope that jumps between θ̂ ∓ ε by more than 5 % of √h (the
/// change of a smooth slope across one standard deviation, h the larger one-sided curvature) and by
/// more than 10 times what h explains over 2ε, or a curvature that differs between the two sides by more than
/// 10 % (a C¹ kink, e.g. code1 at α = 0 when the bins are fitted exactly). Parameters within 2ε of a bound
/// are skipped.
std::vector<Kink> find_kinks(const Model& model, const FitResult& fit);

} // namespace hepkit::fit::hf
