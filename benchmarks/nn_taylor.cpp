// hepkit::nn::taylor_coefficients against the Python way (nested torch.autograd.grad per
// coefficient, as the group's tayloranalysis package does: benchmarks/nn_taylor_baseline.py) on
// the same TorchScript MLP and the same events, timed in one run with the same libtorch thread
// count (docs/nn-taylor.md, "Performance"). Target: hepkit >= 3x faster at third order.
//
// usage: bench_nn_taylor [--events N] [--features F] [--order K] [--threads T] [--batch B]
//                        [--script-dir DIR]      (defaults: 100000 events, 10 features, order 3, 1 thread)

#include "BenchOptions.hpp"
#include "hepkit/nn/Model.hpp"
#include "hepkit/nn/Taylor.hpp"

#include <torch/script.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unistd.h>
#include <unordered_map>

namespace {

/// A 10 → 64 → 64 → 1 tanh MLP with random float32 weights (what a trained network looks like to
/// the analysis), saved as TorchScript.
void save_mlp(const std::string& path, std::int64_t features) {
    torch::manual_seed(20180323);
    torch::jit::Module m("MLP");
    const std::int64_t h = 64;
    m.register_parameter("w1", torch::randn({h, features}) / std::sqrt(double(features)), false);
    m.register_parameter("b1", torch::randn({h}) * 0.1, false);
    m.register_parameter("w2", torch::randn({h, h}) / std::sqrt(double(h)), false);
    m.register_parameter("b2", torch::randn({h}) * 0.1, false);
    m.register_parameter("w3", torch::randn({1, h}) / std::sqrt(double(h)), false);
    m.register_parameter("b3", torch::zeros({1}), false);
    m.define("def forward(self, x):\n"
             "    h = torch.tanh(torch.linear(x, self.w1, self.b1))\n"
             "    h = torch.tanh(torch.linear(h, self.w2, self.b2))\n"
             "    return torch.linear(h, self.w3, self.b3)\n");
    m.save(path);
}

std::string key(const std::vector<std::size_t>& index) {
    std::string out;
    for (auto i : index)
        out.append(out.empty() ? "" : ",").append(std::to_string(i));
    return out;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t events = 100000, features = 10, batch = 8192;
    int order = 3, threads = 1;
    std::string script_dir = HEPKIT_BENCH_DIR;
    hepkit::bench::parse_options(
        argc, argv,
        "bench_nn_taylor [--events N] [--features F] [--order K] [--threads T] [--batch B] "
        "[--script-dir DIR]",
        {{"--events", hepkit::bench::into(events)},
         {"--features", hepkit::bench::into(features)},
         {"--order", hepkit::bench::into(order)},
         {"--threads", hepkit::bench::into(threads)},
         {"--batch", hepkit::bench::into(batch)},
         {"--script-dir", hepkit::bench::into(script_dir)}});
    const auto tmp = std::filesystem::temp_directory_path() /
                     std::string("hepkit-taylor-bench-").append(std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    const auto model_path = (tmp / "mlp.pt").string(), data_path = (tmp / "data.f64").string(),
               out_path = (tmp / "python.json").string();
    save_mlp(model_path, static_cast<std::int64_t>(features));

    hepkit::nn::Table table;
    for (std::size_t f = 0; f < features; ++f)
        table.feature_names.push_back(std::string("x").append(std::to_string(f)));
    table.rows = events;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal;
    table.features.resize(events * features);
    for (auto& v : table.features)
        v = normal(rng);
    std::ofstream(data_path, std::ios::binary)
        .write(reinterpret_cast<const char*>(table.features.data()),
               static_cast<std::streamsize>(table.features.size() * sizeof(double)));

    const auto model = hepkit::nn::Model::load(model_path);
    hepkit::nn::TaylorOptions options;
    options.order = order;
    options.convention = hepkit::nn::TaylorConvention::Taylor; // as the package reports them
    options.threads = threads;
    options.batch_size = batch;
    const auto t0 = std::chrono::steady_clock::now();
    const auto result = hepkit::nn::taylor_coefficients(model, table, options);
    const double t_hepkit = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::string cmd = "/usr/bin/python3 ";
    for (const std::string& part : {script_dir + "/nn_taylor_baseline.py", model_path, data_path,
                                    std::to_string(events), std::to_string(features), std::to_string(order),
                                    std::to_string(batch), std::to_string(threads), out_path})
        cmd.append(part).append(" ");
    const int rc = std::system(cmd.c_str());
    std::printf("%zu events x %zu features, order %d (%zu coefficients), batch %zu, %d libtorch thread(s)\n",
                events, features, order, result.coefficients.size(), batch, threads);
    std::printf("hepkit nn taylor (batched nested autograd)    %9.3f s\n", t_hepkit);
    if (rc != 0 || !std::filesystem::exists(out_path)) {
        std::printf("python3-torch not available: hepkit time only\n");
        std::filesystem::remove_all(tmp);
        return 0;
    }
    const auto py = nlohmann::json::parse(std::ifstream(out_path));
    const double t_python = py.at("seconds").get<double>();
    // The two compute the same numbers: the largest relative difference of <|t|>.
    double worst = 0;
    for (const auto& c : result.coefficients) {
        const double p = py.at("mean_abs").at(key(c.index)).get<double>();
        worst = std::max(worst, std::abs(p - c.mean_abs) / std::max(1e-300, std::abs(p)));
    }
    std::printf("python3-torch, one nested grad per coefficient %9.3f s (torch threads %d)\n", t_python,
                py.at("threads").get<int>());
    std::printf("ratio python / hepkit                          %9.2fx   (target >= 3x)\n",
                t_python / t_hepkit);
    std::printf("largest relative difference of <|t|>           %9.2e\n", worst);
    std::filesystem::remove_all(tmp);
    return worst < 1e-9 ? 0 : 1;
}
