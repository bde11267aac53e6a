#pragma once
/// @file
/// Training feed-forward networks (issue 16, `hepkit nn train CONFIG.yaml`): binary and multi-class
/// classification and regression on the tables of Dataset.hpp, with event and class weights,
/// Adam or SGD with a learning-rate schedule, early stopping on the validation loss, and the
/// result exported as TorchScript (`model.pt`) that hepkit::nn::Model and Python's torch.jit.load
/// read. docs/nn-train.md is the configuration reference.
///
///     hepkit::nn::TrainConfig config;                 // or parse_train_config(yaml)
///     config.network.hidden = {32, 32};
///     config.epochs = 20;
///     hepkit::nn::TrainResult r = hepkit::nn::train(config, splits);
///     hepkit::nn::save_model(r.model, "model.pt");
///
/// Determinism: the same configuration, data, seed and thread count give the same weights, bit
/// for bit (libtorch's CPU kernels are deterministic for a fixed thread count; the shuffling and
/// the initialisation draw from generators seeded by `seed`). libtorch stays private: no torch
/// types here.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/nn/Dataset.hpp"
#include "hepkit/nn/Model.hpp"
#include "hepkit/nn/Systematics.hpp"
#include "hepkit/nn/Table.hpp"
#include "hepkit/nn/Taylor.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::nn {

enum class Task { Binary, Multiclass, Regression };
enum class Activation { Relu, Tanh, Elu, LeakyRelu, Sigmoid };
enum class Precision { Float32, Float64 };

/// The hidden layers: Linear → (BatchNorm) → activation → (Dropout), then one Linear to the outputs.
struct NetworkConfig {
    std::vector<int> hidden{64, 64}; ///< units per hidden layer (may be empty: a linear model)
    Activation activation = Activation::Relu;
    double dropout = 0.0;    ///< probability in [0, 1), after every hidden activation (training only)
    bool batch_norm = false; ///< batch normalisation after every hidden Linear (eps 1e-5, momentum 0.1)
};

struct OptimizerConfig {
    std::string name = "adam"; ///< adam | sgd
    double lr = 1e-3;          ///< initial learning rate, > 0
    double momentum = 0.0;     ///< sgd only, in [0, 1)
    double weight_decay = 0.0; ///< L2 penalty added to the gradient (libtorch's convention), ≥ 0
};

/// The learning rate of epoch e (0-based) from the initial lr0:
/// none: lr0; step: lr0·gamma^⌊e/step_size⌋; exponential: lr0·gamma^e;
/// cosine: min_lr + (lr0 − min_lr)(1 + cos(π e / epochs))/2 (Loshchilov & Hutter, arXiv:1608.03983,
/// without restarts).
struct ScheduleConfig {
    std::string name = "none"; ///< none | step | exponential | cosine
    int step_size = 10;        ///< epochs, step only
    double gamma = 0.1;        ///< factor, step and exponential
    double min_lr = 0.0;       ///< cosine only
};

/// Training stops when the validation loss has not improved by more than min_delta for
/// `patience` epochs; the weights of the best epoch are restored at the end (also when all epochs
/// ran). patience 0: no early stopping, the model keeps the last epoch's weights.
struct EarlyStopping {
    int patience = 0;
    double min_delta = 0.0;
};

struct TrainOutputs {
    std::string directory = "nn-train"; ///< where model.pt, loss.csv, ... go (created)
    bool plots = true;                  ///< loss.png and roc.png through tools/plot/hepkit_nn_plot.py
    bool progress = true;               ///< one line per epoch on stderr
};

/// `taylor:`: the Taylor coefficients ⟨|t|⟩ of the network (Wunsch et al., arXiv:1803.08782; Taylor.hpp)
/// on the validation set before training (epoch 0) and after every epoch, to follow what the network
/// learns as the paper does.
struct TaylorTracking {
    bool enabled = false;
    TaylorOptions options;          ///< order, convention, output node (standardized inputs)
    std::size_t max_events = 10000; ///< at most this many validation events, every k-th (0: all)
};

struct TrainConfig {
    DataConfig data; ///< `data:` (Dataset.hpp); train() itself takes the loaded DataSplits
    Task task = Task::Binary;
    /// Class names for multi-class outputs and the ROC (default "0", "1", ...).
    std::vector<std::string> class_names;
    /// Per-class factors multiplying the event weights in the loss (empty: all 1).
    std::vector<double> class_weights;
    NetworkConfig network;
    OptimizerConfig optimizer;
    ScheduleConfig schedule;
    EarlyStopping early_stopping;
    int epochs = 20;
    std::size_t batch_size = 256;
    std::uint64_t seed = 1;
    int threads = 1; ///< libtorch intra-op threads (results are reproducible per thread count)
    Precision precision = Precision::Float32;
    TrainOutputs outputs;
    TaylorTracking taylor;
    /// `loss:` (Systematics.hpp): cross-entropy (default), penalised or inference-aware training.
    LossConfig loss;
};

