// Training throughput of hepkit::nn::train against the same network, data and loop in python3-torch
// (benchmarks/nn_train_baseline.py, run by /usr/bin/python3 in the same run), same thread count
// (docs/nn-train.md, "Performance"). Both count events per second of the training passes only
// (forward, weighted BCE loss, backward, Adam step over shuffled minibatches). Target: hepkit not
// slower (ratio ≥ 1 within the noise).
//
// usage: bench_nn_train [--events N] [--features F] [--hidden 64,64] [--epochs E] [--batch B]
//                       [--threads T] [--script-dir DIR]

#include "BaselineRun.hpp"
#include "BenchOptions.hpp"

#include "hepkit/core/Process.hpp"
#include "hepkit/nn/Train.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

using hepkit::bench::run_capture;

namespace {} // namespace

int main(int argc, char** argv) {
    std::size_t events = 100000, features = 10, epochs = 3, batch = 256;
    int threads = 1;
    std::string hidden = "64,64", script_dir = HEPKIT_BENCH_DIR;
    hepkit::bench::parse_options(
        argc, argv,
        "bench_nn_train [--events N] [--features F] [--hidden 64,64] [--epochs E] [--batch B] "
        "[--threads T] [--script-dir DIR]",
        {{"--events", hepkit::bench::into(events)},
         {"--features", hepkit::bench::into(features)},
         {"--hidden", hepkit::bench::into(hidden)},
         {"--epochs", hepkit::bench::into(epochs)},
         {"--batch", hepkit::bench::into(batch)},
         {"--threads", hepkit::bench::into(threads)},
         {"--script-dir", hepkit::bench::into(script_dir)}});
    // signal: every feature shifted by 0.3; background: standard normal
    std::mt19937_64 rng(7);
    std::normal_distribution<double> gauss;
    hepkit::nn::DataSplits d;
    for (hepkit::nn::Table* t : {&d.train, &d.validation, &d.test}) {
        for (std::size_t j = 0; j < features; ++j)
            t->feature_names.push_back(std::string("x").append(std::to_string(j)));
        t->rows = t == &d.train ? events : 1000;
        for (std::size_t i = 0; i < t->rows; ++i) {
            const double label = static_cast<double>(i % 2);
            for (std::size_t j = 0; j < features; ++j)
                t->features.push_back(gauss(rng) + 0.3 * label);
            t->targets.push_back(label);
        }
    }
    d.classes = 2;
    const auto data_path =
        std::filesystem::temp_directory_path() /
        std::string("hepkit_bench_nn_train_").append(std::to_string(::getpid())).append(".bin");
    {
        std::ofstream out(data_path, std::ios::binary);
        for (std::size_t i = 0; i < d.train.rows; ++i) {
            out.write(reinterpret_cast<const char*>(&d.train.features[i * features]),
                      static_cast<std::streamsize>(features * sizeof(double)));
            out.write(reinterpret_cast<const char*>(&d.train.targets[i]), sizeof(double));
        }
    }

    hepkit::nn::TrainConfig c;
    c.network.hidden.clear();
    std::stringstream layers(hidden);
    for (std::string h; std::getline(layers, h, ',');)
        c.network.hidden.push_back(std::stoi(h));
    c.epochs = static_cast<int>(epochs);
    c.batch_size = batch;
    c.threads = threads;
    c.outputs.progress = false;
    const auto r = hepkit::nn::train(c, d);

    const std::string command =
        fmt::format("/usr/bin/python3 '{}/nn_train_baseline.py' '{}' {} {} {} {} {} {} {}", script_dir,
                    data_path.string(), events, features, hidden, epochs, batch, threads, c.seed);
    const std::string out = run_capture(command);
    std::filesystem::remove(data_path);
    fmt::print(
        "nn train throughput: {} events × {} features, hidden [{}], batch {}, {} epochs, {} thread(s)\n",
        events, features, hidden, batch, epochs, threads);
    fmt::print("  hepkit::nn::train       {:>12.0f} events/s  (final training loss {:.5f})\n",
               r.events_per_second, r.history.back().train_loss);
    if (out.empty()) {
        fmt::print("  python3-torch baseline  not run (no /usr/bin/python3 with torch)\n");
        return 0;
    }
    const auto doc = nlohmann::json::parse(out);
    const double python = doc.at("events_per_second").get<double>();
    fmt::print("  python3-torch baseline  {:>12.0f} events/s  (final training loss {:.5f})\n", python,
               doc.at("train_loss").back().get<double>());
    fmt::print("  ratio hepkit / python   {:.2f}  (target: >= 1, not slower)\n",
               r.events_per_second / python);
    return 0;
}
