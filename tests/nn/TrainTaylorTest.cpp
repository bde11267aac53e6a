// The `taylor:` section of a training: the Taylor coefficients (arXiv:1803.08782) of the network on
// the validation set at epoch 0 and after every epoch, on the paper's two toys — a mean shift in
// one input (its first-order coefficient ranks first) and equal marginals with opposite
// correlations (the mixed second-order coefficient ranks first) — and their CSV file.

#include "TrainToys.hpp"

#include "hepkit/nn/Train.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::nn;
using hepkit::nn::test::Gauss;

namespace {

/// Three standard-normal features per event, class 1 or 0 alternately; `signal` changes class 1.
Table toy(std::size_t rows, std::uint64_t seed, void (*signal)(double* x, Gauss& g)) {
    Table t;
    t.feature_names = {"a", "b", "c"};
    t.rows = rows;
    Gauss g(seed);
    for (std::size_t i = 0; i < rows; ++i) {
        double x[3] = {g(), g(), g()};
        if (i % 2 == 1)
            signal(x, g);
        t.features.insert(t.features.end(), x, x + 3);
        t.targets.push_back(static_cast<double>(i % 2));
    }
    return t;
}

DataSplits splits(void (*signal)(double* x, Gauss& g)) {
    DataSplits d;
    d.train = toy(4000, 21, signal);
    d.validation = toy(2000, 22, signal);
    d.test = toy(2000, 23, signal);
    d.classes = 2;
    return d;
}

TrainConfig taylor_config(int order) {
    TrainConfig c;
    c.network.hidden = {32, 32};
    c.network.activation = Activation::Tanh;
    c.epochs = 8;
    c.batch_size = 64;
    c.optimizer.lr = 0.005;
    c.taylor.enabled = true;
    c.taylor.options.order = order;
    c.taylor.max_events = 1000;
    return c;
}

} // namespace

TEST(NnTrainTaylor, AMeanShiftInOneInputRanksItsFirstOrderCoefficientFirst) {
    // signal: a shifted by +1; b and c carry nothing
    const auto d = splits([](double* x, Gauss&) { x[0] += 1.0; });
    const auto r = train(taylor_config(1), d);
    ASSERT_EQ(r.taylor.size(), static_cast<std::size_t>(r.epochs_run) + 1);
    for (std::size_t e = 0; e < r.taylor.size(); ++e)
        EXPECT_EQ(r.taylor[e].epoch, static_cast<int>(e));
    const auto& final = r.taylor.back().result.coefficients;
    ASSERT_EQ(final.size(), 3u);
    EXPECT_EQ(final[0].names, (std::vector<std::string>{"a"}));
    // learned: ⟨|t_a|⟩ grows from the random initial network and dominates b and c
    const auto first = [](const TaylorResult& t, const char* name) {
        for (const auto& c : t.coefficients)
            if (c.names.size() == 1 && c.names[0] == name)
                return c.mean_abs;
        return -1.0;
    };
    EXPECT_GT(first(r.taylor.back().result, "a"), 3 * first(r.taylor.back().result, "b"));
    EXPECT_GT(first(r.taylor.back().result, "a"), first(r.taylor.front().result, "a"));
}

TEST(NnTrainTaylor, OppositeCorrelationsRankTheMixedCoefficientFirst) {
    // equal standard-normal marginals; (a, b) correlated by +0.8 in signal, -0.8 in background: the
    // likelihood ratio depends on a·b, so t_ab leads (the paper's second toy)
    const auto correlate = [](double* x, double rho) { x[1] = rho * x[0] + std::sqrt(1 - rho * rho) * x[1]; };
    DataSplits d;
    for (auto [t, seed, rows] :
         {std::tuple{&d.train, 31, 6000}, {&d.validation, 32, 2000}, {&d.test, 33, 2000}}) {
        *t = toy(static_cast<std::size_t>(rows), static_cast<std::uint64_t>(seed), [](double*, Gauss&) {});
        for (std::size_t i = 0; i < t->rows; ++i)
            correlate(&t->features[3 * i], t->targets[i] > 0.5 ? 0.8 : -0.8);
    }
    d.classes = 2;
    auto c = taylor_config(2);
    c.epochs = 15;
    const auto r = train(c, d);
    EXPECT_GT(r.roc[0].auc, 0.75);
    const auto& final = r.taylor.back().result.coefficients;
    ASSERT_EQ(final.size(), 9u); // 3 first-order, 6 second-order
    EXPECT_EQ(final[0].names, (std::vector<std::string>{"a", "b"}));
}

TEST(NnTrainTaylor, TheCoefficientsPerEpochAreWrittenToTaylorCsv) {
    const auto d = splits([](double* x, Gauss&) { x[0] += 1.0; });
    auto c = taylor_config(2);
    c.epochs = 2;
    const auto r = train(c, d);
    std::string name = "hepkit_nn_train_taylor_";
    const fs::path dir = fs::temp_directory_path() / name.append(std::to_string(::getpid()));
    write_train_outputs(c, r, dir.string(), "");
    std::ifstream in(dir / "taylor.csv");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "epoch,order,names,mean_abs,mean");
    int rows = 0;
    while (std::getline(in, line))
        ++rows;
    EXPECT_EQ(rows, 3 * 9); // epochs 0, 1, 2 × 9 coefficients
    fs::remove_all(dir);
}
