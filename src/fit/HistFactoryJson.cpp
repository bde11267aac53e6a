// pyhf's JSON workspace format (schema 1.0.0: workspace.json and defs.json of scikit-hep/pyhf),
// read strictly — unknown keys are refused as the schema's additionalProperties: false does,
// except inside a modifier's data object, where the schema allows them (hepkit keeps its
// "interpcode" there) — and written back.
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/HistFactory.hpp"
#include "hepkit/fit/HistFactoryBuild.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <array>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <initializer_list>
#include <set>
#include <stdexcept>

namespace hepkit::fit::hf {

using nlohmann::json;

namespace {
struct Reader {
    std::string file;

    [[noreturn]] void fail(const std::string& at, const std::string& message) const {
        throw InputError(file, 0, at, message);
    }
    const json& object(const json& j, const std::string& at, std::initializer_list<const char*> required,
                       std::initializer_list<const char*> optional) const {
        if (!j.is_object())
            fail(at, fmt::format("{}: must be an object", config::show(j)));
        std::set<std::string> allowed;
        std::string names;
        for (const auto* list : {&required, &optional})
            for (const char* k : *list) {
                allowed.insert(k);
                names += (names.empty() ? "" : ", ") + std::string(k);
            }
        for (const char* k : required)
            if (!j.contains(k))
                fail(at, fmt::format("the key '{}' is missing (keys: {})", k, names));
        for (const auto& [k, v] : j.items())
            if (!allowed.count(k))
                fail(at.empty() ? k : at + "." + k, fmt::format("unknown key (allowed: {})", names));
        return j;
    }
    const json& array(const json& j, const std::string& at, bool non_empty = true) const {
        if (!j.is_array() || (non_empty && j.empty()))
            fail(at, fmt::format("{}: must be a{} list", config::show(j), non_empty ? " non-empty" : ""));
        return j;
    }
    std::string string(const json& j, const std::string& at) const {
        if (!j.is_string())
            fail(at, fmt::format("{}: must be a string", config::show(j)));
        return j.get<std::string>();
    }
    double number(const json& j, const std::string& at) const {
        if (!j.is_number() || !std::isfinite(j.get<double>()))
            fail(at, fmt::format("{}: must be a finite number", config::show(j)));
        return j.get<double>();
    }
    // a list of numbers; `size` > 0: exactly that many; `non_negative`: each ≥ 0
    std::vector<double> numbers(const json& j, const std::string& at, std::size_t size = 0,
                                bool non_negative = false) const {
        array(j, at);
        if (size && j.size() != size)
            fail(at, fmt::format("{} numbers, must be {} (one per bin of the channel)", j.size(), size));
        std::vector<double> v;
        for (std::size_t i = 0; i < j.size(); ++i) {
            const double x = number(j[i], fmt::format("{}[{}]", at, i));
            if (non_negative && x < 0)
                fail(fmt::format("{}[{}]", at, i), fmt::format("{}: must be >= 0", x));
            v.push_back(x);
        }
        return v;
    }
};

Modifier read_modifier(const Reader& r, const json& j, const std::string& at, std::size_t bins) {
    r.object(j, at, {"name", "type", "data"}, {});
    Modifier m;
    m.name = r.string(j["name"], at + ".name");
    const std::string type = r.string(j["type"], at + ".type");
    const auto t = parse_modifier_type(type);
    if (!t)
        r.fail(at + ".type", fmt::format("'{}': unknown modifier type (allowed: histosys, lumi, normfactor, "
                                         "normsys, shapefactor, shapesys, staterror)",
                                         type));
    m.type = *t;
    const json& d = j["data"];
    const std::string dat = at + ".data";
    switch (m.type) {
    case ModifierType::NormFactor:
    case ModifierType::ShapeFactor:
    case ModifierType::Lumi:
        if (!d.is_null())
            r.fail(dat, fmt::format("{}: a {} modifier has data null", config::show(d), type));
        if (m.type == ModifierType::Lumi && m.name != "lumi")
            r.fail(at + ".name", fmt::format("'{}': a lumi modifier must be named 'lumi'", m.name));
        break;
    case ModifierType::NormSys:
    case ModifierType::HistoSys: {
        if (!d.is_object())
            r.fail(dat, fmt::format("{}: must be an object", config::show(d)));
        const bool norm = m.type == ModifierType::NormSys;
        const std::array<const char*, 2> keys =
            norm ? std::array<const char*, 2>{"hi", "lo"} : std::array<const char*, 2>{"hi_data", "lo_data"};
        for (const char* k : keys)
            if (!d.contains(k))
                r.fail(dat, fmt::format("the key '{}' is missing", k));
        if (norm) {
            m.hi = r.number(d["hi"], dat + ".hi");
            m.lo = r.number(d["lo"], dat + ".lo");
        } else {
            m.hi_data = r.numbers(d["hi_data"], dat + ".hi_data", bins);
            m.lo_data = r.numbers(d["lo_data"], dat + ".lo_data", bins);
        }
        if (d.contains("interpcode")) {
            const std::string code = r.string(d["interpcode"], dat + ".interpcode");
            m.interpolation = parse_interpolation(code);
            if (!m.interpolation)
                r.fail(dat + ".interpcode",
                       fmt::format("'{}': unknown (allowed: {})", code, interpolation_names()));
        }
        const Interpolation code = m.interpolation.value_or(Interpolation::Exponential);
        if (norm && (code == Interpolation::Exponential || code == Interpolation::Polynomial))
            for (const char* k : {"hi", "lo"})
                if (!(d[k].get<double>() > 0))
                    r.fail(dat + "." + k,
                           fmt::format("{}: a factor of the exponential interpolation ({}) must be "
                                       "> 0",
                                       d[k].get<double>(), interpolation_name(code)));
        break;
    }
    case ModifierType::StatError:
    case ModifierType::ShapeSys:
        m.data = r.numbers(d, dat, bins, true);
        break;
    }
    return m;
}

ParameterConfig read_parameter(const Reader& r, const json& j, const std::string& at) {
    r.object(j, at, {"name"}, {"inits", "bounds", "auxdata", "factors", "sigmas", "fixed"});
    ParameterConfig c;
    c.name = r.string(j["name"], at + ".name");
    if (j.contains("inits"))
        c.inits = r.numbers(j["inits"], at + ".inits");
    if (j.contains("auxdata"))
        c.auxdata = r.numbers(j["auxdata"], at + ".auxdata");
    if (j.contains("factors"))
        c.factors = r.numbers(j["factors"], at + ".factors");
    if (j.contains("sigmas")) {
        c.sigmas = r.numbers(j["sigmas"], at + ".sigmas");
        for (std::size_t i = 0; i < c.sigmas->size(); ++i)
            if (!((*c.sigmas)[i] > 0))
                r.fail(fmt::format("{}.sigmas[{}]", at, i), fmt::format("{}: must be > 0", (*c.sigmas)[i]));
    }
    if (j.contains("fixed")) {
        if (!j["fixed"].is_boolean())
            r.fail(at + ".fixed", fmt::format("{}: must be true or false", config::show(j["fixed"])));
        c.fixed = j["fixed"].get<bool>();
    }
    if (j.contains("bounds")) {
        const json& b = r.array(j["bounds"], at + ".bounds");
        c.bounds.emplace();
        for (std::size_t i = 0; i < b.size(); ++i) {
            const std::string bi = fmt::format("{}.bounds[{}]", at, i);
            const auto v = r.numbers(b[i], bi);
            if (v.size() != 2 || !(v[0] < v[1]))
                r.fail(bi, fmt::format("{}: must be [lower, upper] with lower < upper", config::show(b[i])));
            c.bounds->emplace_back(v[0], v[1]);
        }
    }
    return c;
}
} // namespace

const Measurement& Workspace::measurement(const std::string& name) const {
    if (measurements.empty())
        throw std::invalid_argument("the workspace has no measurement");
    if (name.empty())
        return measurements.front();
    std::string names;
    for (const auto& m : measurements) {
        if (m.name == name)
            return m;
        names += (names.empty() ? "" : ", ") + m.name;
    }
    throw std::invalid_argument(fmt::format("no measurement '{}' (measurements: {})", name, names));
}

Workspace parse_workspace(const json& doc, const std::string& file) {
    const Reader r{file};
    r.object(doc, "", {"channels", "measurements", "observations", "version"}, {});
    Workspace ws;
    ws.version = r.string(doc["version"], "version");
    if (ws.version != "1.0.0")
        r.fail("version", fmt::format("'{}': hepkit reads pyhf workspaces of version 1.0.0", ws.version));
    std::set<std::string> channel_names;
    std::vector<std::size_t> channel_bins;
    const json& chs = r.array(doc["channels"], "channels");
    for (std::size_t c = 0; c < chs.size(); ++c) {
        const std::string at = fmt::format("channels[{}]", c);
        r.object(chs[c], at, {"name", "samples"}, {});
        Channel ch;
        ch.name = r.string(chs[c]["name"], at + ".name");
        if (!channel_names.insert(ch.name).second)
            r.fail(at + ".name", fmt::format("'{}': a second channel of this name", ch.name));
        const json& ss = r.array(chs[c]["samples"], at + ".samples");
        std::set<std::string> sample_names;
        for (std::size_t s = 0; s < ss.size(); ++s) {
            const std::string sat = fmt::format("{}.samples[{}]", at, s);
            r.object(ss[s], sat, {"name", "data", "modifiers"}, {});
            Sample sample;
            sample.name = r.string(ss[s]["name"], sat + ".name");
            if (!sample_names.insert(sample.name).second)
                r.fail(sat + ".name",
                       fmt::format("'{}': a second sample of this name in the channel", sample.name));
            sample.data = r.numbers(ss[s]["data"], sat + ".data", s ? ch.samples[0].data.size() : 0);
            const json& ms = r.array(ss[s]["modifiers"], sat + ".modifiers", false);
            for (std::size_t k = 0; k < ms.size(); ++k)
                sample.modifiers.push_back(
                    read_modifier(r, ms[k], fmt::format("{}.modifiers[{}]", sat, k), sample.data.size()));
            ch.samples.push_back(std::move(sample));
        }
        channel_bins.push_back(ch.samples[0].data.size());
        ws.channels.push_back(std::move(ch));
    }
    const json& obs = r.array(doc["observations"], "observations");
    std::set<std::string> observed;
    for (std::size_t o = 0; o < obs.size(); ++o) {
        const std::string at = fmt::format("observations[{}]", o);
        r.object(obs[o], at, {"name", "data"}, {});
        Observation ob;
        ob.name = r.string(obs[o]["name"], at + ".name");
        std::size_t c = 0;
        while (c < ws.channels.size() && ws.channels[c].name != ob.name)
            ++c;
        if (c == ws.channels.size())
            r.fail(at + ".name", fmt::format("'{}': no channel of this name", ob.name));
        if (!observed.insert(ob.name).second)
            r.fail(at + ".name", fmt::format("'{}': a second observation of the channel", ob.name));
        ob.data = r.numbers(obs[o]["data"], at + ".data", channel_bins[c], true);
        ws.observations.push_back(std::move(ob));
    }
    for (std::size_t c = 0; c < ws.channels.size(); ++c)
        if (!observed.count(ws.channels[c].name))
            r.fail("observations",
                   fmt::format("channel '{}' (channels[{}]) has no observation", ws.channels[c].name, c));
    const json& ms = r.array(doc["measurements"], "measurements");
    for (std::size_t m = 0; m < ms.size(); ++m) {
        const std::string at = fmt::format("measurements[{}]", m);
        r.object(ms[m], at, {"name", "config"}, {});
        Measurement meas;
        meas.name = r.string(ms[m]["name"], at + ".name");
        r.object(ms[m]["config"], at + ".config", {"poi", "parameters"}, {});
        meas.poi = r.string(ms[m]["config"]["poi"], at + ".config.poi");
        const json& ps = r.array(ms[m]["config"]["parameters"], at + ".config.parameters", false);
        for (std::size_t p = 0; p < ps.size(); ++p)
            meas.parameters.push_back(
                read_parameter(r, ps[p], fmt::format("{}.config.parameters[{}]", at, p)));
        ws.measurements.push_back(std::move(meas));
    }
    // what only the whole workspace can tell (modifier types per name, the POI, lumi settings)
    for (std::size_t m = 0; m < ws.measurements.size(); ++m) {
        try {
            (void)Model(ws, ws.measurements[m].name);
        } catch (const std::invalid_argument& e) {
            r.fail(fmt::format("measurements[{}]", m), e.what());
        }
    }
    return ws;
}

Workspace read_workspace(const std::string& path) {
    // a YAML description of hepkit events histograms (HistFactoryBuild.hpp), else pyhf's JSON
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext == ".yaml" || ext == ".yml")
        return build_workspace(path);
    return parse_workspace(config::load_json_file(path), path);
}

