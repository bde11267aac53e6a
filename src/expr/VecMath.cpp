#include "hepkit/expr/VecMath.hpp"
#include "hepkit/core/ArchClones.hpp"

#include <algorithm>
#include <cmath>

// libmvec's vector entry points are declared for GCC (its `#pragma GCC target` region gives the
// declarations the vector registers of glibc's ABI). Clang (the sanitizer and fuzz build) ignores
// that pragma and called the AVX-512 two-argument functions with the wrong result (atan2 off by a
// factor, found by that build's tests), so clang builds take the scalar loops: same results,
// slower, and nothing in a release build changes.
#if defined(HEPKIT_HAVE_LIBMVEC) && defined(__x86_64__) && !defined(__clang__)
#include <immintrin.h>
#define HEPKIT_MVEC 1
#endif

namespace hepkit::expr::vecmath {

double scalar(Fn1 f, double a) {
    switch (f) {
    case Fn1::exp:
        return std::exp(a);
    case Fn1::log:
        return std::log(a);
    case Fn1::log10:
        return std::log10(a);
    case Fn1::log2:
        return std::log2(a);
    case Fn1::log1p:
        return std::log1p(a);
    case Fn1::expm1:
        return std::expm1(a);
    case Fn1::sqrt:
        return std::sqrt(a);
    case Fn1::sin:
        return std::sin(a);
    case Fn1::cos:
        return std::cos(a);
    case Fn1::tan:
        return std::tan(a);
    case Fn1::asin:
        return std::asin(a);
    case Fn1::acos:
        return std::acos(a);
    case Fn1::atan:
        return std::atan(a);
    case Fn1::sinh:
        return std::sinh(a);
    case Fn1::cosh:
        return std::cosh(a);
    case Fn1::tanh:
        return std::tanh(a);
    case Fn1::abs:
        return std::fabs(a);
    case Fn1::erf:
        return std::erf(a);
    case Fn1::erfc:
        return std::erfc(a);
    case Fn1::tgamma:
        return std::tgamma(a);
    case Fn1::lgamma:
        return std::lgamma(a);
    case Fn1::sign:
        return a > 0 ? 1.0 : a < 0 ? -1.0 : a; // NaN stays NaN
    }
    return NAN;
}

double scalar(Fn2 f, double a, double b) {
    switch (f) {
    case Fn2::atan2:
        return std::atan2(a, b);
    case Fn2::pow:
        return std::pow(a, b);
    case Fn2::hypot:
        return std::hypot(a, b);
    case Fn2::min:
        return std::fmin(a, b);
    case Fn2::max:
        return std::fmax(a, b);
    }
    return NAN;
}

namespace {

void scalar_loop(Fn1 f, const double* a, double* out, std::size_t n) {
    switch (f) { // the simple ones as plain loops, which the compiler vectorises
    case Fn1::sqrt:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = std::sqrt(a[i]);
        return;
    case Fn1::abs:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = std::fabs(a[i]);
        return;
    default:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = scalar(f, a[i]);
    }
}

void scalar_loop(Fn2 f, const double* a, const double* b, double* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        out[i] = scalar(f, a[i], b[i]);
}

enum class Isa { scalar, sse2, avx2, avx512 };

#ifdef HEPKIT_MVEC
Isa detect() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return Isa::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return Isa::avx2;
    return Isa::sse2;
}
#else
Isa detect() {
    return Isa::scalar;
}
#endif

const Isa machine = detect();

} // namespace

#if HEPKIT_ARCH_CLONES
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
double
dot(const double* a, const double* b, std::size_t n) {
    constexpr std::size_t lanes = 16; // independent accumulators: the loop vectorises exactly
    double acc[lanes] = {};
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes)
        for (std::size_t l = 0; l < lanes; ++l)
            acc[l] += a[i + l] * b[i + l];
    for (std::size_t l = 0; i < n; ++i, ++l)
        acc[l] += a[i] * b[i];
    double s = 0;
    for (double v : acc)
        s += v;
    return s;
}

