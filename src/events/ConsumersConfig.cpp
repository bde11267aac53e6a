// The consumers' YAML keys (Consumers.hpp, docs/events-outputs.md) and `--bins N,LO,HI`.

#include "hepkit/core/Error.hpp"
#include "hepkit/events/Consumers.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace hepkit::events {

namespace {

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Axis regular_axis(long long n, double lo, double hi, const std::string& file, int line,
                  const std::string& key, const std::string& shown) {
    try {
        if (n < 1 || n > 100'000'000)
            throw std::invalid_argument(fmt::format("{} bins: must be between 1 and 10^8", n));
        return Axis::regular(static_cast<int>(n), lo, hi);
    } catch (const std::invalid_argument& e) {
        throw InputError(file, line, key, fmt::format("'{}': {}", shown, e.what()));
    }
}

// `bins: 40, 0, 200` (a string), `bins: [40, 0, 200]`, or `edges: [...]`; `prefix` is "" or "y_".
Axis read_axis(const config::YamlView& yaml, const std::string& prefix) {
    const std::string bins_key = prefix + "bins", edges_key = prefix + "edges";
    const bool has_bins = yaml.has(bins_key), has_edges = yaml.has(edges_key);
    if (has_bins == has_edges)
        yaml.fail(has_bins
                      ? fmt::format("give {} or {}, not both", bins_key, edges_key)
                      : fmt::format("a histogram needs {} (N, LO, HI) or {} (a list)", bins_key, edges_key));
    if (has_bins) {
        const auto b = yaml.at(bins_key);
        if (!b.is_sequence())
            return parse_bins(b.as_string(), b.file(), b.line(), b.key());
        if (b.size() != 3)
            b.fail(fmt::format("{} values: bins are N, LO, HI", b.size()));
        const long long n = b.at(std::size_t{0}).as_int();
        const double lo = b.at(std::size_t{1}).as_double(), hi = b.at(std::size_t{2}).as_double();
        return regular_axis(n, lo, hi, b.file(), b.line(), b.key(), fmt::format("[{}, {}, {}]", n, lo, hi));
    }
    const auto e = yaml.at(edges_key);
    if (!e.is_sequence())
        e.fail("edges are a list of increasing numbers");
    std::vector<double> edges;
    for (std::size_t k = 0; k < e.size(); ++k)
        edges.push_back(e.at(k).as_double());
    try {
        return Axis::variable(std::move(edges));
    } catch (const std::invalid_argument& err) {
        e.fail(err.what());
    }
}

std::string optional_string(const config::YamlView& yaml, const char* key) {
    return yaml.has(key) ? yaml.at(key).as_string() : std::string();
}

} // namespace

Axis parse_bins(const std::string& text, const std::string& file, int line, const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        parts.push_back(
            trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    auto bad = [&](const std::string& why) {
        throw InputError(file, line, key,
                         fmt::format("'{}': {} (expected N,LO,HI such as 40,0,200)", text, why));
    };
    if (parts.size() != 3)
        bad(fmt::format("{} value(s)", parts.size()));
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(parts[0].c_str(), &end, 10);
    if (parts[0].empty() || *end != '\0' || errno != 0)
        bad(fmt::format("the number of bins '{}' is not an integer", parts[0]));
    double range[2];
    for (int k = 0; k < 2; ++k) {
        const auto& s = parts[static_cast<std::size_t>(k) + 1];
        range[k] = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0')
            bad(fmt::format("'{}' is not a number", s));
    }
    return regular_axis(n, range[0], range[1], file, line, key, text);
}

std::unique_ptr<HistogramConsumer> HistogramConsumer::from_config(const StepConfig& config) {
    const auto& y = config.yaml;
    y.check_keys({"type", "name", "x", "y", "bins", "edges", "y_bins", "y_edges", "weight", "cut", "title"});
    Config c;
    if (!y.has("x"))
        y.fail("a histogram needs x: the expression to fill");
    c.x = y.at("x").as_string();
    c.x_axis = read_axis(y, "");
    if (y.has("y")) {
        c.y = y.at("y").as_string();
        c.y_axis = read_axis(y, "y_");
    } else if (y.has("y_bins") || y.has("y_edges")) {
        y.at(y.has("y_bins") ? "y_bins" : "y_edges")
            .fail("y binning without y (the expression of a 2D histogram)");
    }
    c.weight = optional_string(y, "weight");
    c.cut = optional_string(y, "cut");
    c.title = optional_string(y, "title");
    c.x_axis.set_title(c.x);
    if (c.y_axis)
        c.y_axis->set_title(c.y);
    return std::make_unique<HistogramConsumer>(config.place, std::move(c));
}

std::unique_ptr<NtupleConsumer> NtupleConsumer::from_config(const StepConfig& config) {
    const auto& y = config.yaml;
    y.check_keys({"type", "name", "products", "format", "tree"});
    Config c;
    if (!y.has("products"))
        y.fail("an ntuple needs products: the list of products to write");
    const auto p = y.at("products");
    if (!p.is_sequence())
        p.fail("products is a list of product names");
    for (std::size_t k = 0; k < p.size(); ++k)
        c.products.push_back(p.at(k).as_string());
    if (y.has("format")) {
        const auto f = y.at("format");
        const std::string s = f.as_string();
        if (s == "root")
            c.format = NtupleFormat::Root;
        else if (s == "hdf5" || s == "h5")
            c.format = NtupleFormat::Hdf5;
        else if (s == "csv")
            c.format = NtupleFormat::Csv;
        else
            f.fail(fmt::format("'{}' is not an ntuple format (allowed: root, hdf5, csv)", s));
    }
    if (y.has("tree"))
        c.tree = y.at("tree").as_string();
    return std::make_unique<NtupleConsumer>(config.place, std::move(c));
}

} // namespace hepkit::events
