// The per-job surrogates on libtorch (the networks: SeqNet.hpp): training, loading, prediction and
// evaluation. Inputs log1p-scaled and standardised, targets log1p(seconds) standardised (less
// log1p of an estimate with residual targets: Impl::anchor); windows of
// 500 jobs overlapping by 250, batched; the platform model's machine head (Machines.hpp) trained
// with the times.

#include "hepkit/surrogate/SequenceModel.hpp"

#include "Machines.hpp"
#include "ModelOutput.hpp"
#include "SeqNet.hpp"
#include "SequenceSpread.hpp"
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
#include <utility>

namespace hepkit::surrogate {

namespace fs = std::filesystem;
using detail::SeqNet;
using detail::Transform;

namespace {

constexpr std::int64_t kWindow = 500, kStride = 250; // arXiv:2502.12741's windows
// What the placement estimates (TimedPlacement.cpp, PlacedOutputs.cpp) mean, by session: 3 reads
// bounded by the TCP window, at the bandwidth factor, streaming readers in the copy jobs' crowd by
// their duty there (13th); 4 an output write shares its storage host's disk with the readers
// streaming from it; 5 it is held to its share on its way back too (cross-traffic; both 14th); 6 a
// copy job reads on its routes only before it computes (15th); 7 a streaming job's duration
// overlaps its reads with its compute, with the XRootD overhead (16th); 8 a max-min write followed
// through its life, a streaming reader's last block computed without reading (24th). A model
// trained on other estimates would read inputs it never saw.
constexpr int kPlacementEstimates = 8;
// log1p(x / unit) per input column (0: a flag, kept as it is); the placed output write is in
// seconds (most writes take 0.1–10 s, the other placed times minutes)
constexpr double kJobUnits[] = {60, 1, 1e9, 1e12, 1e9, 1e9, 1, 1e9, 1, 60, 60, 1, 60, 1, 60, 60, 60};
constexpr double kHostUnits[] = {1, 1e9, 0, 0, 0, 1e9, 1e9, 1e9, 1e-3};

double scaled(double x, double unit) {
    return unit == 0 ? x : std::log1p(std::max(x, 0.0) / unit);
}

int default_hidden(SequenceKind k) {
    return k == SequenceKind::transformer ? 20 : k == SequenceKind::platform ? 64 : 75;
}

// A sample as tensors: its windows [W, N, F] (one window of all jobs when they are ≤ 500),
// the window starts, hosts [H, Fh], scenario features [Fs], targets [W, N, T] (when known); for
// the machine head the worker hosts [H] (bool), each host's class of identical hosts [H] and the
// host each job ran on [W, N] (int64, −1 where not known).
struct Tensors {
    torch::Tensor x, hosts, scenario, y;
    torch::Tensor workers, host_class, machine;
    std::vector<std::int64_t> starts;
    std::int64_t jobs = 0, window = 0;
    /// Per job and target, what the network's log-target is relative to: log1p of the
    /// placement's estimate for a model with residual targets, else 0 (Impl::anchor).
    std::vector<double> anchors;
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
    bool machines = false; ///< the networks have a machine head
    bool placed = false;   ///< the platform model reads the placement's job inputs
    bool residual = false; ///< times relative to the placement's estimates (anchor)
    std::vector<Transform> job_in, host_in, scen_in, target;
    /// The training samples' features' ranges and settings (Domain.hpp); empty for a model
    /// trained before hepkit recorded them: nothing checked.
    std::vector<double> lo, hi;
    SettingsDomain settings;
    mutable std::vector<SeqNet> nets; ///< the ensemble's members
    /// SequenceModel::spread_scale(): 1 until a training calibrates it
    std::vector<double> spread_scale = std::vector<double>(detail::spread_scale_names().size(), 1.0);

