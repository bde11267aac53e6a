// The per-job surrogates on libtorch: the paper's BiGRU, BiLSTM and encoder-only Transformer on the
// job sequence alone, and hepkit's platform-aware model (a Deep Set over the hosts and the scenario
// features as context of a BiGRU). Inputs log1p-scaled and standardised, targets log1p(seconds)
// standardised; windows of 500 jobs overlapping by 250, batched.

#include "hepkit/surrogate/SequenceModel.hpp"

#include "TrainSupport.hpp"
#include "Transform.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/surrogate/Features.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <random>

namespace hepkit::surrogate {

namespace fs = std::filesystem;
using detail::Transform;

namespace {

constexpr std::int64_t kWindow = 500, kStride = 250; // arXiv:2502.12741's windows
constexpr std::int64_t kContext = 32;

// log1p(x / unit) per input column (0: a flag, kept as it is)
constexpr double kJobUnits[] = {60, 1, 1e9, 1e12, 1e9, 1e9};
constexpr double kHostUnits[] = {1, 1e9, 0, 0, 0, 1e9, 1e9, 1e9, 1e-3};

double scaled(double x, double unit) {
    return unit == 0 ? x : std::log1p(std::max(x, 0.0) / unit);
}

struct SeqNetImpl : torch::nn::Module {
    SequenceKind kind;
    torch::nn::GRU gru{nullptr};
    torch::nn::LSTM lstm{nullptr};
    torch::nn::Linear proj{nullptr};
    torch::nn::TransformerEncoder encoder{nullptr};
    torch::nn::Sequential hosts{nullptr}, scenario{nullptr};
    torch::nn::Linear head{nullptr};
    std::int64_t width;

    SeqNetImpl(SequenceKind k, std::int64_t hidden, std::int64_t job_in, std::int64_t host_in,
               std::int64_t scen_in, std::int64_t out)
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
        head = register_module("head",
                               torch::nn::Linear(k == SequenceKind::transformer ? hidden : 2 * hidden, out));
    }

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

    // x: [steps, windows, job inputs]; host_x: [hosts, host inputs]; scen_x: [features]
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& host_x, const torch::Tensor& scen_x) {
        if (kind == SequenceKind::platform) {
            const torch::Tensor ctx = context(host_x, scen_x);
            x = torch::cat({x, ctx.view({1, 1, -1}).expand({x.size(0), x.size(1), ctx.size(0)})}, 2);
        }
        torch::Tensor y;
        if (gru) {
            y = std::get<0>(gru->forward(x));
        } else if (lstm) {
            y = std::get<0>(lstm->forward(x));
        } else {
            y = encoder->forward(proj->forward(x) + positions(x.size(0)).unsqueeze(1));
        }
        return head->forward(y);
    }

    // Windows of several samples at once (training in mini-batches): x [L, C, inputs] with every
    // window padded with zeros to the longest L, lengths [C] (int64) its real steps, ctx [C, 3 ·
    // kContext] the context of each window's sample (platform kind; undefined otherwise). The
    // recurrent networks read packed sequences, so that neither direction sees the padding; the
    // Transformer masks it (src_key_padding_mask). Outputs at padded steps are left to the
    // caller's mask.
    torch::Tensor forward_batch(torch::Tensor x, const torch::Tensor& lengths, const torch::Tensor& ctx) {
        const std::int64_t steps = x.size(0), columns = x.size(1);
        if (kind == SequenceKind::platform)
            x = torch::cat({x, ctx.unsqueeze(0).expand({steps, columns, ctx.size(1)})}, 2);
        torch::Tensor y;
        if (gru || lstm) {
            namespace rnn = torch::nn::utils::rnn;
            const rnn::PackedSequence packed = rnn::pack_padded_sequence(x, lengths, false, false);
            const rnn::PackedSequence out = gru ? std::get<0>(gru->forward_with_packed_input(packed))
                                                : std::get<0>(lstm->forward_with_packed_input(packed));
            y = std::get<0>(rnn::pad_packed_sequence(out, false, 0.0, steps));
        } else {
            const torch::Tensor pad = torch::arange(steps).unsqueeze(0).expand({columns, steps}) >=
                                      lengths.unsqueeze(1); // [C, L], true: padding
            y = encoder->forward(proj->forward(x) + positions(steps).unsqueeze(1), {}, pad);
        }
        return head->forward(y);
    }
};
TORCH_MODULE(SeqNet);

