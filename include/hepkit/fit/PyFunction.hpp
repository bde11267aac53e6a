#pragma once
/// @file
/// The subset of Python that kafe2 users write as model functions:
///
///     def model(x, a=1.0, b=0.0):
///         """docstring"""            # comments and docstrings are skipped
///         s = a * x                  # local assignments
///         return s + b * np.exp(-x / 2) ** 2
///
/// Supported: numbers, the arguments and locals, + - * / ** and unary minus with Python's
/// precedence, parentheses (also across lines), functions of numpy/math/scipy.special with or
/// without their module prefix (exp, log, log10, log2, log1p, expm1, sqrt, sin, cos, tan, arcsin,
/// arccos, arctan, arctan2, sinh, cosh, tanh, abs, fabs, erf, erfc, gamma, lgamma, power, hypot,
/// minimum, maximum, min, max, pow) and constants (pi, e, inf). Anything else — if, loops,
/// comprehensions, other modules — is an error that names the line.
///
/// The compiler is the expression module's (hepkit::expr::Function, docs/expressions.md); this
/// class is the fit's name for it.
///
/// Why not muparser: its syntax is not Python's (`^`, no `np.` names, no multi-statement bodies,
/// no default arguments), and translating would need this parser anyway; a direct compiler also
/// gives errors with the file's line numbers.

#include "hepkit/expr/Function.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hepkit::fit {

class PyFunction {
  public:
    PyFunction() = default;
    /// Parses `code`. `origin` (file) and `first_line` (line of the code's first line in that
    /// file) make error messages point into the user's file. Throws hepkit::InputError.
    static PyFunction parse(const std::string& code, const std::string& origin = "<model>",
                            int first_line = 1);

    const std::string& name() const { return f_.name(); }
    /// All arguments in order (kafe2: the first is the independent variable of xy/histogram/unbinned fits).
    const std::vector<std::string>& arguments() const { return f_.arguments(); }
    /// Default values (the fit's start values); nullopt where none is given.
    const std::vector<std::optional<double>>& defaults() const { return f_.defaults(); }
    /// The compiled function of the expression module (graph, batch and derivative evaluation).
    const expr::Function& function() const { return f_; }

    /// Evaluates with one value per argument. Hot path of every fit: no allocation.
    double operator()(std::span<const double> args) const { return f_(args); }

  private:
    explicit PyFunction(expr::Function f) : f_(std::move(f)) {}
    expr::Function f_;
};

} // namespace hepkit::fit
