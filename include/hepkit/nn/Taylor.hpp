#pragma once
/// @file
/// Taylor-coefficient analysis of what a network learned (Wunsch, Friese, Wolf, Quast,
/// arXiv:1803.08782): the per-event derivatives of a network output with respect to its inputs,
///     t_i = ∂f/∂x_i,  t_ij = ∂²f/∂x_i∂x_j,  t_ijk = ∂³f/∂x_i∂x_j∂x_k,
/// averaged as ⟨|t|⟩ over a data set (weighted when the data carries weights) and ranked. Two
/// conventions: the bare derivatives of the paper (`Derivative`), and the coefficients of the
/// Taylor series, the derivatives divided by the factorials of repeated indices (`Taylor`: t_yy/2!,
/// t_yyy/3!, t_xyy/2!), as the group's PyTorch package reports them.
///
///     auto model = hepkit::nn::Model::load("model.pt");
///     hepkit::nn::TaylorOptions options;
///     options.order = 2;
///     auto result = hepkit::nn::taylor_coefficients(model, table, options);
///     for (const auto& c : result.coefficients) ...;     // ranked by mean_abs, largest first
///
/// The derivatives are taken in double precision (the model is converted to float64 for the
/// analysis) by batched autograd: one backward pass per coefficient family over a whole batch of
/// events (the events of a batch do not interact in a network in evaluation mode, so the gradient
/// of the summed output is every event's own gradient), never one pass per event.

#include "hepkit/nn/Model.hpp"
#include "hepkit/nn/Table.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace hepkit::nn {

enum class TaylorConvention { Derivative, Taylor };

struct TaylorOptions {
    /// 1, 2 or 3: every coefficient up to this order (features, pairs i ≤ j, triples i ≤ j ≤ k).
    int order = 2;
    TaylorConvention convention = TaylorConvention::Derivative;
    /// The output column of the network analysed (a class of a multi-class network).
    std::size_t output_node = 0;
    /// Events per autograd batch (bounds memory: about order × features × batch doubles).
    std::size_t batch_size = 8192;
    /// For a model carrying hepkit's input standardisation: true (default) gives the coefficients
    /// with respect to the standardised inputs, the network's own input space as in the paper
    /// (t_i·s_i, t_ij·s_i·s_j, ...; units drop out, so features rank comparably); false gives them
    /// with respect to the raw features the model takes.
    bool standardized = true;
    /// libtorch's intra-op threads for the analysis (`hepkit nn taylor -j`); 0 keeps its default.
    int threads = 0;
};

struct TaylorCoefficient {
    /// Feature indices, ascending (i ≤ j ≤ k).
    std::vector<std::size_t> index;
    std::vector<std::string> names;
    /// ⟨|t|⟩ and ⟨t⟩ over the data set (weighted means when the table has weights).
    double mean_abs = 0;
    double mean = 0;
};

struct TaylorResult {
    TaylorConvention convention = TaylorConvention::Derivative;
    int order = 0;
    std::vector<std::string> features;
    /// Every coefficient up to the order, ranked by mean_abs (largest first; ties by index).
    std::vector<TaylorCoefficient> coefficients;
};

/// The coefficients of `model`'s output `options.output_node` over the events of `data` (whose
/// columns are the model's inputs in order). Throws hepkit::UsageError for an order outside 1–3 or
/// an output node the model does not have, hepkit::InputError naming the model's file when the
/// data does not fit it.
TaylorResult taylor_coefficients(const Model& model, const Table& data, const TaylorOptions& options);

/// "derivative" / "taylor", and back (UsageError naming the value and what is allowed).
std::string to_string(TaylorConvention convention);
TaylorConvention parse_taylor_convention(const std::string& text);

/// The JSON of `hepkit nn taylor --json`: {"convention", "order", "features": [...],
/// "coefficients": [{"index": [...], "names": [...], "mean_abs": x, "mean": y}, ...]}.
std::string to_json(const TaylorResult& result);

} // namespace hepkit::nn
