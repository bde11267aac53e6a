#pragma once
/// @file
/// The per-job surrogates (docs/surrogate.md, "Per-job models"): from a scenario's job sequence
/// (SequenceData.hpp) to every job's start, wall, compute and transfer times.
/// - `gru`, `lstm`: the paper's baselines (arXiv:2502.12741): a bidirectional recurrent network
///   (hidden size 75) with a linear layer per step, on the jobs alone;
/// - `transformer`: the paper's encoder-only Transformer (width 20), on the jobs alone — it never
///   sees the targets (the public code's decoder variant did);
/// - `platform`: hepkit's platform-aware model: the hosts as a set (a shared MLP per host, mean and
///   max pooling: a Deep Set) and the scenario's features give a context that every job step
///   reads beside its own inputs, then a bidirectional GRU; a pointer head scores every host for
///   every job: the machine it runs on (docs/surrogate.md, "Machines").
/// Sequences longer than 500 jobs run in windows of 500 overlapping by 250 (as the paper), all
/// windows in one batch; each job takes the window in which it lies most central.
/// libtorch stays private: no torch types here.

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/surrogate/Domain.hpp"
#include "hepkit/surrogate/SequenceData.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hepkit::surrogate {

enum class SequenceKind { gru, lstm, transformer, platform };
std::string to_string(SequenceKind kind);

enum class SequenceLoss { mse, l1, relative };
std::string to_string(SequenceLoss loss);

struct SequenceTrainConfig {
    std::string data;
    std::string output = "surrogate-model";
    SequenceKind kind = SequenceKind::platform;
    int hidden = 0; ///< 0: the paper's (75; 20 for the transformer), 64 for platform
    int epochs = 30;
    double learning_rate = 1e-3; ///< Adam
    int patience = 8;            ///< epochs without a better validation loss before stopping
    double validation_fraction = 0.2;
    std::size_t max_samples = 0; ///< 0: every sample of the data
    int ensemble = 1;            ///< networks, each from its own initialisation (their spread)
    /// Samples per optimiser step: their windows padded to the longest and run as one batch
    /// (packed sequences; the loss over the real steps only). 1: one sample at a time.
    int batch_size = 1;
    /// Platform model: the weight of the machine head's loss (the negative log-probability of the
    /// class of hosts a job ran on) beside the times' mean squared error; 0: no machine head.
    double machine_weight = 0.2;
    /// Platform model: each job's place in the dispatcher's first burst as inputs (the share
    /// placed, its compute, input transfer and output write there: SequenceData.hpp); false leaves them out
    /// (the model of the sixth to eighth studies, for comparisons).
    bool placement_inputs = true;
    /// Platform model with placement inputs: each time learned relative to an estimate of it
    /// (log1p(time) − log1p(estimate)), so that the network learns a correction where an estimate
    /// is good: the start to the submission, the compute, input and output transfer to the
    /// placement's, the wall to their sum; false: the times themselves (models before it). On by
    /// default: on the study's 800 samples it took a third off the unseen platform's per-job wall
    /// and mean wall time errors (docs/surrogate.md, eleventh session).
    bool residual_targets = true;
    /// What the training minimises of each time's standardised log-target: its squared error
    /// (mse, the default) or its absolute error (l1: the evaluation's metric is a mean absolute
    /// relative error, of which an absolute log error is the first-order part). On the study's
    /// unseen platform (3200 samples, two seeds) l1 halved the makespan, mean wall and compute
    /// errors and lowered the output writes', the reads' moved either way (docs/surrogate.md,
    /// nineteenth session). `relative`: each time's relative error |p − t| / (1 + t), close to
    /// the evaluation's metric (which divides by t and counts times of 1 s and more; in log1p seconds, over
    /// the target's standardisation scale so that its first order is l1's): it penalises a prediction too
    /// long more than one too short, so its optimum lies below l1's median (docs/surrogate.md, twenty-third
    /// session).
    SequenceLoss loss = SequenceLoss::mse;
    std::uint64_t seed = 1;
    int threads = 1;
};

