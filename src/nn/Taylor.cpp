// Taylor coefficients of a network output (include/hepkit/nn/Taylor.hpp; Wunsch, Friese, Wolf,
// Quast, arXiv:1803.08782, eqs. 1-2): t_i, t_ij, t_ijk per event by batched nested autograd in
// float64, averaged as ⟨|t|⟩ and ⟨t⟩ over the (weighted) events and ranked.
//
// Cost: one forward and one backward pass give every t_i of a batch; one more backward pass per
// feature i gives the whole Hessian row t_i· ; one more per pair i ≤ j gives the row t_ij· of the
// third derivatives, and the pairs within two halves of the features suffice (add_batch). F
// features at third order thus take 1 + F + about F²/4 + F/2 backward passes per batch, where computing each
// coefficient on its own (as the group's PyTorch package does) takes a forward and up to three backward
// passes for each of the F + F(F+1)/2 + F(F+1)(F+2)/6 coefficients.

#include "ModelImpl.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Taylor.hpp"

#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hepkit::nn {

namespace {

/// Weighted sums Σ w|t| and Σ w t of every coefficient, in a dense F^order cube (index i·F² + j·F
/// + k) of which only the entries with ascending indices are filled.
struct Sums {
    std::size_t features = 0;
    std::vector<double> abs1, sum1, abs2, sum2, abs3, sum3;
    double weight = 0;
};

/// ∂(Σ_events out)/∂x for every event: (batch, F). Zeros where `out` does not depend on x (a
/// polynomial's constant derivative), which autograd reports as "no graph" or an undefined grad.
torch::Tensor grad_of(const torch::Tensor& out, const torch::Tensor& x, bool create_graph) {
    if (!out.requires_grad())
        return torch::zeros_like(x);
    auto g = torch::autograd::grad({out.sum()}, {x}, {}, /*retain_graph=*/true, create_graph,
                                   /*allow_unused=*/true)[0];
    return g.defined() ? g : torch::zeros_like(x);
}

/// Adds Σ_events w·|row| and Σ_events w·row of the columns `from`..F-1 of `rows` (batch, F) at
/// `offset` + column in the sums.
void accumulate(const torch::Tensor& rows, const torch::Tensor& w, std::size_t from, std::size_t offset,
                std::vector<double>& abs_sums, std::vector<double>& sums) {
    const auto abs_part = torch::mv(rows.abs().t(), w).contiguous();
    const auto part = torch::mv(rows.t(), w).contiguous();
    const double* a = abs_part.data_ptr<double>();
    const double* s = part.data_ptr<double>();
    for (std::size_t c = from; c < static_cast<std::size_t>(rows.size(1)); ++c) {
        abs_sums[offset + c] += a[c];
        sums[offset + c] += s[c];
    }
}

/// Adds Σ_events w·|t| and Σ_events w·t of column `column` of `rows` (batch, F) at `index`.
void accumulate_column(const torch::Tensor& rows, const torch::Tensor& w, std::size_t column,
                       std::size_t index, std::vector<double>& abs_sums, std::vector<double>& sums) {
    const auto c = rows.select(1, static_cast<std::int64_t>(column));
    abs_sums[index] += torch::dot(c.abs(), w).item<double>();
    sums[index] += torch::dot(c, w).item<double>();
}

/// One batch: x (batch, F) float64, w (batch) float64.
void add_batch(torch::jit::Module& module, const torch::Tensor& x_in, const torch::Tensor& w,
               const TaylorOptions& options, const std::string& path, Sums& sums) {
    const auto F = sums.features;
    auto x = x_in.detach().requires_grad_(true);
    torch::Tensor y;
    try {
        y = module.forward({x}).toTensor();
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw InputError(path, 0, "",
                         fmt::format("the model cannot run on {} inputs per event: {}", F,
                                     what.substr(0, what.find('\n'))));
    }
    if (y.dim() == 1)
        y = y.unsqueeze(1);
    if (y.dim() != 2 || y.size(0) != x.size(0)) {
        throw InputError(
            path, 0, "",
            fmt::format("the model's output has shape {} for {} events; expected (events, outputs)",
                        fmt::join(y.sizes(), "×"), x.size(0)));
    }
    if (options.output_node >= static_cast<std::size_t>(y.size(1))) {
        throw UsageError("--output-node",
                         fmt::format("the model {} has {} output(s) (0 to {}); {} is not one", path,
                                     y.size(1), y.size(1) - 1, options.output_node));
    }
    y = y.select(1, static_cast<std::int64_t>(options.output_node));
    sums.weight += w.sum().item<double>();

    const auto g = grad_of(y, x, options.order > 1);
    accumulate(g.detach(), w, 0, 0, sums.abs1, sums.sum1);
    if (options.order < 2)
        return;
    for (std::size_t i = 0; i < F; ++i) {
        const auto h_i = grad_of(g.select(1, static_cast<std::int64_t>(i)), x, options.order > 2);
        accumulate(h_i.detach(), w, i, i * F, sums.abs2, sums.sum2);
        if (options.order < 3)
            continue;
        // Third order with fewer passes than pairs: a pass (i, j) gives the whole row t_ij·, and
        // every sorted triple a ≤ b ≤ c needs only one pass among (a, b), (a, c), (b, c). Split the
        // features into a lower half L and an upper half U and run the passes of the pairs within
        // one half (Turán: every triple has two indices in one half): a triple whose a and b share
        // a half comes from pass (a, b), column c; else a ∈ L and b, c ∈ U, and it comes from pass
        // (b, c), column a. 1 + F + 2·(F/2)(F/2+1)/2 backward passes instead of 1 + F + F(F+1)/2
        // (30 instead of 55 third-order passes for 10 features).
        const std::size_t half = F / 2;
        for (std::size_t j = i; j < F; ++j) {
            if ((i < half) != (j < half))
                continue;
            const auto t_ij = grad_of(h_i.select(1, static_cast<std::int64_t>(j)), x, false);
            accumulate(t_ij, w, j, (i * F + j) * F, sums.abs3, sums.sum3);
            if (i >= half)
                for (std::size_t a = 0; a < half; ++a)
                    accumulate_column(t_ij, w, a, (a * F + i) * F + j, sums.abs3, sums.sum3);
        }
    }
}

/// Product of 1/m! over the multiplicities m of the repeated indices (Taylor series: t_yy/2!,
/// t_xyy/2!, t_yyy/3!).
double factorial_factor(const std::vector<std::size_t>& index) {
    double factor = 1;
    std::size_t run = 1;
    for (std::size_t n = 1; n < index.size(); ++n) {
        run = index[n] == index[n - 1] ? run + 1 : 1;
        factor /= static_cast<double>(run);
    }
    return factor;
}

void check_options(const Model& model, const Table& data, const TaylorOptions& options) {
    if (options.order < 1 || options.order > 3)
        throw UsageError("--order",
                         fmt::format("{} is not an order this analysis has: 1, 2 or 3", options.order));
    if (options.batch_size == 0)
        throw UsageError("batch_size", "0 events per batch; it must be at least 1");
    if (options.threads < 0)
        throw UsageError("-j",
                         fmt::format("{} threads; give 0 (libtorch's default) or more", options.threads));
    const auto& path = model.path();
    const std::size_t F = data.cols();
    if (F == 0)
        throw InputError(path, 0, "", "the data has no features to analyse");
    if (data.features.size() != data.rows * F) {
        throw InputError(path, 0, "",
                         fmt::format("the data holds {} values, not {} events × {} features",
                                     data.features.size(), data.rows, F));
    }
    if (!model.input_names().empty() && model.input_names().size() != F) {
        throw InputError(path, 0, "",
                         fmt::format("the model takes {} inputs ({}), the data has {} ({})",
                                     model.input_names().size(), fmt::join(model.input_names(), ", "), F,
                                     fmt::join(data.feature_names, ", ")));
    }
    if (options.standardized && !model.input_scale().empty() && model.input_scale().size() != F) {
        throw InputError(path, 0, "",
                         fmt::format("the model's standardisation has {} scales for {} input features",
                                     model.input_scale().size(), F));
    }
    if (!data.weights.empty() && data.weights.size() != data.rows) {
        throw InputError(
            path, 0, "",
            fmt::format("the data has {} weights for {} events", data.weights.size(), data.rows));
    }
    if (data.rows == 0)
        throw InputError(path, 0, "", "the data has no events: the averages ⟨|t|⟩ need at least one");
}

/// Restores libtorch's thread count when the analysis ends.
struct ThreadGuard {
    int old = 0;
    explicit ThreadGuard(int threads) {
        if (threads > 0) {
            old = at::get_num_threads();
            at::set_num_threads(threads);
        }
    }
    ~ThreadGuard() {
        if (old > 0)
            at::set_num_threads(old);
    }
    ThreadGuard(const ThreadGuard&) = delete;
    ThreadGuard& operator=(const ThreadGuard&) = delete;
};

} // namespace

