// parse_data_config (Dataset.hpp): the `data:` section of a `hepkit nn` configuration, checked as far
// as it can be without reading the files (docs/nn-data.md): keys, types, the files (relative to the
// configuration, glob patterns expanded), classification or regression, the split.
#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Dataset.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <glob.h>
#include <set>

namespace hepkit::nn {

namespace {

namespace fs = std::filesystem;
using config::YamlView;

bool is_scalar(const YamlView& v) {
    return !v.is_map() && !v.is_sequence();
}

// A string, or a list of strings ("a" and [a] are the same).
std::vector<YamlView> one_or_list(const YamlView& v) {
    std::vector<YamlView> out;
    if (v.is_sequence())
        for (std::size_t k = 0; k < v.size(); ++k)
            out.push_back(v.at(k));
    else
        out.push_back(v);
    return out;
}

std::string nonempty_string(const YamlView& v) {
    const std::string s = v.as_string();
    if (s.empty())
        v.fail("empty value: an expression is needed");
    return s;
}

// The files of a sample: each relative to the configuration's folder unless absolute; a pattern
// with *, ? or [ expands to its matches, sorted by name (an error when there are none).
std::vector<std::string> files_of(const YamlView& v) {
    const fs::path dir = fs::path(v.file()).parent_path();
    std::vector<std::string> files;
    for (const auto& item : one_or_list(v)) {
        const std::string given = item.as_string();
        if (given.empty())
            item.fail("empty file name");
        const std::string path =
            fs::path(given).is_absolute() || dir.empty() ? given : (dir / given).lexically_normal().string();
        std::vector<std::string> matches;
        if (path.find_first_of("*?[") != std::string::npos) {
            glob_t g{};
            if (::glob(path.c_str(), 0, nullptr, &g) == 0)
                for (std::size_t k = 0; k < g.gl_pathc; ++k)
                    matches.emplace_back(g.gl_pathv[k]);
            ::globfree(&g);
            std::sort(matches.begin(), matches.end());
            if (matches.empty())
                item.fail("'" + given + "' matches no file (relative paths are relative to " +
                          (dir.empty() ? std::string("the working directory") : dir.string()) + ")");
        } else {
            std::error_code ec;
            if (!fs::is_regular_file(path, ec))
                item.fail("no file '" + path + "'");
            matches.push_back(path);
        }
        for (auto& m : matches) {
            if (std::find(files.begin(), files.end(), m) != files.end())
                item.fail("'" + m + "' is listed twice");
            files.push_back(std::move(m));
        }
    }
    if (files.empty())
        v.fail("no files");
    return files;
}

Sample parse_sample(const YamlView& s) {
    if (!s.is_map())
        s.fail("expected a map with files (and name, tree, class, weight, cut, max_events)");
    s.check_keys({"name", "files", "tree", "class", "weight", "cut", "max_events", "variation"});
    Sample out;
    out.source.files = files_of(s.at("files"));
    out.name = s.has("name") ? s.at("name").as_string() : fs::path(out.source.files.front()).stem().string();
    if (s.has("tree"))
        out.source.tree = s.at("tree").as_string();
    if (s.has("weight"))
        out.source.weight = nonempty_string(s.at("weight"));
    if (s.has("cut"))
        out.source.cut = nonempty_string(s.at("cut"));
    if (s.has("max_events")) {
        const long long n = s.at("max_events").as_int();
        if (n < 0)
            s.at("max_events").fail(fmt::format("{}: must be >= 0 (0: all events)", n));
        out.source.max_events = static_cast<std::size_t>(n);
    }
    if (s.has("class")) {
        const long long c = s.at("class").as_int();
        if (c < 0 || c > 1000)
            s.at("class").fail(fmt::format("{}: a class is an integer from 0 to 1000", c));
        out.label = static_cast<int>(c);
    }
    if (s.has("variation")) {
        const YamlView v = s.at("variation");
        if (!v.is_map())
            v.fail("expected {of: CLASS_NAME, nuisance: NAME, direction: up|down}");
        v.check_keys({"of", "nuisance", "direction"});
        Variation var;
        var.of = nonempty_string(v.at("of"));
        var.nuisance = nonempty_string(v.at("nuisance"));
        var.direction = v.at("direction").as_string();
        if (var.direction != "up" && var.direction != "down")
            v.at("direction").fail("'" + var.direction + "': allowed are up, down");
        if (out.label)
            s.at("class").fail(
                "a variation sample has no `class:` (it stands for the events of `variation.of`)");
        out.variation = var;
    }
    return out;
}

std::vector<std::int64_t> folds_of(const YamlView& v) {
    std::vector<std::int64_t> out;
    for (const auto& item : one_or_list(v))
        out.push_back(item.as_int());
    return out;
}

SplitRule parse_split(const YamlView& s) {
    if (!s.is_map())
        s.fail("expected a map: {fractions: [train, validation, test], seed: N} or {by: EXPRESSION, train: "
               "[folds], validation: [folds], test: [folds]}");
    s.check_keys({"fractions", "seed", "by", "train", "validation", "test"});
    SplitRule r;
    if (s.has("by")) {
        for (const char* k : {"fractions", "seed"})
            if (s.has(k))
                s.at(k).fail("a split `by:` a fold expression takes no fractions or seed");
        r.by = nonempty_string(s.at("by"));
        r.train_folds = folds_of(s.at("train"));
        if (s.has("validation"))
            r.validation_folds = folds_of(s.at("validation"));
        if (s.has("test"))
            r.test_folds = folds_of(s.at("test"));
        if (r.train_folds.empty())
            s.at("train").fail("no training folds");
        std::set<std::int64_t> seen;
        for (const auto* list : {&r.train_folds, &r.validation_folds, &r.test_folds})
            for (const std::int64_t f : *list)
                if (!seen.insert(f).second)
                    s.fail(fmt::format("fold {} is in two sets (or twice in one)", f));
        return r;
    }
    for (const char* k : {"train", "validation", "test"})
        if (s.has(k))
            s.at(k).fail("fold lists need `by:` (a fold expression); a seeded split takes `fractions:`");
    if (s.has("fractions")) {
        const YamlView f = s.at("fractions");
        if (!f.is_sequence() || f.size() != 3)
            f.fail("expected three fractions [train, validation, test]");
        double* parts[] = {&r.train, &r.validation, &r.test};
        for (std::size_t k = 0; k < 3; ++k) {
            *parts[k] = f.at(k).as_double();
            if (*parts[k] < 0 || *parts[k] > 1)
                f.at(k).fail(fmt::format("{}: a fraction is from 0 to 1", *parts[k]));
        }
        if (r.train <= 0)
            f.at(0).fail("the training fraction must be > 0");
        if (std::abs(r.train + r.validation + r.test - 1) > 1e-9)
            f.fail(fmt::format("the fractions sum to {:.12g}, not 1", r.train + r.validation + r.test));
    }
    if (s.has("seed")) {
        const long long seed = s.at("seed").as_int();
        if (seed < 0)
            s.at("seed").fail(fmt::format("{}: a seed is >= 0", seed));
        r.seed = static_cast<std::uint64_t>(seed);
    }
    return r;
}

} // namespace

DataConfig parse_data_config(const config::YamlView& data) {
    if (!data.is_map())
        data.fail("expected a map with features and samples (docs/nn-data.md)");
    data.check_keys({"features", "samples", "target", "split", "class_weights"});
    DataConfig c;
    const YamlView features = data.at("features");
    if (!features.is_sequence() || features.size() == 0)
        features.fail("expected a list of features: column names or expressions, or {name: N, expr: E}");
    for (std::size_t k = 0; k < features.size(); ++k) {
        const YamlView f = features.at(k);
        std::string name, expr;
        if (f.is_map()) {
            f.check_keys({"name", "expr"});
            expr = nonempty_string(f.at("expr"));
            name = f.has("name") ? nonempty_string(f.at("name")) : expr;
        } else if (is_scalar(f)) {
            expr = name = nonempty_string(f);
        } else {
            f.fail("expected a column name, an expression or {name: N, expr: E}");
        }
        if (std::find(c.names.begin(), c.names.end(), name) != c.names.end())
            f.fail("the feature '" + name + "' is listed twice");
        c.features.push_back(std::move(expr));
        c.names.push_back(std::move(name));
    }
    if (data.has("target"))
        c.target = nonempty_string(data.at("target"));
    const YamlView samples = data.at("samples");
    if (!samples.is_sequence() || samples.size() == 0)
        samples.fail("expected a list of samples, each {files: [...], class: N, ...}");
    std::set<int> labels;
    for (std::size_t k = 0; k < samples.size(); ++k) {
        const YamlView s = samples.at(k);
        Sample sample = parse_sample(s);
        if (!c.target.empty() && sample.label)
            s.at("class").fail("a regression (data.target is set) takes no `class:`; remove one of them");
        if (!c.target.empty() && sample.variation)
            s.at("variation").fail("variation samples belong to a classification, not a regression");
        if (c.target.empty() && !sample.label && !sample.variation)
            s.fail("missing `class:` (a classification: every sample is one class; for a regression set "
                   "data.target)");
        if (sample.label)
            labels.insert(*sample.label);
        c.samples.push_back(std::move(sample));
    }
    if (c.target.empty()) {
        if (labels.size() < 2)
            samples.fail("a classification needs samples of at least two classes");
        if (*labels.rbegin() + 1 != static_cast<int>(labels.size()))
            samples.fail(fmt::format("the classes must be 0 to {} with none left out (there are {} classes)",
                                     *labels.rbegin(), labels.size()));
    }
    if (data.has("split"))
        c.split = parse_split(data.at("split"));
    if (data.has("class_weights")) {
        const YamlView w = data.at("class_weights");
        c.class_weights = w.as_string();
        if (c.class_weights != "none" && c.class_weights != "balanced")
            w.fail("'" + c.class_weights + "': allowed are none, balanced");
        if (c.class_weights == "balanced" && !c.target.empty())
            w.fail("balanced class weights need a classification (samples with `class:`), not a regression");
    }
    return c;
}

} // namespace hepkit::nn
