// kafe2's stored results: reading save_state files and fit_results sections, and writing a fit
// with its result in kafe2's to_file form (hepkit fit --save).

#include "Kafe2Emit.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"

#include <cmath>

namespace hepkit::fit {
namespace {

using config::YamlView;

bool present(const YamlView& v, const char* key) {
    return v.has(key) && !v.at(key).node().IsNull();
}

// A list of numbers, or kafe2's map of parameter name to number (names collected once).
std::vector<double> named_numbers(const YamlView& v, std::vector<std::string>& names) {
    std::vector<double> out;
    std::vector<std::string> seen;
    if (v.is_map()) {
        for (const auto& kv : v.node()) {
            const std::string name = kv.first.Scalar();
            seen.push_back(name);
            out.push_back(YamlView(kv.second, v.file(), v.key() + "." + name).as_double());
        }
    } else if (v.is_sequence()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            out.push_back(v.at(i).as_double());
    } else {
        v.fail("expected a list of numbers or a map of parameter name to number");
    }
    if (!seen.empty()) {
        if (names.empty())
            names = seen;
        else if (names != seen)
            v.fail("the parameter names differ from those of parameter_values");
    }
    return out;
}

Eigen::MatrixXd square(const YamlView& v, std::size_t n) {
    if (!v.is_sequence() || v.size() != n)
        v.fail(fmt::format("expected a {}x{} matrix (a list of {} rows)", n, n, n));
    Eigen::MatrixXd m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
        const YamlView row = v.at(i);
        if (!row.is_sequence() || row.size() != n)
            row.fail(fmt::format("expected a row of {} numbers", n));
        for (std::size_t j = 0; j < n; ++j)
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = row.at(j).as_double();
    }
    return m;
}

} // namespace

Kafe2StoredResult read_kafe2_stored_result(const YAML::Node& node, const std::string& file,
                                           const std::string& key_prefix) {
    const YamlView v(node, file, key_prefix);
    if (!v.is_map())
        v.fail("a fit result is a map with keys such as parameter_values, parameter_errors, did_fit");
    // save_state's keys (kafe2's FitBase.get_result_dict)
    v.check_keys({"did_fit", "cost", "ndf", "goodness_of_fit", "gof/ndf", "chi2_probability",
                  "parameter_values", "parameter_cov_mat", "parameter_errors", "parameter_cor_mat",
                  "asymmetric_parameter_errors"});
    Kafe2StoredResult r;
    if (!present(v, "parameter_values"))
        v.fail("a fit result needs parameter_values");
    r.values = named_numbers(v.at("parameter_values"), r.names);
    const std::size_t n = r.values.size();
    if (r.names.empty())
        for (std::size_t i = 0; i < n; ++i)
            r.names.push_back(fmt::format("p{}", i));
    if (present(v, "did_fit"))
        r.did_fit = v.at("did_fit").as_bool();
    if (present(v, "cost"))
        r.cost = v.at("cost").as_double();
    if (present(v, "goodness_of_fit"))
        r.goodness_of_fit = v.at("goodness_of_fit").as_double();
    if (present(v, "chi2_probability"))
        r.chi2_probability = v.at("chi2_probability").as_double();
    if (present(v, "ndf")) {
        const long long ndf = v.at("ndf").as_int();
        if (ndf < 0 || ndf > 1000000000)
            v.at("ndf").fail(fmt::format("{} is not a number of degrees of freedom", ndf));
        r.ndf = static_cast<int>(ndf);
    }
    if (present(v, "parameter_errors")) {
        auto names = r.names;
        r.errors = named_numbers(v.at("parameter_errors"), names);
        if (r.errors->size() != n)
            v.at("parameter_errors").fail(fmt::format("{} errors for {} parameters", r.errors->size(), n));
        for (double e : *r.errors)
            if (e < 0)
                v.at("parameter_errors").fail(fmt::format("error {} is negative", e));
    }
    if (present(v, "parameter_cov_mat"))
        r.covariance = square(v.at("parameter_cov_mat"), n);
    if (present(v, "parameter_cor_mat"))
        r.correlation = square(v.at("parameter_cor_mat"), n);
    if (present(v, "asymmetric_parameter_errors")) {
        const YamlView a = v.at("asymmetric_parameter_errors");
        std::vector<std::pair<double, double>> pairs;
        auto pair = [&](const YamlView& p) {
            if (!p.is_sequence() || p.size() != 2)
                p.fail("an asymmetric error is [negative, positive]");
            pairs.emplace_back(p.at(0).as_double(), p.at(1).as_double());
        };
        if (a.is_map()) {
            for (const auto& kv : a.node())
                pair(YamlView(kv.second, file, a.key() + "." + kv.first.Scalar()));
        } else if (a.is_sequence()) {
            for (std::size_t i = 0; i < a.size(); ++i)
                pair(a.at(i));
        } else {
            a.fail("expected a map of parameter name to [negative, positive] or a list of such pairs");
        }
        if (pairs.size() != n)
            a.fail(fmt::format("{} asymmetric errors for {} parameters", pairs.size(), n));
        r.asymmetric = std::move(pairs);
    }
    return r;
}

