#pragma once
/// @file
/// The array elementary functions live in the expression module (hepkit/expr/VecMath.hpp); fit
/// code and users' batch models keep calling them as hepkit::fit::vecmath.

#include "hepkit/expr/VecMath.hpp"

namespace hepkit::fit {
namespace vecmath = hepkit::expr::vecmath;
} // namespace hepkit::fit