/// Reads a `hepkit surrogate train` document with `model: gru | lstm | transformer | platform`.
SequenceTrainConfig parse_sequence_config(const config::YamlView& root);

struct SequenceTrainReport {
    std::size_t train_samples = 0, validation_samples = 0, jobs = 0;
    std::vector<int> best_epochs, epochs_run; ///< per member
    double best_validation_loss = 0;          ///< the members' mean
    double seconds = 0;
};

/// Trains and writes OUTPUT/surrogate.json and OUTPUT/network_K.pt. `progress(member, epoch,
/// train loss, validation loss)` after every epoch.
SequenceTrainReport train_sequence(const SequenceTrainConfig& config,
                                   const std::function<void(int, int, double, double)>& progress = {});

/// What the members of an ensemble spread (docs/surrogate.md, "Uncertainty of the per-job
/// outputs"): per job the standard deviation of each time, and the summaries' mean and standard
/// deviation over the members.
struct SequenceSpread {
    /// jobs × sequence_spread_names(): start, wall, compute, input, output transfer, end.
    std::vector<double> jobs;
    /// sequence_summary_names(): each member's summary, their mean and standard deviation.
    std::vector<double> summary, summary_spread;
};
/// The per-job spreads' names: job_target_names() and "end" (start + wall).
const std::vector<std::string>& sequence_spread_names();
/// The summaries derived from a per-job prediction: makespan_s (the last end), mean_wall_time_s,
/// mean_compute_time_s, mean_input_transfer_time_s, mean_output_transfer_time_s.
const std::vector<std::string>& sequence_summary_names();
/// The summaries of jobs × job_target_names() values (a prediction, or a sample's targets).
std::vector<double> sequence_summaries(const std::vector<double>& jobs);

class SequenceModel {
  public:
    static SequenceModel load(const std::string& directory);
    SequenceKind kind() const;
    /// Per job of `s` (its order), job_target_names() values in seconds: jobs × targets (the
    /// ensemble's mean).
    std::vector<double> predict(const SequenceSample& s) const;
    /// Where the jobs run, with the ensemble's uncertainty (predict_members).
    struct Machines {
        /// Per job, the host (an index into the sample's hosts): predict_machines().
        std::vector<int> host;
        /// Per job, the ensemble's mean probability that the job runs in the chosen host's class
        /// of identical hosts: a confidence (1: certain; 1/classes: no preference).
        std::vector<double> probability;
        /// Per member, the hosts its probabilities alone choose (the same rule): the spread of
        /// anything counted from the machines (jobs per site). One entry for a single network.
        std::vector<std::vector<int>> members;
    };
    /// The mean, then each member's prediction (for the spread of anything derived from them);
    /// with `machines`, where the model predicts machines, also those (from the same run of the
    /// networks; left empty otherwise).
    std::vector<std::vector<double>> predict_members(const SequenceSample& s,
                                                     Machines* machines = nullptr) const;
    /// predict() of several samples run as one batch (their windows side by side, padded: the
    /// recurrent networks read packed sequences, the Transformer masks the padding): the same
    /// values up to float rounding, faster for many short samples.
    std::vector<std::vector<double>> predict_batch(const std::vector<SequenceSample>& samples) const;
    std::size_t members() const;
    /// The scenario features outside their training range and the settings no training sample
    /// had (Domain.hpp); none for a model trained before hepkit recorded them.
    std::vector<OutsideFeature> outside_domain(const SequenceSample& s) const;
    /// The model predicts the machine each job runs on (a platform model with a machine head).
    bool predicts_machines() const;
    /// Per job of `s`, the host (an index into its hosts) it is predicted to run on: the class of
    /// identical hosts the ensemble's mean probability favours, its members in turn. Empty when
    /// the model does not predict machines.
    std::vector<int> predict_machines(const SequenceSample& s) const;
    /// The spread of predict_members()'s result, each standard deviation times the model's
    /// calibration factor (spread_scale()); for a single network every spread is 0.
    SequenceSpread spread(const std::vector<std::vector<double>>& members) const;
    /// Per sequence_spread_names() then per sequence_summary_names(): the factor that makes the
    /// ensemble's spread cover 68.3 % of the errors on the training's validation samples (σ
    /// scaling); 1 for a single network or a model trained before hepkit calibrated.
    const std::vector<double>& spread_scale() const;

