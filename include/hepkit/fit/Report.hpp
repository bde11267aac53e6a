#pragma once
/// @file
/// Fit reports: a text table and the JSON document of `hepkit fit --report-json`:
/// {"type", "parameters": {NAME: {"value", "error", "error_low", "error_high"}}, "correlation",
///  "cost", "ndf", "chi2_probability", "converged"} (plus "chi2", "fixed", "message").

#include "hepkit/fit/Fit.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace hepkit::fit {

nlohmann::json report_json(const FitResult& r);
std::string report_text(const FitResult& r, const std::string& title);

} // namespace hepkit::fit
