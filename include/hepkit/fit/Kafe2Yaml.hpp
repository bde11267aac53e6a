#pragma once
/// @file
/// kafe2go's YAML files, read as kafe2 reads them (kafe2.fit.representation; docs/fit.md lists
/// every key):
/// - fit files of the four types (`type: xy|indexed|histogram|unbinned`), flat or in the nested
///   form kafe2's `to_file` writes (`dataset:` and `parametric_model:` sections, `fit_results`),
///   with the data, errors (a number, a list, `5%`, lists of per-point values and error dicts
///   `type: simple|matrix`), the model (Python code, a built-in name such as `linear_model`, or
///   kafe2's SymPy shorthand), `model_parameters`, `parameter_constraints` (map or list, simple
///   or matrix), `fixed_parameters`, `limited_parameters`, `cost_function`, `minimizer`;
/// - data-container files (a `dataset` alone): fitted with kafe2's default model of the type;
/// - result files (what kafe2's `save_state` writes: `parameter_values`, `parameter_errors`,
///   `parameter_cov_mat`, `did_fit`, `cost`, `ndf`, ...): no data, no model, only the stored
///   result (`stored`; `fit` is null).
/// Keys hepkit does not support (`type: custom`, cost functions given as code, ...) are refused
/// with a message naming them; display keys (labels, formatters) are kept for plots.

#include "hepkit/core/YamlFwd.hpp"
#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/Problems.hpp"
#include "hepkit/fit/PyFunction.hpp"

#include <memory>
#include <optional>
#include <string>

namespace hepkit::fit {

/// A result as kafe2 stores it (`save_state`, or a fit file's `fit_results`).
struct Kafe2StoredResult {
    std::vector<std::string> names; ///< from the maps kafe2 writes; p0, p1, ... for bare lists
    std::vector<double> values;
    std::optional<std::vector<double>> errors;
    std::optional<Eigen::MatrixXd> covariance, correlation;
    std::optional<std::vector<std::pair<double, double>>> asymmetric; ///< (negative, positive)
    std::optional<double> cost, goodness_of_fit, chi2_probability;
    std::optional<int> ndf;
    bool did_fit = false;

    /// As a FitResult (for reports): errors from the stored errors or the covariance's diagonal.
    FitResult as_fit_result() const;
};

struct FitFile {
    std::string path;
    std::string type;
    PyFunction model;
    std::unique_ptr<Fit> fit;         ///< null for a result file
    const Problem* problem = nullptr; ///< owned by fit
    std::string label, x_label, y_label, model_label;
    std::optional<Kafe2StoredResult> stored; ///< a result file's content, or a fit file's fit_results
    bool container_only = false;             ///< a data container: kafe2's default model is fitted
    std::shared_ptr<const YAML::Node> kafe2_document; ///< the fit in kafe2's to_file form (for --save)
    bool result_file() const { return !fit; }
};

/// Reads and checks a kafe2go file; throws hepkit::InputError naming file, line and key.
FitFile read_kafe2go(const std::string& path);

/// Writes the fit and its result as kafe2's `to_file` does (type, dataset, parametric_model with
/// the fitted values as model_parameters, constraints, fixed and limited parameters, fit_results):
/// kafe2 reads it back (XYFit.from_file, kafe2go) and so does hepkit. Written to a temporary file
/// and renamed.
void write_kafe2_result(const FitFile& f, const FitResult& r, const std::string& out_path);

/// Reads a stored result (`save_state`'s keys) from a YAML map; throws InputError naming the key.
Kafe2StoredResult read_kafe2_stored_result(const YAML::Node& node, const std::string& file,
                                           const std::string& key_prefix);

} // namespace hepkit::fit