int default_hidden(SequenceKind k) {
    return k == SequenceKind::transformer ? 20 : k == SequenceKind::platform ? 64 : 75;
}

// A sample as tensors: its windows [W, N, F] (one window of all jobs when they are ≤ 500),
// the window starts, hosts [H, Fh], scenario features [Fs], targets [W, N, T] (when known).
struct Tensors {
    torch::Tensor x, hosts, scenario, y;
    std::vector<std::int64_t> starts;
    std::int64_t jobs = 0, window = 0;
};

std::vector<std::int64_t> window_starts(std::int64_t n) {
    if (n <= kWindow)
        return {0};
    std::vector<std::int64_t> s;
    for (std::int64_t a = 0; a + kWindow < n; a += kStride)
        s.push_back(a);
    s.push_back(n - kWindow); // the last window ends with the last job
    return s;
}

} // namespace

std::string to_string(SequenceKind k) {
    switch (k) {
    case SequenceKind::gru:
        return "gru";
    case SequenceKind::lstm:
        return "lstm";
    case SequenceKind::transformer:
        return "transformer";
    case SequenceKind::platform:
        return "platform";
    }
    return "?";
}

struct SequenceModel::Impl {
    SequenceKind kind = SequenceKind::platform;
    int hidden = 0;
    std::vector<Transform> job_in, host_in, scen_in, target;
    mutable std::vector<SeqNet> nets; ///< the ensemble's members

    Tensors tensors(const SequenceSample& s, bool with_targets) const {
        Tensors t;
        const auto ni = static_cast<std::int64_t>(job_input_names().size());
        const auto n = static_cast<std::int64_t>(s.job_count());
        t.jobs = n;
        t.starts = window_starts(n);
        t.window = std::min(n, kWindow);
        const auto nw = static_cast<std::int64_t>(t.starts.size());
        std::vector<float> x(static_cast<std::size_t>(t.window * nw * (ni + 1)));
        std::vector<float> y;
        const auto nt = static_cast<std::int64_t>(job_target_names().size());
        if (with_targets)
            y.resize(static_cast<std::size_t>(t.window * nw * nt));
        for (std::int64_t step = 0; step < t.window; ++step)
            for (std::int64_t w = 0; w < nw; ++w) {
                const auto j = static_cast<std::size_t>(t.starts[static_cast<std::size_t>(w)] + step);
                float* row = &x[static_cast<std::size_t>((step * nw + w) * (ni + 1))];
                for (std::int64_t c = 0; c < ni; ++c) {
                    const auto cc = static_cast<std::size_t>(c);
                    row[c] = static_cast<float>(
                        job_in[cc].to(scaled(s.job_x[j * static_cast<std::size_t>(ni) + cc], kJobUnits[cc])));
                }
                row[ni] = static_cast<float>(static_cast<double>(step) / static_cast<double>(kWindow));
                if (with_targets)
                    for (std::int64_t c = 0; c < nt; ++c) {
                        const auto cc = static_cast<std::size_t>(c);
                        y[static_cast<std::size_t>((step * nw + w) * nt + c)] =
                            static_cast<float>(target[cc].to(
                                std::log1p(std::max(s.targets[j * static_cast<std::size_t>(nt) + cc], 0.0))));
                    }
            }
        t.x = torch::from_blob(x.data(), {t.window, nw, ni + 1}, torch::kFloat32).clone();
        if (with_targets)
            t.y = torch::from_blob(y.data(), {t.window, nw, nt}, torch::kFloat32).clone();
        const std::size_t nh = host_input_names().size(), hosts = s.host_count();
        std::vector<float> h(hosts * nh);
        for (std::size_t r = 0; r < hosts; ++r)
            for (std::size_t c = 0; c < nh; ++c)
                h[r * nh + c] =
                    static_cast<float>(host_in[c].to(scaled(s.host_x[r * nh + c], kHostUnits[c])));
        t.hosts =
            torch::from_blob(h.data(), {static_cast<std::int64_t>(hosts), static_cast<std::int64_t>(nh)},
                             torch::kFloat32)
                .clone();
        std::vector<float> f(s.scenario_x.size());
        for (std::size_t c = 0; c < f.size(); ++c)
            f[c] = static_cast<float>(scen_in[c].to(s.scenario_x[c]));
        t.scenario =
            torch::from_blob(f.data(), {static_cast<std::int64_t>(f.size())}, torch::kFloat32).clone();
        return t;
    }

