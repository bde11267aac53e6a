#pragma once
/// @file
/// A trained network as TorchScript: what `hepkit nn train` writes (`model.pt`) and what
/// `hepkit nn taylor`, the `nn_score` producer of `hepkit events` and a user's C++ code load.
/// Any TorchScript model with one input tensor of shape (events, features) loads, also one
/// trained and saved in Python (`torch.jit.save(torch.jit.script(net), "model.pt")`).
///
///     auto model = hepkit::nn::Model::load("model.pt");
///     std::vector<double> x = {...};                     // rows × model.input_names().size()
///     auto scores = model.predict(x, rows);              // rows × scores.outputs
///
/// hepkit's models carry their metadata in the TorchScript archive's extra file `hepkit.json`
/// (docs/nn.md, "The model file"): input names, the input standardisation (which the model's
/// forward already applies: a model takes raw features), the task and the class names. A model
/// from elsewhere has none: its input names are then empty and its inputs are taken in the
/// order of the data's columns. libtorch stays private to hepkit::nn: this header has no torch
/// types.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hepkit::nn {

/// The name of the extra file in a TorchScript archive holding hepkit's metadata (JSON).
inline constexpr const char* kMetadataFile = "hepkit.json";

struct Prediction {
    std::size_t rows = 0;
    std::size_t outputs = 0;
    /// rows × outputs, row-major: probabilities for classification (sigmoid of the one output
    /// for binary, softmax over the classes for multi-class), values for regression.
    std::vector<double> values;
};

class Model {
  public:
    /// Loads a TorchScript archive. Throws hepkit::InputError naming `path` when it cannot be
    /// read, is not TorchScript, has no `forward`, or carries a `hepkit.json` that is not valid.
    static Model load(const std::string& path);

    /// The model's input names from its metadata; empty for a model without hepkit metadata.
    const std::vector<std::string>& input_names() const;
    /// The metadata JSON text (`hepkit.json`), "" when absent.
    const std::string& metadata() const;
    /// The input standardisation recorded in the metadata (x' = (x - mean) / scale, which forward
    /// applies first); both empty when absent.
    const std::vector<double>& input_mean() const;
    const std::vector<double>& input_scale() const;
    const std::string& path() const;

    /// Runs the network on `rows` events of `x` (rows × features, row-major, features in the
    /// order of input_names()) in batches, without gradients, in the model's own precision.
    /// Throws hepkit::InputError naming the model file when the shapes do not fit the network.
    Prediction predict(std::span<const double> x, std::size_t rows) const;

    /// libtorch's state, defined in src/nn (ModelImpl.hpp) so that this header stays torch-free.
    struct Impl;
    explicit Model(std::shared_ptr<Impl> impl);
    const Impl& impl() const { return *impl_; }

  private:
    std::shared_ptr<Impl> impl_;
};

} // namespace hepkit::nn
