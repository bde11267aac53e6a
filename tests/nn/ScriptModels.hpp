#pragma once
// TorchScript models written from source for the tests of hepkit::nn: a closed-form "network"
// (the polynomial and the Gaussian log-likelihood ratio of the Taylor-coefficient validation,
// reference/analysis-methods §3) or a small one with given weights, saved as a TorchScript archive
// the way any other producer of model.pt would (libtorch's compiler, not hepkit's export).

#include "hepkit/nn/Model.hpp"

#include <torch/script.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hepkit::nn::test {

/// Saves a module whose forward is `source` (TorchScript: `def forward(self, x): ...`), with the
/// named float tensors as parameters and, when `metadata` is not empty, the extra file hepkit.json.
inline void save_script_model(const std::string& path, const std::string& source,
                              const std::vector<std::pair<std::string, torch::Tensor>>& parameters = {},
                              const std::string& metadata = "") {
    torch::jit::Module module("ScriptModel");
    for (const auto& [name, value] : parameters)
        module.register_parameter(name, value, false);
    module.define(source);
    std::unordered_map<std::string, std::string> extra;
    if (!metadata.empty())
        extra[kMetadataFile] = metadata;
    module.save(path, extra);
}

} // namespace hepkit::nn::test
