// EigenProduct.hpp's products for the build's baseline instruction set.

#include "EigenProductImpl.hpp"

HEPKIT_EIGEN_PRODUCTS(product_baseline)

#if !HEPKIT_EIGEN_AVX2
// no AVX2 copy in this build (not x86-64, or a compiler without -mavx2)
void hepkit::nn::detail::product_avx2(MatrixView<const float> a, MatrixView<const float> b, float* out) {
    product_baseline(a, b, out);
}
void hepkit::nn::detail::product_avx2(MatrixView<const double> a, MatrixView<const double> b, double* out) {
    product_baseline(a, b, out);
}
#endif

bool hepkit::nn::detail::cpu_has_avx2_fma() {
#if HEPKIT_EIGEN_AVX2
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
#else
    return false;
#endif
}
