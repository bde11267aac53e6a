// kafe2go's YAML files, read as kafe2's representation layer reads them
// (kafe2/fit/representation/{fit,container,model,constraint}/yaml_drepr.py, read for the format;
// nothing copied): a flat file's keys are routed into the `dataset` and `parametric_model`
// sections by fit type, exactly as kafe2's "subspace override" does, then both sections are read.

#include "hepkit/fit/Kafe2Yaml.hpp"
#include "Kafe2Emit.hpp"
#include "Kafe2Internal.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/fit/Kafe2Library.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <set>

namespace hepkit::fit {
namespace {

using config::YamlView;
using namespace detail;

// The routing of kafe2's FitYamlReader._get_subspace_override_dict: which top-level keys of a
// flat file belong to the dataset, which to the parametric model (some to both).
struct Routing {
    std::vector<std::string> dataset, model, dataset_section, model_section;
};

Routing routing(const std::string& type) {
    Routing r;
    r.dataset = {"label", "x_label", "y_label"};
    r.model = {"model_parameters",  "arg_formatters",          "model_function_formatter",
               "expression_string", "latex_expression_string", "model_label"};
    const std::vector<std::string> fn_names = {"model_function", "model_function_name",
                                               "latex_model_function_name"};
    if (type == "xy") {
        r.dataset.insert(r.dataset.end(), {"x_data", "y_data", "x_errors", "y_errors"});
        r.model.push_back("x_data");
        r.model.insert(r.model.end(), fn_names.begin(), fn_names.end());
        r.dataset_section = {"x_data", "y_data", "x_errors", "y_errors"};
        r.model_section = {"x_data", "y_data", "x_errors", "y_errors"};
    } else if (type == "indexed") {
        r.dataset.insert(r.dataset.end(), {"data", "errors"});
        r.model.insert(r.model.end(), fn_names.begin(), fn_names.end());
        r.model.insert(r.model.end(), {"index_name", "latex_index_name"});
        r.dataset_section = {"data", "errors"};
        r.model_section = {"shape_like", "errors", "index_name", "latex_index_name"};
    } else if (type == "unbinned") {
        r.dataset.push_back("data");
        r.model.push_back("data");
        r.model.insert(r.model.end(), fn_names.begin(), fn_names.end());
        r.dataset_section = {"data"};
        r.model_section = {"data"};
    } else { // histogram
        r.dataset.insert(r.dataset.end(), {"n_bins", "bin_range", "bin_edges", "raw_data", "errors", "file"});
        r.model.insert(r.model.end(), {"n_bins", "bin_range", "bin_edges", "model_density_function",
                                       "model_density_function_name", "latex_model_density_function_name"});
        r.dataset_section = {"n_bins",    "bin_range", "bin_edges", "raw_data", "bin_heights",
                             "underflow", "overflow",  "errors",    "data",     "file"};
        r.model_section = {"n_bins",
                           "bin_range",
                           "bin_edges",
                           "bin_evaluation",
                           "density",
                           "model_density_function",
                           "model_density_function_name",
                           "latex_model_density_function_name",
                           "model_density_func_antiderivative",
                           "errors"};
    }
    if (type != "histogram")
        r.model_section.insert(r.model_section.end(), fn_names.begin(), fn_names.end());
    return r;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// Checks a section's keys against kafe2's keys for its type (plus display keys): typos and keys
// hepkit does not know are errors, never silently ignored.
void check_section(const YamlView& s, const std::vector<std::string>& allowed, const char* what) {
    for (const auto& kv : s.node()) {
        const std::string k = kv.first.Scalar();
        if (!contains(allowed, k))
            YamlView(kv.second, s.file(), s.key().empty() ? k : s.key() + "." + k)
                .fail(
                    fmt::format("unknown key '{}' in a {} (allowed: {})", k, what, fmt::join(allowed, ", ")));
    }
}

} // namespace

FitFile read_kafe2go(const std::string& path) {
    refuse_python_objects(path);
    const YamlView root(config::load_yaml_file(path), path);
    if (!root.is_map())
        root.fail("a kafe2go file is a map with keys such as x_data, y_data, y_errors and model_function");
    FitFile out;
    out.path = path;

    // A result file (kafe2's save_state): the stored numbers only.
    const bool has_data_keys = root.has("type") || root.has("dataset") || root.has("x_data") ||
                               root.has("data") || root.has("raw_data") || root.has("bin_heights");
    if (!has_data_keys && (root.has("parameter_values") || root.has("did_fit"))) {
        out.type = "result";
        out.stored = read_kafe2_stored_result(root.node(), path, "");
        return out;
    }

    out.type = present(root, "type") ? root.at("type").as_string() : "xy";
    if (out.type == "custom")
        root.at("type").fail(
            "custom fits (a cost function written in Python) are not supported by hepkit's YAML "
            "reader; use hepkit::fit::CustomProblem from C++");
    if (out.type == "multi")
        root.at("type").fail(
            "kafe2's YAML format has no multi fits (kafe2 builds MultiFit in Python); hepkit "
            "fits several problems with shared parameters through MultiProblem in C++");
    if (out.type != "xy" && out.type != "indexed" && out.type != "histogram" && out.type != "unbinned")
        root.at("type").fail(
            fmt::format("'{}' is not a fit type (allowed: xy, indexed, histogram, unbinned)", out.type));
    const Routing route = routing(out.type);

    // Top-level keys: the fit's own, those kafe2 routes into a section, and hepkit's extras.
    std::vector<std::string> top = {"type",
                                    "dataset",
                                    "parametric_model",
                                    "cost_function",
                                    "minimizer",
                                    "minimizer_kwargs",
                                    "parameter_constraints",
                                    "fixed_parameters",
                                    "limited_parameters",
                                    "fit_results",
                                    "model",
                                    "cost",
                                    "range",
                                    "bin_evaluation",
                                    "density",
                                    "latex_name"};
    top.insert(top.end(), route.dataset.begin(), route.dataset.end());
    top.insert(top.end(), route.model.begin(), route.model.end());
    if (out.type == "histogram")
        top.insert(top.end(), {"data", "bin_heights", "underflow", "overflow", "model_function"});
    check_section(root, top, fmt::format("{} fit file", out.type).c_str());

    const bool has_ds = present(root, "dataset");
    const bool has_pm = present(root, "parametric_model") || present(root, "model");
    const YamlView ds_section =
        has_ds ? root.at("dataset") : YamlView(YAML::Node(YAML::NodeType::Map), path, "dataset");
    const YamlView pm_section = present(root, "parametric_model") ? root.at("parametric_model")
                                : present(root, "model")
                                    ? root.at("model")
                                    : YamlView(YAML::Node(YAML::NodeType::Map), path, "parametric_model");
    for (const auto* s : {&ds_section, &pm_section})
        if (!s->is_map())
            s->fail("expected a map");
    {
        std::vector<std::string> ds_keys = {"type", "label", "x_label", "y_label"};
        ds_keys.insert(ds_keys.end(), route.dataset_section.begin(), route.dataset_section.end());
        check_section(ds_section, ds_keys, fmt::format("{} dataset", out.type).c_str());
        std::vector<std::string> pm_keys = {"type",
                                            "model_parameters",
                                            "model_label",
                                            "arg_formatters",
                                            "model_function_formatter",
                                            "expression_string",
                                            "latex_expression_string"};
        pm_keys.insert(pm_keys.end(), route.model_section.begin(), route.model_section.end());
        check_section(pm_section, pm_keys, fmt::format("{} parametric_model", out.type).c_str());
        for (const auto* s : {&ds_section, &pm_section})
            if (present(*s, "type") && s->at("type").as_string() != out.type)
                s->at("type").fail(fmt::format("'{}' does not match the fit type '{}'",
                                               s->at("type").as_string(), out.type));
    }
    // A key at the top level overrides the section's (kafe2 does the same).
    auto ds = [&](const std::string& key) -> std::optional<YamlView> {
        if (contains(route.dataset, key) && present(root, key))
            return root.at(key);
        if (out.type == "histogram" &&
            (key == "data" || key == "bin_heights" || key == "underflow" || key == "overflow") &&
            present(root, key))
            return root.at(key);
        if (present(ds_section, key))
            return ds_section.at(key);
        return std::nullopt;
    };
    auto pm = [&](const std::string& key) -> std::optional<YamlView> {
        if (contains(route.model, key) && present(root, key))
            return root.at(key);
        if (present(pm_section, key))
            return pm_section.at(key);
        return std::nullopt;
    };

    for (const char* k : {"label", "x_label", "y_label"})
        if (auto v = ds(k))
            (k == std::string("label")     ? out.label
             : k == std::string("x_label") ? out.x_label
                                           : out.y_label) = v->as_string();
    if (auto v = pm("model_label"))
        out.model_label = v->as_string();

    // The model function (kafe2's defaults where none is given: a line for xy, the normal
    // distribution for histogram and unbinned fits).
    ModelCode code;
    bool density = true;
    const char* fn_key = out.type == "histogram" ? "model_density_function" : "model_function";
    if (auto v = pm(fn_key)) {
        code = model_code(*v, out.type == "indexed");
    } else if (out.type == "histogram" && present(root, "model_function")) { // hepkit: not a density
        code = model_code(root.at("model_function"), false);
        density = present(root, "density") && root.at("density").as_bool();
    } else if (out.type == "indexed") {
        root.fail("an indexed fit needs model_function (kafe2 has no default model for indexed data)");
    } else {
        code.code = *kafe2_library_model(out.type == "xy" ? "linear_model" : "normal_distribution");
        code.first_line = 0;
        out.container_only = !has_pm;
    }
    if (auto v = pm("density"))
        density = v->as_bool();
    else if (present(root, "density") && out.type == "histogram" && !present(root, "model_function"))
        density = root.at("density").as_bool();
    try {
        out.model = PyFunction::parse(code.code, code.first_line > 0 ? path : "kafe2 built-in model",
                                      std::max(code.first_line, 1));
    } catch (const InputError&) {
        throw;
    }
    const PyFunction& f = out.model;
    if (out.model_label.empty() && !code.display_name.empty())
        out.model_label = code.display_name;

    // Parameters: every argument after the independent variable; indexed models (above) take all
    // arguments, or all but the index.
    const bool indexed_arg = out.type == "indexed" && index_argument(f);
    const std::size_t first_param = out.type == "indexed" && !indexed_arg ? 0 : 1;
    if (f.arguments().size() <= first_param)
        root.fail(fmt::format("model function '{}' has no parameter{}", f.name(),
                              first_param ? " after its variable" : ""));
    std::vector<Fit::Parameter> params;
    for (std::size_t i = first_param; i < f.arguments().size(); ++i)
        params.push_back({f.arguments()[i], f.defaults()[i].value_or(1.0)});
    if (auto v = pm("model_parameters")) {
        const auto starts = numbers(*v);
        if (starts.size() != params.size())
            v->fail(fmt::format("{} values for the {} parameters of '{}'", starts.size(), params.size(),
                                f.name()));
        for (std::size_t i = 0; i < params.size(); ++i)
            params[i].start = starts[i];
    }
    const std::size_t np = params.size();
    if (np + 1 > 64)
        root.fail(fmt::format("model function '{}' has {} parameters; hepkit allows 63", f.name(), np));
    auto shared_model = std::make_shared<PyFunction>(f);
    const bool scalar_indexed = out.type == "indexed" && !indexed_arg;
    XModel xmodel = [shared_model, np, scalar_indexed](double x, std::span<const double> p) {
        std::array<double, 64> a;
        if (scalar_indexed) {
            for (std::size_t k = 0; k < np; ++k)
                a[k] = p[k];
            return (*shared_model)(std::span<const double>(a.data(), np));
        }
        a[0] = x;
        for (std::size_t k = 0; k < np; ++k)
            a[k + 1] = p[k];
        return (*shared_model)(std::span<const double>(a.data(), np + 1));
    };

    // The document --save writes (kafe2's to_file form), filled in as the file is read.
    YAML::Node doc(YAML::NodeType::Map), ddoc(YAML::NodeType::Map), mdoc(YAML::NodeType::Map);
    doc["type"] = out.type;
    ddoc["type"] = out.type;
    mdoc["type"] = out.type;
    YAML::Node fn_doc(YAML::NodeType::Map);
    fn_doc["python_code"] = code.code;

    auto read_section_errors = [&](const char* key, ErrorSource::Axis axis, std::size_t n,
                                   std::vector<ErrorSource>& errors) {
        if (auto v = ds(key))
            read_errors(*v, axis, ErrorSource::Reference::data, n, errors);
        if (present(pm_section, key))
            read_errors(pm_section.at(key), axis, ErrorSource::Reference::model, n, errors);
    };
    auto write_errors = [&](const std::vector<ErrorSource>& errors, bool xy) {
        std::size_t k = 0;
        for (const auto& e : errors) {
            const char* key = !xy ? "errors" : e.axis == ErrorSource::Axis::x ? "x_errors" : "y_errors";
            (e.reference == ErrorSource::Reference::model ? mdoc : ddoc)[key].push_back(error_yaml(e, k++));
        }
    };
    bool correlated = false;
    auto note_correlation = [&](const std::vector<ErrorSource>& errors) {
        for (const auto& e : errors)
            correlated = correlated || e.matrix.size() > 0 || e.correlation != 0;
    };

    HistogramProblem::Cost hist_cost = HistogramProblem::Cost::poisson;
    std::unique_ptr<Problem> problem;
    const YamlView data_where = has_ds ? ds_section : root;
    try {
        if (out.type == "xy") {
            auto xv = ds("x_data"), yv = ds("y_data");
            if (!xv || !yv)
                data_where.fail(fmt::format("an xy fit needs {}", !xv ? "x_data" : "y_data"));
            std::vector<double> x = numbers(*xv), y = numbers(*yv);
            if (x.size() != y.size())
                yv->fail(fmt::format("{} y values for {} x values", y.size(), x.size()));
            if (present(pm_section, "x_data") && numbers(pm_section.at("x_data")) != x)
                pm_section.at("x_data").fail("the parametric model's x_data differ from the dataset's");
            std::vector<ErrorSource> errors;
            read_section_errors("x_errors", ErrorSource::Axis::x, x.size(), errors);
            read_section_errors("y_errors", ErrorSource::Axis::y, y.size(), errors);
            note_correlation(errors);
            ddoc["x_data"] = yaml_floats(x);
            ddoc["y_data"] = yaml_floats(y);
            mdoc["x_data"] = yaml_floats(x);
            mdoc["model_function"] = fn_doc;
            write_errors(errors, true);
            problem = std::make_unique<XYProblem>(std::move(x), std::move(y), xmodel, std::move(errors));
        } else if (out.type == "indexed") {
            auto dv = ds("data");
            if (!dv)
                data_where.fail("an indexed fit needs data");
            std::vector<double> d = numbers(*dv);
            const std::size_t n = d.size();
            if (present(pm_section, "shape_like") && numbers(pm_section.at("shape_like")).size() != n)
                pm_section.at("shape_like")
                    .fail(fmt::format("shape_like must have the {} values of the data", n));
            std::vector<ErrorSource> errors;
            read_section_errors("errors", ErrorSource::Axis::y, n, errors);
            note_correlation(errors);
            ddoc["data"] = yaml_floats(d);
            mdoc["shape_like"] = yaml_floats(d);
            YAML::Node indexed_fn(YAML::NodeType::Map);
            indexed_fn["python_code"] = indexed_arg ? kafe2_indexed_code(f, code.code, n) : code.code;
            mdoc["model_function"] = indexed_fn;
            write_errors(errors, false);
            VectorModel vm = [xmodel, n](std::span<const double> p) {
                std::vector<double> m(n);
                for (std::size_t i = 0; i < n; ++i)
                    m[i] = xmodel(static_cast<double>(i), p);
                return m;
            };
            problem = std::make_unique<IndexedProblem>(std::move(d), vm, std::move(errors));
        } else if (out.type == "histogram") {
            std::vector<double> edges;
            auto read_edges = [&](auto&& get) -> std::vector<double> {
                std::vector<double> e;
                if (auto v = get("bin_edges")) {
                    e = numbers(*v);
                    for (std::size_t k = 1; k < e.size(); ++k)
                        if (!(e[k - 1] < e[k]))
                            v->fail("bin edges must increase");
                } else {
                    auto nv = get("n_bins"), rv = get("bin_range");
                    if (!nv || !rv)
                        return e;
                    const long long nb = nv->as_int();
                    const auto r = numbers(*rv);
                    if (nb < 1 || nb > 1000000)
                        nv->fail("must be between 1 and 1e6");
                    if (r.size() != 2 || !(r[0] < r[1]))
                        rv->fail("must be [low, high] with low < high");
                    for (long long k = 0; k <= nb; ++k)
                        e.push_back(r[0] + (r[1] - r[0]) * static_cast<double>(k) / static_cast<double>(nb));
                }
                return e;
            };
            std::optional<HistogramFile> hist_file;
            if (auto fv = ds("file")) {
                for (const char* k : {"bin_edges", "n_bins", "bin_range", "raw_data", "bin_heights", "data",
                                      "underflow", "overflow"})
                    if (auto other = ds(k))
                        other->fail(
                            fmt::format("give the histogram file or {}, not both (the file has the bins "
                                        "and their contents)",
                                        k));
                hist_file = read_histogram_file(*fv, path);
            }
            edges = hist_file ? hist_file->edges : read_edges(ds);
            if (edges.empty())
                data_where.fail("a histogram fit needs bin_edges, or n_bins and bin_range");
            if (edges.size() < 2)
                data_where.fail("a histogram needs at least one bin");
            const auto model_edges = read_edges([&](const std::string& k) -> std::optional<YamlView> {
                return present(pm_section, k) ? std::optional<YamlView>(pm_section.at(k)) : std::nullopt;
            });
            if (!model_edges.empty() && model_edges.size() == edges.size()) {
                for (std::size_t k = 0; k < edges.size(); ++k)
                    if (std::fabs(model_edges[k] - edges[k]) > 1e-12 * (1 + std::fabs(edges[k])))
                        pm_section.fail("the parametric model's bins differ from the dataset's");
            } else if (!model_edges.empty()) {
                pm_section.fail("the parametric model's bins differ from the dataset's");
            }
            std::vector<double> counts;
            auto raw = ds("raw_data"), heights = ds("bin_heights");
            if (!heights)
                heights = ds("data"); // hepkit's older spelling of bin contents
            if (raw && heights)
                raw->fail("give raw_data or bin_heights, not both");
            double outside = 0; // entries beyond the edges: in kafe2's N (n_entries), see below
            if (hist_file) {
                counts = hist_file->counts;
                outside = hist_file->underflow + hist_file->overflow;
                ddoc["bin_heights"] = yaml_floats(counts);
                ddoc["underflow"] = yaml_float(hist_file->underflow);
                ddoc["overflow"] = yaml_float(hist_file->overflow);
            } else if (raw) {
                const auto r = numbers(*raw);
                counts = HistogramProblem::bin(r, edges);
                double inside = 0;
                for (double c : counts)
                    inside += c;
                outside = static_cast<double>(r.size()) - inside;
                ddoc["raw_data"] = yaml_floats(r);
            } else if (heights) {
                counts = numbers(*heights);
                ddoc["bin_heights"] = yaml_floats(counts);
                for (const char* k : {"underflow", "overflow"}) {
                    double v = 0;
                    if (auto view = ds(k)) {
                        v = view->as_double();
                        if (!(v >= 0))
                            view->fail(fmt::format("{} = {} must be >= 0", k, v));
                    }
                    outside += v;
                    ddoc[k] = yaml_float(v);
                }
            } else {
                data_where.fail("a histogram fit needs raw_data (entries) or bin_heights (bin contents)");
            }
            if (auto v = ds("errors"))
                v->fail("data errors of a histogram are not supported by hepkit (its histogram costs are the "
                        "Poisson "
                        "likelihood and Gaussian approximations with √n or √μ errors)");
            if (present(pm_section, "errors"))
                pm_section.at("errors").fail("model errors of a histogram are not supported by hepkit");
            if (present(pm_section, "model_density_func_antiderivative"))
                pm_section.at("model_density_func_antiderivative")
                    .fail("model_density_func_antiderivative is not read by kafe2 either: give the "
                          "antiderivative as "
                          "bin_evaluation (Python code)");
            ddoc["bin_edges"] = yaml_floats(edges);
            mdoc["bin_edges"] = yaml_floats(edges);
            YAML::Node hist_fn = fn_doc;
            mdoc["model_density_function"] = hist_fn;
            mdoc["density"] = density;
            if (present(root, "cost")) { // hepkit's key
                const std::string c = root.at("cost").as_string();
                if (c == "chi2" || c == "gauss_model")
                    hist_cost = HistogramProblem::Cost::gauss_model;
                else if (c == "gauss_data")
                    hist_cost = HistogramProblem::Cost::gauss_data;
                else if (c != "nll" && c != "poisson")
                    root.at("cost").fail(
                        fmt::format("'{}' is not a histogram cost (allowed: nll, chi2, gauss_data)", c));
            }
            if (present(root, "cost_function"))
                check_cost_function(root.at("cost_function"), out.type, false, hist_cost);
            auto hist = std::make_unique<HistogramProblem>(edges, counts, xmodel, density, hist_cost);
            hist->set_entries_outside(outside);
            // kafe2's bin_evaluation (parametric model; hepkit also takes it at the top level):
            // simpson (kafe2's default), numerical (exact integral: hepkit's default), or the
            // model's antiderivative as Python code.
            std::optional<YamlView> be =
                present(pm_section, "bin_evaluation") ? std::optional(pm_section.at("bin_evaluation"))
                : present(root, "bin_evaluation")     ? std::optional(root.at("bin_evaluation"))
                                                      : std::nullopt;
            mdoc["bin_evaluation"] = "numerical";
            if (be) {
                const std::string e = be->as_string();
                if (e.find("def ") != std::string::npos) {
                    const auto F = std::make_shared<PyFunction>(PyFunction::parse(e, path, be->line() + 1));
                    if (F->arguments().size() != f.arguments().size())
                        be->fail(fmt::format("the antiderivative takes {} arguments, the model {}",
                                             F->arguments().size(), f.arguments().size()));
                    hist->set_antiderivative([F, np](double x, std::span<const double> p) {
                        std::array<double, 64> a;
                        a[0] = x;
                        for (std::size_t k = 0; k < np; ++k)
                            a[k + 1] = p[k];
                        return (*F)(std::span<const double>(a.data(), np + 1));
                    });
                    mdoc["bin_evaluation"] = e;
                } else if (e == "simpson") {
                    hist->set_evaluation(HistogramProblem::Evaluation::simpson);
                    mdoc["bin_evaluation"] = e;
                } else if (e != "integral" && e != "numerical") {
                    be->fail(
                        fmt::format("bin_evaluation '{}' is not supported by hepkit (supported: simpson, "
                                    "numerical, integral, or the antiderivative as Python code)",
                                    e));
                }
            }
            problem = std::move(hist);
        } else { // unbinned
            auto dv = ds("data");
            if (!dv)
                data_where.fail("an unbinned fit needs data");
            std::optional<std::pair<double, double>> range;
            if (present(root, "range")) {
                const auto r = numbers(root.at("range"));
                if (r.size() != 2)
                    root.at("range").fail("must be [low, high]");
                range = std::pair{r[0], r[1]};
            }
            const auto d = numbers(*dv);
            if (present(pm_section, "data") && numbers(pm_section.at("data")) != d)
                pm_section.at("data").fail("the parametric model's data differ from the dataset's");
            ddoc["data"] = yaml_floats(d);
            mdoc["data"] = yaml_floats(d);
            mdoc["model_function"] = fn_doc;
            // the batch form (array evaluation, symbolic derivatives) for the fit; the scalar one for
            // plots, toys and the range's quadrature
            problem = std::make_unique<UnbinnedProblem>(d, xmodel, std::make_shared<BatchFunction>(f), range);
        }
    } catch (const std::invalid_argument& e) {
        data_where.fail(e.what());
    }
    if (present(root, "cost_function") && out.type != "histogram") {
        HistogramProblem::Cost unused{};
        check_cost_function(root.at("cost_function"), out.type, correlated, unused);
    }
    if (present(root, "minimizer")) {
        // hepkit always uses its own minimiser (docs/fit.md); kafe2 writes this key in every saved fit.
        const std::string m = root.at("minimizer").as_string();
        if (m != "iminuit" && m != "scipy" && m != "root" && m != "minuit" && m != "root.minuit" &&
            m != "tminuit" && m != "root.tminuit" && m != "scipy.optimize")
            root.at("minimizer")
                .fail(fmt::format("'{}' is not one of kafe2's minimizers (iminuit, scipy, root)", m));
    }
    if (present(root, "minimizer_kwargs"))
        root.at("minimizer_kwargs")
            .fail("minimizer_kwargs is not supported by hepkit (its minimiser has its own tolerances, "
                  "docs/fit.md); remove the key or set it to null");
    if (present(root, "fit_results"))
        out.stored = read_kafe2_stored_result(root.at("fit_results").node(), path, "fit_results");

    out.problem = problem.get();
    out.fit = std::make_unique<Fit>(std::move(problem), params);
    Fit& fit = *out.fit;

    auto guarded = [](const YamlView& where, auto&& fn) {
        try {
            fn();
        } catch (const std::invalid_argument& e) {
            where.fail(e.what());
        }
    };
    YAML::Node fixed_doc(YAML::NodeType::Map), limits_doc(YAML::NodeType::Map),
        cons_doc(YAML::NodeType::Sequence);
    if (present(root, "fixed_parameters")) {
        const YamlView v = root.at("fixed_parameters");
        if (!v.is_map())
            v.fail("expected a map of parameter name to value");
        for (const auto& kv : v.node()) {
            const YamlView item(kv.second, path, "fixed_parameters." + kv.first.Scalar());
            const std::optional<double> value =
                item.node().IsNull() ? std::nullopt : std::optional<double>(item.as_double());
            guarded(item, [&] { fit.fix(kv.first.Scalar(), value); });
            const std::size_t i = fit.index(kv.first.Scalar());
            fixed_doc[kv.first.Scalar()] = yaml_float(value.value_or(params[i].start));
        }
    }
    if (present(root, "limited_parameters")) {
        const YamlView v = root.at("limited_parameters");
        if (!v.is_map())
            v.fail("expected a map of parameter name to [low, high]");
        for (const auto& kv : v.node()) {
            const YamlView item(kv.second, path, "limited_parameters." + kv.first.Scalar());
            if (!item.is_sequence() || item.size() != 2)
                item.fail("limits are [low, high] (null for no limit on that side)");
            std::optional<double> lim[2];
            YAML::Node pair(YAML::NodeType::Sequence);
            for (std::size_t s = 0; s < 2; ++s) {
                if (!item.at(s).node().IsNull())
                    lim[s] = item.at(s).as_double();
                pair.push_back(lim[s] ? yaml_float(*lim[s]) : YAML::Node(YAML::NodeType::Null));
            }
            if (!lim[0] && !lim[1])
                item.fail("at least one limit must be given");
            guarded(item, [&] { fit.limit(kv.first.Scalar(), lim[0], lim[1]); });
            limits_doc[kv.first.Scalar()] = pair;
        }
    }
    auto name_of = [&](const YamlView& c, const char* name_key, const char* index_key) {
        if (present(c, name_key))
            return c.at(name_key).as_string();
        if (!present(c, index_key))
            c.fail(fmt::format("a constraint needs {} (or {})", name_key, index_key));
        const long long i = c.at(index_key).as_int();
        if (i < 0 || static_cast<std::size_t>(i) >= np)
            c.at(index_key).fail(fmt::format("parameter index {} is out of range (0 to {})", i, np - 1));
        return params[static_cast<std::size_t>(i)].name;
    };
    auto simple_constraint = [&](const YamlView& c, std::optional<std::string> name) {
        c.check_keys({"type", "name", "index", "value", "uncertainty", "relative"});
        const std::string par = name ? *name : name_of(c, "name", "index");
        if (!present(c, "value") || !present(c, "uncertainty"))
            c.fail("a constraint needs value and uncertainty");
        const bool rel = present(c, "relative") && c.at("relative").as_bool();
        const double value = c.at("value").as_double(), unc = c.at("uncertainty").as_double();
        guarded(c, [&] { fit.add_constraint(par, value, unc, rel); });
        YAML::Node d(YAML::NodeType::Map);
        d["type"] = "simple";
        d["name"] = par;
        d["value"] = yaml_float(value);
        d["uncertainty"] = yaml_float(unc);
        d["relative"] = rel;
        cons_doc.push_back(d);
    };
    auto matrix_constraint = [&](const YamlView& c) {
        c.check_keys(
            {"type", "names", "indices", "values", "matrix", "matrix_type", "uncertainties", "relative"});
        std::vector<std::string> names;
        if (present(c, "names")) {
            for (std::size_t i = 0; i < c.at("names").size(); ++i)
                names.push_back(c.at("names").at(i).as_string());
        } else if (present(c, "indices")) {
            const YamlView idx = c.at("indices");
            for (std::size_t i = 0; i < idx.size(); ++i) {
                const long long k = idx.at(i).as_int();
                if (k < 0 || static_cast<std::size_t>(k) >= np)
                    idx.at(i).fail(fmt::format("parameter index {} is out of range (0 to {})", k, np - 1));
                names.push_back(params[static_cast<std::size_t>(k)].name);
            }
        } else {
            c.fail("a matrix constraint needs names (or indices)");
        }
        if (!present(c, "values") || !present(c, "matrix"))
            c.fail("a matrix constraint needs values and matrix");
        const auto values = numbers(c.at("values"));
        Eigen::MatrixXd m = matrix(c.at("matrix"));
        const std::string mt = present(c, "matrix_type") ? c.at("matrix_type").as_string() : "cov";
        const bool cor = mt == "cor" || mt == "corr" || mt == "correlation";
        if (!cor && mt != "cov" && mt != "covariance")
            c.at("matrix_type").fail(fmt::format("'{}' is not a matrix type (allowed: cov, cor)", mt));
        const bool rel = present(c, "relative") && c.at("relative").as_bool();
        std::vector<double> sig;
        if (cor) {
            if (!present(c, "uncertainties"))
                c.fail("a correlation-matrix constraint needs uncertainties");
            sig = numbers(c.at("uncertainties"));
        }
        if (values.size() != names.size() || static_cast<std::size_t>(m.rows()) != names.size() ||
            (cor && sig.size() != names.size()))
            c.fail(fmt::format("{} names, {} values, a {}x{} matrix{}: the sizes must agree", names.size(),
                               values.size(), m.rows(), m.cols(),
                               cor ? fmt::format(", {} uncertainties", sig.size()) : ""));
        // relative: kafe2 scales the uncertainties (or the covariance) by the constrained values
        if (rel) {
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (cor)
                    sig[i] *= std::fabs(values[i]);
                else
                    for (std::size_t j = 0; j < values.size(); ++j)
                        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) *=
                            std::fabs(values[i] * values[j]);
            }
        }
        guarded(c, [&] { fit.add_matrix_constraint(names, values, m, sig); });
        YAML::Node d(YAML::NodeType::Map);
        d["type"] = "matrix";
        YAML::Node nn(YAML::NodeType::Sequence);
        for (const auto& s : names)
            nn.push_back(s);
        d["names"] = nn;
        d["values"] = yaml_floats(values);
        d["matrix"] = yaml_matrix(m);
        d["matrix_type"] = cor ? "cor" : "cov";
        if (cor)
            d["uncertainties"] = yaml_floats(sig);
        d["relative"] = false;
        cons_doc.push_back(d);
    };
    if (present(root, "parameter_constraints")) {
        const YamlView v = root.at("parameter_constraints");
        if (v.is_map() &&
            (v.has("names") || v.has("indices"))) { // one matrix constraint (hepkit's short form)
            matrix_constraint(v);
        } else if (v.is_map()) { // name: {value, uncertainty, relative}
            for (const auto& kv : v.node()) {
                const YamlView c(kv.second, path, "parameter_constraints." + kv.first.Scalar());
                if (!c.is_map())
                    c.fail("expected {value, uncertainty[, relative]}");
                if (present(c, "type") && c.at("type").as_string() == "matrix")
                    c.fail("matrix constraints go in the list form of parameter_constraints");
                simple_constraint(c, kv.first.Scalar());
            }
        } else if (v.is_sequence()) { // kafe2's list: {type: simple|matrix, ...}
            for (std::size_t i = 0; i < v.size(); ++i) {
                const YamlView c = v.at(i);
                if (!c.is_map())
                    c.fail("a constraint is a map (type: simple or matrix)");
                const std::string t = present(c, "type") ? c.at("type").as_string() : "simple";
                if (t == "simple")
                    simple_constraint(c, std::nullopt);
                else if (t == "matrix")
                    matrix_constraint(c);
                else
                    c.at("type").fail(
                        fmt::format("'{}' is not a constraint type (allowed: simple, matrix)", t));
            }
        } else {
            v.fail("expected a map of parameter name to {value, uncertainty} or a list of constraints");
        }
    }

