#pragma once
// The ensemble spread of a per-job model and its calibration (SequenceModel.hpp, SequenceSpread;
// docs/surrogate.md, "Uncertainty of the per-job outputs").

#include "hepkit/surrogate/SequenceModel.hpp"

#include <string>
#include <vector>

namespace hepkit::surrogate::detail {

/// The names of SequenceModel::spread_scale()'s factors, as surrogate.json keys them:
/// sequence_spread_names(), then sequence_summary_names().
const std::vector<std::string>& spread_scale_names();

/// The members' standard deviations, unscaled: predict_members()'s result (the mean, then each
/// member). Summaries are each member's, then their mean and standard deviation.
SequenceSpread raw_spread(const std::vector<std::vector<double>>& members);

/// σ scaling (Laves et al., "Well-calibrated regression uncertainty in medical imaging with deep
/// learning", MIDL 2020, there fitted by likelihood; here by coverage): per spread name and per
/// summary name, the 68.3 % quantile of |prediction − truth| / spread over `validation` (jobs
/// whose true value is ≥ 1 s, as evaluate_sequence counts them), so that the scaled spread covers
/// 68.3 % of those errors as a normal standard deviation would. 1 where fewer than 10 errors with
/// a spread above 0 were seen (a summary has one per sample).
std::vector<double> fit_spread_scale(const SequenceModel& model,
                                     const std::vector<const SequenceSample*>& validation);

} // namespace hepkit::surrogate::detail