    // Per job, the window it lies most central in, then that window's prediction (seconds).
    std::vector<double> unwindow(const Tensors& t, const torch::Tensor& z) const {
        const auto nt = static_cast<std::int64_t>(job_target_names().size());
        const torch::Tensor zc = z.contiguous();
        const float* p = zc.data_ptr<float>();
        const auto nw = static_cast<std::int64_t>(t.starts.size());
        std::vector<double> out(static_cast<std::size_t>(t.jobs * nt));
        for (std::int64_t j = 0; j < t.jobs; ++j) {
            std::int64_t best = 0;
            double dist = 1e300;
            for (std::int64_t w = 0; w < nw; ++w) {
                const std::int64_t a = t.starts[static_cast<std::size_t>(w)];
                if (j < a || j >= a + t.window)
                    continue;
                const double d =
                    std::abs(static_cast<double>(j - a) - 0.5 * static_cast<double>(t.window - 1));
                if (d < dist) {
                    dist = d;
                    best = w;
                }
            }
            const std::int64_t step = j - t.starts[static_cast<std::size_t>(best)];
            for (std::int64_t c = 0; c < nt; ++c)
                out[static_cast<std::size_t>(j * nt + c)] =
                    std::expm1(target[static_cast<std::size_t>(c)].from(p[(step * nw + best) * nt + c]));
        }
        return out;
    }
};

SequenceTrainConfig parse_sequence_config(const config::YamlView& root) {
    root.check_keys({"model", "data", "output", "hidden", "epochs", "learning_rate", "patience",
                     "validation_fraction", "max_samples", "seed", "threads", "ensemble", "batch_size"});
    SequenceTrainConfig c;
    const std::string kind = root.at("model").as_string();
    if (kind == "gru")
        c.kind = SequenceKind::gru;
    else if (kind == "lstm")
        c.kind = SequenceKind::lstm;
    else if (kind == "transformer")
        c.kind = SequenceKind::transformer;
    else if (kind == "platform")
        c.kind = SequenceKind::platform;
    else
        root.at("model").fail(
            fmt::format("'{}': expected summary, gru, lstm, transformer or platform", kind));
    c.data = root.at("data").as_string();
    if (root.has("output"))
        c.output = root.at("output").as_string();
    const auto integer = [&](const char* key, long long lo, long long hi) -> std::optional<long long> {
        if (!root.has(key))
            return std::nullopt;
        const long long x = root.at(key).as_int();
        if (x < lo || x > hi)
            root.at(key).fail(fmt::format("{} is outside [{}, {}]", x, lo, hi));
        return x;
    };
    if (const auto v = integer("hidden", 1, 4096))
        c.hidden = static_cast<int>(*v);
    if (const auto v = integer("epochs", 1, 100000))
        c.epochs = static_cast<int>(*v);
    if (const auto v = integer("patience", 0, 100000))
        c.patience = static_cast<int>(*v);
    if (const auto v = integer("max_samples", 0, 100000000))
        c.max_samples = static_cast<std::size_t>(*v);
    if (const auto v = integer("seed", 0, 1LL << 62))
        c.seed = static_cast<std::uint64_t>(*v);
    if (const auto v = integer("threads", 1, 1024))
        c.threads = static_cast<int>(*v);
    if (const auto v = integer("ensemble", 1, 100))
        c.ensemble = static_cast<int>(*v);
    if (const auto v = integer("batch_size", 1, 4096))
        c.batch_size = static_cast<int>(*v);
    if (root.has("learning_rate")) {
        c.learning_rate = root.at("learning_rate").as_double();
        if (!(c.learning_rate > 0 && c.learning_rate < 10))
            root.at("learning_rate").fail("must be in (0, 10)");
    }
    if (root.has("validation_fraction")) {
        c.validation_fraction = root.at("validation_fraction").as_double();
        if (!(c.validation_fraction > 0 && c.validation_fraction < 1))
            root.at("validation_fraction").fail("must be in (0, 1)");
    }
    return c;
}

