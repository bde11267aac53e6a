// The summary-level surrogate: an ensemble of MLPs (libtorch) from scenario features to
// observables, trained on generate's index.csv. Transforms and the training domain travel in
// surrogate.json next to the networks' weights (member_K.pt).

#include "hepkit/surrogate/SummaryModel.hpp"

#include "ModelOutput.hpp"
#include "TrainSupport.hpp"
#include "Transform.hpp"
#include "hepkit/core/ArchClones.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/expr/VecMath.hpp"
#include "hepkit/surrogate/Features.hpp"
#include "hepkit/surrogate/Generate.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace hepkit::surrogate {

namespace fs = std::filesystem;

namespace {

using detail::Transform;

struct Index {
    std::vector<std::string> header;
    std::vector<std::vector<double>> rows;
    std::size_t column(const std::string& name, const std::string& path) const {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            throw InputError(path, 1, name,
                             "no such column: the index was written by another hepkit version");
        return static_cast<std::size_t>(it - header.begin());
    }
    std::vector<std::size_t> columns(const std::vector<std::string>& names, const std::string& path) const {
        std::vector<std::size_t> c;
        for (const auto& n : names)
            c.push_back(column(n, path));
        return c;
    }
};

// The model on rows of an index (defined with evaluate_summary).
SummaryEvaluation evaluate_rows(const SummaryModel& model, const Index& idx,
                                const std::vector<std::size_t>& rows, const std::string& path);

Index read_index(const std::string& dir) {
    const std::string path = (fs::path(dir) / "index.csv").string();
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "",
                         "cannot read the index: run `hepkit surrogate generate SPACE -o " + dir + "` first");
    Index idx;
    std::string line;
    std::getline(in, line);
    std::stringstream h(line);
    for (std::string f; std::getline(h, f, ',');)
        idx.header.push_back(f);
    int n = 1;
    while (std::getline(in, line)) {
        ++n;
        std::vector<double> row;
        std::stringstream r(line);
        for (std::string f; std::getline(r, f, ',');) {
            try {
                row.push_back(std::stod(f));
            } catch (const std::exception&) {
                throw InputError(path, n, "", fmt::format("'{}' is not a number", f));
            }
        }
        if (row.size() != idx.header.size())
            throw InputError(path, n, "",
                             fmt::format("{} fields for {} columns", row.size(), idx.header.size()));
        idx.rows.push_back(std::move(row));
    }
    return idx;
}

torch::nn::Sequential make_net(std::size_t in, const std::vector<int>& hidden, std::size_t out) {
    torch::nn::Sequential net;
    auto width = static_cast<std::int64_t>(in);
    for (const int h : hidden) {
        net->push_back(torch::nn::Linear(width, h));
        net->push_back(torch::nn::Tanh());
        width = h;
    }
    net->push_back(torch::nn::Linear(width, static_cast<std::int64_t>(out)));
    net->to(torch::kFloat64);
    return net;
}

torch::Tensor matrix(const std::vector<double>& v, std::size_t rows, std::size_t cols) {
    return torch::from_blob(const_cast<double*>(v.data()),
                            {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)},
                            torch::kFloat64)
        .clone();
}

// The index's columns of the settings (setting.NAME, setting_names() order); empty where it has
// not every one (data made before settings were recorded).
std::vector<std::size_t> setting_columns(const Index& idx) {
    std::vector<std::size_t> cols;
    for (const auto& name : setting_names()) {
        const auto it = std::find(idx.header.begin(), idx.header.end(), "setting." + name);
        if (it == idx.header.end())
            return {};
        cols.push_back(static_cast<std::size_t>(it - idx.header.begin()));
    }
    return cols;
}

std::vector<double> settings_at(const Index& idx, const std::vector<std::size_t>& cols, std::size_t row) {
    std::vector<double> v;
    for (const auto c : cols)
        v.push_back(idx.rows[row][c]);
    return v;
}

std::vector<std::string> default_targets() {
    std::vector<std::string> t;
    for (const auto& o : observable_names())
        if (o != "jobs" && o != "done" && o != "failed")
            t.push_back(o);
    return t;
}

} // namespace

