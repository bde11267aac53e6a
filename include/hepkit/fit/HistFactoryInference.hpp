#pragma once
/// @file
/// Frequentist inference on a HistFactory model (HistFactoryModel.hpp) in the asymptotic
/// approximation of Cowan, Cranmer, Gross and Vitells, "Asymptotic formulae for likelihood-based
/// tests of new physics", arXiv:1007.1727 (EPJC 71 (2011) 1554), as pyhf computes it:
///
/// - the profile-likelihood test statistics q_μ (eq. 14) and q̃_μ (eq. 16) for upper limits,
/// - the Asimov data set of the background-only hypothesis (μ = 0, nuisances fitted to the
///   observed data under μ = 0; sec. 5) whose q_μ,A gives the width of the distributions,
/// - CLs = CLs+b / CLb (A. L. Read, J. Phys. G 28 (2002) 2693) observed and its expected band
///   (−2σ … +2σ of the background-only expectation), and upper limits: the μ where CLs equals a
///   level (0.05 for 95 % CL),
/// - a profile-likelihood scan of the POI and the interval at Δ(−2 ln L) = 1.

#include "hepkit/fit/HistFactoryModel.hpp"

#include <array>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace hepkit::fit::hf {

enum class TestStatistic {
    Q,      ///< q_μ: μ̂ unbounded below
    QTilde, ///< q̃_μ: μ̂ < 0 replaced by 0 (pyhf's default, "qtilde")
};

/// CLs at one POI value. The expected band is ordered as pyhf orders it: −2σ, −1σ, median, +1σ, +2σ.
struct CLsResult {
    double poi = 0;
    double q = 0;  ///< the observed test statistic
    double qA = 0; ///< its value on the background-only Asimov data
    double observed = 0, clsb = 0, clb = 0;
    std::array<double, 5> expected{};
};

/// Upper limits (the POI value where CLs = level), observed and the expected band.
struct UpperLimit {
    double level = 0.05;
    double observed = 0;
    std::array<double, 5> expected{};
};

/// The asymptotic calculator of a model: the unconditional fit, the background-only fit and its
/// Asimov data are computed once (constructor); each cls() then costs two conditional fits.
/// Throws std::runtime_error (naming the fit) when a fit does not converge.
class AsymptoticCalculator {
  public:
    explicit AsymptoticCalculator(const Model& model, TestStatistic statistic = TestStatistic::QTilde);

    /// q_μ or q̃_μ on the observed data (0 when μ̂ > μ: upward fluctuations do not exclude).
    double q(double mu) const;
    /// q_μ,A: the statistic on the background-only Asimov data.
    double q_asimov(double mu) const;
    /// CLs at POI = mu ≥ 0 (std::invalid_argument below 0); 1 at mu = 0.
    CLsResult cls(double mu) const;
    /// The POI values where the observed and each expected CLs equal `level` (Brent's method
    /// inside a bracket grown from μ̂ + 3σ̂ upward); throws std::runtime_error when CLs stays above
    /// the level up to the POI's upper bound.
    UpperLimit upper_limit(double level = 0.05) const;

    const FitResult& unconditional() const { return free_; }
    const FitResult& background_only() const { return bonly_; }
    const Model& asimov() const { return asimov_; }

  private:
    /// −ln L minimised with the POI held at mu (on `m`), started at `start`.
    double conditional_nll(const Model& m, double mu, const std::vector<double>& start) const;
    /// The POI where f crosses from above 0 to below (bracketed upward from the fit, then Brent).
    double crossing(const std::function<double(double)>& f, const char* what) const;
    Model model_; // a copy: calculators may outlive the model they were given
    TestStatistic statistic_;
    FitResult free_, bonly_;
    Model asimov_;
    double nll_free_ = 0, nll_zero_ = 0, nll_asimov_min_ = 0;
};

/// Profile likelihood of the POI: at each of `points` values evenly spaced over [lo, hi] the POI
/// is held and the other parameters refitted; delta_nll = −ln L(μ) − (−ln L(μ̂)).
struct ProfileScan {
    std::string poi;
    double best = 0;    ///< μ̂ of the unconditional fit
    double nll_min = 0; ///< its −ln L
    std::vector<double> values, delta_nll;
    std::vector<bool> converged;
    /// The interval where Δ(−2 ln L) ≤ 1 (68.3 %), its ends found to 1e-8 by Brent's method between
    /// the grid points that bracket them; nullopt where the grid does not reach the crossing.
    std::optional<double> lower, upper;
};

ProfileScan profile_scan(const Model& model, int points, double lo, double hi);

/// A range for profile_scan: from μ̂ outward on each side, in steps that double from `sigmas`
/// Hessian errors (at least 1e-3 of the POI's bounds' width, so that an estimate at a bound, whose
/// Hessian error means nothing, still moves), until Δ(−2 ln L) ≥ sigmas² or the POI's bound.
std::pair<double, double> scan_range(const Model& model, double sigmas = 3);

} // namespace hepkit::fit::hf
