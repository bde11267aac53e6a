// Inference-aware training step of hepkit::nn (issue 17, "Performance": ≥ 3× faster per epoch)
// against the same step in python3-torch written the way the public PyTorch INFERNO implementation
// writes it (benchmarks/nn_inference_aware_baseline.py: a Python loop over the Hessian rows, one
// torch.autograd.grad per row), run by /usr/bin/python3 in the same run, alternating, same threads.
//
// The INFERNO setting (de Castro & Dorigo, arXiv:1806.04743, Sec. 5): 3 features, background
// x0,x1 ~ N((2, 0), diag(5, 9)), x2 ~ Exp(rate 3); signal x0,x1 ~ N((1, 1), 1), x2 ~ Exp(rate 2);
// 50 signal and 1000 background expected events; nuisances r (x0 → x0 + r) and λ (x2 → x2·3/λ) on
// the background, free (benchmark 2) or constrained r ~ N(0, 0.4), λ ~ N(3, 1) (benchmark 3); a
// 3→100→100→10 ReLU network, softmax histogram with τ = 0.1, batches of 2000 events, Adam.
//
// hepkit's step is what src/nn/Train.cpp runs per batch: SystematicsTraining::batch_loss (float32
// network, float64 likelihood), zero_grad, backward, Adam step. One epoch: the fixed training set in
// fixed batches. Both sides start every repetition from the same weights (written to a file), and
// print the loss of the first batch at those weights, which must agree to ~1e-6 relative.
//
// usage: bench_nn_inference_aware [--events N] [--batch B] [--repeat R] [--threads T]
//                                 [--variant free|constrained|both] [--script-dir DIR]

#include "BaselineRun.hpp"
#include "BenchOptions.hpp"

#include "Network.hpp"
#include "SystematicsTrain.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using hepkit::bench::median;
using hepkit::bench::run_capture;

namespace {

namespace nn = hepkit::nn;

/// Rows alternate background (label 0) and signal (label 1), so every batch holds both equally.
nn::Table inferno_data(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> gauss;
    std::exponential_distribution<double> exp_b(3.0), exp_s(2.0);
    nn::Table t;
    t.feature_names = {"x0", "x1", "x2"};
    t.rows = rows;
    for (std::size_t i = 0; i < rows; ++i) {
        const bool signal = i % 2 == 1;
        if (signal) {
            t.features.push_back(1 + gauss(rng));
            t.features.push_back(1 + gauss(rng));
            t.features.push_back(exp_s(rng));
        } else {
            t.features.push_back(2 + std::sqrt(5.0) * gauss(rng));
            t.features.push_back(3 * gauss(rng));
            t.features.push_back(exp_b(rng));
        }
        t.targets.push_back(signal ? 1.0 : 0.0);
        t.weights.push_back(1.0);
    }
    return t;
}

nn::TrainConfig inferno_config(bool constrained) {
    nn::TrainConfig c;
    c.task = nn::Task::Binary;
    c.class_names = {"background", "signal"};
    c.network.hidden = {100, 100};
    nn::LossConfig& l = c.loss;
    l.type = nn::LossType::InferenceAware;
    l.histogram.kind = nn::HistogramKind::Softmax;
    l.histogram.bins = 10;
    l.histogram.temperature = 0.1;
    l.poi = "mu";
    l.poi_sample = "signal";
    l.yields = {{"signal", 50}, {"background", 1000}};
    l.validation_events = 0;
    nn::NuisanceConfig r;
    r.name = "r";
    r.nominal = 0;
    r.inputs.push_back({"background", "x0", "x0 + r"});
    nn::NuisanceConfig lambda;
    lambda.name = "lambda";
    lambda.nominal = 3;
    lambda.inputs.push_back({"background", "x2", "x2 * 3 / lambda"});
    if (constrained) {
        r.constraint = 0.4;
        lambda.constraint = 1.0;
    }
    l.nuisances = {r, lambda};
    return c;
}

std::string summary(const std::vector<double>& v, int digits) {
    return fmt::format("{:.{}f} [{:.{}f}, {:.{}f}]", median(v), digits, *std::min_element(v.begin(), v.end()),
                       digits, *std::max_element(v.begin(), v.end()), digits);
}

struct Side {
    std::vector<double> seconds;
    double first_loss = 0, last_loss = 0;
};

} // namespace

