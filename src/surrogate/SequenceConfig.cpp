// `hepkit surrogate train` documents of the per-job models (SequenceModel.hpp): the keys, their
// ranges and which kinds of model each applies to, with errors naming the file, line and key.
// Kept apart from SequenceModel.cpp (the networks, training and prediction).

#include "hepkit/surrogate/SequenceModel.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>
#include <string>

namespace hepkit::surrogate {

std::string to_string(SequenceLoss loss) {
    switch (loss) {
    case SequenceLoss::mse:
        return "mse";
    case SequenceLoss::l1:
        return "l1";
    case SequenceLoss::relative:
        return "relative";
    }
    return "?";
}

SequenceTrainConfig parse_sequence_config(const config::YamlView& root) {
    root.check_keys({"model", "data", "output", "hidden", "epochs", "learning_rate", "patience",
                     "validation_fraction", "max_samples", "seed", "threads", "ensemble", "batch_size",
                     "machine_weight", "placement_inputs", "residual_targets", "loss"});
    SequenceTrainConfig c;
    const std::string kind = root.at("model").as_string();
    if (kind == "gru")
        c.kind = SequenceKind::gru;
    else if (kind == "lstm")
        c.kind = SequenceKind::lstm;
    else if (kind == "transformer")
        c.kind = SequenceKind::transformer;
    else if (kind == "platform")
        c.kind = SequenceKind::platform;
    else
        root.at("model").fail(
            fmt::format("'{}': expected summary, gru, lstm, transformer or platform", kind));
    c.data = root.at("data").as_string();
    if (root.has("output"))
        c.output = root.at("output").as_string();
    const auto integer = [&](const char* key, long long lo, long long hi) -> std::optional<long long> {
        if (!root.has(key))
            return std::nullopt;
        const long long x = root.at(key).as_int();
        if (x < lo || x > hi)
            root.at(key).fail(fmt::format("{} is outside [{}, {}]", x, lo, hi));
        return x;
    };
    if (const auto v = integer("hidden", 1, 4096))
        c.hidden = static_cast<int>(*v);
    if (const auto v = integer("epochs", 1, 100000))
        c.epochs = static_cast<int>(*v);
    if (const auto v = integer("patience", 0, 100000))
        c.patience = static_cast<int>(*v);
    if (const auto v = integer("max_samples", 0, 100000000))
        c.max_samples = static_cast<std::size_t>(*v);
    if (const auto v = integer("seed", 0, 1LL << 62))
        c.seed = static_cast<std::uint64_t>(*v);
    if (const auto v = integer("threads", 1, 1024))
        c.threads = static_cast<int>(*v);
    if (const auto v = integer("ensemble", 1, 100))
        c.ensemble = static_cast<int>(*v);
    if (const auto v = integer("batch_size", 1, 4096))
        c.batch_size = static_cast<int>(*v);
    if (root.has("learning_rate")) {
        c.learning_rate = root.at("learning_rate").as_double();
        if (!(c.learning_rate > 0 && c.learning_rate < 10))
            root.at("learning_rate").fail("must be in (0, 10)");
    }
    if (root.has("machine_weight")) {
        c.machine_weight = root.at("machine_weight").as_double();
        if (!(c.machine_weight >= 0 && c.machine_weight <= 100))
            root.at("machine_weight").fail("must be in [0, 100]");
        if (c.machine_weight > 0 && c.kind != SequenceKind::platform)
            root.at("machine_weight")
                .fail(fmt::format("the {} model sees no hosts: only `model: platform` predicts machines",
                                  kind));
    }
    if (root.has("placement_inputs")) {
        c.placement_inputs = root.at("placement_inputs").as_bool();
        if (c.placement_inputs && c.kind != SequenceKind::platform)
            root.at("placement_inputs")
                .fail(fmt::format("the {} model reads the paper's job inputs only: `placement_inputs` is "
                                  "for `model: platform`",
                                  kind));
    }
    if (root.has("residual_targets")) {
        c.residual_targets = root.at("residual_targets").as_bool();
        if (c.residual_targets && !(c.kind == SequenceKind::platform && c.placement_inputs))
            root.at("residual_targets")
                .fail(
                    "the times are learned relative to the placement's estimates: `residual_targets` is for "
                    "`model: platform` with `placement_inputs: true`");
    }
    if (root.has("loss")) {
        const std::string loss = root.at("loss").as_string();
        const SequenceLoss losses[] = {SequenceLoss::mse, SequenceLoss::l1, SequenceLoss::relative};
        const auto named = std::find_if(std::begin(losses), std::end(losses),
                                        [&](SequenceLoss l) { return to_string(l) == loss; });
        if (named == std::end(losses))
            root.at("loss").fail(fmt::format("'{}': expected mse, l1 or relative", loss));
        c.loss = *named;
    }
    if (root.has("validation_fraction")) {
        c.validation_fraction = root.at("validation_fraction").as_double();
        if (!(c.validation_fraction > 0 && c.validation_fraction < 1))
            root.at("validation_fraction").fail("must be in (0, 1)");
    }
    return c;
}

} // namespace hepkit::surrogate
