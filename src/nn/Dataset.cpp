// load_data and Standardization (Dataset.hpp): the samples read with read_table, every event put in
// the training, validation or test set (seeded or by a fold expression), the class weights, and the
// input standardisation fitted on the training set. docs/nn-data.md describes the rules.
#include "TableRead.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/core/Random.hpp"
#include "hepkit/nn/Dataset.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>

namespace hepkit::nn {

namespace {

std::string list(const std::vector<std::int64_t>& v) {
    return fmt::format("[{}]", fmt::join(v, ", "));
}

// Appends row r of `from` to `to` (the feature names are set by the caller).
void append_row(Table& to, const Table& from, std::size_t r, double target, bool has_target, bool weighted) {
    const std::size_t c = from.cols();
    to.features.insert(to.features.end(), from.features.begin() + static_cast<std::ptrdiff_t>(r * c),
                       from.features.begin() + static_cast<std::ptrdiff_t>((r + 1) * c));
    if (has_target)
        to.targets.push_back(target);
    if (weighted)
        to.weights.push_back(from.weight(r));
    ++to.rows;
}

// Which set (0 train, 1 validation, 2 test) each row of a sample goes to.
std::vector<int> assign(const SplitRule& split, std::size_t sample, const std::string& name, std::size_t rows,
                        const std::vector<std::int64_t>& folds) {
    std::vector<int> out(rows);
    if (split.by.empty()) {
        // One stream per sample (RandomStreams: SplitMix64-derived seeds of mt19937_64), so that a
        // sample's split does not change when another sample is added or grows; one uniform draw per
        // event that passed the cut, in file order.
        auto engine = RandomStreams(split.seed).stream(fmt::format("nn.split.sample{}", sample));
        for (auto& set : out) {
            const double u = uniform01(engine);
            set = u < split.train ? 0 : u < split.train + split.validation ? 1 : 2;
        }
        return out;
    }
    const std::vector<std::int64_t>* lists[] = {&split.train_folds, &split.validation_folds,
                                                &split.test_folds};
    for (std::size_t r = 0; r < rows; ++r) {
        int set = -1;
        for (int k = 0; k < 3 && set < 0; ++k)
            if (std::find(lists[k]->begin(), lists[k]->end(), folds[r]) != lists[k]->end())
                set = k;
        if (set < 0)
            throw InputError(
                "", 0, "split.by",
                fmt::format("sample '{}': an event (row {} after the cut) has fold {} of '{}', in "
                            "none of train {}, validation {}, test {}",
                            name, r, folds[r], split.by, list(split.train_folds),
                            list(split.validation_folds), list(split.test_folds)));
        out[r] = set;
    }
    return out;
}

// "balanced": every class's weights scaled by total / (classes × class sum), the sums over the
// training set, the same factors on all three sets (so that validation losses weigh as training's).
void balance(DataSplits& d) {
    std::vector<double> sums(static_cast<std::size_t>(d.classes), 0.0);
    double total = 0;
    for (std::size_t r = 0; r < d.train.rows; ++r) {
        sums[static_cast<std::size_t>(d.train.targets[r])] += d.train.weight(r);
        total += d.train.weight(r);
    }
    std::vector<double> factor(sums.size());
    for (std::size_t k = 0; k < sums.size(); ++k) {
        if (!(sums[k] > 0))
            throw InputError(
                "", 0, "class_weights",
                fmt::format("class {} has a training sum of weights of {}; balancing needs every "
                            "class's sum > 0",
                            k, sums[k]));
        factor[k] = total / (static_cast<double>(sums.size()) * sums[k]);
    }
    for (Table* t : {&d.train, &d.validation, &d.test})
        for (std::size_t r = 0; r < t->rows; ++r)
            t->weights[r] *= factor[static_cast<std::size_t>(t->targets[r])];
}

} // namespace

DataSplits load_data(const DataConfig& config) {
    if (config.samples.empty())
        throw InputError("", 0, "samples", "no samples");
    const bool regression = !config.target.empty();
    DataSplits d;
    for (const auto& s : config.samples) {
        if (s.variation && !regression && !s.label)
            continue;
        if (regression == s.label.has_value())
            throw InputError("", 0, "samples",
                             "sample '" + s.name +
                                 "': give `class:` for a classification or data.target for a "
                                 "regression, not both or neither");
        if (s.label)
            d.classes = std::max(d.classes, *s.label + 1);
    }
    const bool balanced = config.class_weights == "balanced";
    if (balanced && regression)
        throw InputError("", 0, "class_weights", "balanced class weights need a classification");
    if (config.class_weights != "none" && !balanced)
        throw InputError("", 0, "class_weights",
                         "'" + config.class_weights + "': allowed are none, balanced");
    const bool weighted = balanced || std::any_of(config.samples.begin(), config.samples.end(),
                                                  [](const Sample& s) { return !s.source.weight.empty(); });
    for (Table* t : {&d.train, &d.validation, &d.test})
        t->feature_names = config.names.empty() ? config.features : config.names;

    for (std::size_t k = 0; k < config.samples.size(); ++k) {
        const Sample& s = config.samples[k];
        TableSource source = s.source;
        source.features = config.features;
        source.names = config.names;
        source.target = config.target;
        std::vector<std::int64_t> folds;
        const Table t = detail::read_table(source, config.split.by, "split.by", folds);
        if (t.rows == 0)
            throw InputError(source.files.front(), 0, "samples",
                             "sample '" + s.name + "' has no events" +
                                 (source.cut.empty() ? "" : " passing its cut"));
        const std::vector<int> sets = assign(config.split, k, s.name, t.rows, folds);
        if (s.variation) {
            VariationSplits v;
            v.name = s.name;
            v.variation = *s.variation;
            Table* out[] = {&v.train, &v.validation, &v.test};
            for (Table* o : out)
                o->feature_names = d.train.feature_names;
            for (std::size_t r = 0; r < t.rows; ++r)
                append_row(*out[sets[r]], t, r, 0, false, !source.weight.empty());
            d.variations.push_back(std::move(v));
            continue;
        }
        Table* out[] = {&d.train, &d.validation, &d.test};
        for (std::size_t r = 0; r < t.rows; ++r)
            append_row(*out[sets[r]], t, r, regression ? t.targets[r] : *s.label, true, weighted);
    }
    if (d.train.rows == 0)
        throw InputError("", 0, "split", "the training set is empty");
    if (balanced)
        balance(d);
    return d;
}

Standardization Standardization::fit(const Table& train) {
    if (train.rows == 0)
        throw InputError("", 0, "split", "the training set is empty: no standardisation can be fitted");
    const std::size_t c = train.cols();
    Standardization s;
    s.mean.assign(c, 0.0);
    s.scale.assign(c, 1.0);
    double sum_w = 0;
    for (std::size_t r = 0; r < train.rows; ++r)
        sum_w += train.weight(r);
    if (!(sum_w > 0))
        throw InputError("", 0, "weight",
                         fmt::format("the training events' weights sum to {}; standardisation needs a "
                                     "positive sum",
                                     sum_w));
    // Two passes (mean, then squared deviations): no cancellation for features far from 0.
    for (std::size_t j = 0; j < c; ++j) {
        double m = 0, lo = train.at(0, j), hi = lo;
        for (std::size_t r = 0; r < train.rows; ++r) {
            m += train.weight(r) * train.at(r, j);
            lo = std::min(lo, train.at(r, j));
            hi = std::max(hi, train.at(r, j));
        }
        m /= sum_w;
        double v = 0;
        for (std::size_t r = 0; r < train.rows; ++r)
            v += train.weight(r) * (train.at(r, j) - m) * (train.at(r, j) - m);
        v /= sum_w;
        s.mean[j] = m;
        // A constant feature (or one whose negative weights leave no positive variance) keeps scale 1.
        s.scale[j] = (lo == hi || !(v > 0)) ? 1.0 : std::sqrt(v);
    }
    return s;
}

void Standardization::apply(Table& table) const {
    if (table.cols() != mean.size() || scale.size() != mean.size())
        throw std::invalid_argument(
            fmt::format("Standardization::apply: {} features, fitted on {}", table.cols(), mean.size()));
    const std::size_t c = mean.size();
    for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t j = 0; j < c; ++j)
            table.features[r * c + j] = (table.features[r * c + j] - mean[j]) / scale[j];
}

} // namespace hepkit::nn
