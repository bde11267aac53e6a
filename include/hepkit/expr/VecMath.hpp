#pragma once
/// @file
/// Elementary functions over arrays, for batch evaluation (ArrayFunction, fit::BatchFunction, user batch
/// models). On x86-64 glibc the loops call libmvec — glibc's vectorised libm, part of Debian's
/// libc6, accurate to 4 ulp — picking AVX-512, AVX2 or SSE at run time (one binary for every
/// x86-64 machine; -march=native is not needed); elsewhere they call the scalar libm functions.
/// Why libmvec: a numpy-vectorised cost spends most of its time in exp/log; doing those one value
/// at a time made the unbinned fit slower than iminuit (docs/fit.md, "Performance").

#include <cstddef>
#include <string_view>

namespace hepkit::expr::vecmath {

/// Functions of one argument. `sign` (−1, 0, 1) is internal: the derivative of abs.
enum class Fn1 : unsigned char {
    exp,
    log,
    log10,
    log2,
    log1p,
    expm1,
    sqrt,
    sin,
    cos,
    tan,
    asin,
    acos,
    atan,
    sinh,
    cosh,
    tanh,
    abs,
    erf,
    erfc,
    tgamma,
    lgamma,
    sign
};
/// Functions of two arguments.
enum class Fn2 : unsigned char { atan2, pow, hypot, min, max };

/// The scalar function (the reference the array versions are tested against).
double scalar(Fn1 f, double a);
double scalar(Fn2 f, double a, double b);

/// out[i] = f(a[i]) for i < n; `out` may alias `a`.
void apply(Fn1 f, const double* a, double* out, std::size_t n);
/// out[i] = f(a[i], b[i]); `out` may alias either input.
void apply(Fn2 f, const double* a, const double* b, double* out, std::size_t n);

/// Σ a[i]·b[i] with 16 partial sums (AVX2 where the machine has it): sums of 10⁴–10⁶ products
/// (score outer products of unbinned fits) without a single dependency chain.
double dot(const double* a, const double* b, std::size_t n);

/// The instruction set the array loops use on this machine: "avx512", "avx2", "sse2" or "scalar".
std::string_view isa();

} // namespace hepkit::expr::vecmath
