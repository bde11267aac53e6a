#pragma once
// The per-job networks (docs/surrogate.md, "Per-job models"): the paper's BiGRU, BiLSTM and
// encoder-only Transformer on the job sequence alone (arXiv:2502.12741), and hepkit's
// platform-aware model — a Deep Set over the hosts and the scenario features as the context of a
// BiGRU — with, optionally, a pointer head that scores every host for every job (the machine a
// job runs on; Machines.hpp). Private to the surrogate module: libtorch stays out of its API.

#include "hepkit/surrogate/SequenceModel.hpp"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>

namespace hepkit::surrogate::detail {

inline constexpr std::int64_t kContext = 32; ///< width of a host's and the scenario's encoding

struct SeqNetImpl : torch::nn::Module {
    SequenceKind kind;
    torch::nn::GRU gru{nullptr};
    torch::nn::LSTM lstm{nullptr};
    torch::nn::Linear proj{nullptr};
    torch::nn::TransformerEncoder encoder{nullptr};
    torch::nn::Sequential hosts{nullptr}, scenario{nullptr};
    torch::nn::Linear head{nullptr};
    /// The machine head (platform kind, when trained with one): a job's query against each host's
    /// key, both from learned projections — a pointer network over the platform's hosts (Vinyals
    /// et al., arXiv:1506.03134), so that it scores platforms of any size.
    torch::nn::Linear machine_query{nullptr}, machine_key{nullptr};
    std::int64_t width;

