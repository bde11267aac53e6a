// The model.pt of hepkit::nn::train loaded by Python's torch.jit.load (Debian's python3-torch through
// /usr/bin/python3, tests/nn/train_torch_load.py): the same outputs as hepkit's for the same events,
// and the hepkit.json keys; the training loop written in python3-torch reaches the same losses.
// Skipped with a message where torch cannot be imported.

#include "TrainToys.hpp"

#include "hepkit/core/Process.hpp"
#include "hepkit/nn/Train.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::nn;

namespace {

void write_rows(const std::string& path, const std::vector<double>& values, std::size_t cols) {
    std::ofstream out(path);
    for (std::size_t i = 0; i < values.size(); i += cols) {
        for (std::size_t j = 0; j < cols; ++j)
            out << fmt::format("{}{:.17g}", j ? "," : "", values[i + j]);
        out << '\n';
    }
}

} // namespace

TEST(NnTrainPython, TorchJitLoadGivesHepkitsOutputs) {
    if (!fs::exists("/usr/bin/python3"))
        GTEST_SKIP() << "/usr/bin/python3 is absent (Debian: apt install python3-torch)";
    std::string name = "hepkit_nn_train_py_";
    fs::path dir = fs::temp_directory_path() / name.append(std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string script = std::string(HEPKIT_SOURCE_DIR).append("/tests/nn/train_torch_load.py");
    for (const auto task : {Task::Binary, Task::Multiclass}) {
        auto splits = task == Task::Binary ? test::separable_toy(600)
                                           : test::toy_splits(600, 2, 3, [](const double* x, test::Gauss&) {
                                                 return x[0] > 0 ? (x[1] > 0 ? 0.0 : 1.0) : 2.0;
                                             });
        TrainConfig c;
        c.task = task;
        c.network.hidden = {8, 8};
        c.network.batch_norm = true;
        c.network.activation = Activation::Elu;
        c.epochs = 3;
        const auto r = train(c, splits);
        const auto model = (dir / "model.pt").string();
        save_model(r.model, model);
        write_rows((dir / "inputs.csv").string(), splits.test.features, splits.test.cols());
        write_rows((dir / "expected.csv").string(), r.test_outputs, r.outputs);
        const auto run =
            hepkit::run_process({"/usr/bin/python3", script, model, (dir / "inputs.csv").string(),
                                 (dir / "expected.csv").string(), "1e-6"},
                                true);
        ASSERT_TRUE(run.exited) << run.errors;
        if (run.exit_code == 5) {
            fs::remove_all(dir);
            GTEST_SKIP() << run.errors;
        }
        EXPECT_EQ(run.exit_code, 0) << to_string(task) << ": " << run.errors;
    }
    fs::remove_all(dir);
}

TEST(NnTrainPython, TheSameLoopInPythonReachesTheSameLosses) {
    // the benchmark's baseline (benchmarks/nn_train_baseline.py: torch.nn.Linear/ReLU, weighted
    // BCEWithLogits, Adam, randperm from a seeded generator) on the same events: libtorch draws the
    // same initial weights and permutations from the same seeds, so the training losses per epoch
    // agree to float32 rounding — an independent check of the loss, the loop and the optimizer
    if (!fs::exists("/usr/bin/python3"))
        GTEST_SKIP() << "/usr/bin/python3 is absent (Debian: apt install python3-torch)";
    const auto splits = test::separable_toy(1500);
    std::string name = "hepkit_nn_train_loop_";
    const fs::path data = fs::temp_directory_path() / name.append(std::to_string(::getpid())).append(".bin");
    {
        std::ofstream out(data, std::ios::binary);
        const auto& t = splits.train;
        for (std::size_t i = 0; i < t.rows; ++i) {
            out.write(reinterpret_cast<const char*>(&t.features[i * t.cols()]),
                      static_cast<std::streamsize>(t.cols() * sizeof(double)));
            out.write(reinterpret_cast<const char*>(&t.targets[i]), sizeof(double));
        }
    }
    TrainConfig c;
    c.network.hidden = {16, 16};
    c.epochs = 3;
    c.batch_size = 64;
    c.seed = 5;
    const auto r = train(c, splits);
    const std::string script = std::string(HEPKIT_SOURCE_DIR).append("/benchmarks/nn_train_baseline.py");
    const std::string command = fmt::format("/usr/bin/python3 '{}' '{}' {} {} 16,16 3 64 1 5", script,
                                            data.string(), splits.train.rows, splits.train.cols());
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe))
        out += buffer;
    const int status = ::pclose(pipe);
    fs::remove(data);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
        GTEST_SKIP() << "python3-torch is not importable";
    ASSERT_EQ(status, 0) << out;
    const auto doc = nlohmann::json::parse(out);
    const auto& losses = doc.at("train_loss");
    ASSERT_EQ(losses.size(), r.history.size());
    for (std::size_t e = 0; e < losses.size(); ++e)
        EXPECT_NEAR(losses[e].get<double>(), r.history[e].train_loss, 1e-5 * r.history[e].train_loss)
            << "epoch " << e;
}