FitResult Kafe2StoredResult::as_fit_result() const {
    FitResult r;
    r.type = "stored";
    r.names = names;
    r.values = values;
    const std::size_t n = values.size();
    const auto N = static_cast<Eigen::Index>(n);
    r.covariance = covariance ? *covariance : Eigen::MatrixXd::Zero(N, N);
    r.errors.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        r.errors[i] = errors ? (*errors)[i]
                             : std::sqrt(std::max(0.0, r.covariance(static_cast<Eigen::Index>(i),
                                                                    static_cast<Eigen::Index>(i))));
    r.fixed.assign(n, false);
    if (errors || covariance)
        for (std::size_t i = 0; i < n; ++i)
            r.fixed[i] = r.errors[i] == 0;
    if (correlation) {
        r.correlation = *correlation;
    } else {
        r.correlation = Eigen::MatrixXd::Identity(N, N);
        for (Eigen::Index i = 0; i < N; ++i)
            for (Eigen::Index j = 0; j < N; ++j)
                if (i != j && r.errors[static_cast<std::size_t>(i)] > 0 &&
                    r.errors[static_cast<std::size_t>(j)] > 0)
                    r.correlation(i, j) = r.covariance(i, j) / (r.errors[static_cast<std::size_t>(i)] *
                                                                r.errors[static_cast<std::size_t>(j)]);
    }
    r.error_low.assign(n, std::nullopt);
    r.error_high.assign(n, std::nullopt);
    if (asymmetric)
        for (std::size_t i = 0; i < n; ++i) {
            r.error_low[i] = (*asymmetric)[i].first;
            r.error_high[i] = (*asymmetric)[i].second;
        }
    r.cost = cost.value_or(NAN);
    r.chi2 = goodness_of_fit;
    r.ndf = ndf.value_or(0);
    r.chi2_probability = chi2_probability;
    r.converged = did_fit;
    r.message = did_fit ? "" : "the stored result says did_fit: false";
    return r;
}

void write_kafe2_result(const FitFile& f, const FitResult& r, const std::string& out_path) {
    if (f.result_file())
        throw InputError(f.path, 0, "--save", "a result file has no data or model to save with a result");
    YAML::Node doc = YAML::Clone(*f.kafe2_document);
    const std::size_t n = r.names.size();
    doc["parametric_model"]["model_parameters"] = detail::yaml_floats(r.values);

    YAML::Node res(YAML::NodeType::Map);
    res["did_fit"] = r.converged;
    res["cost"] = detail::yaml_float(r.cost);
    res["ndf"] = r.ndf;
    res["goodness_of_fit"] = r.chi2 ? detail::yaml_float(*r.chi2) : YAML::Node(YAML::NodeType::Null);
    res["gof/ndf"] =
        r.chi2 && r.ndf > 0 ? detail::yaml_float(*r.chi2 / r.ndf) : YAML::Node(YAML::NodeType::Null);
    res["chi2_probability"] =
        r.chi2_probability ? detail::yaml_float(*r.chi2_probability) : YAML::Node(YAML::NodeType::Null);
    YAML::Node values(YAML::NodeType::Map), errors(YAML::NodeType::Map), asym(YAML::NodeType::Map);
    bool have_asym = false;
    for (std::size_t i = 0; i < n; ++i) {
        values[r.names[i]] = detail::yaml_float(r.values[i]);
        errors[r.names[i]] = detail::yaml_float(r.errors[i]);
        if (r.error_low[i] && r.error_high[i]) {
            have_asym = true;
            YAML::Node pair(YAML::NodeType::Sequence);
            pair.push_back(detail::yaml_float(*r.error_low[i]));
            pair.push_back(detail::yaml_float(*r.error_high[i]));
            asym[r.names[i]] = pair;
        } else {
            YAML::Node pair(YAML::NodeType::Sequence);
            pair.push_back(detail::yaml_float(r.fixed[i] ? 0.0 : -r.errors[i]));
            pair.push_back(detail::yaml_float(r.fixed[i] ? 0.0 : r.errors[i]));
            asym[r.names[i]] = pair;
        }
    }
    auto matrix = [](const Eigen::MatrixXd& m) {
        YAML::Node rows(YAML::NodeType::Sequence);
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            std::vector<double> row(static_cast<std::size_t>(m.cols()));
            for (Eigen::Index j = 0; j < m.cols(); ++j)
                row[static_cast<std::size_t>(j)] = m(i, j);
            rows.push_back(detail::yaml_floats(row));
        }
        return rows;
    };
    res["parameter_values"] = values;
    res["parameter_cov_mat"] = matrix(r.covariance);
    res["parameter_errors"] = errors;
    res["parameter_cor_mat"] = matrix(r.correlation);
    // kafe2 writes null unless asymmetric errors were computed (hepkit fit -a)
    res["asymmetric_parameter_errors"] = have_asym ? asym : YAML::Node(YAML::NodeType::Null);
    doc["fit_results"] = res;

    YAML::Emitter out;
    out.SetIndent(2);
    out << doc;
    if (!out.good())
        throw InputError(out_path, 0, "--save",
                         fmt::format("cannot write the result: {}", out.GetLastError()));
    AtomicFile file(out_path);
    file.stream() << fmt::format("# kafe2 {} fit written by hepkit fit (kafe2's to_file form; kafe2 and "
                                 "hepkit read it back)\n",
                                 f.type)
                  << out.c_str() << "\n";
    file.commit();
}

} // namespace hepkit::fit
