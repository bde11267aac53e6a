#pragma once
// hepkit::expr expressions evaluated with libtorch operations, so that gradients flow through
// them: the input transforms and yield factors of systematics-aware training (Systematics.hpp,
// `x0 + r`, `x2 * 3 / lambda`, `b / 1000`). The real-valued (model) dialect: numbers, names,
// + - * / **, unary signs, the one- and two-argument functions of hepkit::expr whose derivative
// libtorch knows. src/nn only.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace hepkit::nn {

class TorchExpression {
  public:
    /// Parses `text`; `names` are the names it may use (features, then parameters). Throws
    /// hepkit::InputError naming `key` for a syntax error, an unknown name (listing `names`) or a
    /// function without a libtorch form.
    TorchExpression(const std::string& text, const std::vector<std::string>& names, const std::string& key);

    /// Evaluates with `values[k]` for names[k] (tensors that broadcast: per-event columns and
    /// 0-d parameters); returns a tensor of the broadcast shape (0-d for a constant expression).
    torch::Tensor eval(const std::vector<torch::Tensor>& values) const;

    /// Whether the expression reads names[k].
    bool uses(std::size_t k) const { return uses_[k]; }
    const std::string& text() const { return text_; }

  private:
    struct Step {
        int kind = 0; ///< 0 number, 1 name, 2 neg, 3 binary, 4 call1, 5 call2
        double number = 0;
        std::size_t name = 0;
        int op = 0; ///< binary: 0 + 1 − 2 × 3 ÷ 4 **; call: the function index
        int a = -1, b = -1;
    };
    std::string text_;
    std::vector<Step> steps_; ///< post-order; the last is the root
    std::vector<bool> uses_;
};

} // namespace hepkit::nn