namespace {

// Windows of several samples side by side (columns), padded with zeros to the longest window:
// what SeqNetImpl::forward_batch reads. `first[k]`: sample k's first column.
struct SideBySide {
    torch::Tensor x, y, mask, lengths, ctx;
    std::vector<std::int64_t> first;
};

SideBySide side_by_side(SeqNet& net, const std::vector<const Tensors*>& ts, bool with_targets) {
    using torch::indexing::Slice;
    std::int64_t steps = 0, columns = 0;
    for (const Tensors* t : ts) {
        steps = std::max(steps, t->x.size(0));
        columns += t->x.size(1);
    }
    SideBySide b;
    b.x = torch::zeros({steps, columns, ts.front()->x.size(2)});
    if (with_targets) {
        b.y = torch::zeros({steps, columns, ts.front()->y.size(2)});
        b.mask = torch::zeros({steps, columns, 1});
    }
    b.lengths = torch::empty({columns}, torch::kInt64);
    std::vector<torch::Tensor> ctx;
    std::int64_t c = 0;
    for (const Tensors* t : ts) {
        const std::int64_t l = t->x.size(0), w = t->x.size(1);
        b.first.push_back(c);
        b.x.index_put_({Slice(0, l), Slice(c, c + w)}, t->x);
        if (with_targets) {
            b.y.index_put_({Slice(0, l), Slice(c, c + w)}, t->y);
            b.mask.index_put_({Slice(0, l), Slice(c, c + w)}, 1.0);
        }
        b.lengths.index_put_({Slice(c, c + w)}, l);
        if (net->kind == SequenceKind::platform)
            ctx.push_back(net->context(t->hosts, t->scenario).unsqueeze(0).expand({w, -1}));
        c += w;
    }
    if (!ctx.empty())
        b.ctx = torch::cat(ctx, 0);
    return b;
}

// The mean squared error over the real steps of samples `which` of `tt`, run as one batch.
torch::Tensor batch_loss(SeqNet& net, const std::vector<Tensors>& tt, const std::vector<std::size_t>& which) {
    std::vector<const Tensors*> ts;
    for (const auto i : which)
        ts.push_back(&tt[i]);
    const SideBySide b = side_by_side(net, ts, true);
    const torch::Tensor pred = net->forward_batch(b.x, b.lengths, b.ctx);
    return ((pred - b.y).pow(2) * b.mask).sum() / (b.mask.sum() * b.y.size(2));
}

} // namespace

