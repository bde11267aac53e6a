// A HistFactory workspace from the histogram JSON files of hepkit events (HistFactoryBuild.hpp):
// the YAML description becomes the pyhf JSON document those histograms make, which
// parse_workspace then checks like any other workspace.

#include "hepkit/fit/HistFactoryBuild.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hepkit::fit::hf {

namespace {

using json = nlohmann::json;

/// One histogram of hepkit events: its edges, counts and sumw2.
struct Histogram {
    std::string path;
    std::vector<double> edges, counts, sumw2;
};

std::vector<double> numbers(const json& doc, const char* key, const std::string& path) {
    if (!doc.contains(key) || !doc.at(key).is_array())
        throw InputError(
            path, 0, key,
            "not a histogram of hepkit events (a JSON object with the lists edges, counts, sumw2)");
    std::vector<double> out;
    for (const auto& v : doc.at(key)) {
        if (!v.is_number())
            throw InputError(path, 0, key, fmt::format("holds {}, not a number", config::show(v)));
        out.push_back(v.get<double>());
    }
    return out;
}

Histogram read_histogram(const config::YamlView& where, const std::filesystem::path& base) {
    std::filesystem::path file = where.as_string();
    if (file.is_relative())
        file = base / file;
    Histogram h;
    h.path = file.string();
    if (!std::filesystem::is_regular_file(file))
        where.fail(fmt::format("no histogram file '{}'", h.path));
    const json doc = config::load_json_file(h.path);
    if (!doc.is_object())
        throw InputError(h.path, 0, "",
                         "not a histogram of hepkit events (a JSON object with edges, counts, sumw2)");
    h.edges = numbers(doc, "edges", h.path);
    h.counts = numbers(doc, "counts", h.path);
    h.sumw2 = numbers(doc, "sumw2", h.path);
    if (h.counts.empty() || h.edges.size() != h.counts.size() + 1 || h.sumw2.size() != h.counts.size())
        throw InputError(
            h.path, 0, "",
            fmt::format("{} edges, {} counts and {} sumw2: a histogram has n+1 edges for n counts "
                        "and sumw2",
                        h.edges.size(), h.counts.size(), h.sumw2.size()));
    return h;
}

/// Every histogram of a channel must have the channel's binning (the first histogram's).
void check_binning(const config::YamlView& where, const Histogram& h, std::vector<double>& edges,
                   const std::string& channel) {
    if (edges.empty()) {
        edges = h.edges;
        return;
    }
    if (h.edges != edges)
        where.fail(fmt::format("{} has {} bins from {} to {}; channel '{}' has {} bins from {} to {} (the "
                               "histograms of a channel must have the same edges)",
                               h.path, h.counts.size(), h.edges.front(), h.edges.back(), channel,
                               edges.size() - 1, edges.front(), edges.back()));
}

json modifier(const config::YamlView& m, const std::filesystem::path& base, std::vector<double>& edges,
              const std::string& channel) {
    m.check_keys({"name", "type", "hi", "lo", "interpcode", "data"});
    const std::string name = m.at("name").as_string(), type = m.at("type").as_string();
    json out{{"name", name}, {"type", type}, {"data", nullptr}};
    if (type == "normsys") {
        out["data"] = {{"hi", m.at("hi").as_double()}, {"lo", m.at("lo").as_double()}};
    } else if (type == "histosys") {
        const Histogram hi = read_histogram(m.at("hi"), base), lo = read_histogram(m.at("lo"), base);
        check_binning(m.at("hi"), hi, edges, channel);
        check_binning(m.at("lo"), lo, edges, channel);
        out["data"] = {{"hi_data", hi.counts}, {"lo_data", lo.counts}};
    } else if (type == "shapesys") {
        // absolute uncertainties per bin, as in pyhf
        out["data"] = config::to_json(m.at("data").node(), m.file());
    } else if (type != "normfactor" && type != "lumi" && type != "shapefactor") {
        m.at("type").fail(
            fmt::format("'{}' is no modifier type here: normfactor, normsys, histosys, shapesys, "
                        "lumi, shapefactor (staterror: the sample's `staterror:` key)",
                        type));
    }
    if (m.has("interpcode")) {
        if (type != "normsys" && type != "histosys")
            m.at("interpcode").fail("only normsys and histosys modifiers are interpolated");
        out["data"]["interpcode"] = m.at("interpcode").as_string();
    }
    return out;
}

} // namespace

json workspace_document_from_histograms(const std::string& path) {
    const config::YamlView root = config::load_yaml_view(path);
    const std::filesystem::path base = std::filesystem::path(path).parent_path();
    root.check_keys({"channels", "measurements"});
    json channels = json::array(), observations = json::array();
    const config::YamlView chs = root.at("channels");
    if (!chs.is_sequence() || chs.size() == 0)
        chs.fail("expected a list of channels");
    for (std::size_t c = 0; c < chs.size(); ++c) {
        const config::YamlView ch = chs.at(c);
        ch.check_keys({"name", "data", "samples"});
        const std::string name = ch.at("name").as_string();
        std::vector<double> edges;
        const Histogram data = read_histogram(ch.at("data"), base);
        check_binning(ch.at("data"), data, edges, name);
        observations.push_back({{"name", name}, {"data", data.counts}});
        json samples = json::array();
        const config::YamlView ss = ch.at("samples");
        if (!ss.is_sequence() || ss.size() == 0)
            ss.fail("expected a list of samples");
        for (std::size_t s = 0; s < ss.size(); ++s) {
            const config::YamlView sample = ss.at(s);
            sample.check_keys({"name", "histogram", "staterror", "modifiers"});
            const Histogram h = read_histogram(sample.at("histogram"), base);
            check_binning(sample.at("histogram"), h, edges, name);
            json mods = json::array();
            if (sample.has("staterror")) {
                // Barlow–Beeston lite: the template's statistical uncertainty per bin, sqrt(Σw²)
                std::vector<double> sigma;
                for (double w2 : h.sumw2)
                    sigma.push_back(std::sqrt(std::max(w2, 0.0)));
                mods.push_back(
                    {{"name", sample.at("staterror").as_string()}, {"type", "staterror"}, {"data", sigma}});
            }
            if (sample.has("modifiers")) {
                const config::YamlView ms = sample.at("modifiers");
                if (!ms.is_sequence())
                    ms.fail("expected a list of modifiers");
                for (std::size_t m = 0; m < ms.size(); ++m)
                    mods.push_back(modifier(ms.at(m), base, edges, name));
            }
            samples.push_back(
                {{"name", sample.at("name").as_string()}, {"data", h.counts}, {"modifiers", mods}});
        }
        channels.push_back({{"name", name}, {"samples", samples}});
    }
    json measurements = json::array();
    const config::YamlView ms = root.at("measurements");
    if (!ms.is_sequence() || ms.size() == 0)
        ms.fail("expected a list of measurements");
    for (std::size_t i = 0; i < ms.size(); ++i) {
        const config::YamlView m = ms.at(i);
        m.check_keys({"name", "poi", "parameters"});
        json parameters =
            m.has("parameters") ? config::to_json(m.at("parameters").node(), path) : json::array();
        measurements.push_back({{"name", m.at("name").as_string()},
                                {"config", {{"poi", m.at("poi").as_string()}, {"parameters", parameters}}}});
    }
    return {{"channels", channels},
            {"observations", observations},
            {"measurements", measurements},
            {"version", "1.0.0"}};
}

Workspace build_workspace(const std::string& path) {
    return parse_workspace(workspace_document_from_histograms(path), path);
}

} // namespace hepkit::fit::hf