// s = b + Σ_i a[i] · wt[i·out …]: one dense layer, each output's sum over the inputs in order.
// Cloned for x86-64-v4 / v3 (AVX-512 / AVX2: 8 or 4 outputs per instruction where the Debian
// build's baseline has 2), picked at load time: the networks are most of a summary prediction.
#if HEPKIT_ARCH_CLONES
#define HEPKIT_LAYER_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPKIT_LAYER_CLONES
#endif
HEPKIT_LAYER_CLONES void dense_layer(const double* __restrict a, std::size_t in, const double* __restrict wt,
                                     const double* __restrict b, std::size_t out, double* __restrict s) {
    for (std::size_t o = 0; o < out; ++o)
        s[o] = 0;
    for (std::size_t i = 0; i < in; ++i) {
        const double ai = a[i];
        const double* __restrict w = wt + i * out;
        for (std::size_t o = 0; o < out; ++o)
            s[o] += w[o] * ai;
    }
    for (std::size_t o = 0; o < out; ++o)
        s[o] += b[o];
}

struct SummaryModel::Impl {
    std::vector<std::string> features, targets;
    std::vector<std::size_t> used;  // indices into features of the network's inputs
    std::vector<Transform> in, out; // per used feature, per target
    std::vector<double> lo, hi;     // the training range of every feature
    SettingsDomain settings;        // the training samples' settings (Domain.hpp)
    // Per target, the feature it is learned relative to (an index into features, -1: none), and
    // that feature's smallest positive training value: the divisor where a value is not positive.
    std::vector<int> base;
    std::vector<double> base_floor;

    double divisor(std::size_t target, const double* features_row) const {
        if (base.empty() || base[target] < 0)
            return 1;
        return std::max(features_row[base[target]], base_floor[target]);
    }
    /// The trained or loaded networks, until extract() has copied their weights into `layers`.
    std::vector<torch::nn::Sequential> members;
    // The members' weights as plain arrays, for prediction: a network this small costs less than
    // libtorch's dispatch of its operations (0.23 ms for five members against ~0.02 ms in a loop,
    // bench_surrogate_speed), and a scan evaluates it once per point.
    struct Layer {
        std::size_t in = 0, out = 0;
        std::vector<double> wt, b; // in × out (transposed: the loop runs over the outputs); out
    };
    std::vector<std::vector<Layer>> layers;

    void extract() {
        layers.clear();
        for (const auto& net : members) {
            std::vector<Layer> ls;
            for (const auto& m : net->children()) {
                const auto* lin = m->as<torch::nn::Linear>();
                if (lin == nullptr)
                    continue; // tanh between the layers
                Layer l;
                const torch::Tensor w = lin->weight.detach().t().contiguous(),
                                    b = lin->bias.detach().contiguous();
                l.in = static_cast<std::size_t>(w.size(0));
                l.out = static_cast<std::size_t>(w.size(1));
                l.wt.assign(w.data_ptr<double>(), w.data_ptr<double>() + l.out * l.in);
                l.b.assign(b.data_ptr<double>(), b.data_ptr<double>() + l.out);
                ls.push_back(std::move(l));
            }
            layers.push_back(std::move(ls));
        }
        members.clear(); // prediction reads `layers` only
    }
    // One member on one row of standardised inputs: tanh after every layer but the last. Each
    // output's sum runs over the inputs in order, as a dot product would, but the loop nest runs
    // over the outputs inside: independent sums side by side, which the compiler vectorises (a
    // dot product per output is one chain of dependent additions), and tanh over a whole layer
    // through libmvec (expr::vecmath, 4 ulp): 5 members of 64×64 went from ~47 to ~8 µs. libmvec
    // picks AVX-512, AVX2 or SSE at run time, so predictions may differ in their last bits from
    // one CPU to another (not from run to run on one machine); so does the layer's loop
    // (dense_layer: 4 or 8 doubles at a time where the CPU has them, fused multiply-adds).
    void forward(std::size_t member, const double* x, double* y) const {
        const auto& ls = layers[member];
        thread_local std::vector<double> a, next;
        a.assign(x, x + ls.front().in);
        for (std::size_t k = 0; k < ls.size(); ++k) {
            const Layer& l = ls[k];
            next.resize(l.out);
            double* s = next.data();
            dense_layer(a.data(), l.in, l.wt.data(), l.b.data(), l.out, s);
            if (k + 1 < ls.size())
                expr::vecmath::apply(expr::vecmath::Fn1::tanh, s, s, l.out);
            a.swap(next);
        }
        std::copy(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(ls.back().out), y);
    }
};

