// A workspace turned into the likelihood's parameters and evaluation terms (HistFactoryModel.hpp);
// the defaults per modifier type are pyhf's (its modifiers' required_parset).
#include "hepkit/fit/HistFactoryModel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <stdexcept>

namespace hepkit::fit::hf {

namespace {
bool per_bin(ModifierType t) {
    return t == ModifierType::StatError || t == ModifierType::ShapeSys || t == ModifierType::ShapeFactor;
}
// normsys and histosys of one name share one unit-Gaussian α (HistFactory's OverallSys + HistoSys).
bool compatible(ModifierType a, ModifierType b) {
    const auto alpha = [](ModifierType t) {
        return t == ModifierType::NormSys || t == ModifierType::HistoSys;
    };
    return a == b || (alpha(a) && alpha(b));
}

struct Info {
    ModifierType type;
    std::size_t bins = 1;
    std::string channel; // staterror, shapesys: the one channel that carries it
    std::string where;   // first use, for messages
    std::vector<double> sum_sigma2, sum_nominal, shapesys_sigma, shapesys_nominal;
};
} // namespace

Model::Model(const Workspace& ws, const std::string& measurement_name) {
    const Measurement& meas = ws.measurement(measurement_name);
    std::map<std::string, Info> infos;
    for (const auto& ch : ws.channels) {
        const auto obs = std::find_if(ws.observations.begin(), ws.observations.end(),
                                      [&](const Observation& o) { return o.name == ch.name; });
        if (obs == ws.observations.end())
            throw std::invalid_argument(fmt::format("channel '{}' has no observation", ch.name));
        const std::size_t nb = obs->data.size();
        for (const auto& s : ch.samples) {
            const std::string at = fmt::format("channel '{}', sample '{}'", ch.name, s.name);
            if (s.data.size() != nb)
                throw std::invalid_argument(
                    fmt::format("{}: {} bins, the observation has {}", at, s.data.size(), nb));
            for (const auto& m : s.modifiers) {
                const std::size_t bins = per_bin(m.type) ? nb : 1;
                const std::size_t need =
                    m.type == ModifierType::StatError || m.type == ModifierType::ShapeSys ? nb : 0;
                if (m.data.size() != need ||
                    (m.type == ModifierType::HistoSys ? m.hi_data.size() != nb || m.lo_data.size() != nb
                                                      : !m.hi_data.empty() || !m.lo_data.empty()))
                    throw std::invalid_argument(fmt::format(
                        "{}, {} '{}': data {}, hi_data {}, lo_data {} entries; the channel has {} bins", at,
                        modifier_type_name(m.type), m.name, m.data.size(), m.hi_data.size(), m.lo_data.size(),
                        nb));
                auto [it, fresh] = infos.try_emplace(m.name);
                Info& info = it->second;
                const std::string use = fmt::format("{}, {} '{}'", at, modifier_type_name(m.type), m.name);
                if (fresh) {
                    info.type = m.type;
                    info.bins = bins;
                    info.channel = ch.name;
                    info.where = use;
                    info.sum_sigma2.assign(bins, 0.0);
                    info.sum_nominal.assign(bins, 0.0);
                } else if (!compatible(info.type, m.type) || info.bins != bins) {
                    throw std::invalid_argument(fmt::format(
                        "{}: the name is also used by {} ({} parameter{}); one name needs one kind of "
                        "parameter",
                        use, info.where, info.bins, info.bins == 1 ? "" : "s"));
                }
                if ((m.type == ModifierType::StatError || m.type == ModifierType::ShapeSys) &&
                    info.channel != ch.name)
                    throw std::invalid_argument(
                        fmt::format("{}: also used in channel '{}'; hepkit keeps {} parameters per channel",
                                    use, info.channel, modifier_type_name(m.type)));
                if (m.type == ModifierType::Lumi && m.name != "lumi")
                    throw std::invalid_argument(fmt::format("{}: a lumi modifier must be named 'lumi'", use));
                if (m.type == ModifierType::StatError)
                    for (std::size_t i = 0; i < nb; ++i) {
                        info.sum_sigma2[i] += m.data[i] * m.data[i];
                        info.sum_nominal[i] += s.data[i];
                    }
                if (m.type == ModifierType::ShapeSys) {
                    if (!info.shapesys_sigma.empty())
                        throw std::invalid_argument(fmt::format(
                            "{}: already on another sample ({}); a shapesys belongs to one sample", use,
                            info.where));
                    info.shapesys_sigma = m.data;
                    info.shapesys_nominal = s.data;
                }
                const bool exp_like = m.interpolation == Interpolation::Exponential ||
                                      m.interpolation == Interpolation::Polynomial ||
                                      (m.type == ModifierType::NormSys && !m.interpolation);
                if (m.type == ModifierType::NormSys && exp_like && !(m.hi > 0 && m.lo > 0))
                    throw std::invalid_argument(fmt::format(
                        "{}: hi = {}, lo = {}: the exponential interpolation ({}) needs factors > 0", use,
                        m.hi, m.lo,
                        interpolation_name(m.interpolation.value_or(Interpolation::Exponential))));
                if (m.type == ModifierType::HistoSys && exp_like)
                    for (std::size_t i = 0; i < nb; ++i)
                        if (s.data[i] != 0 && !(m.hi_data[i] / s.data[i] > 0 && m.lo_data[i] / s.data[i] > 0))
                            throw std::invalid_argument(fmt::format(
                                "{}: bin {}: nominal {}, hi {}, lo {}: {} needs variations of the nominal's "
                                "sign",
                                use, i, s.data[i], m.hi_data[i], m.lo_data[i],
                                interpolation_name(*m.interpolation)));
            }
        }
        observed_.insert(observed_.end(), obs->data.begin(), obs->data.end());
    }

    // parameters in name order (pyhf's), per-bin ones as NAME[i]
    std::map<std::string, std::size_t> first; // modifier name → index of its (first) parameter
    for (auto& [name, info] : infos) {
        first[name] = params_.size();
        for (std::size_t i = 0; i < info.bins; ++i) {
            ModelParameter p;
            p.name = per_bin(info.type) ? fmt::format("{}[{}]", name, i) : name;
            p.type = info.type;
            switch (info.type) {
            case ModifierType::NormFactor:
            case ModifierType::ShapeFactor:
                break; // init 1, bounds [0, 10], free
            case ModifierType::NormSys:
            case ModifierType::HistoSys:
                p.init = 0, p.lower = -5, p.upper = 5;
                p.constraint = ModelParameter::Constraint::Normal;
                break;
            case ModifierType::Lumi:
                p.constraint = ModelParameter::Constraint::Normal;
                p.sigma = 0; // must come from the measurement
                break;
            case ModifierType::StatError: {
                p.lower = 1e-10;
                const double rel = std::sqrt(info.sum_sigma2[i]) / info.sum_nominal[i];
                if (std::isfinite(rel) && rel > 0) {
                    p.constraint = ModelParameter::Constraint::Normal;
                    p.aux = 1, p.sigma = rel;
                } else {
                    p.fixed = true;
                }
                break;
            }
            case ModifierType::ShapeSys: {
                p.lower = 1e-10;
                const double sg = info.shapesys_sigma[i], nom = info.shapesys_nominal[i];
                if (sg > 0 && nom > 0) {
                    p.constraint = ModelParameter::Constraint::Poisson;
                    p.tau = p.aux = (nom / sg) * (nom / sg);
                } else {
                    p.fixed = true;
                }
                break;
            }
            }
            params_.push_back(p);
        }
    }

    // the measurement's settings
    for (const auto& c : meas.parameters) {
        const auto it = first.find(c.name);
        if (it == first.end())
            throw std::invalid_argument(fmt::format(
                "measurement '{}': parameter '{}' is no modifier of the workspace", meas.name, c.name));
        const Info& info = infos.at(c.name);
        const auto check = [&](const char* key, std::size_t size) {
            if (size != info.bins)
                throw std::invalid_argument(
                    fmt::format("measurement '{}': parameter '{}': {} has {} entries, "
                                "the modifier has {} parameter(s)",
                                meas.name, c.name, key, size, info.bins));
        };
        for (std::size_t i = 0; i < info.bins; ++i) {
            ModelParameter& p = params_[it->second + i];
            if (c.inits)
                check("inits", c.inits->size()), p.init = (*c.inits)[i];
            if (c.bounds)
                check("bounds", c.bounds->size()), p.lower = (*c.bounds)[i].first,
                                                   p.upper = (*c.bounds)[i].second;
            if (c.fixed)
                p.fixed = *c.fixed;
            if (c.auxdata)
                check("auxdata", c.auxdata->size()), p.aux = (*c.auxdata)[i];
            if (c.sigmas)
                check("sigmas", c.sigmas->size()), p.sigma = (*c.sigmas)[i];
            if (c.factors && p.constraint == ModelParameter::Constraint::Poisson)
                check("factors", c.factors->size()), p.tau = (*c.factors)[i];
            if (info.type == ModifierType::Lumi) {
                if (!c.auxdata || !c.sigmas)
                    throw std::invalid_argument(fmt::format(
                        "measurement '{}': parameter 'lumi' needs auxdata and sigmas", meas.name));
                if (!c.inits)
                    p.init = p.aux;
                if (!c.bounds)
                    p.lower = 0, p.upper = 10 * p.aux;
            }
            if (!(p.lower < p.upper) || !(p.init >= p.lower && p.init <= p.upper))
                throw std::invalid_argument(
                    fmt::format("measurement '{}': parameter '{}': init {} and bounds "
                                "[{}, {}] need lower < upper and init inside",
                                meas.name, p.name, p.init, p.lower, p.upper));
            if (p.constraint == ModelParameter::Constraint::Normal && !(p.sigma > 0))
                throw std::invalid_argument(fmt::format(
                    "measurement '{}': parameter '{}': sigma {} must be > 0", meas.name, p.name, p.sigma));
        }
    }
    for (const auto& p : params_)
        if (p.type == ModifierType::Lumi && !(p.sigma > 0))
            throw std::invalid_argument(fmt::format(
                "measurement '{}': parameter 'lumi' needs auxdata and sigmas in its config", meas.name));
    const auto poi = first.find(meas.poi);
    if (poi == first.end() || per_bin(infos.at(meas.poi).type))
        throw std::invalid_argument(
            fmt::format("measurement '{}': poi '{}' is no {}modifier of the workspace", meas.name, meas.poi,
                        poi == first.end() ? "" : "scalar "));
    poi_ = poi->second;
    for (const auto& p : params_)
        aux_.push_back(p.constraint == ModelParameter::Constraint::None ? 0.0 : p.aux);

    // evaluation terms
    std::size_t offset = 0;
    for (const auto& ch : ws.channels) {
        const std::size_t nb = ch.samples.front().data.size();
        for (const auto& s : ch.samples) {
            SampleTerms st;
            st.channel = ch.name;
            st.sample = s.name;
            st.offset = offset;
            st.nominal = s.data;
            for (const auto& m : s.modifiers) {
                Term t;
                const std::size_t k = first.at(m.name);
                if (per_bin(m.type))
                    for (std::size_t i = 0; i < nb; ++i)
                        t.param.push_back(k + i);
                else
                    t.param = {k};
                if (m.type == ModifierType::NormSys) {
                    t.interpolated = true;
                    t.code = m.interpolation.value_or(Interpolation::Exponential);
                    t.hi = {m.hi};
                    t.lo = {m.lo};
                } else if (m.type == ModifierType::HistoSys) {
                    t.interpolated = t.additive = true;
                    t.code = m.interpolation.value_or(Interpolation::Linear);
                    t.hi = m.hi_data;
                    t.lo = m.lo_data;
                }
                st.terms.push_back(std::move(t));
            }
            samples_.push_back(std::move(st));
        }
        offset += nb;
    }
}

std::size_t Model::index(const std::string& name) const {
    std::string names;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (params_[i].name == name)
            return i;
        names += (i ? ", " : "") + params_[i].name;
    }
    throw std::invalid_argument(
        fmt::format("'{}' is no parameter of the model (parameters: {})", name, names));
}

