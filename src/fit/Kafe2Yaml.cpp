#include "hepkit/fit/Kafe2Yaml.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <cmath>
#include <fmt/format.h>

namespace hepkit::fit {
namespace {

using config::YamlView;

// kafe2's default models when a file gives none.
constexpr const char* default_line = "def linear_model(x, a=1.0, b=0.0):\n    return a * x + b\n";
constexpr const char* default_normal =
    "def normal_distribution(x, mu=0.0, sigma=1.0):\n"
    "    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / np.sqrt(2.0 * np.pi * sigma ** 2)\n";

std::vector<double> numbers(const YamlView& v) {
    std::vector<double> out;
    if (v.is_sequence()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            out.push_back(v.at(i).as_double());
    } else {
        out.push_back(v.as_double());
    }
    return out;
}

Eigen::MatrixXd matrix(const YamlView& v, std::size_t n) {
    if (!v.is_sequence())
        v.fail("a matrix is a list of rows");
    const auto rows = v.size();
    if (rows != n)
        v.fail(fmt::format("the matrix has {} rows but there are {} data points", rows, n));
    // Every row is read and checked before the rows x rows matrix is allocated, so that its size
    // is bounded by the values actually given (a long list of short rows once asked for terabytes).
    std::vector<std::vector<double>> given(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        given[i] = numbers(v.at(i));
        if (given[i].size() != rows && given[i].size() != i + 1) // full or lower-triangular rows
            v.at(i).fail(
                fmt::format("row {} has {} values; the matrix is {}x{}", i, given[i].size(), rows, rows));
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(rows));
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < given[i].size(); ++j)
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                m(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = given[i][j];
    return m;
}

// One error specification: number, list, "5%", a dict or a list of dicts.
void read_errors(const YamlView& v, ErrorSource::Axis axis, std::size_t n, std::vector<ErrorSource>& out) {
    auto simple_from_scalar = [&](const YamlView& s) {
        ErrorSource e;
        e.axis = axis;
        const std::string text = s.as_string();
        if (!text.empty() && text.back() == '%') {
            const auto v = parse_finite(std::string_view(text).substr(0, text.size() - 1));
            if (!v)
                s.fail(fmt::format("'{}' is not a percentage", text));
            e.sigma = {*v / 100};
            e.relative = true;
        } else {
            e.sigma = {s.as_double()};
        }
        return e;
    };
    auto from_dict = [&](const YamlView& d) {
        d.check_keys({"type", "error_value", "relative", "correlation_coefficient", "matrix", "matrix_type",
                      "name", "reference", "axis"});
        ErrorSource e;
        e.axis = axis;
        const std::string type =
            d.has("type") ? d.at("type").as_string() : (d.has("matrix") ? "matrix" : "simple");
        if (d.has("name"))
            e.name = d.at("name").as_string();
        if (d.has("relative"))
            e.relative = d.at("relative").as_bool();
        if (d.has("reference")) {
            const std::string ref = d.at("reference").as_string();
            if (ref == "model")
                e.reference = ErrorSource::Reference::model;
            else if (ref != "data")
                d.at("reference").fail(fmt::format("'{}' is not a reference (allowed: data, model)", ref));
            if (axis == ErrorSource::Axis::x && ref == "model")
                d.at("reference").fail("x errors can only be relative to the data");
        }
        if (type == "simple") {
            if (!d.has("error_value"))
                d.fail("a simple error needs error_value");
            e.sigma = numbers(d.at("error_value"));
            if (d.has("correlation_coefficient"))
                e.correlation = d.at("correlation_coefficient").as_double();
        } else if (type == "matrix") {
            if (!d.has("matrix"))
                d.fail("a matrix error needs matrix");
            e.matrix = matrix(d.at("matrix"), n);
            const std::string mt = d.has("matrix_type") ? d.at("matrix_type").as_string() : "covariance";
            if (mt == "cor" || mt == "correlation")
                e.matrix_is_correlation = true;
            else if (mt != "cov" && mt != "covariance")
                d.at("matrix_type").fail(fmt::format("'{}' is not a matrix type (allowed: cov, cor)", mt));
            if (d.has("error_value"))
                e.sigma = numbers(d.at("error_value"));
        } else {
            d.at("type").fail(fmt::format("'{}' is not an error type (allowed: simple, matrix)", type));
        }
        return e;
    };
    auto add = [&](const YamlView& where, ErrorSource e) {
        try {
            e.check(n);
        } catch (const std::invalid_argument& ex) {
            where.fail(ex.what());
        }
        out.push_back(std::move(e));
    };
    if (v.is_map()) {
        add(v, from_dict(v));
    } else if (v.is_sequence()) {
        if (v.size() > 0 && v.at(0).is_map()) {
            for (std::size_t i = 0; i < v.size(); ++i)
                add(v.at(i), from_dict(v.at(i)));
        } else {
            ErrorSource e;
            e.axis = axis;
            e.sigma = numbers(v);
            add(v, std::move(e));
        }
    } else {
        add(v, simple_from_scalar(v));
    }
}

// model_function: code, or {python_code: code, ...formatters}
std::pair<std::string, int> model_code(const YamlView& v) {
    if (v.is_map()) {
        if (!v.has("python_code"))
            v.fail("a model function map needs python_code");
        const YamlView c = v.at("python_code");
        return {c.as_string(), c.line() + 1};
    }
    return {v.as_string(), v.line() + 1};
}

} // namespace

FitFile read_kafe2go(const std::string& path) {
    const YamlView root(config::load_yaml_file(path), path);
    if (!root.is_map())
        root.fail("a fit file is a map with keys such as x_data, y_data, y_errors and model_function");
    root.check_keys({"type",
                     "dataset",
                     "model",
                     "x_data",
                     "y_data",
                     "x_errors",
                     "y_errors",
                     "data",
                     "errors",
                     "raw_data",
                     "n_bins",
                     "bin_range",
                     "bin_edges",
                     "model_function",
                     "model_density_function",
                     "parameter_constraints",
                     "fixed_parameters",
                     "limited_parameters",
                     "label",
                     "x_label",
                     "y_label",
                     "model_label",
                     "x_range",
                     "y_range",
                     "range",
                     "cost",
                     "density",
                     "bin_evaluation",
                     "arg_formatters",
                     "latex_name"});
    FitFile out;
    out.path = path;
    out.type = root.has("type") ? root.at("type").as_string() : "xy";
    const YamlView data = root.has("dataset") ? root.at("dataset") : root;
    const YamlView model_root = root.has("model") ? root.at("model") : root;
    for (const char* k : {"label", "x_label", "y_label"})
        if (data.has(k))
            (k == std::string("label")     ? out.label
             : k == std::string("x_label") ? out.x_label
                                           : out.y_label) = data.at(k).as_string();
    if (model_root.has("model_label"))
        out.model_label = model_root.at("model_label").as_string();

    // The model function.
    std::string code;
    int first_line = 1;
    bool density = true;
    if (model_root.has("model_density_function")) {
        std::tie(code, first_line) = model_code(model_root.at("model_density_function"));
    } else if (model_root.has("model_function")) {
        std::tie(code, first_line) = model_code(model_root.at("model_function"));
        density = out.type != "histogram" || (root.has("density") && root.at("density").as_bool());
    } else if (out.type == "xy") {
        code = default_line;
    } else if (out.type == "histogram" || out.type == "unbinned") {
        code = default_normal;
    } else {
        root.fail(fmt::format("a {} fit needs model_function", out.type));
    }
    out.model = PyFunction::parse(code, path, first_line);
    const PyFunction& f = out.model;

    // Parameters: every argument after the independent variable (indexed: all, unless the first
    // argument is named i, idx or index, which then runs over the data points).
    const bool indexed_arg =
        out.type == "indexed" && !f.arguments().empty() &&
        (f.arguments()[0] == "i" || f.arguments()[0] == "idx" || f.arguments()[0] == "index");
    const std::size_t first_param = out.type == "indexed" && !indexed_arg ? 0 : 1;
    if (f.arguments().size() <= first_param)
        root.fail(fmt::format("model function '{}' has no parameter after its variable", f.name()));
    std::vector<Fit::Parameter> params;
    for (std::size_t i = first_param; i < f.arguments().size(); ++i)
        params.push_back({f.arguments()[i], f.defaults()[i].value_or(1.0)});
    const std::size_t np = params.size();
    auto shared_model = std::make_shared<PyFunction>(f);
    XModel xmodel = [shared_model, np](double x, std::span<const double> p) {
        std::array<double, 64> a;
        a[0] = x;
        for (std::size_t k = 0; k < np; ++k)
            a[k + 1] = p[k];
        return (*shared_model)(std::span<const double>(a.data(), np + 1));
    };

    std::unique_ptr<Problem> problem;
    try {
        if (out.type == "xy") {
            for (const char* k : {"x_data", "y_data"})
                if (!data.has(k))
                    data.fail(fmt::format("an xy fit needs {}", k));
            std::vector<double> x = numbers(data.at("x_data")), y = numbers(data.at("y_data"));
            if (x.size() != y.size())
                data.at("y_data").fail(fmt::format("{} y values for {} x values", y.size(), x.size()));
            std::vector<ErrorSource> errors;
            if (data.has("x_errors"))
                read_errors(data.at("x_errors"), ErrorSource::Axis::x, x.size(), errors);
            if (data.has("y_errors"))
                read_errors(data.at("y_errors"), ErrorSource::Axis::y, y.size(), errors);
            problem = std::make_unique<XYProblem>(std::move(x), std::move(y), xmodel, std::move(errors));
        } else if (out.type == "indexed") {
            if (!data.has("data"))
                data.fail("an indexed fit needs data");
            std::vector<double> d = numbers(data.at("data"));
            std::vector<ErrorSource> errors;
            if (data.has("errors"))
                read_errors(data.at("errors"), ErrorSource::Axis::y, d.size(), errors);
            const std::size_t n = d.size();
            VectorModel vm;
            if (indexed_arg) {
                vm = [xmodel, n](std::span<const double> p) {
                    std::vector<double> m(n);
                    for (std::size_t i = 0; i < n; ++i)
                        m[i] = xmodel(static_cast<double>(i), p);
                    return m;
                };
            } else {
                root.fail(
                    "indexed model functions return arrays (np.arange...), which the Python subset does not "
                    "cover: write the model with the index as first argument, def model(i, a, b): ...");
            }
            problem = std::make_unique<IndexedProblem>(std::move(d), vm, std::move(errors));
        } else if (out.type == "histogram") {
            std::vector<double> edges;
            if (data.has("bin_edges")) {
                edges = numbers(data.at("bin_edges"));
            } else {
                if (!data.has("n_bins") || !data.has("bin_range"))
                    data.fail("a histogram fit needs bin_edges, or n_bins and bin_range");
                const long long nb = data.at("n_bins").as_int();
                const auto r = numbers(data.at("bin_range"));
                if (nb < 1 || nb > 1000000)
                    data.at("n_bins").fail("must be between 1 and 1e6");
                if (r.size() != 2 || !(r[0] < r[1]))
                    data.at("bin_range").fail("must be [low, high] with low < high");
                for (long long k = 0; k <= nb; ++k)
                    edges.push_back(r[0] + (r[1] - r[0]) * static_cast<double>(k) / static_cast<double>(nb));
            }
            if (edges.size() < 2)
                data.fail("a histogram needs at least one bin");
            std::vector<double> counts;
            if (data.has("raw_data"))
                counts = HistogramProblem::bin(numbers(data.at("raw_data")), edges);
            else if (data.has("data"))
                counts = numbers(data.at("data"));
            else
                data.fail("a histogram fit needs raw_data (entries) or data (bin contents)");
            HistogramProblem::Cost cost = HistogramProblem::Cost::poisson;
            if (root.has("cost")) {
                const std::string c = root.at("cost").as_string();
                if (c == "chi2" || c == "gauss_model")
                    cost = HistogramProblem::Cost::gauss_model;
                else if (c == "gauss_data")
                    cost = HistogramProblem::Cost::gauss_data;
                else if (c != "nll" && c != "poisson")
                    root.at("cost").fail(
                        fmt::format("'{}' is not a histogram cost (allowed: nll, chi2, gauss_data)", c));
            }
            auto hist = std::make_unique<HistogramProblem>(edges, counts, xmodel, density, cost);
            if (root.has("bin_evaluation")) {
                const std::string e = root.at("bin_evaluation").as_string();
                if (e == "simpson")
                    hist->set_evaluation(HistogramProblem::Evaluation::simpson);
                else if (e != "integral" && e != "numerical")
                    root.at("bin_evaluation")
                        .fail(fmt::format("'{}' is not supported (allowed: integral, simpson)", e));
            }
            problem = std::move(hist);
        } else if (out.type == "unbinned") {
            if (!data.has("data"))
                data.fail("an unbinned fit needs data");
            std::optional<std::pair<double, double>> range;
            if (root.has("range")) {
                const auto r = numbers(root.at("range"));
                if (r.size() != 2)
                    root.at("range").fail("must be [low, high]");
                range = std::pair{r[0], r[1]};
            }
            // the batch form (array evaluation, symbolic derivatives) for the fit; the scalar one for
            // plots, toys and the range's quadrature
            problem = std::make_unique<UnbinnedProblem>(numbers(data.at("data")), xmodel,
                                                        std::make_shared<BatchFunction>(f), range);
        } else {
            root.at("type").fail(
                fmt::format("'{}' is not a fit type (allowed: xy, indexed, histogram, unbinned)", out.type));
        }
    } catch (const std::invalid_argument& e) {
        data.fail(e.what());
    }
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
    if (model_root.has("fixed_parameters") || root.has("fixed_parameters")) {
        const YamlView v =
            root.has("fixed_parameters") ? root.at("fixed_parameters") : model_root.at("fixed_parameters");
        if (!v.is_map())
            v.fail("expected a map of parameter name to value");
        for (const auto& kv : v.node()) {
            const YamlView item(kv.second, path, "fixed_parameters." + kv.first.Scalar());
            guarded(item, [&] { fit.fix(kv.first.Scalar(), item.as_double()); });
        }
    }
    if (root.has("limited_parameters")) {
        const YamlView v = root.at("limited_parameters");
        if (!v.is_map())
            v.fail("expected a map of parameter name to [low, high]");
        for (const auto& kv : v.node()) {
            const YamlView item(kv.second, path, "limited_parameters." + kv.first.Scalar());
            const auto lim = numbers(item);
            if (lim.size() != 2)
                item.fail("limits are [low, high]");
            guarded(item, [&] { fit.limit(kv.first.Scalar(), lim[0], lim[1]); });
        }
    }
    if (root.has("parameter_constraints")) {
        const YamlView v = root.at("parameter_constraints");
        if (v.is_map() && v.has("names")) { // one matrix constraint
            v.check_keys({"names", "values", "matrix", "matrix_type", "uncertainties"});
            std::vector<std::string> names;
            for (std::size_t i = 0; i < v.at("names").size(); ++i)
                names.push_back(v.at("names").at(i).as_string());
            const auto values = numbers(v.at("values"));
            const Eigen::MatrixXd m = matrix(v.at("matrix"), names.size());
            std::vector<double> sig;
            const bool cor = v.has("matrix_type") && (v.at("matrix_type").as_string() == "cor" ||
                                                      v.at("matrix_type").as_string() == "correlation");
            if (cor) {
                if (!v.has("uncertainties"))
                    v.fail("a correlation-matrix constraint needs uncertainties");
                sig = numbers(v.at("uncertainties"));
            }
            guarded(v, [&] { fit.add_matrix_constraint(names, values, m, sig); });
        } else {
            if (!v.is_map())
                v.fail("expected a map of parameter name to {value, uncertainty[, relative]}");
            for (const auto& kv : v.node()) {
                const YamlView c(kv.second, path, "parameter_constraints." + kv.first.Scalar());
                c.check_keys({"value", "uncertainty", "relative"});
                if (!c.has("value") || !c.has("uncertainty"))
                    c.fail("a constraint needs value and uncertainty");
                const bool rel = c.has("relative") && c.at("relative").as_bool();
                guarded(c, [&] {
                    fit.add_constraint(kv.first.Scalar(), c.at("value").as_double(),
                                       c.at("uncertainty").as_double(), rel);
                });
            }
        }
    }
    return out;
}

} // namespace hepkit::fit
