#pragma once
// The libtorch state behind hepkit::nn::Model (include/hepkit/nn/Model.hpp keeps torch out of
// the public headers). Only sources of src/nn include this.

#include "hepkit/nn/Model.hpp"

#include <torch/script.h>

#include <string>
#include <vector>

namespace hepkit::nn {

struct Model::Impl {
    std::string path;
    /// The module as loaded, in its own precision, in evaluation mode. forward() of a TorchScript
    /// module is const-callable only through a copy of the handle (jit::Module is a reference to
    /// the shared object), so the analyses clone it when they change its dtype.
    mutable torch::jit::Module module;
    std::string metadata;
    std::vector<std::string> input_names;
    std::vector<double> input_mean;
    std::vector<double> input_scale;
    /// The dtype of the module's first floating-point parameter or buffer; float64 for a model
    /// without any (such a model takes float64 input, issue 16).
    torch::Dtype dtype = torch::kFloat64;
};

/// A (rows, cols) tensor of `dtype` holding the row-major `values` (copied).
torch::Tensor to_tensor(const double* values, std::size_t rows, std::size_t cols, torch::Dtype dtype);

} // namespace hepkit::nn