/// Reads a whole `hepkit nn train` document: data, task, classes, network, optimizer, schedule,
/// training (epochs, batch_size, seed, threads, precision, class_weights, early_stopping), outputs.
/// Unknown keys and bad values are hepkit::InputError naming file:line: key.
TrainConfig parse_train_config(const config::YamlView& root);

/// Checks a configuration (also one built in code); throws hepkit::UsageError naming the field.
void validate(const TrainConfig& config);

struct EpochRecord {
    int epoch = 0; ///< 1-based
    double train_loss = 0, validation_loss = 0;
    /// Penalised loss: the penalty on the validation set (without λ); NaN for other losses.
    double validation_penalty = std::numeric_limits<double>::quiet_NaN();
    double lr = 0;
    double seconds = 0; ///< wall time of the epoch (training and validation)
};

/// A weighted ROC curve: points (fpr, tpr) for decreasing thresholds, from (0, 0) to (1, 1).
struct RocCurve {
    std::string label; ///< the positive class
    std::vector<double> threshold, fpr, tpr;
    double auc = 0;
};

struct TaylorEpoch {
    int epoch = 0; ///< 0: the initial network
    TaylorResult result;
};

/// What a penalised or inference-aware training ends with: the trained network's hard output
/// histograms on the test set as a HistFactory workspace (nominal templates per class at the yields
/// of the loss, a normfactor for the POI, a histosys per nuisance acting on inputs or templates at
/// nominal ± step with the smooth interpolation, a normsys per pure yield nuisance; Asimov data),
/// and the expected uncertainty of the POI it gives.
struct SystematicsResult {
    fit::hf::Workspace workspace;
    std::vector<std::string> parameters; ///< the POI, then the nuisances
    double sigma_hessian = 0;            ///< √(H⁻¹)_μμ of the workspace at the nominal point
    /// The profile-likelihood interval of the POI at Δ(−2 ln L) = 1 (ΔNLL = 0.5) on the Asimov data,
    /// nullopt where the scan does not reach it; sigma_profile is half its width.
    std::optional<double> lower, upper;
    double sigma_profile = 0;
};

struct TrainResult {
    Model model{std::shared_ptr<Model::Impl>{}}; ///< the exported TorchScript network (best weights),
                                                 ///< standardisation included
    std::vector<EpochRecord> history;
    int best_epoch = 0; ///< 1-based epoch whose weights the model has
    int epochs_run = 0;
    bool stopped_early = false;
    double test_loss = 0; ///< weighted loss of the best weights on the test set (NaN: no test events)
    /// The trained network's outputs (probabilities or values) on the test set, in evaluation mode,
    /// test rows × outputs: what the exported model gives for the same events.
    std::vector<double> test_outputs;
    std::size_t outputs = 0;
    /// Classification on the test set: one curve for binary, one-vs-rest per class for multi-class.
    std::vector<RocCurve> roc;
    double events_per_second = 0; ///< training events processed per second (training passes only)
    /// With TrainConfig::taylor enabled: the coefficients at epoch 0 and after every epoch run.
    std::vector<TaylorEpoch> taylor;
    Standardization standardization;
    /// With a penalised or inference-aware loss.
    std::optional<SystematicsResult> systematics;
    /// `loss.evaluations`: the name and result of each.
    std::vector<std::pair<std::string, SystematicsResult>> evaluations;
};

/// Called after every epoch (the CLI's progress line).
using EpochCallback = std::function<void(const EpochRecord&, const TrainConfig&)>;

/// Trains on splits.train, validates on splits.validation (early stopping, best epoch), evaluates
/// on splits.test. The standardisation is fitted on the training set and becomes the first
/// operation of the model. Throws hepkit::UsageError for a bad configuration, hepkit::InputError
/// for data that does not fit the task (a class outside 0..classes−1, no validation events).
TrainResult train(const TrainConfig& config, const DataSplits& splits, const EpochCallback& on_epoch = {});

/// The weighted ROC of `scores` (larger: more signal-like) for events `positive` (1) or not (0).
RocCurve roc_curve(const std::vector<double>& scores, const std::vector<int>& positive,
                   const std::vector<double>& weights);

/// Saves the model as a TorchScript archive with its `hepkit.json` (OutputError naming `path`).
void save_model(const Model& model, const std::string& path);

/// Writes model.pt, loss.csv, roc.csv (classification), taylor.csv (with `taylor:`), summary.json into
/// `directory` (created), and, when `plot_script` is not empty, loss.png, roc.png and taylor.png by running
/// it with /usr/bin/python3. Throws hepkit::OutputError naming the file that cannot be written or the failing
/// plot.
void write_train_outputs(const TrainConfig& config, const TrainResult& result, const std::string& directory,
                         const std::string& plot_script);

std::string to_string(Task task);
std::string to_string(Activation activation);

} // namespace hepkit::nn
