#pragma once
/// @file
/// HistFactory workspaces (Cranmer et al., CERN-OPEN-2012-016): channels of binned samples whose
/// nominal templates are changed by modifiers with named parameters, observed data per channel and
/// measurements (parameter of interest, parameter settings). The data structures here mirror
/// pyhf's JSON workspace format (schema 1.0.0, https://scikit-hep.org/pyhf/likelihood.html);
/// read_workspace / write_workspace convert. The likelihood built from a workspace is in
/// HistFactoryModel.hpp.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hepkit::fit::hf {

/// How normsys factors and histosys templates are interpolated between the nominal (α = 0) and
/// the ±1σ variations (α = ±1), with a = ½(hi + lo) − nom, b = ½(hi − lo):
enum class Interpolation {
    Linear, ///< "code0": nom + α(hi − nom) for α ≥ 0, nom + α(nom − lo) below (pyhf's histosys default)
    Exponential, ///< "code1": nom·(hi/nom)^α for α ≥ 0, nom·(lo/nom)^(−α) below (pyhf's normsys default)
    Quadratic,  ///< "code2": pyhf's: nom + aα² + bα for |α| ≤ 1, nom + (b ± 2a)(α ∓ 1) outside
                ///< (as pyhf, without the value at ±1: discontinuous there)
    Polynomial, ///< "code4": exponential for |α| ≥ 1, inside the 6th-order polynomial 1 + Σ c_k α^k
                ///< that matches value, slope and curvature at ±1 (multiplicative; ROOT, pyhf)
    PolynomialLinear, ///< "code4p": linear (code0) for |α| > 1, inside α·S + A(15α² − 10α⁴ + 3α⁶),
                      ///< S = ½(Δ₊ + Δ₋), A = (Δ₊ − Δ₋)/16: value and slope match at ±1
    Smooth, ///< "smooth": nom + aα² + bα for |α| ≤ 1, then linear with slope b ± 2a from the value
            ///< at ±1: C¹ everywhere (analysis-methods README §1)
};
/// The name in workspaces and messages ("code0", ..., "smooth").
const char* interpolation_name(Interpolation code);
/// Parses "code0", "code1", "code2", "code4", "code4p", "smooth"; nullopt otherwise.
std::optional<Interpolation> parse_interpolation(const std::string& name);
/// The list of accepted names, for messages.
const char* interpolation_names();

/// Value, first and second derivative in α of an interpolated quantity.
struct Interpolated {
    double value = 0, d1 = 0, d2 = 0;
};
/// The interpolated quantity (not the delta) at α for nominal `nom` and variations `hi`, `lo`.
/// Exponential and Polynomial need nom, hi, lo > 0 where nom ≠ 0 (checked when a model is built);
/// with nom = 0 they return 0.
Interpolated interpolate(Interpolation code, double alpha, double nom, double hi, double lo);

enum class ModifierType { NormFactor, NormSys, HistoSys, StatError, ShapeSys, Lumi, ShapeFactor };
const char* modifier_type_name(ModifierType type); ///< "normfactor", ...
std::optional<ModifierType> parse_modifier_type(const std::string& name);

struct Modifier {
    std::string name;
    ModifierType type = ModifierType::NormFactor;
    double hi = 1, lo = 1;                ///< normsys: the factors at α = +1, −1
    std::vector<double> hi_data, lo_data; ///< histosys: the templates at α = +1, −1
    std::vector<double> data;             ///< staterror, shapesys: absolute uncertainty per bin
    /// normsys, histosys: the interpolation; nullopt = pyhf's default (code1, code0). Written to
    /// JSON as the key "interpcode" inside "data" (pyhf's schema allows it there and ignores it).
    std::optional<Interpolation> interpolation;
};

struct Sample {
    std::string name;
    std::vector<double> data; ///< the nominal template (expected events per bin)
    std::vector<Modifier> modifiers;
};

struct Channel {
    std::string name;
    std::vector<Sample> samples;
};

struct Observation {
    std::string name; ///< the channel's
    std::vector<double> data;
};

/// A measurement's settings of one parameter (pyhf: measurements[].config.parameters[]): one
/// entry per bin for per-bin modifiers, one otherwise.
struct ParameterConfig {
    std::string name;
    std::optional<std::vector<double>> inits, auxdata, sigmas, factors;
    std::optional<std::vector<std::pair<double, double>>> bounds;
    std::optional<bool> fixed;
};

struct Measurement {
    std::string name;
    std::string poi;
    std::vector<ParameterConfig> parameters;
};

struct Workspace {
    std::vector<Channel> channels;
    std::vector<Observation> observations;
    std::vector<Measurement> measurements;
    std::string version = "1.0.0";

    /// The measurement called `name`, or the first when `name` is empty; throws
    /// std::invalid_argument listing the names otherwise.
    const Measurement& measurement(const std::string& name = {}) const;
};

/// Reads a pyhf JSON workspace. Throws hepkit::InputError naming `path`, the JSON path of the
/// offending value (e.g. channels[0].samples[2].modifiers[1].data.hi_data), the value and what
/// is allowed — for bad JSON, missing or mistyped keys, template lengths that differ from the
/// channel's bins, observations without a channel, a POI that is no modifier.
Workspace read_workspace(const std::string& path);
/// The same from a parsed document; `file` names it in messages.
Workspace parse_workspace(const nlohmann::json& doc, const std::string& file);
/// The workspace as pyhf's JSON (hepkit's interpolation choices as "interpcode" where set).
nlohmann::json to_json(const Workspace& ws);
/// Writes to_json(ws) to `path`, whole or not at all (AtomicFile); OutputError on failure.
void write_workspace(const Workspace& ws, const std::string& path);

} // namespace hepkit::fit::hf
