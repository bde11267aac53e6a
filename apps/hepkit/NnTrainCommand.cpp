// `hepkit nn train CONFIG.yaml [-o OUTDIR] [-j THREADS] [--epochs N] [--seed S]`: trains the network a
// configuration describes (hepkit::nn::train, docs/nn-train.md) and writes model.pt, loss.csv,
// roc.csv, summary.json and the plots into the output directory.

#include "NnCommands.hpp"
#include "ProgramDir.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace hepkit::app {

namespace {

/// The plot script: HEPKIT_NN_PLOT_SCRIPT when set, else next to the executable or in an installed
/// hepkit's data directory (find_program_file), else the source tree's. Empty with `searched`
/// filled when there is none.
std::string find_nn_plot_script(const std::filesystem::path& program, std::string& searched) {
    if (const char* env = std::getenv("HEPKIT_NN_PLOT_SCRIPT"); env && *env) {
        searched = std::string(env).append(" (HEPKIT_NN_PLOT_SCRIPT)");
        return std::filesystem::is_regular_file(env) ? env : "";
    }
    if (auto found = find_program_file(program, "hepkit_nn_plot.py", searched); !found.empty())
        return found.string();
#ifdef HEPKIT_NN_PLOT_SCRIPT_SOURCE
    if (std::error_code ec; std::filesystem::is_regular_file(HEPKIT_NN_PLOT_SCRIPT_SOURCE, ec))
        return HEPKIT_NN_PLOT_SCRIPT_SOURCE;
    searched.append(", ").append(HEPKIT_NN_PLOT_SCRIPT_SOURCE);
#endif
    return "";
}

} // namespace

std::function<int()> add_nn_train(CLI::App& nn, const GlobalOptions& globals) {
    struct Options {
        std::string config, output;
        int threads = 0, epochs = 0;
        std::uint64_t seed = 0;
        bool seed_given = false, no_plots = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = nn.add_subcommand(
        "train",
        "Train a feed-forward network (binary or multi-class classification, regression) on ROOT, CSV\n"
        "or HDF5 events as CONFIG.yaml describes (docs/nn-train.md). Writes OUTDIR/model.pt (TorchScript\n"
        "with its input names and standardisation), loss.csv and loss.png, roc.csv and roc.png\n"
        "(classification), summary.json. One progress line per epoch on stderr (-q: none).\n"
        "Example: hepkit nn train examples/nn/train.yaml -o out -j 2");
    cmd->add_option("CONFIG", o->config, "the training configuration (YAML)")->required();
    cmd->add_option("-o,--output", o->output, "output directory (default: outputs.directory of the config)");
    cmd->add_option("-j,--threads", o->threads, "libtorch threads (default: training.threads)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--epochs", o->epochs, "epochs (default: training.epochs)")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--seed", o->seed,
                    "seed of the initialisation, shuffling and dropout (default: training.seed)")
        ->each([o](const std::string&) { o->seed_given = true; });
    cmd->add_flag("--no-plots", o->no_plots, "write no loss.png / roc.png (no Python needed)");
    return [o, &globals]() {
        const auto program = program_dir(); // before anything changes the working directory
        nn::TrainConfig c = nn::parse_train_config(config::load_yaml_view(o->config));
        if (!o->output.empty())
            c.outputs.directory = o->output;
        if (o->threads > 0)
            c.threads = o->threads;
        if (o->epochs > 0)
            c.epochs = o->epochs;
        if (o->seed_given)
            c.seed = o->seed;
        if (o->no_plots)
            c.outputs.plots = false;
        nn::validate(c);
        const nn::DataSplits data = nn::load_data(c.data);
        if (!globals.quiet)
            fmt::print(stderr, "{}: {} training, {} validation, {} test events, {} features\n", o->config,
                       data.train.rows, data.validation.rows, data.test.rows, data.train.cols());
        nn::EpochCallback progress;
        if (c.outputs.progress && !globals.quiet) {
            const auto rows = static_cast<double>(data.train.rows);
            progress = [rows](const nn::EpochRecord& e, const nn::TrainConfig& cfg) {
                fmt::print(stderr,
                           "epoch {:>4}/{}  train loss {:.6f}  validation loss {:.6f}  lr {:.3g}  {:.2f} s  "
                           "{:.0f} events/s\n",
                           e.epoch, cfg.epochs, e.train_loss, e.validation_loss, e.lr, e.seconds,
                           e.seconds > 0 ? rows / e.seconds : 0.0);
            };
        }
        const nn::TrainResult r = nn::train(c, data, progress);
        std::string searched;
        const std::string script = c.outputs.plots ? find_nn_plot_script(program, searched) : "";
        nn::write_train_outputs(c, r, c.outputs.directory, script);
        if (!globals.quiet) {
            fmt::print("{} epochs{}, best {} (validation loss {:.6g}), test loss {:.6g}, {:.0f} events/s\n",
                       r.epochs_run, r.stopped_early ? " (stopped early)" : "", r.best_epoch,
                       r.history[static_cast<std::size_t>(r.best_epoch) - 1].validation_loss, r.test_loss,
                       r.events_per_second);
            for (const auto& roc : r.roc)
                fmt::print("AUC {} {:.6f}\n", roc.label, roc.auc);
            if (r.systematics) {
                const auto& sy = *r.systematics;
                fmt::print(
                    "expected uncertainty of {} on the test set: {:.6g} (Hessian), {:.6g} (profile "
                    "likelihood, half the interval at delta NLL = 0.5); workspace.json for hepkit infer\n",
                    c.loss.poi, sy.sigma_hessian, sy.sigma_profile);
            }
            for (const auto& [name, e] : r.evaluations)
                fmt::print("evaluation {}: uncertainty of {} {:.6g} (Hessian), {:.6g} (profile)\n", name,
                           c.loss.poi, e.sigma_hessian, e.sigma_profile);
            fmt::print("outputs in {}\n", c.outputs.directory);
        }
        if (c.outputs.plots && script.empty()) {
            throw OutputError(
                (std::filesystem::path(c.outputs.directory) / "loss.png").string(), 0, "",
                fmt::format("the plot script hepkit_nn_plot.py is missing (searched {}); the other "
                            "outputs are written, --no-plots skips the plots",
                            searched));
        }
        return 0;
    };
}

} // namespace hepkit::app