std::string_view isa() {
    switch (machine) {
    case Isa::avx512:
        return "avx512";
    case Isa::avx2:
        return "avx2";
    case Isa::sse2:
        return "sse2";
    case Isa::scalar:
        break;
    }
    return "scalar";
}

#ifdef HEPKIT_MVEC
// libmvec's entry points follow the x86-64 vector function ABI: _ZGV{b,d,e}N{2,4,8}v_NAME for
// SSE, AVX2 and AVX-512 (glibc's libmvec ABI list). Declared inside target regions so that the
// vector arguments are passed in the registers that ABI names.
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#define HEPKIT_DECLARE(name)                                                                                 \
    extern "C" __m128d _ZGVbN2v_##name(__m128d);                                                             \
    extern "C" __m256d _ZGVdN4v_##name(__m256d);                                                             \
    extern "C" __m512d _ZGVeN8v_##name(__m512d);
#define HEPKIT_DECLARE2(name)                                                                                \
    extern "C" __m128d _ZGVbN2vv_##name(__m128d, __m128d);                                                   \
    extern "C" __m256d _ZGVdN4vv_##name(__m256d, __m256d);                                                   \
    extern "C" __m512d _ZGVeN8vv_##name(__m512d, __m512d);
HEPKIT_DECLARE(exp)
HEPKIT_DECLARE(log)
HEPKIT_DECLARE(log10)
HEPKIT_DECLARE(log2)
HEPKIT_DECLARE(log1p)
HEPKIT_DECLARE(expm1)
HEPKIT_DECLARE(sin)
HEPKIT_DECLARE(cos)
HEPKIT_DECLARE(tan)
HEPKIT_DECLARE(asin)
HEPKIT_DECLARE(acos)
HEPKIT_DECLARE(atan)
HEPKIT_DECLARE(sinh)
HEPKIT_DECLARE(cosh)
HEPKIT_DECLARE(tanh)
HEPKIT_DECLARE(erf)
HEPKIT_DECLARE(erfc)
HEPKIT_DECLARE2(atan2)
HEPKIT_DECLARE2(pow)
HEPKIT_DECLARE2(hypot)
#pragma GCC pop_options

namespace {

template <__m128d (*V)(__m128d)>
void loop_sse2(Fn1 f, const double* a, double* out, std::size_t n) {
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(out + i, V(_mm_loadu_pd(a + i)));
    scalar_loop(f, a + i, out + i, n - i);
}
template <__m256d (*V)(__m256d)>
__attribute__((target("avx2,fma"))) void loop_avx2(Fn1 f, const double* a, double* out, std::size_t n) {
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(out + i, V(_mm256_loadu_pd(a + i)));
    scalar_loop(f, a + i, out + i, n - i);
}
template <__m512d (*V)(__m512d)>
__attribute__((target("avx512f"))) void loop_avx512(Fn1 f, const double* a, double* out, std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(out + i, V(_mm512_loadu_pd(a + i)));
    scalar_loop(f, a + i, out + i, n - i);
}
template <__m128d (*V)(__m128d, __m128d)>
void loop2_sse2(Fn2 f, const double* a, const double* b, double* out, std::size_t n) {
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(out + i, V(_mm_loadu_pd(a + i), _mm_loadu_pd(b + i)));
    scalar_loop(f, a + i, b + i, out + i, n - i);
}
template <__m256d (*V)(__m256d, __m256d)>
__attribute__((target("avx2,fma"))) void loop2_avx2(Fn2 f, const double* a, const double* b, double* out,
                                                    std::size_t n) {
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(out + i, V(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i)));
    scalar_loop(f, a + i, b + i, out + i, n - i);
}
template <__m512d (*V)(__m512d, __m512d)>
__attribute__((target("avx512f"))) void loop2_avx512(Fn2 f, const double* a, const double* b, double* out,
                                                     std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(out + i, V(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i)));
    scalar_loop(f, a + i, b + i, out + i, n - i);
}

