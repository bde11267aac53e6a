#pragma once
/// @file
/// Events for the networks of hepkit::nn from files: ROOT trees or RNTuples (through hepkit::io),
/// CSV and HDF5 (the layouts of `hepkit root dump`), with features that are columns or
/// hepkit::expr expressions of them (`log(Jet_pt[0])`, `abs(Muon_eta[0] - Muon_eta[1])`), a cut, a
/// weight and a target; the samples of a training (signal and background files, each its class),
/// their split into training, validation and test sets, and the input standardisation.
///
///     hepkit::nn::TableSource s;
///     s.files = {"sig.root"};
///     s.tree = "Events";
///     s.features = {"Muon_pt[0]", "MET_pt"};
///     hepkit::nn::Table t = hepkit::nn::read_table(s);
///
/// The `data:` section of a `hepkit nn train` configuration (docs/nn.md) is a DataConfig:
///
///     data:
///       features: [MET_pt, {name: lead_pt, expr: "Muon_pt[0]"}]
///       samples:
///         - {files: [sig.root], tree: Events, class: 1, weight: genWeight, cut: "nMuon >= 1"}
///         - {files: [bkg.root], tree: Events, class: 0}
///       split: {fractions: [0.6, 0.2, 0.2], seed: 1}       # or {by: "event % 4", train: [0, 1], validation:
///       [2], test: [3]} class_weights: balanced                              # or none (default)

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/nn/Systematics.hpp"
#include "hepkit/nn/Table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::nn {

/// One file set and how to read a table from it.
struct TableSource {
    /// .root (TTree or RNTuple), .csv or .h5/.hdf5 files, read as one chain in order.
    std::vector<std::string> files;
    /// The TTree or RNTuple of ROOT files; "" takes the file's only tree (an error naming the
    /// candidates when there are several). Ignored for CSV and HDF5.
    std::string tree;
    /// One per feature: a column name or a hepkit::expr expression of columns, per event scalar
    /// (a jagged column must be indexed or reduced: `Jet_pt[0]`, `sum(Jet_pt)`).
    std::vector<std::string> features;
    /// Names of the features in the table (default: the expressions themselves).
    std::vector<std::string> names;
    /// Per-event expressions; "" means none (weight 1, every event, no target).
    std::string weight;
    std::string cut;
    std::string target;
    /// Stop after this many events passing the cut (0: all).
    std::size_t max_events = 0;
};

/// Reads the table. A target that is not given leaves Table::targets empty, a weight not given
/// leaves Table::weights empty. Throws hepkit::InputError naming the file and the feature (its
/// expression) for a file that cannot be read, an unknown column (with the available ones), a
/// jagged feature that is not indexed, or a value that is not finite.
Table read_table(const TableSource& source);

/// A sample of a training: its events and what they are.
struct Sample {
    std::string name;         ///< for messages and the report (default: the first file's stem)
    TableSource source;       ///< features are filled from DataConfig::features
    std::optional<int> label; ///< `class:`: the class of every event (classification)
    /// `variation: {of, nuisance, direction}`: an alternative of another class's events for a
    /// template nuisance of a systematics-aware loss (Systematics.hpp); no `class:`, not trained on.
    std::optional<Variation> variation;
};

/// How events are split into training, validation and test sets.
struct SplitRule {
    /// Seeded: every event goes to a set at random, with these fractions (they sum to 1).
    double train = 0.6, validation = 0.2, test = 0.2;
    std::uint64_t seed = 1;
    /// `by:`: an integer expression per event (e.g. `event % 4`), the fold; the lists say which
    /// folds go where (as analyses split by even/odd event number). "" means seeded.
    std::string by;
    std::vector<std::int64_t> train_folds, validation_folds, test_folds;
};

struct DataConfig {
    std::vector<std::string> features; ///< expressions
    std::vector<std::string> names;    ///< feature names (the expression when not given)
    std::vector<Sample> samples;
    std::string target; ///< regression: the target expression for all samples
    SplitRule split;
    /// "balanced": classification events are reweighted so that every class has the same sum of
    /// weights in the training set (each class's weights scaled by total / (classes × class sum)).
    std::string class_weights = "none";
};

/// Reads a `data:` section; errors name the file, line and key (hepkit::InputError).
DataConfig parse_data_config(const config::YamlView& data);

/// The events of a variation sample (Sample::variation), split by the same rule as the others.
struct VariationSplits {
    std::string name; ///< the sample's
    Variation variation;
    Table train, validation, test; ///< targets empty
};

struct DataSplits {
    Table train, validation, test;
    /// The variation samples, in the order of the configuration (not part of the three tables).
    std::vector<VariationSplits> variations;
    /// The classes (the largest `class:` + 1) for classification; 0 for regression.
    int classes = 0;
};

/// Reads every sample, applies the split and the class weights. The rows keep the order of the
/// samples and files within each set, so that a result does not depend on thread counts.
DataSplits load_data(const DataConfig& config);

/// Input standardisation x' = (x − mean) / scale, fitted (weighted) on the training set: mean and
/// standard deviation per feature (scale 1 for a constant feature, so that it stays finite).
struct Standardization {
    std::vector<double> mean, scale;
    static Standardization fit(const Table& train);
    void apply(Table& table) const;
};

} // namespace hepkit::nn
