#pragma once
// The body of EigenProduct.hpp's functions, included by EigenProductBaseline.cpp and
// EigenProductAvx2.cpp, each compiled with its own instruction set. The AVX2 file renames Eigen's
// namespace before including this (#define Eigen ...), so that no Eigen template is emitted under
// one name with two instruction sets (the linker would keep either copy: AVX2 code could then run
// on a CPU without it).

#include "EigenProduct.hpp"

#include <Eigen/Core>

namespace hepkit::nn::detail {
namespace { // internal linkage: each instruction set's file keeps its own copy

template <class T>
void eigen_product(MatrixView<const T> a, MatrixView<const T> b, T* out) {
    using Stride = Eigen::OuterStride<>;
    using Row =
        Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Stride>;
    using Col =
        Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0, Stride>;
    Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> c(out, a.rows, b.cols);
    const auto with = [](const MatrixView<const T>& m, auto&& f) {
        if (m.row_major)
            f(Row(m.data, m.rows, m.cols, Stride(m.outer)));
        else
            f(Col(m.data, m.rows, m.cols, Stride(m.outer)));
    };
    with(a, [&](const auto& ma) { with(b, [&](const auto& mb) { c.noalias() = ma * mb; }); });
}

} // namespace
} // namespace hepkit::nn::detail

#define HEPKIT_EIGEN_PRODUCTS(NAME)                                                                          \
    void hepkit::nn::detail::NAME(MatrixView<const float> a, MatrixView<const float> b, float* out) {        \
        eigen_product(a, b, out);                                                                            \
    }                                                                                                        \
    void hepkit::nn::detail::NAME(MatrixView<const double> a, MatrixView<const double> b, double* out) {     \
        eigen_product(a, b, out);                                                                            \
    }
