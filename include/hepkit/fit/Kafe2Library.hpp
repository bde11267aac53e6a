#pragma once
/// @file
/// kafe2's library of built-in model functions, by the names kafe2go files use
/// (`model_function: linear_model`), written as hepkit Python-subset code, and kafe2's SymPy
/// shorthand `"name: x a b=2 -> a * exp(-x / b)"`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::fit {

/// Python code of kafe2's built-in model `name` (linear_model, line, quadratic, cubic, exp,
/// exponential_model, normal_distribution, ...); nullopt if `name` is none of them.
std::optional<std::string> kafe2_library_model(std::string_view name);

/// Every name kafe2's library accepts, in a stable order (for messages and docs).
const std::vector<std::string>& kafe2_library_names();

/// kafe2's SymPy shorthand `[name:] x a b=2 -> expression` as Python code (`^` means power, as in
/// SymPy); nullopt if `text` is not of that form. Throws std::invalid_argument on a malformed one.
std::optional<std::string> kafe2_sympy_shorthand(std::string_view text);

} // namespace hepkit::fit