    // Target c of job j is learned as log1p(time) − this: with residual targets, log1p of an
    // estimate of that time from the job's inputs (SequenceTrainConfig::residual_targets), else 0.
    double anchor(const SequenceSample& s, std::size_t j, std::size_t c) const {
        if (!residual)
            return 0.0;
        const double* x = &s.job_x[j * job_input_names().size()];
        const double* placed = x + kPlacedInputs;
        // start: the placement's estimated start (TimedPlacement.hpp); wall: its compute, input
        // and output estimates one after another
        const double estimate = c == 0   ? placed[4]
                                : c == 1 ? placed[1] + placed[2] + placed[3]
                                         : placed[c - 1];
        return std::log1p(std::max(estimate, 0.0));
    }

    // The per-job inputs a network of this kind reads: the paper's baselines its inputs, the
    // platform-aware model the placement's too (SequenceData.hpp).
    std::int64_t job_inputs() const {
        return static_cast<std::int64_t>(placed ? job_input_names().size() : kPlacedInputs);
    }

    Tensors tensors(const SequenceSample& s, bool with_targets) const {
        Tensors t;
        const auto stride = job_input_names().size();
        const std::int64_t ni = job_inputs();
        const auto n = static_cast<std::int64_t>(s.job_count());
        t.jobs = n;
        const auto nt_ = job_target_names().size();
        t.anchors.assign(static_cast<std::size_t>(n) * nt_, 0.0);
        if (residual)
            for (std::size_t j = 0; j < s.job_count(); ++j)
                for (std::size_t c = 0; c < nt_; ++c)
                    t.anchors[j * nt_ + c] = anchor(s, j, c);
        t.starts = window_starts(n);
        t.window = std::min(n, kWindow);
        const auto nw = static_cast<std::int64_t>(t.starts.size());
        std::vector<float> x(static_cast<std::size_t>(t.window * nw * (ni + 1)));
        std::vector<float> y;
        const auto nt = static_cast<std::int64_t>(job_target_names().size());
        std::vector<std::int64_t> machine;
        if (with_targets) {
            y.resize(static_cast<std::size_t>(t.window * nw * nt));
            machine.assign(static_cast<std::size_t>(t.window * nw), -1);
        }
        for (std::int64_t step = 0; step < t.window; ++step)
            for (std::int64_t w = 0; w < nw; ++w) {
                const auto j = static_cast<std::size_t>(t.starts[static_cast<std::size_t>(w)] + step);
                float* row = &x[static_cast<std::size_t>((step * nw + w) * (ni + 1))];
                for (std::int64_t c = 0; c < ni; ++c) {
                    const auto cc = static_cast<std::size_t>(c);
                    row[c] =
                        static_cast<float>(job_in[cc].to(scaled(s.job_x[j * stride + cc], kJobUnits[cc])));
                }
                row[ni] = static_cast<float>(static_cast<double>(step) / static_cast<double>(kWindow));
                if (with_targets && j < s.machines.size())
                    machine[static_cast<std::size_t>(step * nw + w)] = s.machines[j];
                if (with_targets)
                    for (std::int64_t c = 0; c < nt; ++c) {
                        const auto cc = static_cast<std::size_t>(c);
                        y[static_cast<std::size_t>((step * nw + w) * nt + c)] =
                            static_cast<float>(target[cc].to(
                                std::log1p(std::max(s.targets[j * static_cast<std::size_t>(nt) + cc], 0.0)) -
                                t.anchors[j * static_cast<std::size_t>(nt) + cc]));
                    }
            }
        t.x = torch::from_blob(x.data(), {t.window, nw, ni + 1}, torch::kFloat32).clone();
        if (with_targets) {
            t.y = torch::from_blob(y.data(), {t.window, nw, nt}, torch::kFloat32).clone();
            t.machine = torch::from_blob(machine.data(), {t.window, nw}, torch::kInt64).clone();
        }
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
        if (machines) {
            std::vector<std::int64_t> cls = detail::host_classes(s);
            t.host_class =
                torch::from_blob(cls.data(), {static_cast<std::int64_t>(hosts)}, torch::kInt64).clone();
            std::vector<std::uint8_t> worker(hosts);
            for (std::size_t r = 0; r < hosts; ++r)
                worker[r] = s.worker(r) ? 1 : 0;
            t.workers = torch::from_blob(worker.data(), {static_cast<std::int64_t>(hosts)}, torch::kUInt8)
                            .to(torch::kBool);
        }
        std::vector<float> f(s.scenario_x.size());
        for (std::size_t c = 0; c < f.size(); ++c)
            f[c] = static_cast<float>(scen_in[c].to(s.scenario_x[c]));
        t.scenario =
            torch::from_blob(f.data(), {static_cast<std::int64_t>(f.size())}, torch::kFloat32).clone();
        return t;
    }