SummaryTrainConfig parse_summary_config(const config::YamlView& root) {
    root.check_keys({"model", "data", "output", "targets", "features", "relative_to", "ensemble", "hidden",
                     "epochs", "learning_rate", "batch_size", "patience", "validation_fraction", "seed",
                     "threads"});
    SummaryTrainConfig c;
    if (root.has("model") && root.at("model").as_string() != "summary")
        root.at("model").fail(
            fmt::format("'{}': this build trains `summary` models", root.at("model").as_string()));
    // Both directories are relative to the working directory, as `generate -o` wrote the data:
    // they are products of commands, not files next to the configuration.
    c.data = root.at("data").as_string();
    if (root.has("output"))
        c.output = root.at("output").as_string();
    // A list of names from `allowed` (an error names the entry and lists them all).
    const auto names = [&](const char* key, const char* what, const std::vector<std::string>& allowed,
                           std::vector<std::string>& out) {
        if (!root.has(key))
            return;
        const auto list = root.at(key);
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string name = list.at(i).as_string();
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                std::string all;
                for (const auto& a : allowed)
                    all += (all.empty() ? "" : ", ") + a;
                list.at(i).fail(fmt::format("unknown {} '{}'; allowed: {}", what, name, all));
            }
            out.push_back(name);
        }
    };
    names("targets", "target", default_targets(), c.targets);
    names("features", "feature", feature_names(), c.features);
    if (root.has("relative_to")) {
        const auto map = root.at("relative_to");
        if (!map.is_map())
            map.fail("expected a map of target: feature (makespan_s: pack_compute_end_max_s)");
        const std::vector<std::string> targets = c.targets.empty() ? default_targets() : c.targets;
        for (const auto& kv : map.node()) {
            const std::string key = kv.first.as<std::string>();
            const auto entry = map.at(key);
            const std::string feature = entry.as_string();
            if (std::find(targets.begin(), targets.end(), key) == targets.end())
                entry.fail(fmt::format("'{}' is not a target of this model", key));
            if (std::find(feature_names().begin(), feature_names().end(), feature) == feature_names().end())
                entry.fail(
                    fmt::format("unknown feature '{}' (any feature, seen by the networks or not)", feature));
            c.relative_to.emplace_back(key, feature);
        }
    }
    const auto integer = [&](const char* key, int& v, long long lo, long long hi) {
        if (!root.has(key))
            return;
        const long long x = root.at(key).as_int();
        if (x < lo || x > hi)
            root.at(key).fail(fmt::format("{} is outside [{}, {}]", x, lo, hi));
        v = static_cast<int>(x);
    };
    integer("ensemble", c.ensemble, 1, 100);
    integer("epochs", c.epochs, 1, 1000000);
    integer("batch_size", c.batch_size, 1, 1000000);
    integer("patience", c.patience, 0, 1000000);
    integer("threads", c.threads, 1, 1024);
    if (root.has("hidden")) {
        c.hidden.clear();
        const auto h = root.at("hidden");
        for (std::size_t i = 0; i < h.size(); ++i) {
            const long long u = h.at(i).as_int();
            if (u < 1 || u > 100000)
                h.at(i).fail(fmt::format("{} units: must be between 1 and 100000", u));
            c.hidden.push_back(static_cast<int>(u));
        }
    }
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
    if (root.has("seed")) {
        const long long s = root.at("seed").as_int();
        if (s < 0)
            root.at("seed").fail("must be >= 0");
        c.seed = static_cast<std::uint64_t>(s);
    }
    return c;
}

