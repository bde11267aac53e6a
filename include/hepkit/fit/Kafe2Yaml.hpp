#pragma once
/// @file
/// kafe2go's YAML fit files, read as kafe2 reads them (docs/fit.md lists the keys):
/// `type` (xy, indexed, histogram, unbinned), the data (`x_data`/`y_data`, `data`, `raw_data`,
/// `n_bins`/`bin_range`/`bin_edges`, or the nested `dataset:`), errors (a number, a list, a
/// percentage string, or error dicts `type: simple|matrix`, `error_value`, `relative`,
/// `correlation_coefficient`, `matrix`, `matrix_type`), `model_function` /
/// `model_density_function` as Python code (or a dict with `python_code`), and
/// `parameter_constraints`, `fixed_parameters`, `limited_parameters`. Display keys (labels,
/// formatters) are accepted and kept for plots.

#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/Problems.hpp"
#include "hepkit/fit/PyFunction.hpp"

#include <memory>
#include <string>

namespace hepkit::fit {

struct FitFile {
    std::string path;
    std::string type;
    PyFunction model;
    std::unique_ptr<Fit> fit;
    const Problem* problem = nullptr; ///< owned by fit
    std::string label, x_label, y_label, model_label;
};

/// Reads and checks a kafe2go file; throws hepkit::InputError naming file, line and key.
FitFile read_kafe2go(const std::string& path);

} // namespace hepkit::fit