    // Job j's place in the windows: the index of the step (step · windows + window) of the
    // window it lies most central in.
    static std::int64_t central(const Tensors& t, std::int64_t j) {
        const auto nw = static_cast<std::int64_t>(t.starts.size());
        std::int64_t best = 0;
        double dist = 1e300;
        for (std::int64_t w = 0; w < nw; ++w) {
            const std::int64_t a = t.starts[static_cast<std::size_t>(w)];
            if (j < a || j >= a + t.window)
                continue;
            const double d = std::abs(static_cast<double>(j - a) - 0.5 * static_cast<double>(t.window - 1));
            if (d < dist) {
                dist = d;
                best = w;
            }
        }
        return (j - t.starts[static_cast<std::size_t>(best)]) * nw + best;
    }

    // Per job, its central window's prediction (seconds; a time is never negative, though
    // expm1 of a standardised log-target can be by a little).
    std::vector<double> unwindow(const Tensors& t, const torch::Tensor& z) const {
        const auto nt = static_cast<std::int64_t>(job_target_names().size());
        const torch::Tensor zc = z.contiguous();
        const float* p = zc.data_ptr<float>();
        std::vector<double> out(static_cast<std::size_t>(t.jobs * nt));
        for (std::int64_t j = 0; j < t.jobs; ++j) {
            const std::int64_t at = central(t, j);
            for (std::int64_t c = 0; c < nt; ++c)
                out[static_cast<std::size_t>(j * nt + c)] =
                    std::max(0.0, std::expm1(target[static_cast<std::size_t>(c)].from(p[at * nt + c]) +
                                             t.anchors[static_cast<std::size_t>(j * nt + c)]));
        }
        return out;
    }