SummaryTrainReport train_summary(const SummaryTrainConfig& config,
                                 const std::function<void(int, int, double)>& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const Index idx = read_index(config.data);
    const std::string index_path = (fs::path(config.data) / "index.csv").string();
    const std::vector<std::string> targets = config.targets.empty() ? default_targets() : config.targets;
    const auto& features = feature_names();
    const std::size_t n = idx.rows.size();
    if (n < 4)
        throw InputError(index_path, 0, "", fmt::format("{} samples: a summary model needs at least 4", n));
    // The split: a seeded shuffle of the samples (the same for every member).
    const detail::Split split = detail::seeded_split(n, config.validation_fraction, config.seed, 2);
    const std::vector<std::size_t>& train = split.train;
    const std::vector<std::size_t>& val = split.validation;

    auto impl = std::make_shared<SummaryModel::Impl>();
    impl->features = features;
    impl->targets = targets;
    const std::vector<std::size_t> fcol = idx.columns(features, index_path),
                                   tcol = idx.columns(targets, index_path);
    const auto column = [&](const std::string& name, const std::vector<std::size_t>& rows) {
        const std::size_t c = idx.column(name, index_path); // once per column, not per value
        std::vector<double> v;
        for (const auto r : rows)
            v.push_back(idx.rows[r][c]);
        return v;
    };
    // The settings where the index has them (setting.NAME; data made before has none).
    if (const auto scol = setting_columns(idx); !scol.empty())
        for (const auto r : train)
            impl->settings.add(settings_at(idx, scol, r));
    for (std::size_t f = 0; f < features.size(); ++f) {
        const auto v = column(features[f], train);
        impl->lo.push_back(*std::min_element(v.begin(), v.end()));
        impl->hi.push_back(*std::max_element(v.begin(), v.end()));
        const Transform t = Transform::fit(v, true, 0.05);
        const bool chosen =
            config.features.empty() ||
            std::find(config.features.begin(), config.features.end(), features[f]) != config.features.end();
        if (chosen && t.scale > 1e-12 * std::max(1.0, std::abs(t.mean))) { // constant ones carry nothing
            impl->used.push_back(f);
            impl->in.push_back(t);
        }
    }
    if (impl->used.empty())
        throw InputError(index_path, 0, "features",
                         config.features.empty()
                             ? "no feature varies over the training samples: nothing to learn from"
                             : "none of the features the training file lists varies over the training "
                               "samples: nothing to learn from (list others, or none for all)");
    // Targets learned relative to a feature: over its value, at least its smallest positive one.
    impl->base.assign(targets.size(), -1);
    impl->base_floor.assign(targets.size(), 0.0);
    for (const auto& [target, feature] : config.relative_to) {
        const auto j =
            static_cast<std::size_t>(std::find(targets.begin(), targets.end(), target) - targets.begin());
        const auto f =
            static_cast<std::size_t>(std::find(features.begin(), features.end(), feature) - features.begin());
        if (j >= targets.size() || f >= features.size())
            throw InputError(index_path, 0, "relative_to",
                             fmt::format("{}: {}: not a target and a feature", target, feature));
        double floor = 0;
        for (const double v : column(feature, train))
            if (v > 0)
                floor = floor == 0 ? v : std::min(floor, v);
        if (!(floor > 0))
            throw InputError(
                index_path, 0, "relative_to",
                fmt::format("{}: the feature {} is never positive on the training samples", target, feature));
        impl->base[j] = static_cast<int>(f);
        impl->base_floor[j] = floor;
    }
    // a row's target as the networks learn it (Impl::divisor's rule, on the index's columns)
    const auto learned = [&](std::size_t r, std::size_t j) {
        const auto b = static_cast<std::size_t>(impl->base[j]);
        return idx.rows[r][tcol[j]] / std::max(idx.rows[r][fcol[b]], impl->base_floor[j]);
    };
    for (std::size_t j = 0; j < targets.size(); ++j) {
        std::vector<double> v;
        for (const auto r : train)
            v.push_back(impl->base[j] < 0 ? idx.rows[r][tcol[j]] : learned(r, j));
        Transform tr = Transform::fit(v);
        if (tr.scale == 0)
            tr.scale = 1;
        impl->out.push_back(tr);
    }
    const auto table = [&](const std::vector<std::size_t>& rows, bool inputs) {
        const std::size_t cols = inputs ? impl->used.size() : targets.size();
        std::vector<double> m;
        m.reserve(rows.size() * cols);
        for (const auto r : rows)
            for (std::size_t j = 0; j < cols; ++j) {
                if (inputs)
                    m.push_back(impl->in[j].to(idx.rows[r][fcol[impl->used[j]]]));
                else
                    m.push_back(impl->out[j].to(impl->base[j] < 0 ? idx.rows[r][tcol[j]] : learned(r, j)));
            }
        return matrix(m, rows.size(), cols);
    };
    const torch::Tensor xt = table(train, true), yt = table(train, false), xv = table(val, true),
                        yv = table(val, false);

    detail::ModelOutput output(config.output); // staged, in place at the end (ModelOutput.hpp)
    const detail::TorchThreads threads(config.threads);
    SummaryTrainReport report;
    report.train_samples = train.size();
    report.validation_samples = val.size();
    const auto nt = static_cast<std::int64_t>(train.size());
    for (int k = 0; k < config.ensemble; ++k) {
        torch::manual_seed(config.seed * 1000 + static_cast<std::uint64_t>(k));
        torch::nn::Sequential net = make_net(impl->used.size(), config.hidden, targets.size());
        torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(config.learning_rate));
        std::mt19937_64 batch_rng(config.seed * 7919 + static_cast<std::uint64_t>(k));
        std::vector<std::int64_t> perm(static_cast<std::size_t>(nt));
        const detail::Stopped stopped =
            detail::early_stopping(net->parameters(), config.epochs, config.patience, [&](int epoch) {
                net->train();
                for (std::int64_t i = 0; i < nt; ++i)
                    perm[static_cast<std::size_t>(i)] = i;
                detail::shuffle(perm, batch_rng);
                const torch::Tensor p = torch::tensor(perm, torch::kLong);
                for (std::int64_t b = 0; b < nt; b += config.batch_size) {
                    const torch::Tensor rows =
                        p.slice(0, b, std::min<std::int64_t>(nt, b + config.batch_size));
                    opt.zero_grad();
                    const torch::Tensor loss =
                        torch::mse_loss(net->forward(xt.index_select(0, rows)), yt.index_select(0, rows));
                    loss.backward();
                    opt.step();
                }
                net->eval();
                torch::NoGradGuard no_grad;
                const double vloss = torch::mse_loss(net->forward(xv), yv).item<double>();
                if (progress)
                    progress(k, epoch, vloss);
                return vloss;
            });
        net->eval();
        report.best_epochs.push_back(stopped.best_epoch);
        const std::string file = (output.dir() / fmt::format("member_{}.pt", k)).string();
        detail::save_network(net, file);
        impl->members.push_back(net);
    }
    impl->extract();
    // The ensemble on the validation samples: relative mean absolute errors per target.
    const SummaryEvaluation v = evaluate_rows(SummaryModel(impl), idx, val, index_path);
    for (std::size_t j = 0; j < targets.size(); ++j)
        report.validation_rel_mae.emplace_back(targets[j], v.rel_mae[j]);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    nlohmann::json m;
    m["kind"] = "summary";
    m["format"] = 1;
    m["features"] = features;
    m["targets"] = targets;
    m["hidden"] = config.hidden;
    m["ensemble"] = config.ensemble;
    nlohmann::json used = nlohmann::json::array(), in = nlohmann::json::array(),
                   out = nlohmann::json::array();
    for (std::size_t j = 0; j < impl->used.size(); ++j) {
        used.push_back(impl->used[j]);
        in.push_back(impl->in[j].json());
    }
    for (const auto& t : impl->out)
        out.push_back(t.json());
    m["used_features"] = used;
    m["input_transforms"] = in;
    m["target_transforms"] = out;
    m["domain"] = {{"min", impl->lo}, {"max", impl->hi}};
    if (impl->settings.recorded())
        m["settings"] = detail::settings_json(impl->settings);
    nlohmann::json relative = nlohmann::json::object();
    for (std::size_t j = 0; j < targets.size(); ++j)
        if (impl->base[j] >= 0)
            relative[targets[j]] = {{"feature", features[static_cast<std::size_t>(impl->base[j])]},
                                    {"floor", impl->base_floor[j]}};
    m["relative_to"] = relative;
    nlohmann::json mae = nlohmann::json::object();
    for (const auto& [t, e] : report.validation_rel_mae)
        mae[t] = e;
    m["training"] = {{"data", fs::absolute(config.data).string()},
                     {"train_samples", report.train_samples},
                     {"validation_samples", report.validation_samples},
                     {"best_epochs", report.best_epochs},
                     {"seconds", report.seconds},
                     {"seed", config.seed},
                     {"validation_rel_mae", mae}};
    write_json_file(output.dir() / detail::kManifest, m, 2);
    output.commit();
    return report;
}