using Loop1 = void (*)(Fn1, const double*, double*, std::size_t);
using Loop2 = void (*)(Fn2, const double*, const double*, double*, std::size_t);
struct Row1 {
    Loop1 sse2, avx2, avx512;
};
struct Row2 {
    Loop2 sse2, avx2, avx512;
};
#define HEPKIT_ROW(name)                                                                                     \
    Row1 {                                                                                                   \
        loop_sse2<_ZGVbN2v_##name>, loop_avx2<_ZGVdN4v_##name>, loop_avx512<_ZGVeN8v_##name>                 \
    }
#define HEPKIT_ROW2(name)                                                                                    \
    Row2 {                                                                                                   \
        loop2_sse2<_ZGVbN2vv_##name>, loop2_avx2<_ZGVdN4vv_##name>, loop2_avx512<_ZGVeN8vv_##name>           \
    }

const Row1* row(Fn1 f) {
    static const Row1 exp = HEPKIT_ROW(exp), log = HEPKIT_ROW(log), log10 = HEPKIT_ROW(log10),
                      log2 = HEPKIT_ROW(log2), log1p = HEPKIT_ROW(log1p), expm1 = HEPKIT_ROW(expm1),
                      sin = HEPKIT_ROW(sin), cos = HEPKIT_ROW(cos), tan = HEPKIT_ROW(tan),
                      asin = HEPKIT_ROW(asin), acos = HEPKIT_ROW(acos), atan = HEPKIT_ROW(atan),
                      sinh = HEPKIT_ROW(sinh), cosh = HEPKIT_ROW(cosh), tanh = HEPKIT_ROW(tanh),
                      erf = HEPKIT_ROW(erf), erfc = HEPKIT_ROW(erfc);
    switch (f) {
    case Fn1::exp:
        return &exp;
    case Fn1::log:
        return &log;
    case Fn1::log10:
        return &log10;
    case Fn1::log2:
        return &log2;
    case Fn1::log1p:
        return &log1p;
    case Fn1::expm1:
        return &expm1;
    case Fn1::sin:
        return &sin;
    case Fn1::cos:
        return &cos;
    case Fn1::tan:
        return &tan;
    case Fn1::asin:
        return &asin;
    case Fn1::acos:
        return &acos;
    case Fn1::atan:
        return &atan;
    case Fn1::sinh:
        return &sinh;
    case Fn1::cosh:
        return &cosh;
    case Fn1::tanh:
        return &tanh;
    case Fn1::erf:
        return &erf;
    case Fn1::erfc:
        return &erfc;
    default:
        return nullptr; // sqrt, abs, sign: plain loops; gamma functions: libmvec has none
    }
}

const Row2* row(Fn2 f) {
    static const Row2 atan2 = HEPKIT_ROW2(atan2), pow = HEPKIT_ROW2(pow), hypot = HEPKIT_ROW2(hypot);
    switch (f) {
    case Fn2::atan2:
        return &atan2;
    case Fn2::pow:
        return &pow;
    case Fn2::hypot:
        return &hypot;
    default:
        return nullptr;
    }
}

} // namespace

void apply(Fn1 f, const double* a, double* out, std::size_t n) {
    const Row1* r = row(f);
    if (!r)
        return scalar_loop(f, a, out, n);
    switch (machine) {
    case Isa::avx512:
        return r->avx512(f, a, out, n);
    case Isa::avx2:
        return r->avx2(f, a, out, n);
    default:
        return r->sse2(f, a, out, n);
    }
}

void apply(Fn2 f, const double* a, const double* b, double* out, std::size_t n) {
    const Row2* r = row(f);
    if (!r)
        return scalar_loop(f, a, b, out, n);
    switch (machine) {
    case Isa::avx512:
        return r->avx512(f, a, b, out, n);
    case Isa::avx2:
        return r->avx2(f, a, b, out, n);
    default:
        return r->sse2(f, a, b, out, n);
    }
}

#else

void apply(Fn1 f, const double* a, double* out, std::size_t n) {
    scalar_loop(f, a, out, n);
}
void apply(Fn2 f, const double* a, const double* b, double* out, std::size_t n) {
    scalar_loop(f, a, b, out, n);
}

#endif

} // namespace hepkit::expr::vecmath