int main(int argc, char** argv) {
    std::size_t events = 50000, batch = 2000, repeat = 5;
    int threads = 1;
    std::string variant = "both", script_dir = HEPKIT_BENCH_DIR;
    hepkit::bench::parse_options(
        argc, argv,
        "bench_nn_inference_aware [--events N] [--batch B] [--repeat R] [--threads T] "
        "[--variant free|constrained|both] [--script-dir DIR]",
        {{"--events", hepkit::bench::into(events)},
         {"--batch", hepkit::bench::into(batch)},
         {"--repeat", hepkit::bench::into(repeat)},
         {"--threads", hepkit::bench::into(threads)},
         {"--variant", hepkit::bench::into(variant)},
         {"--script-dir", hepkit::bench::into(script_dir)}});
    if (batch == 0 || events < batch || repeat == 0 || threads < 1 ||
        (variant != "free" && variant != "constrained" && variant != "both")) {
        std::fprintf(stderr, "bad options: need events >= batch > 0, repeat > 0, threads > 0, "
                             "variant free|constrained|both\n");
        return 64;
    }
    events -= events % batch; // whole batches only, in both
    at::set_num_threads(threads);
    torch::manual_seed(11);

    nn::DataSplits splits;
    splits.train = inferno_data(events, 17);
    splits.validation.feature_names = splits.test.feature_names = splits.train.feature_names;
    splits.classes = 2;
    const auto x = torch::tensor(splits.train.features, torch::kFloat64)
                       .view({static_cast<std::int64_t>(events), 3})
                       .to(torch::kFloat32);
    const auto y = torch::tensor(splits.train.targets, torch::kFloat64).view({-1, 1}).to(torch::kFloat32);
    const auto w = torch::ones({static_cast<std::int64_t>(events)}, torch::kFloat32);

    // the initial network, shared with Python through a file: identity standardisation (both sides
    // still subtract and divide), weights drawn by libtorch's default Linear initialisation
    const nn::Standardization identity{{0, 0, 0}, {1, 1, 1}};
    nn::Network initial(nn::NetworkConfig{{100, 100}}, 3, 10, identity, torch::kFloat32);
    const std::string tag = std::to_string(::getpid());
    const auto tmp = std::filesystem::temp_directory_path();
    const auto data_path = tmp / std::string("hepkit_bench_ia_data_").append(tag).append(".bin");
    const auto weights_path = tmp / std::string("hepkit_bench_ia_weights_").append(tag).append(".bin");
    {
        std::ofstream out(data_path, std::ios::binary);
        for (std::size_t i = 0; i < events; ++i) {
            out.write(reinterpret_cast<const char*>(&splits.train.features[i * 3]), 3 * sizeof(double));
            out.write(reinterpret_cast<const char*>(&splits.train.targets[i]), sizeof(double));
        }
        std::ofstream wout(weights_path, std::ios::binary);
        for (const auto& l : initial->linear)
            for (const torch::Tensor& p : {l->weight, l->bias}) {
                const auto c = p.detach().contiguous();
                wout.write(reinterpret_cast<const char*>(c.data_ptr<float>()),
                           static_cast<std::streamsize>(c.numel() * sizeof(float)));
            }
    }

    const auto steps = static_cast<std::int64_t>(events / batch);
    const auto B = static_cast<std::int64_t>(batch);
    std::vector<std::string> variants;
    if (variant != "constrained")
        variants.push_back("free");
    if (variant != "free")
        variants.push_back("constrained");
    fmt::print("inference-aware training step (INFERNO setting): {} events, batch {}, {} steps per epoch, "
               "{} thread(s), {} repetitions alternating\n",
               events, batch, steps, threads, repeat);
    bool python_ran = true;
    for (const std::string& v : variants) {
        const bool constrained = v == "constrained";
        const nn::TrainConfig config = inferno_config(constrained);
        nn::SystematicsTraining training(config, splits, torch::kFloat32);
        nn::Network net(config.network, 3, 10, identity, torch::kFloat32);
        Side hk, py;
        std::vector<double> ratios;
        // rep −1: one untimed step (first-use allocations), as the Python side does before its epoch
        for (int rep = -1; rep < static_cast<int>(repeat); ++rep) {
            {
                torch::NoGradGuard no_grad;
                for (std::size_t i = 0; i < net->linear.size(); ++i) {
                    net->linear[i]->weight.copy_(initial->linear[i]->weight);
                    net->linear[i]->bias.copy_(initial->linear[i]->bias);
                }
            }
            torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
            const auto step = [&](std::int64_t b) {
                const auto rows = torch::arange(b * B, (b + 1) * B, torch::kLong);
                auto loss = training.batch_loss(net, x.index_select(0, rows), y.index_select(0, rows),
                                                w.index_select(0, rows), {}, b, b + 1, steps);
                adam.zero_grad();
                loss.backward();
                adam.step();
                return loss.item<double>();
            };
            if (rep < 0) {
                step(0);
                continue;
            }
            const auto start = std::chrono::steady_clock::now();
            const double first = step(0);
            double last = first;
            for (std::int64_t b = 1; b < steps; ++b)
                last = step(b);
            hk.seconds.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            hk.first_loss = first;
            hk.last_loss = last;

            const std::string out = run_capture(fmt::format(
                "/usr/bin/python3 '{}/nn_inference_aware_baseline.py' '{}' '{}' {} {} {} {}", script_dir,
                data_path.string(), weights_path.string(), events, batch, threads, constrained ? 1 : 0));
            if (out.empty()) {
                python_ran = false;
                continue;
            }
            const auto doc = nlohmann::json::parse(out);
            py.seconds.push_back(doc.at("seconds").get<double>());
            py.first_loss = doc.at("first_loss").get<double>();
            py.last_loss = doc.at("last_loss").get<double>();
            ratios.push_back(py.seconds.back() / hk.seconds.back());
        }
        fmt::print("{} nuisances r, lambda ({}):\n", v,
                   constrained ? "constraints N(0, 0.4), N(3, 1)" : "benchmark 2, no constraints");
        fmt::print("  hepkit          s/epoch {}  (loss (H^-1)_00 first batch {:.9g}, last {:.6g})\n",
                   summary(hk.seconds, 4), hk.first_loss, hk.last_loss);
        if (!python_ran) {
            fmt::print("  python3-torch   not run (no /usr/bin/python3 with torch)\n");
            continue;
        }
        fmt::print("  python3-torch   s/epoch {}  (loss (H^-1)_00 first batch {:.9g}, last {:.6g})\n",
                   summary(py.seconds, 4), py.first_loss, py.last_loss);
        fmt::print("  same weights, first batch: relative loss difference {:.2e}\n",
                   std::abs(hk.first_loss - py.first_loss) / std::abs(py.first_loss));
        fmt::print("  ratio python / hepkit  {}  (median [range] of {} paired runs; target >= 3)\n",
                   summary(ratios, 2), ratios.size());
    }
    std::filesystem::remove(data_path);
    std::filesystem::remove(weights_path);
    return 0;
}