SequenceTrainReport train_sequence(const SequenceTrainConfig& config,
                                   const std::function<void(int, int, double, double)>& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<SequenceSample> samples = load_sequences(config.data, config.max_samples);
    const std::size_t n = samples.size();
    if (n < 3)
        throw InputError(config.data, 0, "", fmt::format("{} samples: a per-job model needs at least 3", n));
    const detail::Split split = detail::seeded_split(n, config.validation_fraction, config.seed, 1);
    const std::vector<std::size_t>& train = split.train;
    const std::vector<std::size_t>& val = split.validation;
    std::mt19937_64 rng(config.seed);

    auto impl = std::make_shared<SequenceModel::Impl>();
    impl->kind = config.kind;
    impl->hidden = config.hidden > 0 ? config.hidden : default_hidden(config.kind);
    // transforms fitted on the training samples
    const std::size_t ni = job_input_names().size(), nh = host_input_names().size(),
                      nt = job_target_names().size(), nf = feature_names().size();
    std::vector<std::vector<double>> cj(ni), ch(nh), cf(nf), ct(nt);
    std::size_t jobs = 0;
    for (const auto k : train) {
        const auto& s = samples[k];
        jobs += s.job_count();
        for (std::size_t j = 0; j < s.job_count(); ++j) {
            for (std::size_t c = 0; c < ni; ++c)
                cj[c].push_back(scaled(s.job_x[j * ni + c], kJobUnits[c]));
            for (std::size_t c = 0; c < nt; ++c)
                ct[c].push_back(std::log1p(std::max(s.targets[j * nt + c], 0.0)));
        }
        for (std::size_t h = 0; h < s.host_count(); ++h)
            for (std::size_t c = 0; c < nh; ++c)
                ch[c].push_back(scaled(s.host_x[h * nh + c], kHostUnits[c]));
        for (std::size_t c = 0; c < nf; ++c)
            cf[c].push_back(s.scenario_x[c]);
    }
    const auto fit = [](const std::vector<std::vector<double>>& cols, bool allow_log) {
        std::vector<Transform> out;
        for (const auto& v : cols) {
            Transform t = Transform::fit(v, allow_log, allow_log ? 0.05 : 0.0);
            if (!(t.scale > 1e-12))
                t.scale = 1; // a constant column: centred, not scaled
            out.push_back(t);
        }
        return out;
    };
    impl->job_in = fit(cj, false);
    impl->host_in = fit(ch, false);
    impl->scen_in = fit(cf, true);
    impl->target = fit(ct, false);

    std::error_code ec;
    fs::create_directories(config.output, ec);
    if (ec)
        throw OutputError(config.output, 0, "", fmt::format("cannot create directory: {}", ec.message()));
    const detail::TorchThreads threads(config.threads);
    std::vector<Tensors> tt, tv;
    for (const auto k : train)
        tt.push_back(impl->tensors(samples[k], true));
    for (const auto k : val)
        tv.push_back(impl->tensors(samples[k], true));
    SequenceTrainReport report;
    report.train_samples = train.size();
    report.validation_samples = val.size();
    report.jobs = jobs;
    report.best_validation_loss = 0;
    // The members of the ensemble: each from its own initialisation and order of samples.
    for (int member = 0; member < config.ensemble; ++member) {
        const auto m = static_cast<std::uint64_t>(member);
        torch::manual_seed(config.seed + 7919 * m);
        std::mt19937_64 order_rng(config.seed * 31 + m);
        SeqNet net(config.kind, impl->hidden, static_cast<std::int64_t>(ni + 1),
                   static_cast<std::int64_t>(nh), static_cast<std::int64_t>(nf),
                   static_cast<std::int64_t>(nt));
        torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(config.learning_rate));
        std::vector<std::size_t> perm(tt.size());
        const detail::Stopped stopped =
            detail::early_stopping(net->parameters(), config.epochs, config.patience, [&](int epoch) {
                net->train();
                for (std::size_t i = 0; i < perm.size(); ++i)
                    perm[i] = i;
                detail::shuffle(perm, order_rng);
                double train_loss = 0;
                const auto batch = static_cast<std::size_t>(config.batch_size);
                for (std::size_t at = 0; at < perm.size(); at += batch) {
                    const std::size_t end = std::min(perm.size(), at + batch);
                    opt.zero_grad();
                    const torch::Tensor loss =
                        batch == 1 ? torch::mse_loss(net->forward(tt[perm[at]].x, tt[perm[at]].hosts,
                                                                  tt[perm[at]].scenario),
                                                     tt[perm[at]].y)
                                   : batch_loss(net, tt,
                                                {perm.begin() + static_cast<std::ptrdiff_t>(at),
                                                 perm.begin() + static_cast<std::ptrdiff_t>(end)});
                    loss.backward();
                    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
                    opt.step();
                    train_loss +=
                        loss.item<double>() * static_cast<double>(end - at) / static_cast<double>(tt.size());
                }
                net->eval();
                torch::NoGradGuard no_grad;
                double vloss = 0; // each sample's mean squared error, averaged over the samples
                if (batch == 1) {
                    for (const auto& t : tv)
                        vloss += torch::mse_loss(net->forward(t.x, t.hosts, t.scenario), t.y).item<double>() /
                                 static_cast<double>(tv.size());
                } else {
                    for (std::size_t at = 0; at < tv.size(); at += batch) {
                        std::vector<const Tensors*> ts;
                        for (std::size_t k = at; k < std::min(tv.size(), at + batch); ++k)
                            ts.push_back(&tv[k]);
                        const SideBySide b = side_by_side(net, ts, true);
                        const torch::Tensor sq = (net->forward_batch(b.x, b.lengths, b.ctx) - b.y).pow(2);
                        for (std::size_t k = 0; k < ts.size(); ++k) {
                            using torch::indexing::Slice;
                            const std::int64_t l = ts[k]->x.size(0), w = ts[k]->x.size(1);
                            vloss += sq.index({Slice(0, l), Slice(b.first[k], b.first[k] + w)})
                                         .mean()
                                         .item<double>() /
                                     static_cast<double>(tv.size());
                        }
                    }
                }
                if (progress)
                    progress(member, epoch, train_loss, vloss);
                return vloss;
            });
        net->eval();
        report.best_epochs.push_back(stopped.best_epoch);
        report.epochs_run.push_back(stopped.epochs_run);
        report.best_validation_loss += stopped.best / static_cast<double>(config.ensemble);
        const std::string file = (fs::path(config.output) / fmt::format("network_{}.pt", member)).string();
        detail::save_network(net, file);
        impl->nets.push_back(net);
    }
    const double best = report.best_validation_loss;

    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto json_of = [](const std::vector<Transform>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& t : v)
            a.push_back(t.json());
        return a;
    };
    nlohmann::json m;
    m["kind"] = to_string(config.kind);
    m["format"] = 1;
    m["hidden"] = impl->hidden;
    m["ensemble"] = config.ensemble;
    m["job_inputs"] = job_input_names();
    m["host_inputs"] = host_input_names();
    m["features"] = feature_names();
    m["targets"] = job_target_names();
    m["job_transforms"] = json_of(impl->job_in);
    m["host_transforms"] = json_of(impl->host_in);
    m["feature_transforms"] = json_of(impl->scen_in);
    m["target_transforms"] = json_of(impl->target);
    m["training"] = {{"data", fs::absolute(config.data).string()},
                     {"train_samples", report.train_samples},
                     {"validation_samples", report.validation_samples},
                     {"jobs", report.jobs},
                     {"best_epochs", report.best_epochs},
                     {"epochs_run", report.epochs_run},
                     {"best_validation_loss", best},
                     {"seconds", report.seconds},
                     {"seed", config.seed}};
    write_json_file(fs::path(config.output) / detail::kManifest, m, 2);
    return report;
}

