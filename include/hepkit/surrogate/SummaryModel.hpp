#pragma once
/// @file
/// The summary-level surrogate (docs/surrogate.md, "Summary model"): an ensemble of small
/// networks (MLPs, libtorch) from a scenario's features (Features.hpp) to its observables
/// (makespan, mean job times, CPU efficiency, the throughput curve's t10 … t90), trained on
/// the index of `hepkit surrogate generate`. Inputs are logarithms where every training value
/// is positive, targets too (a squared error on them is a relative error); both standardised.
/// The ensemble's spread is the uncertainty; a scenario whose features leave the training
/// range is flagged. libtorch stays private: no torch types here.
///
///     SummaryTrainConfig c;  c.data = "surrogate-data";  c.output = "surrogate-model";
///     train_summary(c);
///     SummaryModel m = SummaryModel::load("surrogate-model");
///     SummaryPrediction p = m.predict(scenario_features(scenario));

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/surrogate/Domain.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hepkit::surrogate {

struct SummaryTrainConfig {
    std::string data; ///< a `generate` output directory (its index.csv)
    std::string output = "surrogate-model";
    std::vector<std::string> targets; ///< empty: every observable but the job counts
    /// The scenario features the networks see (feature_names()); empty: all. Features left out
    /// still bound the training domain that prediction checks.
    std::vector<std::string> features;
    /// Targets learned relative to a feature (target → feature): the networks predict the target
    /// over the feature's value, and prediction multiplies it back — for an estimate that bounds
    /// or tracks a target (the makespan over pack_compute_end_max_s), so that the networks learn
    /// only how far the target lies from it. Empty: every target learned as it is.
    std::vector<std::pair<std::string, std::string>> relative_to;
    int ensemble = 5;                ///< networks, each from its own initialisation
    std::vector<int> hidden{64, 64}; ///< units per hidden layer (tanh)
    int epochs = 600;
    double learning_rate = 3e-3; ///< Adam
    int batch_size = 32;
    int patience = 100;               ///< epochs without a better validation loss before stopping
    double validation_fraction = 0.2; ///< of the samples, held out for early stopping
    std::uint64_t seed = 1;
    int threads = 1; ///< libtorch threads (results reproducible per count)
};

/// Reads the `hepkit surrogate train` document (model: summary); InputError naming file:line: key.
SummaryTrainConfig parse_summary_config(const config::YamlView& root);

struct SummaryTrainReport {
    std::size_t train_samples = 0, validation_samples = 0;
    /// Per target, the ensemble mean's relative mean absolute error on the validation samples.
    std::vector<std::pair<std::string, double>> validation_rel_mae;
    std::vector<int> best_epochs; ///< per member
    double seconds = 0;           ///< wall time of the training
};

/// Trains the ensemble and writes OUTPUT/surrogate.json and OUTPUT/member_K.pt. `progress(k,
/// epoch, validation loss)` after every epoch of member k. Throws InputError for a data
/// directory without index.csv or with too few samples, OutputError for an unwritable output.
SummaryTrainReport train_summary(const SummaryTrainConfig& config,
                                 const std::function<void(int, int, double)>& progress = {});

struct SummaryPrediction {
    std::vector<double> mean;            ///< per target (model targets() order), in the observable's unit
    std::vector<double> spread;          ///< the ensemble's standard deviation
    std::vector<OutsideFeature> outside; ///< features outside the training range (settings: settings_outside)
};

class SummaryModel {
  public:
    /// Loads OUTPUT of train_summary; InputError naming the file when it is not one.
    static SummaryModel load(const std::string& directory);
    const std::vector<std::string>& features() const;
    const std::vector<std::string>& targets() const;
    std::size_t members() const; ///< networks in the ensemble
    /// One scenario's features (feature_names() order).
    SummaryPrediction predict(const std::vector<double>& features) const;
    /// The settings (Features.hpp: scenario_settings) whose value no training sample had; none
    /// for a model trained on data without recorded settings.
    std::vector<OutsideFeature> settings_outside(const std::vector<double>& settings) const;
    /// Many scenarios at once: rows × features, row-major; one prediction per row.
    std::vector<SummaryPrediction> predict_rows(const std::vector<double>& features, std::size_t rows) const;

    struct Impl;
    explicit SummaryModel(std::shared_ptr<const Impl> impl);

  private:
    std::shared_ptr<const Impl> impl_;
};

/// A model on held-out samples (another `generate` output: unseen seeds and values, other
/// platforms, more jobs): per target the relative mean absolute error |pred − sim| / sim of the
/// ensemble mean, and every sample's simulated and predicted values.
struct SummaryEvaluation {
    std::vector<std::string> targets;
    std::size_t samples = 0;
    std::vector<double> rel_mae;     ///< per target
    std::vector<double> rel_max;     ///< per target, the worst sample
    std::vector<double> mean_spread; ///< per target, the ensemble's spread relative to its mean
    /// per target, samples simulated at 0 (all jobs failed: mean times 0), left out of the
    /// relative errors and spreads
    std::vector<std::size_t> zero_truth;
    std::size_t outside_domain = 0;           ///< samples with a feature outside the training range
    std::vector<double> simulated, predicted; ///< samples × targets, row-major
    double predict_seconds = 0;               ///< wall time of all predictions (one batch)
};
SummaryEvaluation evaluate_summary(const SummaryModel& model, const std::string& data_dir);

} // namespace hepkit::surrogate