std::vector<double> Model::inits() const {
    std::vector<double> v;
    for (const auto& p : params_)
        v.push_back(p.init);
    return v;
}

std::vector<std::string> Model::names() const {
    std::vector<std::string> v;
    for (const auto& p : params_)
        v.push_back(p.name);
    return v;
}

std::vector<double> Model::auxdata() const {
    return aux_;
}

Model Model::with_data(std::vector<double> n, std::vector<double> aux) const {
    if (n.size() != observed_.size() || aux.size() != aux_.size())
        throw std::invalid_argument(
            fmt::format("with_data: {} bins and {} auxiliary data given, the model has "
                        "{} and {}",
                        n.size(), aux.size(), observed_.size(), aux_.size()));
    Model m = *this;
    m.observed_ = std::move(n);
    m.aux_ = std::move(aux);
    return m;
}

Model Model::asimov(std::span<const double> p) const {
    std::vector<double> aux = aux_;
    for (std::size_t k = 0; k < params_.size(); ++k) {
        if (params_[k].constraint == ModelParameter::Constraint::Normal)
            aux[k] = p[k];
        else if (params_[k].constraint == ModelParameter::Constraint::Poisson)
            aux[k] = p[k] * params_[k].tau;
    }
    return with_data(expected(p), std::move(aux));
}

Fit make_fit(const Model& model) {
    std::vector<Fit::Parameter> ps;
    for (const auto& p : model.parameters())
        ps.push_back({p.name, p.init});
    Fit fit(std::make_unique<HistFactoryProblem>(model), ps);
    for (const auto& p : model.parameters()) {
        if (p.fixed)
            fit.fix(p.name, p.init);
        else
            fit.limit(p.name, p.lower, p.upper);
    }
    return fit;
}

} // namespace hepkit::fit::hf