SummaryModel::SummaryModel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

SummaryModel SummaryModel::load(const std::string& directory) {
    const std::string path = (fs::path(directory) / detail::kManifest).string();
    std::ifstream in(path);
    if (!in)
        throw InputError(path, 0, "", "cannot read: not a model directory of `hepkit surrogate train`");
    auto impl = std::make_shared<Impl>();
    std::vector<int> hidden;
    try {
        const nlohmann::json m = nlohmann::json::parse(in);
        if (m.at("kind") != "summary")
            throw InputError(path, 0, "kind", fmt::format("{}: not a summary model", m.at("kind").dump()));
        impl->features = m.at("features").get<std::vector<std::string>>();
        impl->targets = m.at("targets").get<std::vector<std::string>>();
        hidden = m.at("hidden").get<std::vector<int>>();
        impl->used = m.at("used_features").get<std::vector<std::size_t>>();
        for (const auto& t : m.at("input_transforms"))
            impl->in.push_back(Transform::from_json(t));
        for (const auto& t : m.at("target_transforms"))
            impl->out.push_back(Transform::from_json(t));
        impl->lo = m.at("domain").at("min").get<std::vector<double>>();
        impl->hi = m.at("domain").at("max").get<std::vector<double>>();
        impl->settings = detail::settings_from_json(m);
        impl->base.assign(impl->targets.size(), -1);
        impl->base_floor.assign(impl->targets.size(), 0.0);
        if (m.contains("relative_to")) // models before relative targets have none
            for (const auto& [target, b] : m.at("relative_to").items()) {
                const auto j = static_cast<std::size_t>(
                    std::find(impl->targets.begin(), impl->targets.end(), target) - impl->targets.begin());
                const auto f =
                    static_cast<std::size_t>(std::find(impl->features.begin(), impl->features.end(),
                                                       b.at("feature").get<std::string>()) -
                                             impl->features.begin());
                const double floor = b.at("floor").get<double>();
                if (j >= impl->targets.size() || f >= impl->features.size() || !(floor > 0))
                    throw InputError(path, 0, "relative_to." + target,
                                     "not a target, a feature and a positive floor");
                impl->base[j] = static_cast<int>(f);
                impl->base_floor[j] = floor;
            }
        const int members = m.at("ensemble").get<int>();
        if (impl->features != feature_names())
            throw InputError(path, 0, "features",
                             "made by another hepkit version (other features): train it again");
        if (impl->in.size() != impl->used.size() || impl->out.size() != impl->targets.size() || members < 1)
            throw InputError(path, 0, "", "inconsistent model description");
        for (int k = 0; k < members; ++k) {
            torch::nn::Sequential net = make_net(impl->used.size(), hidden, impl->targets.size());
            const std::string file = (fs::path(directory) / fmt::format("member_{}.pt", k)).string();
            detail::load_network(net, file);
            impl->members.push_back(net);
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", fmt::format("not a model description: {}", e.what()));
    }
    impl->extract();
    return SummaryModel(impl);
}

const std::vector<std::string>& SummaryModel::features() const {
    return impl_->features;
}
const std::vector<std::string>& SummaryModel::targets() const {
    return impl_->targets;
}
std::size_t SummaryModel::members() const {
    return impl_->layers.size();
}

std::vector<OutsideFeature> SummaryModel::settings_outside(const std::vector<double>& settings) const {
    std::vector<OutsideFeature> out;
    impl_->settings.outside(settings, out);
    return out;
}

SummaryPrediction SummaryModel::predict(const std::vector<double>& features) const {
    return predict_rows(features, 1).at(0);
}

std::vector<SummaryPrediction> SummaryModel::predict_rows(const std::vector<double>& x,
                                                          std::size_t rows) const {
    const Impl& m = *impl_;
    const std::size_t nf = m.features.size(), nu = m.used.size(), nt = m.targets.size();
    if (x.size() != rows * nf)
        throw std::invalid_argument(
            fmt::format("{} values for {} scenarios of {} features", x.size(), rows, nf));
    std::vector<SummaryPrediction> out(rows);
    std::vector<double> z(rows * nu);
    for (std::size_t r = 0; r < rows; ++r) {
        features_outside(m.features, &x[r * nf], m.lo, m.hi, out[r].outside);
        for (std::size_t j = 0; j < nu; ++j)
            z[r * nu + j] = m.in[j].to(x[r * nf + m.used[j]]);
    }
    std::vector<std::vector<double>> values(m.layers.size(), std::vector<double>(rows * nt));
    for (std::size_t k = 0; k < m.layers.size(); ++k)
        for (std::size_t r = 0; r < rows; ++r)
            m.forward(k, &z[r * nu], &values[k][r * nt]);
    const double members = static_cast<double>(m.layers.size());
    for (std::size_t r = 0; r < rows; ++r) {
        out[r].mean.assign(nt, 0.0);
        out[r].spread.assign(nt, 0.0);
        for (std::size_t j = 0; j < nt; ++j) {
            double s = 0, s2 = 0;
            const double scale = m.divisor(j, &x[r * nf]);
            for (const auto& v : values) {
                const double y = m.out[j].from(v[r * nt + j]) * scale;
                s += y;
                s2 += y * y;
            }
            out[r].mean[j] = s / members;
            out[r].spread[j] = std::sqrt(std::max(s2 / members - out[r].mean[j] * out[r].mean[j], 0.0));
        }
    }
    return out;
}

namespace {

// The model on rows of an index: what evaluate_summary reports, and train_summary's validation.
SummaryEvaluation evaluate_rows(const SummaryModel& model, const Index& idx,
                                const std::vector<std::size_t>& rows, const std::string& path) {
    SummaryEvaluation e;
    e.targets = model.targets();
    e.samples = rows.size();
    const std::size_t nt = e.targets.size();
    const std::vector<std::size_t> fcol = idx.columns(model.features(), path),
                                   tcol = idx.columns(e.targets, path);
    std::vector<double> x;
    for (const auto r : rows)
        for (const auto c : fcol)
            x.push_back(idx.rows[r][c]);
    const auto t0 = std::chrono::steady_clock::now();
    const auto preds = model.predict_rows(x, e.samples);
    e.predict_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    e.rel_mae.assign(nt, 0.0);
    e.rel_max.assign(nt, 0.0);
    e.mean_spread.assign(nt, 0.0);
    e.zero_truth.assign(nt, 0);
    const std::vector<std::size_t> scol = setting_columns(idx);
    for (std::size_t i = 0; i < e.samples; ++i) {
        const bool unseen = !scol.empty() && !model.settings_outside(settings_at(idx, scol, rows[i])).empty();
        e.outside_domain += preds[i].outside.empty() && !unseen ? 0 : 1;
        for (std::size_t j = 0; j < nt; ++j) {
            const double truth = idx.rows[rows[i]][tcol[j]], p = preds[i].mean[j];
            e.simulated.push_back(truth);
            e.predicted.push_back(p);
            if (truth == 0) { // no relative error (a sample whose jobs all failed has mean times 0)
                ++e.zero_truth[j];
                continue;
            }
            const double rel = std::abs(p - truth) / std::abs(truth);
            e.rel_mae[j] += rel;
            e.rel_max[j] = std::max(e.rel_max[j], rel);
            e.mean_spread[j] += preds[i].spread[j] / std::max(std::abs(p), 1e-300);
        }
    }
    for (std::size_t j = 0; j < nt; ++j) {
        const double counted = static_cast<double>(std::max<std::size_t>(e.samples - e.zero_truth[j], 1));
        e.rel_mae[j] /= counted;
        e.mean_spread[j] /= counted;
    }
    return e;
}

} // namespace

SummaryEvaluation evaluate_summary(const SummaryModel& model, const std::string& data_dir) {
    const Index idx = read_index(data_dir);
    std::vector<std::size_t> rows(idx.rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
        rows[r] = r;
    return evaluate_rows(model, idx, rows, (fs::path(data_dir) / "index.csv").string());
}

} // namespace hepkit::surrogate
