// kafe2go's model functions (code, built-in names, SymPy shorthand, formatter maps), cost
// function names, and the indexed models' two forms (kafe2/fit/representation/model/yaml_drepr.py
// read for the format; nothing copied).

#include "Kafe2Emit.hpp"
#include "Kafe2Internal.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/fit/Kafe2Library.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <set>

namespace hepkit::fit::detail {

namespace {
std::optional<std::string> unwrap_indexed_code(const std::string& code);
} // namespace

ModelCode model_code(const YamlView& v, bool indexed) {
    YamlView c = v;
    ModelCode out;
    if (v.is_map()) {
        v.check_keys({"type", "python_code", "model_function_formatter", "name", "latex_name",
                      "arg_formatters", "expression_string", "latex_expression_string", "signature",
                      "index_name", "latex_index_name"});
        if (!present(v, "python_code"))
            v.fail("a model function map needs python_code");
        if (present(v, "type")) {
            const std::string t = v.at("type").as_string();
            if (t != "base" && t != "xy" && t != "indexed" && t != "histogram" && t != "unbinned")
                v.at("type").fail(
                    fmt::format("'{}' is not a model function type (allowed: base, xy, indexed, "
                                "histogram, unbinned)",
                                t));
        }
        if (present(v, "model_function_formatter") && !v.at("model_function_formatter").is_map())
            v.at("model_function_formatter").fail("expected a map of display keys (name, latex_name, ...)");
        if (present(v, "name"))
            out.display_name = v.at("name").as_string();
        c = v.at("python_code");
    }
    const std::string text = c.as_string();
    out.first_line = c.line() + 1;
    if (auto inner = indexed ? unwrap_indexed_code(text) : std::nullopt) { // what hepkit's --save wrote
        out.code = *inner;
        return out;
    }
    std::string_view t = text;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
        t.remove_suffix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
        t.remove_prefix(1);
    if (auto lib = kafe2_library_model(t)) {
        out.code = *lib;
        out.first_line = 0; // the code is hepkit's, not the file's
        return out;
    }
    try {
        if (auto sym = kafe2_sympy_shorthand(t)) {
            out.code = *sym;
            out.first_line = 0;
            return out;
        }
    } catch (const std::invalid_argument& e) {
        c.fail(fmt::format("kafe2's SymPy shorthand '{}': {}", std::string(t), e.what()));
    }
    if (t.find('\n') == std::string_view::npos && t.find('(') == std::string_view::npos &&
        t.find("def ") == std::string_view::npos)
        c.fail(
            fmt::format("'{}' is not one of kafe2's built-in models (allowed: {}) nor Python code (def ...)",
                        std::string(t), fmt::join(kafe2_library_names(), ", ")));
    out.code = text;
    return out;
}

// kafe2's cost function names (STRING_TO_COST_FUNCTION of each fit type) that hepkit computes.
void check_cost_function(const YamlView& v, const std::string& type, bool correlated_errors,
                         HistogramProblem::Cost& hist_cost) {
    const std::string c = v.as_string();
    const std::set<std::string> chi2 = {"chi2",
                                        "chi2_fast",
                                        "chi_2",
                                        "chi_2_fast",
                                        "chisquared",
                                        "chisquared_fast",
                                        "chi_squared",
                                        "chi_squared_fast",
                                        "chi2_covariance",
                                        "chi2_covariance_fast"};
    const std::set<std::string> pointwise = {"chi2_pointwise", "chi2_pointwise_errors"};
    const std::set<std::string> poisson = {
        "nll",          "poisson",          "nll-poisson",        "nll_poisson",
        "nllpoisson",   "negloglikelihood", "neg_log_likelihood", "nllr",
        "nllr-poisson", "nllr_poisson",     "nllrpoisson"};
    // kafe2 writes its own unbinned likelihood (which has no name in its cost table) as source
    // code: -2 times the sum of the log of the model's values; that one is hepkit's unbinned cost.
    if (type == "unbinned" && c.find("def nll(model):") != std::string::npos &&
        c.find("np.sum(np.log(model))") != std::string::npos && c.find("-2.0 *") != std::string::npos)
        return;
    if (c.find("def ") != std::string::npos)
        v.fail("a cost function given as Python code is not supported by hepkit (kafe2's custom costs run "
               "arbitrary Python); use one of kafe2's named costs or hepkit's C++ CustomProblem");
    if (type == "xy" || type == "indexed") {
        if (chi2.count(c))
            return;
        if (pointwise.count(c)) {
            if (correlated_errors)
                v.fail(fmt::format(
                    "cost_function '{}' (only the errors' diagonal) with correlated errors is not "
                    "supported by hepkit; use chi2",
                    c));
            return;
        }
        v.fail(fmt::format("cost_function '{}' is not supported by hepkit for {} fits (supported: chi2, "
                           "chi2_covariance, chi2_pointwise and their _fast spellings)",
                           c, type));
    } else if (type == "histogram") {
        if (poisson.count(c)) {
            hist_cost = HistogramProblem::Cost::poisson;
            return;
        }
        v.fail(
            fmt::format("cost_function '{}' is not supported by hepkit for histogram fits (supported: nll, "
                        "nll_poisson, poisson, nllr and their spellings; hepkit's own key cost: chi2 | "
                        "gauss_data gives Gaussian approximations)",
                        c));
    } else if (c != "nll" && c != "negloglikelihood" && c != "neg_log_likelihood") {
        v.fail(fmt::format("cost_function '{}' is not supported for unbinned fits (allowed: nll, "
                           "negloglikelihood, neg_log_likelihood)",
                           c));
    }
}

// Indexed models in kafe2 return the whole model vector; the Python subset computes one value,
// so a model either takes the index as first argument (i, idx, index: hepkit's form), or all its
// arguments are parameters and its one value holds for every point (numpy's broadcasting of a
// scalar, e.g. kafe2's `def average(a): return a`).
bool index_argument(const PyFunction& f) {
    return !f.arguments().empty() &&
           (f.arguments()[0] == "i" || f.arguments()[0] == "idx" || f.arguments()[0] == "index");
}

namespace {
// The inverse of kafe2_indexed_code (below): hepkit reads back the index-argument model it wrote.
std::optional<std::string> unwrap_indexed_code(const std::string& code) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < code.size()) {
        const auto end = std::min(code.find('\n', start), code.size());
        if (code.find_first_not_of(" \t\r", start) < end)
            lines.push_back(code.substr(start, end - start));
        start = end + 1;
    }
    if (lines.size() < 3 || lines[0].rfind("def ", 0) != 0 || lines[1].rfind("    def ", 0) != 0 ||
        lines.back().find("return ") == std::string::npos ||
        lines.back().find("(np.arange(") == std::string::npos)
        return std::nullopt;
    std::string inner;
    for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
        if (lines[i].rfind("    ", 0) != 0)
            return std::nullopt;
        inner += lines[i].substr(4) + "\n";
    }
    return inner;
}

} // namespace

// Python code that kafe2 runs for an index-argument model: the original wrapped in a function of
// the parameters only that evaluates it over np.arange(n) (numpy vectorises the body).
std::string kafe2_indexed_code(const PyFunction& f, const std::string& code, std::size_t n) {
    std::string inner;
    std::size_t start = 0;
    while (start < code.size()) {
        const auto end = std::min(code.find('\n', start), code.size());
        inner += "    " + code.substr(start, end - start) + "\n";
        start = end + 1;
    }
    std::vector<std::string> params, with_defaults;
    for (std::size_t i = 1; i < f.arguments().size(); ++i) {
        params.push_back(f.arguments()[i]);
        with_defaults.push_back(
            f.defaults()[i] ? fmt::format("{}={}", f.arguments()[i], detail::pyyaml_float(*f.defaults()[i]))
                            : f.arguments()[i]);
    }
    return fmt::format("def {0}({1}):\n{2}    return {0}(np.arange({3}), {4})\n", f.name(),
                       fmt::join(with_defaults, ", "), inner, n, fmt::join(params, ", "));
}

} // namespace hepkit::fit::detail
