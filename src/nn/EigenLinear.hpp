#pragma once
// Matrix products of hepkit::nn's networks through Eigen instead of the BLAS libtorch links.
// Debian's libtorch calls libblas.so.3, which is the unoptimised reference BLAS unless the user
// installed another: a (2000 × 100)·(100 × 100) float product takes ~12 ms there and ~1.3 ms with
// Eigen (one core, same machine; docs/performance.md), and training is matrix-product bound.
// These are libtorch autograd functions whose backward is again eigen_mm, so reverse mode,
// double backward and reverse-over-(explicit)-forward all work; forward-mode AD (dual tensors)
// does not pass through them — NetworkImpl propagates its tangents explicitly instead.

#include <torch/torch.h>

namespace hepkit::nn {

/// a · b for 2-D CPU tensors of one floating type (float32, float64) by Eigen's product; any
/// other case (devices, other types, a dual tensor) by torch::mm.
torch::Tensor eigen_mm(const torch::Tensor& a, const torch::Tensor& b);

/// x · weightᵀ + bias, torch::nn::Linear's function (bias may be undefined).
torch::Tensor eigen_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

} // namespace hepkit::nn
