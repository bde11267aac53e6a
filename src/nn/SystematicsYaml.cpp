// The `loss:` section of `hepkit nn train` (parse_loss_config, include/hepkit/nn/Systematics.hpp;
// reference in docs/nn-systematics.md). Structure and types are checked where they are read;
// ranges by validate(), whose UsageError becomes an InputError at the offending key's line.

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Systematics.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <set>

namespace hepkit::nn {

namespace {

using config::YamlView;

std::string text(const YamlView& v) {
    std::string s = v.as_string();
    if (s.empty())
        v.fail("must not be empty");
    return s;
}

std::vector<YamlView> items(const YamlView& v) {
    std::vector<YamlView> out;
    if (v.is_sequence()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            out.push_back(v.at(i));
    } else {
        out.push_back(v);
    }
    return out;
}

HistogramConfig read_histogram(const YamlView& v) {
    v.check_keys({"kind", "bins", "range", "bandwidth", "temperature"});
    HistogramConfig h;
    if (v.has("kind")) {
        const std::string k = v.at("kind").as_string();
        if (k == "hard")
            h.kind = HistogramKind::HardGauss;
        else if (k == "kde")
            h.kind = HistogramKind::Kde;
        else if (k == "softmax")
            h.kind = HistogramKind::Softmax;
        else
            v.at("kind").fail(fmt::format("'{}', allowed: hard, kde, softmax", k));
    }
    if (v.has("bins")) {
        const long long b = v.at("bins").as_int();
        if (b < 1 || b > 10000)
            v.at("bins").fail(fmt::format("{}, must be in 1..10000", b));
        h.bins = static_cast<int>(b);
    }
    if (v.has("range")) {
        const auto r = v.at("range");
        if (!r.is_sequence() || r.size() != 2)
            r.fail("must be [lo, hi]");
        h.lo = r.at(0).as_double();
        h.hi = r.at(1).as_double();
    }
    if (v.has("bandwidth"))
        h.bandwidth = v.at("bandwidth").as_double();
    if (v.has("temperature"))
        h.temperature = v.at("temperature").as_double();
    return h;
}

NuisanceConfig read_nuisance(const YamlView& v) {
    if (!v.is_map())
        v.fail("expected {name: ..., nominal: ..., constraint: ..., step: ..., inputs: [...] | yield: ... | "
               "templates: {sample: CLASS}}");
    v.check_keys({"name", "nominal", "constraint", "step", "inputs", "yield", "templates"});
    NuisanceConfig n;
    n.name = text(v.at("name"));
    if (v.has("nominal"))
        n.nominal = v.at("nominal").as_double();
    if (v.has("constraint") && v.at("constraint").as_string() != "none")
        n.constraint = v.at("constraint").as_double();
    if (v.has("step"))
        n.step = v.at("step").as_double();
    if (v.has("inputs")) {
        for (const auto& e : items(v.at("inputs"))) {
            e.check_keys({"sample", "feature", "expr"});
            InputEffect in;
            if (e.has("sample"))
                in.sample = text(e.at("sample"));
            in.feature = text(e.at("feature"));
            in.expr = text(e.at("expr"));
            n.inputs.push_back(in);
        }
    }
    if (v.has("yield")) {
        for (const auto& e : items(v.at("yield"))) {
            e.check_keys({"sample", "expr"});
            n.yields.push_back({text(e.at("sample")), text(e.at("expr"))});
        }
    }
    if (v.has("templates")) {
        const auto t = v.at("templates");
        t.check_keys({"sample"});
        n.template_sample = text(t.at("sample"));
    }
    if (n.inputs.empty() && n.yields.empty() && n.template_sample.empty())
        v.fail(fmt::format("nuisance '{}' acts on nothing: give inputs, yield or templates", n.name));
    return n;
}

void validate_nuisances(const std::string& poi, const std::vector<NuisanceConfig>& nuisances) {
    std::set<std::string> names{poi};
    for (const auto& n : nuisances) {
        if (!names.insert(n.name).second)
            throw UsageError("loss.nuisances", fmt::format("'{}' is defined twice (or is the POI)", n.name));
        if (n.constraint && !(*n.constraint > 0))
            throw UsageError(
                "loss.nuisances.constraint",
                fmt::format("nuisance '{}': {}, must be > 0 (or none: free)", n.name, *n.constraint));
        if (n.step && !(*n.step > 0))
            throw UsageError("loss.nuisances.step",
                             fmt::format("nuisance '{}': {}, must be > 0", n.name, *n.step));
    }
}

std::vector<NuisanceConfig> read_nuisances(const YamlView& list) {
    if (!list.is_sequence())
        list.fail("expected a list of nuisances");
    std::vector<NuisanceConfig> out;
    for (std::size_t i = 0; i < list.size(); ++i)
        out.push_back(read_nuisance(list.at(i)));
    return out;
}

} // namespace

LossConfig parse_loss_config(const YamlView& v) {
    if (!v.is_map())
        v.fail("expected {type: cross-entropy | penalised | inference-aware, ...} (docs/nn-systematics.md)");
    v.check_keys({"type", "histogram", "poi", "yields", "nuisances", "lambda", "objective",
                  "validation_events", "evaluations"});
    LossConfig c;
    if (v.has("type")) {
        const std::string t = v.at("type").as_string();
        if (t == "cross-entropy")
            c.type = LossType::CrossEntropy;
        else if (t == "penalised" || t == "penalized")
            c.type = LossType::Penalised;
        else if (t == "inference-aware")
            c.type = LossType::InferenceAware;
        else
            v.at("type").fail(fmt::format("'{}', allowed: cross-entropy, penalised, inference-aware", t));
    }
    if (v.has("histogram"))
        c.histogram = read_histogram(v.at("histogram"));
    if (v.has("poi")) {
        const auto p = v.at("poi");
        p.check_keys({"name", "sample", "nominal"});
        if (p.has("name"))
            c.poi = text(p.at("name"));
        if (p.has("sample"))
            c.poi_sample = text(p.at("sample"));
        if (p.has("nominal"))
            c.poi_nominal = p.at("nominal").as_double();
    }
    if (v.has("yields")) {
        const auto y = v.at("yields");
        if (!y.is_map())
            y.fail("expected {CLASS: expected events, ...}");
        for (const auto& kv : y.node()) {
            const std::string name = kv.first.as<std::string>();
            const double value = y.at(name).as_double();
            if (!(value > 0) || !std::isfinite(value))
                y.at(name).fail(fmt::format("{}, must be > 0", value));
            c.yields[name] = value;
        }
    }
    if (v.has("nuisances"))
        c.nuisances = read_nuisances(v.at("nuisances"));
    if (v.has("evaluations")) {
        const auto list = v.at("evaluations");
        if (!list.is_sequence())
            list.fail("expected a list of {name: NAME, nuisances: [...]}");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto e = list.at(i);
            e.check_keys({"name", "nuisances"});
            EvaluationConfig ev;
            ev.name = text(e.at("name"));
            for (const char ch : ev.name)
                if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-')
                    e.at("name").fail(
                        fmt::format("'{}': letters, digits, _ and - only (it names a file)", ev.name));
            if (e.has("nuisances"))
                ev.nuisances = read_nuisances(e.at("nuisances"));
            c.evaluations.push_back(std::move(ev));
        }
    }
    if (v.has("lambda"))
        c.lambda = v.at("lambda").as_double();
    if (v.has("objective")) {
        const std::string o = v.at("objective").as_string();
        if (o == "variance")
            c.objective = InferenceObjective::Variance;
        else if (o == "sigma")
            c.objective = InferenceObjective::Sigma;
        else
            v.at("objective").fail(fmt::format("'{}', allowed: variance, sigma", o));
    }
    if (v.has("validation_events")) {
        const long long n = v.at("validation_events").as_int();
        if (n < 0)
            v.at("validation_events").fail(fmt::format("{}, must be >= 0 (0: all)", n));
        c.validation_events = static_cast<std::size_t>(n);
    }
    return c;
}

