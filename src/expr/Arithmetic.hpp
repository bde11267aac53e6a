#pragma once
// Internal to hepkit::expr: Python's arithmetic on one pair of numbers, shared by the per-event
// evaluator (Evaluator.cpp) and the columnar one (ColumnEvaluator.cpp), so that both give the
// same bits by construction.
#include "hepkit/expr/Ast.hpp"

#include <cmath>
#include <cstdint>

namespace hepkit::expr::detail {

// Python's comparison of two numbers: exact on integers (no rounding through double), in double
// as soon as one side is a float.
template <class T>
inline bool compare_as(Op op, T a, T b) {
    switch (op) {
    case Op::lt:
        return a < b;
    case Op::le:
        return a <= b;
    case Op::gt:
        return a > b;
    case Op::ge:
        return a >= b;
    case Op::eq:
        return a == b;
    default:
        return a != b;
    }
}

// Python's float floor division and modulo (Objects/floatobject.c float_divmod's rules): the
// remainder has the divisor's sign. Division by zero gives IEEE infinities/NaN, as numpy.
inline void float_divmod(double a, double b, double& floordiv, double& mod) {
    if (b == 0) {
        floordiv = a / b;
        mod = std::nan("");
        return;
    }
    mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) {
            mod += b;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, b);
    }
    if (div != 0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5)
            floordiv += 1.0;
    } else {
        floordiv = std::copysign(0.0, a / b);
    }
}

// Python's int floor division and modulo for b != 0: C++ truncates, Python floors (the remainder
// has the divisor's sign). INT64_MIN // -1 overflows (returns true); INT64_MIN % -1 is 0.
inline bool int_divmod(std::int64_t a, std::int64_t b, std::int64_t& floordiv, std::int64_t& mod) {
    if (a == INT64_MIN && b == -1) {
        floordiv = 0;
        mod = 0;
        return true;
    }
    std::int64_t q = a / b, m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) {
        q -= 1;
        m += b;
    }
    floordiv = q;
    mod = m;
    return false;
}

// a ** b for ints, b >= 0 (the type checker allows int ** int only for a literal exponent >= 0),
// by squaring; returns true on overflow.
inline bool int_pow(std::int64_t a, std::int64_t b, std::int64_t& out) {
    std::int64_t base = a, result = 1;
    bool overflow = false;
    for (std::int64_t k = b; k > 0 && !overflow; k >>= 1) {
        if (k & 1)
            overflow = __builtin_mul_overflow(result, base, &result);
        if (k > 1 && !overflow)
            overflow = __builtin_mul_overflow(base, base, &base);
    }
    out = result;
    return overflow;
}

// a ** b for floats: a square as a * a, which is exactly rounded (glibc's pow differs from it by
// one ulp for ~0.04 % of doubles) and what numpy's `x**2` computes too; other exponents by pow.
// Squares are what four-vector expressions are made of (`pt**2 + m**2`), and pow costs ~20 ns.
inline double real_pow(double a, double b) {
    return b == 2.0 ? a * a : std::pow(a, b);
}

} // namespace hepkit::expr::detail
