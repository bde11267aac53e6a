#pragma once
// C = A·B by Eigen on raw strided memory (EigenLinear.cpp's kernel), compiled twice: for the
// baseline x86-64 of the Release build (SSE2) and, in EigenProductAvx2.cpp, with AVX2 and FMA,
// which EigenLinear picks at run time where the CPU has them (2–3× faster products). No torch
// and no Eigen type in this header: the AVX2 copy of Eigen lives in its own namespace.

#include <cstdint>

namespace hepkit::nn::detail {

/// A matrix in memory: element (i, j) at data[i·outer + j] (row_major) or data[i + j·outer].
template <class T>
struct MatrixView {
    T* data;
    std::int64_t rows, cols, outer;
    bool row_major;
};

/// out (row-major, contiguous) = a · b; a.cols == b.rows, out has a.rows × b.cols elements.
void product_baseline(MatrixView<const float> a, MatrixView<const float> b, float* out);
void product_baseline(MatrixView<const double> a, MatrixView<const double> b, double* out);
/// The same compiled with -mavx2 -mfma: call only where the CPU has both (cpu_has_avx2_fma()).
void product_avx2(MatrixView<const float> a, MatrixView<const float> b, float* out);
void product_avx2(MatrixView<const double> a, MatrixView<const double> b, double* out);
/// Whether product_avx2 exists in this build and this CPU runs it.
bool cpu_has_avx2_fma();

} // namespace hepkit::nn::detail