    // A network: its kind and sizes, with a machine head where the model has one.
    SeqNet network() const {
        return SeqNet(kind, hidden, job_inputs() + 1, static_cast<std::int64_t>(host_input_names().size()),
                      static_cast<std::int64_t>(feature_names().size()),
                      static_cast<std::int64_t>(job_target_names().size()), machines);
    }
};

namespace {

// Windows of several samples side by side (columns), padded with zeros to the longest window:
// what SeqNetImpl::trunk_batch reads. `first[k]`: sample k's first column.
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

// What a training minimises (SequenceTrainConfig::loss): each time's error on its standardised
// log-target, squared (mse), absolute (l1) or relative (close to the evaluation's metric), and
// the machine head's loss, weighted.
struct LossSpec {
    SequenceLoss loss = SequenceLoss::mse;
    double machine_weight = 0;
    /// Each target's standardisation scale (log1p seconds per standard unit): `relative` turns a
    /// standardised difference back into log1p seconds.
    torch::Tensor scale;
    torch::Tensor error(const torch::Tensor& d) const {
        switch (loss) {
        case SequenceLoss::mse:
            return d.pow(2);
        case SequenceLoss::l1:
            return d.abs();
        case SequenceLoss::relative:
            return detail::relative_loss(d, scale);
        }
        return d.pow(2);
    }
};

// Samples' losses from their trunk outputs ys (each sample's real steps): per sample its times'
// summed error and, with a machine head, its machine negative log-likelihood (summed) and the
// steps it counts over.
struct SampleLoss {
    torch::Tensor error, nll;
    std::int64_t machine_steps = 0;
};
std::vector<SampleLoss> sample_losses(SeqNet& net, const std::vector<const Tensors*>& ts,
                                      const std::vector<torch::Tensor>& ys, const LossSpec& spec) {
    std::vector<SampleLoss> out;
    for (std::size_t k = 0; k < ts.size(); ++k) {
        const auto [times, scores] = net->heads(ys[k], ts[k]->hosts, ts[k]->workers);
        SampleLoss l;
        l.error = spec.error(times - ts[k]->y).sum();
        if (scores.defined())
            std::tie(l.nll, l.machine_steps) = detail::machine_nll(scores, ts[k]->machine, ts[k]->host_class);
        out.push_back(l);
    }
    return out;
}

// The times' mean error over all steps of `losses` (`elements`: steps × targets) plus the
// machine head's mean negative log-likelihood, weighted.
torch::Tensor combined(const std::vector<SampleLoss>& losses, double elements, const LossSpec& spec) {
    torch::Tensor error = torch::zeros({}), nll = torch::zeros({});
    std::int64_t steps = 0;
    for (const SampleLoss& l : losses) {
        error = error + l.error;
        if (l.nll.defined()) {
            nll = nll + l.nll;
            steps += l.machine_steps;
        }
    }
    torch::Tensor loss = error / elements;
    if (steps > 0 && spec.machine_weight > 0)
        loss = loss + spec.machine_weight * nll / static_cast<double>(steps);
    return loss;
}

double elements_of(const Tensors& t) {
    return static_cast<double>(t.y.numel());
}

// One sample's loss: the times' mean error, and the machine head's (weighted).
torch::Tensor sample_loss(SeqNet& net, const Tensors& t, const LossSpec& spec) {
    const torch::Tensor y = net->trunk(t.x, t.hosts, t.scenario);
    if (!net->has_machine_head())
        return spec.error(net->head->forward(y) - t.y).mean();
    return combined(sample_losses(net, {&t}, {y}, spec), elements_of(t), spec);
}

// Samples run as one batch: the times' mean error over their real steps, and the machine head's
// loss; `per_sample`: each sample's own loss instead, summed (validation).
torch::Tensor batch_loss(SeqNet& net, const std::vector<const Tensors*>& ts, const LossSpec& spec,
                         bool per_sample = false) {
    using torch::indexing::Slice;
    const SideBySide b = side_by_side(net, ts, true);
    const torch::Tensor y = net->trunk_batch(b.x, b.lengths, b.ctx);
    if (!net->has_machine_head() && !per_sample) // the times alone, over the padded batch
        return (spec.error(net->head->forward(y) - b.y) * b.mask).sum() / (b.mask.sum() * b.y.size(2));
    std::vector<torch::Tensor> ys; // each sample's real steps
    double elements = 0;
    for (std::size_t k = 0; k < ts.size(); ++k) {
        ys.push_back(y.index({Slice(0, ts[k]->x.size(0)), Slice(b.first[k], b.first[k] + ts[k]->x.size(1))}));
        elements += elements_of(*ts[k]);
    }
    if (!net->has_machine_head()) { // validation: each sample's mean error, as sample_loss
        torch::Tensor sum = torch::zeros({});
        for (std::size_t k = 0; k < ts.size(); ++k)
            sum = sum + spec.error(net->head->forward(ys[k]) - ts[k]->y).mean();
        return sum;
    }
    const std::vector<SampleLoss> losses = sample_losses(net, ts, ys, spec);
    if (!per_sample)
        return combined(losses, elements, spec);
    torch::Tensor sum = torch::zeros({});
    for (std::size_t k = 0; k < ts.size(); ++k)
        sum = sum + combined({losses[k]}, elements_of(*ts[k]), spec);
    return sum;
}

} // namespace

SequenceTrainReport train_sequence(const SequenceTrainConfig& config,
                                   const std::function<void(int, int, double, double)>& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    static_assert(std::size(kJobUnits) == 17 && std::size(kHostUnits) == 9); // one per input name
    if (job_input_names().size() != std::size(kJobUnits) ||
        host_input_names().size() != std::size(kHostUnits))
        throw std::logic_error("surrogate: an input without its unit (kJobUnits, kHostUnits)");
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
    impl->machines = config.kind == SequenceKind::platform && config.machine_weight > 0;
    impl->placed = config.kind == SequenceKind::platform && config.placement_inputs;
    impl->residual = impl->placed && config.residual_targets;
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
                ct[c].push_back(std::log1p(std::max(s.targets[j * nt + c], 0.0)) - impl->anchor(s, j, c));
        }
        for (std::size_t h = 0; h < s.host_count(); ++h)
            for (std::size_t c = 0; c < nh; ++c)
                ch[c].push_back(scaled(s.host_x[h * nh + c], kHostUnits[c]));
        for (std::size_t c = 0; c < nf; ++c)
            cf[c].push_back(s.scenario_x[c]);
        impl->settings.add(s.settings);
    }
    for (std::size_t c = 0; c < nf; ++c) {
        impl->lo.push_back(*std::min_element(cf[c].begin(), cf[c].end()));
        impl->hi.push_back(*std::max_element(cf[c].begin(), cf[c].end()));
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

    detail::ModelOutput output(config.output); // staged, in place at the end (ModelOutput.hpp)
    const detail::TorchThreads threads(config.threads);
    std::vector<float> target_scale;
    for (const Transform& t : impl->target)
        target_scale.push_back(static_cast<float>(t.scale));
    const LossSpec spec{config.loss, config.machine_weight, torch::tensor(target_scale)};
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
        SeqNet net = impl->network();
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
                    std::vector<const Tensors*> ts;
                    for (std::size_t k = at; k < end; ++k)
                        ts.push_back(&tt[perm[k]]);
                    const torch::Tensor loss =
                        batch == 1 ? sample_loss(net, *ts.front(), spec) : batch_loss(net, ts, spec);
                    loss.backward();
                    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
                    opt.step();
                    train_loss +=
                        loss.item<double>() * static_cast<double>(end - at) / static_cast<double>(tt.size());
                }
                net->eval();
                torch::NoGradGuard no_grad;
                double vloss = 0; // each sample's loss, averaged over the samples
                for (std::size_t at = 0; at < tv.size(); at += batch) {
                    std::vector<const Tensors*> ts;
                    for (std::size_t k = at; k < std::min(tv.size(), at + batch); ++k)
                        ts.push_back(&tv[k]);
                    vloss +=
                        (batch == 1 ? sample_loss(net, *ts.front(), spec) : batch_loss(net, ts, spec, true))
                            .item<double>() /
                        static_cast<double>(tv.size());
                }
                if (progress)
                    progress(member, epoch, train_loss, vloss);
                return vloss;
            });
        net->eval();
        report.best_epochs.push_back(stopped.best_epoch);
        report.epochs_run.push_back(stopped.epochs_run);
        report.best_validation_loss += stopped.best / static_cast<double>(config.ensemble);
        const std::string file = (output.dir() / fmt::format("network_{}.pt", member)).string();
        detail::save_network(net, file);
        impl->nets.push_back(net);
    }
    const double best = report.best_validation_loss;
    // The ensemble's spread calibrated on the validation samples (SequenceSpread.hpp): after
    // training, so that early stopping never saw it.
    if (config.ensemble >= 2 && !val.empty()) {
        std::vector<const SequenceSample*> held;
        for (const std::size_t i : val)
            held.push_back(&samples[i]);
        impl->spread_scale = detail::fit_spread_scale(SequenceModel(impl), held);
    }

    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto json_of = [](const std::vector<Transform>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& t : v)
            a.push_back(t.json());
        return a;
    };
    nlohmann::json m;
    m["kind"] = to_string(config.kind);
    // 2: the platform model's machine head with placement-aware times (a format-1 model with a
    // head has a narrower time head)
    m["format"] = impl->machines ? 2 : 1;
    m["hidden"] = impl->hidden;
    m["machine_head"] = impl->machines;
    m["machine_weight"] = impl->machines ? config.machine_weight : 0.0;
    m["placement_inputs"] = impl->placed;
    if (impl->placed)
        m["placement_estimates"] = kPlacementEstimates;
    m["residual_targets"] = impl->residual;
    m["ensemble"] = config.ensemble;
    m["job_inputs"] = job_input_names();
    m["host_inputs"] = host_input_names();
    m["features"] = feature_names();
    m["targets"] = job_target_names();
    m["job_transforms"] = json_of(impl->job_in);
    m["host_transforms"] = json_of(impl->host_in);
    m["feature_transforms"] = json_of(impl->scen_in);
    m["target_transforms"] = json_of(impl->target);
    m["domain"] = {{"min", impl->lo}, {"max", impl->hi}};
    m["settings"] = detail::settings_json(impl->settings);
    if (config.ensemble >= 2)
        for (std::size_t c = 0; c < impl->spread_scale.size(); ++c)
            m["spread_scale"][detail::spread_scale_names()[c]] = impl->spread_scale[c];
    m["training"] = {{"data", fs::absolute(config.data).string()},
                     {"train_samples", report.train_samples},
                     {"validation_samples", report.validation_samples},
                     {"jobs", report.jobs},
                     {"best_epochs", report.best_epochs},
                     {"epochs_run", report.epochs_run},
                     {"best_validation_loss", best},
                     {"seconds", report.seconds},
                     {"seed", config.seed},
                     {"loss", to_string(config.loss)}};
    write_json_file(output.dir() / detail::kManifest, m, 2);
    output.commit();
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
        impl->machines = m.value("machine_head", false); // models from before the machine head have none
        impl->placed = m.value("placement_inputs", false);
        impl->residual = impl->placed && m.value("residual_targets", false); // none before them
        if (impl->placed) {
            const auto it = m.find("placement_estimates");
            if (it == m.end() || !it->is_number_integer() || it->get<std::int64_t>() != kPlacementEstimates)
                throw InputError(path, 0, "placement_estimates",
                                 "placement estimates of another hepkit version (this one reads version " +
                                     std::to_string(kPlacementEstimates) + "): train it again");
        }
        if (impl->machines && m.value("format", 1) < 2)
            throw InputError(
                path, 0, "format",
                "a machine head without placement-aware times (an earlier hepkit): train it again");
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
        if (m.contains("domain")) { // models before hepkit recorded it have none: nothing checked
            impl->lo = m.at("domain").at("min").get<std::vector<double>>();
            impl->hi = m.at("domain").at("max").get<std::vector<double>>();
        }
        impl->settings = detail::settings_from_json(m);
        if (m.contains("spread_scale")) { // models before the calibration (or of one network) have none
            for (std::size_t c = 0; c < impl->spread_scale.size(); ++c) {
                const std::string& name = detail::spread_scale_names()[c];
                const double f = m.at("spread_scale").at(name).get<double>();
                if (!(f > 0 && std::isfinite(f)))
                    throw InputError(path, 0, "spread_scale." + name,
                                     fmt::format("{}: a spread's factor must be positive and finite", f));
                impl->spread_scale[c] = f;
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", fmt::format("not a model description: {}", e.what()));
    }
    for (int member = 0; member < ensemble; ++member) {
        SeqNet net = impl->network();
        const std::string file = (fs::path(directory) / fmt::format("network_{}.pt", member)).string();
        detail::load_network(net, file);
        impl->nets.push_back(net);
    }
    return SequenceModel(impl);
}