    if (!out.label.empty())
        ddoc["label"] = out.label;
    if (!out.x_label.empty())
        ddoc["x_label"] = out.x_label;
    if (!out.y_label.empty())
        ddoc["y_label"] = out.y_label;
    mdoc["model_label"] =
        out.model_label.empty() ? YAML::Node(YAML::NodeType::Null) : YAML::Node(out.model_label);
    doc["dataset"] = ddoc;
    doc["parametric_model"] = mdoc;
    doc["cost_function"] = out.type == "unbinned" ? "nll" : out.type == "histogram" ? "nll_poisson" : "chi2";
    if (out.type == "histogram" && hist_cost != HistogramProblem::Cost::poisson)
        doc["cost"] = root.at("cost").as_string(); // hepkit's own key: kafe2 does not read it
    if (out.type == "unbinned" && present(root, "range"))
        doc["range"] = yaml_floats(numbers(root.at("range"))); // hepkit's own key
    doc["minimizer"] = "iminuit";
    doc["minimizer_kwargs"] = YAML::Node(YAML::NodeType::Null);
    doc["parameter_constraints"] = cons_doc;
    doc["fixed_parameters"] = fixed_doc;
    doc["limited_parameters"] = limits_doc;
    out.kafe2_document = std::make_shared<const YAML::Node>(doc);
    return out;
}

} // namespace hepkit::fit