SequenceModel::SequenceModel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

SequenceKind SequenceModel::kind() const {
    return impl_->kind;
}

SequenceModel SequenceModel::load(const std::string& directory) {
    const std::string path = (fs::path(directory) / detail::kManifest).string();
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "", "cannot read: not a model directory of `hepkit surrogate train`");
    auto impl = std::make_shared<Impl>();
    int ensemble = 1;
    try {
        const nlohmann::json m = nlohmann::json::parse(in);
        const std::string kind = m.at("kind").get<std::string>();
        bool known = false;
        for (const auto k :
             {SequenceKind::gru, SequenceKind::lstm, SequenceKind::transformer, SequenceKind::platform})
            if (kind == to_string(k)) {
                impl->kind = k;
                known = true;
            }
        if (!known)
            throw InputError(path, 0, "kind", fmt::format("'{}': not a per-job model", kind));
        if (m.at("job_inputs") != job_input_names() || m.at("host_inputs") != host_input_names() ||
            m.at("features") != feature_names() || m.at("targets") != job_target_names())
            throw InputError(path, 0, "", "made by another hepkit version (other inputs): train it again");
        impl->hidden = m.at("hidden").get<int>();
        ensemble = m.at("ensemble").get<int>();
        if (ensemble < 1 || ensemble > 100)
            throw InputError(path, 0, "ensemble",
                             fmt::format("{} networks: not a model of this hepkit", ensemble));
        const auto read = [&](const char* key) {
            std::vector<Transform> v;
            for (const auto& t : m.at(key))
                v.push_back(Transform::from_json(t));
            return v;
        };
        impl->job_in = read("job_transforms");
        impl->host_in = read("host_transforms");
        impl->scen_in = read("feature_transforms");
        impl->target = read("target_transforms");
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", fmt::format("not a model description: {}", e.what()));
    }
    for (int member = 0; member < ensemble; ++member) {
        SeqNet net(impl->kind, impl->hidden, static_cast<std::int64_t>(job_input_names().size() + 1),
                   static_cast<std::int64_t>(host_input_names().size()),
                   static_cast<std::int64_t>(feature_names().size()),
                   static_cast<std::int64_t>(job_target_names().size()));
        const std::string file = (fs::path(directory) / fmt::format("network_{}.pt", member)).string();
        detail::load_network(net, file);
        impl->nets.push_back(net);
    }
    return SequenceModel(impl);
}