std::vector<OutsideFeature> SequenceModel::outside_domain(const SequenceSample& s) const {
    const Impl& m = *impl_;
    std::vector<OutsideFeature> out;
    if (s.scenario_x.size() == feature_names().size())
        features_outside(feature_names(), s.scenario_x.data(), m.lo, m.hi, out);
    m.settings.outside(s.settings, out);
    return out;
}

std::vector<double> SequenceModel::predict(const SequenceSample& s) const {
    return predict_members(s).front();
}

std::vector<std::vector<double>> SequenceModel::predict_members(const SequenceSample& s,
                                                                Machines* machines) const {
    // front(): the ensemble's mean; then each member's prediction
    std::vector<std::vector<double>> out(1);
    if (machines)
        *machines = Machines{};
    if (s.job_count() == 0)
        return out;
    const Tensors t = impl_->tensors(s, false);
    torch::NoGradGuard no_grad;
    const std::size_t hosts = s.host_count();
    bool any_worker = false; // a platform without one runs no job: no machine to name
    for (std::size_t h = 0; h < hosts; ++h)
        any_worker = any_worker || s.worker(h);
    const bool with_machines = machines && impl_->machines && any_worker;
    // the classes tensors() found
    const std::vector<std::int64_t> host_class =
        with_machines
            ? std::vector<std::int64_t>(t.host_class.data_ptr<std::int64_t>(),
                                        t.host_class.data_ptr<std::int64_t>() + t.host_class.numel())
            : std::vector<std::int64_t>{};
    // the members' mean probability of each host, per job (its central window's)
    std::vector<double> probability(with_machines ? s.job_count() * hosts : 0, 0.0), own;
    const double members = static_cast<double>(impl_->nets.size());
    for (SeqNet net : impl_->nets) { // a holder: a shared pointer to the module, whose forward is not const
        const auto [times, scores] = net->heads(net->trunk(t.x, t.hosts, t.scenario), t.hosts, t.workers);
        out.push_back(impl_->unwindow(t, times));
        if (!with_machines)
            continue;
        const torch::Tensor p = torch::softmax(scores, -1).contiguous();
        const float* q = p.data_ptr<float>();
        own.assign(probability.size(), 0.0);
        for (std::int64_t j = 0; j < t.jobs; ++j) {
            const float* row = q + Impl::central(t, j) * static_cast<std::int64_t>(hosts);
            for (std::size_t h = 0; h < hosts; ++h) {
                own[static_cast<std::size_t>(j) * hosts + h] = row[h];
                probability[static_cast<std::size_t>(j) * hosts + h] += row[h] / members;
            }
        }
        machines->members.push_back(detail::assign_machines(own, hosts, host_class));
    }
    if (with_machines)
        machines->host = detail::assign_machines(probability, hosts, host_class, &machines->probability);
    out[0].assign(out[1].size(), 0.0);
    for (std::size_t k = 1; k < out.size(); ++k)
        for (std::size_t i = 0; i < out[0].size(); ++i)
            out[0][i] += out[k][i] / members;
    return out;
}

const std::vector<double>& SequenceModel::spread_scale() const {
    return impl_->spread_scale;
}

std::vector<int> SequenceModel::predict_machines(const SequenceSample& s) const {
    Machines machines;
    predict_members(s, &machines);
    return std::move(machines.host);
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
        const torch::Tensor y = net->trunk_batch(b.x, b.lengths, b.ctx);
        for (std::size_t j = 0; j < ts.size(); ++j) {
            using torch::indexing::Slice;
            const Tensors& t = ts[j];
            const std::vector<double> p = impl_->unwindow(
                t, net->heads(y.index({Slice(0, t.x.size(0)), Slice(b.first[j], b.first[j] + t.x.size(1))}),
                              t.hosts, t.workers)
                       .first);
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

bool SequenceModel::predicts_machines() const {
    return impl_->machines;
}

} // namespace hepkit::surrogate
