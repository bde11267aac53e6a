// EigenProduct.hpp's products compiled with -mavx2 -mfma (src/nn/CMakeLists.txt), called only
// where cpu_has_avx2_fma(). Eigen's namespace is renamed first (EigenProductImpl.hpp says why).

#define Eigen hepkit_eigen_avx2
#include "EigenProductImpl.hpp"

HEPKIT_EIGEN_PRODUCTS(product_avx2)