std::vector<double> SequenceModel::predict(const SequenceSample& s) const {
    return predict_members(s).front();
}

std::vector<std::vector<double>> SequenceModel::predict_members(const SequenceSample& s) const {
    // front(): the ensemble's mean; then each member's prediction
    std::vector<std::vector<double>> out(1);
    if (s.job_count() == 0)
        return out;
    const Tensors t = impl_->tensors(s, false);
    torch::NoGradGuard no_grad;
    for (SeqNet net : impl_->nets) // a holder: a shared pointer to the module, whose forward is not const
        out.push_back(impl_->unwindow(t, net->forward(t.x, t.hosts, t.scenario)));
    out[0].assign(out[1].size(), 0.0);
    const double members = static_cast<double>(impl_->nets.size());
    for (std::size_t k = 1; k < out.size(); ++k)
        for (std::size_t i = 0; i < out[0].size(); ++i)
            out[0][i] += out[k][i] / members;
    return out;
}

std::vector<std::vector<double>>
SequenceModel::predict_batch(const std::vector<SequenceSample>& samples) const {
    std::vector<std::vector<double>> out(samples.size());
    std::vector<Tensors> ts;
    std::vector<const Tensors*> with_jobs;
    std::vector<std::size_t> index;
    ts.reserve(samples.size());
    for (std::size_t k = 0; k < samples.size(); ++k)
        if (samples[k].job_count() > 0) {
            ts.push_back(impl_->tensors(samples[k], false));
            index.push_back(k);
        }
    for (const auto& t : ts)
        with_jobs.push_back(&t);
    if (with_jobs.empty())
        return out;
    torch::NoGradGuard no_grad;
    const double members = static_cast<double>(impl_->nets.size());
    for (SeqNet net : impl_->nets) {
        const SideBySide b = side_by_side(net, with_jobs, false);
        const torch::Tensor z = net->forward_batch(b.x, b.lengths, b.ctx);
        for (std::size_t j = 0; j < ts.size(); ++j) {
            using torch::indexing::Slice;
            const Tensors& t = ts[j];
            const std::vector<double> p = impl_->unwindow(
                t, z.index({Slice(0, t.x.size(0)), Slice(b.first[j], b.first[j] + t.x.size(1))}));
            std::vector<double>& mean = out[index[j]];
            mean.resize(p.size(), 0.0);
            for (std::size_t i = 0; i < p.size(); ++i)
                mean[i] += p[i] / members;
        }
    }
    return out;
}