void validate(const LossConfig& c) {
    const auto& h = c.histogram;
    if (h.bins < 1)
        throw UsageError("loss.histogram.bins", fmt::format("{}, must be >= 1", h.bins));
    if (!(h.lo < h.hi))
        throw UsageError("loss.histogram.range", fmt::format("[{}, {}]: lo must be < hi", h.lo, h.hi));
    if (!(h.bandwidth >= 0))
        throw UsageError("loss.histogram.bandwidth",
                         fmt::format("{}, must be >= 0 (0: half a bin)", h.bandwidth));
    if (!(h.temperature > 0))
        throw UsageError("loss.histogram.temperature", fmt::format("{}, must be > 0", h.temperature));
    if (c.type == LossType::Penalised && !(c.lambda >= 0))
        throw UsageError("loss.lambda", fmt::format("{}, must be >= 0", c.lambda));
    if (c.type == LossType::Penalised && h.kind == HistogramKind::Softmax)
        throw UsageError("loss.histogram.kind",
                         "softmax bins need a network with one output per bin; the penalised loss adds to "
                         "the cross-entropy of a binary network: use hard or kde");
    if (c.type == LossType::Penalised && c.nuisances.empty())
        throw UsageError("loss.nuisances",
                         "the penalised loss needs at least one nuisance (the shifts it penalises)");
    std::vector<const std::vector<NuisanceConfig>*> sets{&c.nuisances};
    std::set<std::string> evaluation_names;
    for (const auto& e : c.evaluations) {
        sets.push_back(&e.nuisances);
        if (!evaluation_names.insert(e.name).second)
            throw UsageError("loss.evaluations", fmt::format("'{}' is defined twice", e.name));
    }
    for (const auto* set : sets)
        validate_nuisances(c.poi, *set);
}

std::string to_string(LossType type) {
    switch (type) {
    case LossType::Penalised:
        return "penalised";
    case LossType::InferenceAware:
        return "inference-aware";
    case LossType::CrossEntropy:
        break;
    }
    return "cross-entropy";
}

std::string to_string(HistogramKind kind) {
    switch (kind) {
    case HistogramKind::Kde:
        return "kde";
    case HistogramKind::Softmax:
        return "softmax";
    case HistogramKind::HardGauss:
        break;
    }
    return "hard";
}

} // namespace hepkit::nn