TaylorResult taylor_coefficients(const Model& model, const Table& data, const TaylorOptions& options) {
    check_options(model, data, options);
    const std::size_t F = data.cols();
    const auto& path = model.path();
    ThreadGuard threads(options.threads);
    // Autograd through the module as the interpreter runs it: the optimising executor's
    // differentiable subgraphs are not built for the create_graph passes of higher orders.
    torch::jit::GraphOptimizerEnabledGuard plain_executor(false);
    torch::AutoGradMode grad_mode(true);
    // A float64 copy: the shared model keeps its own precision for other users.
    torch::jit::Module module = model.impl().module.clone();
    module.to(torch::kFloat64);
    module.eval();

    Sums sums;
    sums.features = F;
    sums.abs1.assign(F, 0);
    sums.sum1.assign(F, 0);
    if (options.order >= 2) {
        sums.abs2.assign(F * F, 0);
        sums.sum2.assign(F * F, 0);
    }
    if (options.order >= 3) {
        sums.abs3.assign(F * F * F, 0);
        sums.sum3.assign(F * F * F, 0);
    }
    for (std::size_t begin = 0; begin < data.rows; begin += options.batch_size) {
        const std::size_t n = std::min(options.batch_size, data.rows - begin);
        const auto x = to_tensor(data.features.data() + begin * F, n, F, torch::kFloat64);
        const auto w = data.weights.empty()
                           ? torch::ones({static_cast<std::int64_t>(n)}, torch::kFloat64)
                           : to_tensor(data.weights.data() + begin, n, 1, torch::kFloat64).view(-1);
        add_batch(module, x, w, options, path, sums);
    }
    if (sums.weight == 0) {
        throw InputError(
            path, 0, "",
            fmt::format("the {} events weigh 0 in total: the weighted means are undefined", data.rows));
    }

    TaylorResult result;
    result.convention = options.convention;
    result.order = options.order;
    result.features = data.feature_names;
    const bool scale = options.standardized && !model.input_scale().empty();
    auto add = [&](std::vector<std::size_t> index, double abs_sum, double sum) {
        double factor = options.convention == TaylorConvention::Taylor ? factorial_factor(index) : 1.0;
        if (scale)
            for (auto i : index)
                factor *= model.input_scale()[i];
        TaylorCoefficient c;
        for (auto i : index)
            c.names.push_back(data.feature_names[i]);
        c.index = std::move(index);
        c.mean_abs = std::abs(factor) * abs_sum / sums.weight;
        c.mean = factor * sum / sums.weight;
        result.coefficients.push_back(std::move(c));
    };
    for (std::size_t i = 0; i < F; ++i)
        add({i}, sums.abs1[i], sums.sum1[i]);
    for (std::size_t i = 0; options.order >= 2 && i < F; ++i)
        for (std::size_t j = i; j < F; ++j)
            add({i, j}, sums.abs2[i * F + j], sums.sum2[i * F + j]);
    for (std::size_t i = 0; options.order >= 3 && i < F; ++i)
        for (std::size_t j = i; j < F; ++j)
            for (std::size_t k = j; k < F; ++k)
                add({i, j, k}, sums.abs3[(i * F + j) * F + k], sums.sum3[(i * F + j) * F + k]);
    // Stable: equal ⟨|t|⟩ keep the order of generation (by order, then by index).
    std::stable_sort(
        result.coefficients.begin(), result.coefficients.end(),
        [](const TaylorCoefficient& a, const TaylorCoefficient& b) { return a.mean_abs > b.mean_abs; });
    return result;
}

std::string to_string(TaylorConvention convention) {
    return convention == TaylorConvention::Taylor ? "taylor" : "derivative";
}

TaylorConvention parse_taylor_convention(const std::string& text) {
    if (text == "derivative")
        return TaylorConvention::Derivative;
    if (text == "taylor")
        return TaylorConvention::Taylor;
    throw UsageError(
        "--convention",
        fmt::format("'{}' is not a convention; use 'derivative' (bare derivatives, the paper) or "
                    "'taylor' (divided by the factorials of repeated indices)",
                    text));
}

} // namespace hepkit::nn