std::size_t SequenceModel::members() const {
    return impl_->nets.size();
}

SequenceEvaluation evaluate_sequence(const SequenceModel& model, const std::string& data_dir,
                                     std::size_t max_samples) {
    const std::vector<SequenceSample> samples = load_sequences(data_dir, max_samples);
    SequenceEvaluation e;
    e.targets = job_target_names();
    e.samples = samples.size();
    const std::size_t nt = e.targets.size();
    e.rel_mae.assign(nt, 0.0);
    std::vector<std::size_t> counted(nt, 0);
    for (const auto& s : samples) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<double> p = model.predict(s);
        e.predict_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double makespan = 0, pred_makespan = 0, wall = 0, pred_wall = 0, start_err = 0, end_err = 0;
        const std::size_t n = s.job_count();
        for (std::size_t j = 0; j < n; ++j) {
            const double* y = &s.targets[j * nt];
            const double* q = &p[j * nt];
            makespan = std::max(makespan, y[0] + y[1]);
            pred_makespan = std::max(pred_makespan, q[0] + q[1]);
            wall += y[1] / static_cast<double>(n);
            pred_wall += q[1] / static_cast<double>(n);
            start_err += std::abs(q[0] - y[0]);
            end_err += std::abs(q[0] + q[1] - y[0] - y[1]);
            for (std::size_t c = 0; c < nt; ++c)
                if (y[c] >= 1.0) {
                    e.rel_mae[c] += std::abs(q[c] - y[c]) / y[c];
                    ++counted[c];
                }
        }
        e.jobs += n;
        if (n > 0 && makespan > 0) {
            // The throughput curve: the times by which 10, 25, 50, 75 and 90 % of the jobs ended
            // (the summary's t10 … t90), predicted against simulated.
            std::vector<double> ends(n), pred_ends(n);
            for (std::size_t j = 0; j < n; ++j) {
                ends[j] = s.targets[j * nt] + s.targets[j * nt + 1];
                pred_ends[j] = p[j * nt] + p[j * nt + 1];
            }
            std::sort(ends.begin(), ends.end());
            std::sort(pred_ends.begin(), pred_ends.end());
            double curve = 0;
            for (const double q : {0.10, 0.25, 0.50, 0.75, 0.90}) {
                const auto i =
                    std::min(n - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(n))) - 1);
                curve += ends[i] > 0 ? std::abs(pred_ends[i] - ends[i]) / ends[i] / 5 : 0;
            }
            e.throughput_rel_mae += curve;
            e.start_mae_of_makespan += start_err / static_cast<double>(n) / makespan;
            e.end_mae_of_makespan += end_err / static_cast<double>(n) / makespan;
            e.makespan_rel_mae += std::abs(pred_makespan - makespan) / makespan;
            e.mean_wall_rel_mae += wall > 0 ? std::abs(pred_wall - wall) / wall : 0;
        }
    }
    for (std::size_t c = 0; c < nt; ++c)
        e.rel_mae[c] = counted[c] ? e.rel_mae[c] / static_cast<double>(counted[c]) : 0;
    const double ns = std::max<double>(static_cast<double>(e.samples), 1);
    e.start_mae_of_makespan /= ns;
    e.end_mae_of_makespan /= ns;
    e.makespan_rel_mae /= ns;
    e.mean_wall_rel_mae /= ns;
    e.throughput_rel_mae /= ns;
    return e;
}

} // namespace hepkit::surrogate
