#pragma once
/// @file
/// The subset of Python that kafe2 users write as model functions, compiled to a small stack
/// machine:
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
/// Why not muparser: its syntax is not Python's (`^`, no `np.` names, no multi-statement bodies,
/// no default arguments), and translating would need this parser anyway; a direct compiler also
/// gives errors with the file's line numbers.

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hepkit::fit {

class PyFunction {
  public:
    /// Parses `code`. `origin` (file) and `first_line` (line of the code's first line in that
    /// file) make error messages point into the user's file. Throws hepkit::InputError.
    static PyFunction parse(const std::string& code, const std::string& origin = "<model>",
                            int first_line = 1);

    const std::string& name() const { return name_; }
    /// All arguments in order (kafe2: the first is the independent variable of xy/histogram/unbinned fits).
    const std::vector<std::string>& arguments() const { return args_; }
    /// Default values (the fit's start values); nullopt where none is given.
    const std::vector<std::optional<double>>& defaults() const { return defaults_; }

    /// Evaluates with one value per argument. Hot path of every fit: no allocation.
    double operator()(std::span<const double> args) const;

  private:
    enum class Op : unsigned char { constant, load, store, add, sub, mul, div, pow, neg, call1, call2 };
    struct Instr {
        Op op;
        unsigned short slot = 0; ///< load/store: variable slot
        double value = 0;        ///< constant
        double (*f1)(double) = nullptr;
        double (*f2)(double, double) = nullptr;
        unsigned char fn = 0; ///< call1/call2: the vecmath::Fn1 / Fn2 of f1 / f2
    };
    friend class PyCompiler;
    friend class BatchFunction;
    std::string name_;
    std::vector<std::string> args_;
    std::vector<std::optional<double>> defaults_;
    std::vector<Instr> code_;
    std::size_t slots_ = 0;
};

} // namespace hepkit::fit