    SeqNetImpl(SequenceKind k, std::int64_t hidden, std::int64_t job_in, std::int64_t host_in,
               std::int64_t scen_in, std::int64_t out, bool machines)
        : kind(k), width(hidden) {
        std::int64_t step_in = job_in;
        if (k == SequenceKind::platform) {
            hosts = register_module(
                "hosts", torch::nn::Sequential(torch::nn::Linear(host_in, kContext), torch::nn::ReLU(),
                                               torch::nn::Linear(kContext, kContext), torch::nn::ReLU()));
            scenario = register_module(
                "scenario", torch::nn::Sequential(torch::nn::Linear(scen_in, kContext), torch::nn::ReLU()));
            step_in += 3 * kContext;
        }
        if (k == SequenceKind::gru || k == SequenceKind::platform) {
            gru = register_module("gru",
                                  torch::nn::GRU(torch::nn::GRUOptions(step_in, hidden).bidirectional(true)));
        } else if (k == SequenceKind::lstm) {
            lstm = register_module(
                "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(step_in, hidden).bidirectional(true)));
        } else {
            proj = register_module("proj", torch::nn::Linear(step_in, hidden));
            encoder = register_module(
                "encoder",
                torch::nn::TransformerEncoder(torch::nn::TransformerEncoderOptions(
                    torch::nn::TransformerEncoderLayer(torch::nn::TransformerEncoderLayerOptions(hidden, 2)
                                                           .dim_feedforward(4 * hidden)
                                                           .dropout(0.0)),
                    2)));
        }
        // With a machine head the times also read where the job is placed: the hosts' encodings
        // weighted by the head's probabilities (heads()).
        const bool placed = machines && k == SequenceKind::platform;
        head =
            register_module("head", torch::nn::Linear((k == SequenceKind::transformer ? hidden : 2 * hidden) +
                                                          (placed ? kContext : 0),
                                                      out));
        // made last: the trunk's layers draw the same initial weights from a seed with or without it
        // (the time head's differ: it is wider with the placement)
        if (placed) {
            machine_query = register_module("machine_query", torch::nn::Linear(2 * hidden, kContext));
            machine_key = register_module("machine_key", torch::nn::Linear(kContext, kContext));
        }
    }

    bool has_machine_head() const { return !machine_query.is_empty(); }

    // Sinusoidal positions (Vaswani et al., arXiv:1706.03762), [steps, width].
    torch::Tensor positions(std::int64_t steps) const {
        const torch::Tensor pos = torch::arange(steps, torch::kFloat32).unsqueeze(1);
        const torch::Tensor i = torch::arange(0, width, 2, torch::kFloat32);
        const torch::Tensor angle = pos / torch::pow(10000.0, i / static_cast<double>(width));
        torch::Tensor pe = torch::zeros({steps, width});
        pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                      torch::sin(angle));
        pe.index_put_(
            {torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
            torch::cos(angle).index({torch::indexing::Slice(), torch::indexing::Slice(0, width / 2)}));
        return pe;
    }

    // The platform context of a sample (platform kind): the Deep Set of its hosts (mean and max of
    // the encoded hosts) and its encoded scenario features, [3 · kContext].
    torch::Tensor context(const torch::Tensor& host_x, const torch::Tensor& scen_x) {
        const torch::Tensor e = hosts->forward(host_x);
        return torch::cat(
            {e.mean(0), std::get<0>(e.max(0)), scenario->forward(scen_x.unsqueeze(0)).squeeze(0)});
    }

    // The sequence network's outputs before the head: x [steps, windows, job inputs]; host_x
    // [hosts, host inputs]; scen_x [features].
    torch::Tensor trunk(torch::Tensor x, const torch::Tensor& host_x, const torch::Tensor& scen_x) {
        if (kind == SequenceKind::platform) {
            const torch::Tensor ctx = context(host_x, scen_x);
            x = torch::cat({x, ctx.view({1, 1, -1}).expand({x.size(0), x.size(1), ctx.size(0)})}, 2);
        }
        if (gru)
            return std::get<0>(gru->forward(x));
        if (lstm)
            return std::get<0>(lstm->forward(x));
        return encoder->forward(proj->forward(x) + positions(x.size(0)).unsqueeze(1));
    }

    // Windows of several samples at once (training in mini-batches): x [L, C, inputs] with every
    // window padded with zeros to the longest L, lengths [C] (int64) its real steps, ctx [C, 3 ·
    // kContext] the context of each window's sample (platform kind; undefined otherwise). The
    // recurrent networks read packed sequences, so that neither direction sees the padding; the
    // Transformer masks it (src_key_padding_mask). Outputs at padded steps are left to the
    // caller's mask.
    torch::Tensor trunk_batch(torch::Tensor x, const torch::Tensor& lengths, const torch::Tensor& ctx) {
        const std::int64_t steps = x.size(0), columns = x.size(1);
        if (kind == SequenceKind::platform)
            x = torch::cat({x, ctx.unsqueeze(0).expand({steps, columns, ctx.size(1)})}, 2);
        if (gru || lstm) {
            namespace rnn = torch::nn::utils::rnn;
            const rnn::PackedSequence packed = rnn::pack_padded_sequence(x, lengths, false, false);
            const rnn::PackedSequence out = gru ? std::get<0>(gru->forward_with_packed_input(packed))
                                                : std::get<0>(lstm->forward_with_packed_input(packed));
            return std::get<0>(rnn::pad_packed_sequence(out, false, 0.0, steps));
        }
        const torch::Tensor pad = torch::arange(steps).unsqueeze(0).expand({columns, steps}) >=
                                  lengths.unsqueeze(1); // [C, L], true: padding
        return encoder->forward(proj->forward(x) + positions(steps).unsqueeze(1), {}, pad);
    }

    // One sample's times [steps, windows, targets] from the trunk's outputs y, and with a machine
    // head its scores [steps, windows, hosts] (undefined without one). The times read y and, with
    // the head, the encodings of the hosts weighted by their probabilities for the job — where the
    // job is likely to run (its host's speed, its route to storage) decides its times; the time
    // loss trains the pointer too.
    std::pair<torch::Tensor, torch::Tensor> heads(const torch::Tensor& y, const torch::Tensor& host_x,
                                                  const torch::Tensor& workers) {
        if (!has_machine_head())
            return {head->forward(y), {}};
        const torch::Tensor encoded = hosts->forward(host_x); // [H, K]
        const torch::Tensor s = scores_of(y, encoded, workers);
        const torch::Tensor placed = torch::matmul(torch::softmax(s, -1), encoded); // [L, W, K]
        return {head->forward(torch::cat({y, placed}, -1)), s};
    }

  private:
    // The machine head's scores (logits) of every host for every job step: y [steps, windows, 2 ·
    // hidden] the trunk's outputs, encoded [hosts, kContext] the hosts' encodings, workers [hosts]
    // (bool: a host that runs jobs). Hosts that run no jobs score −1e9 (never picked, no weight in
    // a softmax). [steps, windows, hosts].
    torch::Tensor scores_of(const torch::Tensor& y, const torch::Tensor& encoded,
                            const torch::Tensor& workers) {
        const torch::Tensor keys = machine_key->forward(encoded); // [H, K]
        const torch::Tensor s = torch::matmul(machine_query->forward(y), keys.t()) /
                                std::sqrt(static_cast<double>(kContext)); // [L, W, H]
        return s.masked_fill(workers.logical_not().view({1, 1, -1}), -1e9);
    }
};
TORCH_MODULE(SeqNet);

} // namespace hepkit::surrogate::detail
