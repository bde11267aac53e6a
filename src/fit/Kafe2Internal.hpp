#pragma once
// The parts of the kafe2go reader (Kafe2Yaml.cpp) that live in their own files (not installed):
// error sections and matrices (Kafe2Errors.cpp), model functions and cost names (Kafe2Model.cpp).

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/fit/CustomProblem.hpp"
#include "hepkit/fit/ErrorModel.hpp"
#include "hepkit/fit/HistogramProblem.hpp"
#include "hepkit/fit/IndexedProblem.hpp"
#include "hepkit/fit/MultiProblem.hpp"
#include "hepkit/fit/PyFunction.hpp"
#include "hepkit/fit/UnbinnedProblem.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace hepkit::fit::detail {

using config::YamlView;

/// The map has `key` with a value other than null (kafe2 treats null as absent).
bool present(const YamlView& v, const std::string& key);
/// A number or a list of numbers.
std::vector<double> numbers(const YamlView& v);
/// A matrix: a list of rows (full or lower-triangular), or kafe2's `!matrix` / `!symmetric_matrix` text.
Eigen::MatrixXd matrix(const YamlView& v);
YAML::Node yaml_matrix(const Eigen::MatrixXd& m);
/// "5%" as 0.05; nullopt for a plain number.
std::optional<double> percentage(const YamlView& s);
/// One error section (x_errors, y_errors, errors) as kafe2's process_error_sources reads it;
/// sources are appended to `out`, checked against `n` points.
void read_errors(const YamlView& v, ErrorSource::Axis axis, ErrorSource::Reference reference, std::size_t n,
                 std::vector<ErrorSource>& out);
/// kafe2's form of an error source (for --save).
YAML::Node error_yaml(const ErrorSource& e, std::size_t index);
/// Throws InputError at the first `!!python/` object (a numpy array pickled by kafe2's writer).
void refuse_python_objects(const std::string& path);

/// A model function's code (resolved from a built-in name or the SymPy shorthand) and where it
/// starts in the file (0: hepkit's own code).
struct ModelCode {
    std::string code;
    int first_line = 1;
    std::string display_name;
};
/// Code, a built-in name, kafe2's SymPy shorthand, or {python_code, formatter keys}; `indexed`:
/// also reads back the index-argument wrapper that --save writes.
ModelCode model_code(const YamlView& v, bool indexed);
/// Checks a `cost_function` against the costs hepkit computes for `type`; sets the histogram cost.
void check_cost_function(const YamlView& v, const std::string& type, bool correlated_errors,
                         HistogramProblem::Cost& hist_cost);
/// The indexed model takes the index as first argument (i, idx, index).
bool index_argument(const PyFunction& f);
/// An index-argument model as code kafe2 runs: a function of the parameters over np.arange(n).
std::string kafe2_indexed_code(const PyFunction& f, const std::string& code, std::size_t n);

// hepkit's `file: NAME.json` of a histogram dataset: a histogram written by `hepkit events`
// (`hepkit events hist --json`, a histogram consumer's NAME.json; docs/events-outputs.md), read
// without conversion — its edges, its bin contents (`counts`, the sums of weights) as the bin
// heights, and its under- and overflow as the entries beyond the edges. A relative path is taken
// from the fit file's folder.
struct HistogramFile {
    std::string path;
    std::vector<double> edges, counts;
    double underflow = 0, overflow = 0;
};

/// Reads the histogram JSON named by `v` (a dataset's `file:`); InputError at `v` naming the file
/// and key for anything that is not a 1D histogram of hepkit events (Kafe2HistogramFile.cpp).
HistogramFile read_histogram_file(const YamlView& v, const std::string& fit_path);

} // namespace hepkit::fit::detail
