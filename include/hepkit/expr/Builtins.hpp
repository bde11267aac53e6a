#pragma once
/// @file
/// The names the expression language knows by itself: elementary functions of numpy, math and
/// scipy.special (with or without their module prefix), constants, and the functions that event
/// selections add (where, reductions over arrays). One table, used by the parser, the model
/// compiler, the typed evaluator and the docs' list (docs/expressions.md).

#include "hepkit/expr/VecMath.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::expr {

/// A function of one number: the scalar libm function and its vecmath id (for array loops).
struct Function1 {
    double (*f)(double);
    vecmath::Fn1 id;
};
/// A function of two numbers.
struct Function2 {
    double (*f)(double, double);
    vecmath::Fn2 id;
};

/// Functions that only the typed (selection) evaluator has: `where(cond, a, b)` and the
/// reductions over a per-event array.
enum class Special : unsigned char { where, sum, max, min, len, any, all };

/// The one-argument function called `name` (without module prefix), if any.
const Function1* find_function1(std::string_view name);
/// The two-argument function called `name`, if any.
const Function2* find_function2(std::string_view name);
/// The constant called `name` (pi, e, inf, tau), if any.
std::optional<double> find_constant(std::string_view name);
/// `where`, `sum`, `len`, `any`, `all`; `min`/`max` are reductions with one argument.
std::optional<Special> find_special(std::string_view name);
/// The spelling of a special function in messages.
std::string_view special_name(Special s);
/// Whether `prefix` (the part before the last '.') names a supported module: np, numpy, math,
/// scipy.special, sp, special.
bool is_module(std::string_view prefix);
/// All function names, sorted (for error messages and docs).
std::vector<std::string> function_names(bool with_selection_functions);

} // namespace hepkit::expr