    struct Impl;
    explicit SequenceModel(std::shared_ptr<const Impl> impl);

  private:
    std::shared_ptr<const Impl> impl_;
};

/// A per-job model on held-out samples: per target the relative MAE over the jobs (times below
/// 1 s left out: a start at 0 has no relative error), start and end as an MAE in units of the
/// sample's makespan, and the summaries derived from the jobs (makespan = the last end, mean wall
/// time) as relative MAE over samples.
struct SequenceEvaluation {
    std::size_t samples = 0, jobs = 0;
    std::size_t outside_domain = 0;   ///< samples outside the training domain (outside_domain())
    std::vector<std::string> targets; ///< job_target_names()
    std::vector<double> rel_mae;      ///< per target, over jobs
    /// Per target, the jobs rel_mae counts (times of 1 s and more); 0: no relative error (a
    /// target 0 everywhere — no job reads input — is no perfect score).
    std::vector<std::size_t> counted;
    /// Per target, the MAE over all jobs divided by the mean simulated value (Σ|error| / Σ value):
    /// the error relative to the target's typical size. The per-job mean above weighs a job with
    /// 2 s of transfer as much as one with 2000 s, so a few seconds' error on the short ones
    /// dominates it; this one weighs each job by its time.
    std::vector<double> pooled_rel_mae;
    /// Per target, over the same jobs, the ensemble members' standard deviation times the model's
    /// calibration factor (SequenceModel::spread), relative to the simulated value: the
    /// uncertainty `predict` reports, in the units of rel_mae (0 for a single network).
    std::vector<double> rel_spread;
    /// Per target, over the same jobs, the fraction whose error is within the (calibrated) spread:
    /// 0.683 where the spread is a calibrated standard deviation (0 for a single network).
    std::vector<double> coverage;
    /// Per sequence_summary_names(), over the samples, the fraction whose summary's error is within
    /// its (calibrated) spread (0 for a single network).
    std::vector<double> summary_coverage;
    double start_mae_of_makespan = 0, end_mae_of_makespan = 0;
    double makespan_rel_mae = 0, mean_wall_rel_mae = 0;
    /// The throughput curve (t10 … t90 of the jobs' ends), relative MAE over its five points and
    /// the samples.
    double throughput_rel_mae = 0;
    double predict_seconds = 0; ///< all samples
    /// Machines (models that predict them; 0 jobs otherwise): over the jobs, the fraction whose
    /// predicted host is in the simulated host's class of identical hosts, in its site, and the
    /// fraction a guess from the platform alone gets (every job on the class with the most worker
    /// cores); over the samples, ½ Σ |predicted − simulated share of the jobs| over the sites, and
    /// the same for shares in proportion to the sites' worker cores.
    std::size_t machine_jobs = 0;
    double class_accuracy = 0, site_accuracy = 0, largest_class_accuracy = 0;
    /// Over the same jobs, the mean probability the model gives its chosen class
    /// (Machines::probability): where it equals class_accuracy, the confidence is calibrated.
    double mean_class_probability = 0;
    double site_share_error = 0, site_share_error_by_cores = 0;
};
SequenceEvaluation evaluate_sequence(const SequenceModel& model, const std::string& data_dir,
                                     std::size_t max_samples = 0);

} // namespace hepkit::surrogate
