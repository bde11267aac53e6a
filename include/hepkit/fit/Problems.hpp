#pragma once
/// @file
/// Every fit type at once (compatibility include; prefer the one header of the type you use).

#include "hepkit/fit/CustomProblem.hpp"
#include "hepkit/fit/HistogramProblem.hpp"
#include "hepkit/fit/IndexedProblem.hpp"
#include "hepkit/fit/MultiProblem.hpp"
#include "hepkit/fit/Quadrature.hpp"
#include "hepkit/fit/UnbinnedProblem.hpp"
#include "hepkit/fit/XYProblem.hpp"