json to_json(const Workspace& ws) {
    json chs = json::array();
    for (const auto& ch : ws.channels) {
        json ss = json::array();
        for (const auto& s : ch.samples) {
            json ms = json::array();
            for (const auto& m : s.modifiers) {
                json d;
                if (m.type == ModifierType::NormSys)
                    d = {{"hi", m.hi}, {"lo", m.lo}};
                else if (m.type == ModifierType::HistoSys)
                    d = {{"hi_data", m.hi_data}, {"lo_data", m.lo_data}};
                else if (m.type == ModifierType::StatError || m.type == ModifierType::ShapeSys)
                    d = m.data;
                if (m.interpolation && d.is_object())
                    d["interpcode"] = interpolation_name(*m.interpolation);
                ms.push_back({{"name", m.name}, {"type", modifier_type_name(m.type)}, {"data", d}});
            }
            ss.push_back({{"name", s.name}, {"data", s.data}, {"modifiers", ms}});
        }
        chs.push_back({{"name", ch.name}, {"samples", ss}});
    }
    json obs = json::array();
    for (const auto& o : ws.observations)
        obs.push_back({{"name", o.name}, {"data", o.data}});
    json meas = json::array();
    for (const auto& m : ws.measurements) {
        json ps = json::array();
        for (const auto& p : m.parameters) {
            json j = {{"name", p.name}};
            if (p.inits)
                j["inits"] = *p.inits;
            if (p.bounds) {
                json b = json::array();
                for (const auto& [lo, hi] : *p.bounds)
                    b.push_back({lo, hi});
                j["bounds"] = b;
            }
            if (p.fixed)
                j["fixed"] = *p.fixed;
            if (p.auxdata)
                j["auxdata"] = *p.auxdata;
            if (p.factors)
                j["factors"] = *p.factors;
            if (p.sigmas)
                j["sigmas"] = *p.sigmas;
            ps.push_back(j);
        }
        meas.push_back({{"name", m.name}, {"config", {{"poi", m.poi}, {"parameters", ps}}}});
    }
    return {{"channels", chs}, {"observations", obs}, {"measurements", meas}, {"version", ws.version}};
}

void write_workspace(const Workspace& ws, const std::string& path) {
    write_json_file(path, to_json(ws), 2);
}

} // namespace hepkit::fit::hf
