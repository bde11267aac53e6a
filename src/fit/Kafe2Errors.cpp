// kafe2go's error sections and matrices (kafe2/fit/representation/error/common_error_tools.py,
// read for the format; nothing copied), and kafe2's spelling of an error source for --save.

#include "Kafe2Emit.hpp"
#include "Kafe2Internal.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fstream>

namespace hepkit::fit::detail {

using detail::yaml_float;

bool present(const YamlView& v, const std::string& key) {
    return v.is_map() && v.has(key) && !v.at(key).node().IsNull();
}

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

// kafe2's YAML loader also reads matrices written as text: `!matrix |` (rows of numbers) and
// `!symmetric_matrix |` (the lower triangle).
Eigen::MatrixXd matrix(const YamlView& v) {
    std::vector<std::vector<double>> rows;
    const std::string tag = v.node().Tag();
    if (v.node().IsScalar() && (tag == "!matrix" || tag == "!symmetric_matrix")) {
        std::size_t start = 0;
        const std::string text = v.as_string();
        while (start < text.size()) {
            const auto end = std::min(text.find('\n', start), text.size());
            std::vector<double> row;
            std::string cell;
            for (char c : text.substr(start, end - start) + " ") {
                if (std::isspace(static_cast<unsigned char>(c))) {
                    if (!cell.empty()) {
                        const auto x = parse_finite(cell);
                        if (!x)
                            v.fail(fmt::format("'{}' in the matrix is not a number", cell));
                        row.push_back(*x);
                    }
                    cell.clear();
                } else {
                    cell += c;
                }
            }
            if (!row.empty())
                rows.push_back(row);
            start = end + 1;
        }
        if (tag == "!symmetric_matrix")
            for (std::size_t i = 0; i < rows.size(); ++i)
                if (rows[i].size() != i + 1)
                    v.fail(fmt::format("row {} of a !symmetric_matrix has {} values, must have {}", i + 1,
                                       rows[i].size(), i + 1));
    } else {
        if (!v.is_sequence())
            v.fail("a matrix is a list of rows (or kafe2's !matrix / !symmetric_matrix text)");
        for (std::size_t i = 0; i < v.size(); ++i)
            rows.push_back(numbers(v.at(i)));
    }
    const std::size_t n = rows.size();
    if (n == 0 || n > 100000)
        v.fail(fmt::format("a matrix with {} rows", n));
    // Every row is checked before the n x n matrix is allocated, so that its size is bounded by
    // the values actually given (a long list of short rows once asked for terabytes: fuzzing).
    for (std::size_t i = 0; i < n; ++i)
        if (rows[i].size() != n && rows[i].size() != i + 1) // full or lower-triangular rows
            v.fail(fmt::format("row {} has {} values; the matrix is {}x{}", i, rows[i].size(), n, n));
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
        const bool lower = rows[i].size() == i + 1 && rows[i].size() != n;
        for (std::size_t j = 0; j < rows[i].size(); ++j) {
            const auto I = static_cast<Eigen::Index>(i), J = static_cast<Eigen::Index>(j);
            m(I, J) = rows[i][j];
            if (lower)
                m(J, I) = rows[i][j];
        }
    }
    return m;
}

YAML::Node yaml_matrix(const Eigen::MatrixXd& m) {
    YAML::Node rows(YAML::NodeType::Sequence);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        YAML::Node row(YAML::NodeType::Sequence);
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            row.push_back(yaml_float(m(i, j)));
        rows.push_back(row);
    }
    return rows;
}

// A percentage ("5%") as a fraction, or nullopt for plain numbers.
std::optional<double> percentage(const YamlView& s) {
    if (!s.node().IsScalar())
        return std::nullopt;
    const std::string text = s.node().Scalar();
    if (text.empty() || text.back() != '%')
        return std::nullopt;
    const auto v = parse_finite(std::string_view(text).substr(0, text.size() - 1));
    if (!v)
        s.fail(fmt::format("'{}' is not a percentage", text));
    return *v / 100;
}

// One error section (x_errors, y_errors or errors) as kafe2's process_error_sources reads it: a
// number or "5%" (for every point), a list of per-point values, a dict, or a list whose items
// are lists of per-point values or error dicts.
void read_errors(const YamlView& v, ErrorSource::Axis axis, ErrorSource::Reference reference, std::size_t n,
                 std::vector<ErrorSource>& out) {
    auto add = [&](const YamlView& where, ErrorSource e) {
        e.axis = axis;
        if (e.reference == ErrorSource::Reference::data)
            e.reference = reference;
        if (e.axis == ErrorSource::Axis::x)
            e.reference = ErrorSource::Reference::data; // the model's x are the data's x
        // A source of zeros adds nothing: kafe2 writes one (a relative part 0.0) beside every
        // absolute error that it read from a plain number or list.
        if (e.matrix.size() == 0 && !e.sigma.empty() &&
            std::all_of(e.sigma.begin(), e.sigma.end(), [](double s) { return s == 0; }))
            return;
        try {
            e.check(n);
        } catch (const std::invalid_argument& ex) {
            where.fail(ex.what());
        }
        out.push_back(std::move(e));
    };
    auto from_values = [&](const YamlView& list) {
        ErrorSource e;
        bool any_pct = false, any_abs = false;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (const auto p = percentage(list.at(i))) {
                any_pct = true;
                e.sigma.push_back(*p);
            } else {
                any_abs = true;
                e.sigma.push_back(list.at(i).as_double());
            }
        }
        if (any_pct && any_abs)
            list.fail("a list mixing percentages and absolute values is not supported by hepkit: give two "
                      "error lists, one of each");
        e.relative = any_pct;
        add(list, std::move(e));
    };
    auto from_dict = [&](const YamlView& d) {
        d.check_keys({"type", "error_value", "relative", "correlation_coefficient", "matrix", "matrix_type",
                      "name", "reference", "axis"});
        ErrorSource e;
        const std::string type = present(d, "type")     ? d.at("type").as_string()
                                 : present(d, "matrix") ? "matrix"
                                                        : "simple";
        if (present(d, "name"))
            e.name = d.at("name").as_string();
        if (present(d, "relative"))
            e.relative = d.at("relative").as_bool();
        if (present(d, "reference")) { // hepkit's spelling of "in the parametric_model section"
            const std::string ref = d.at("reference").as_string();
            if (ref == "model")
                e.reference = ErrorSource::Reference::model;
            else if (ref != "data")
                d.at("reference").fail(fmt::format("'{}' is not a reference (allowed: data, model)", ref));
            if (axis == ErrorSource::Axis::x && ref == "model")
                d.at("reference").fail("x errors can only be relative to the data");
        }
        if (type == "simple") {
            if (!present(d, "error_value"))
                d.fail("a simple error needs error_value");
            e.sigma = numbers(d.at("error_value"));
            if (present(d, "correlation_coefficient"))
                e.correlation = d.at("correlation_coefficient").as_double();
        } else if (type == "matrix") {
            if (!present(d, "matrix"))
                d.fail("a matrix error needs matrix");
            e.matrix = matrix(d.at("matrix"));
            const std::string mt = present(d, "matrix_type") ? d.at("matrix_type").as_string() : "covariance";
            if (mt == "cor" || mt == "corr" || mt == "correlation" || mt == "correlations")
                e.matrix_is_correlation = true;
            else if (mt != "cov" && mt != "covariance")
                d.at("matrix_type")
                    .fail(fmt::format(
                        "'{}' is not a matrix type (allowed: covariance, correlation, cov, cor)", mt));
            if (present(d, "error_value"))
                e.sigma = numbers(d.at("error_value"));
        } else {
            d.at("type").fail(fmt::format("'{}' is not an error type (allowed: simple, matrix)", type));
        }
        add(d, std::move(e));
    };
    if (v.is_map()) {
        from_dict(v);
    } else if (v.is_sequence()) {
        if (v.size() == 0)
            return;
        if (v.at(0).node().IsScalar()) { // one list of per-point values
            from_values(v);
            return;
        }
        for (std::size_t i = 0; i < v.size(); ++i) {
            const YamlView item = v.at(i);
            if (item.is_map())
                from_dict(item);
            else if (item.is_sequence())
                from_values(item);
            else
                item.fail(
                    "an item of an error list is a list of per-point values or an error dict (type: simple "
                    "or matrix)");
        }
    } else {
        ErrorSource e;
        if (const auto p = percentage(v)) {
            e.sigma = {*p};
            e.relative = true;
        } else {
            e.sigma = {v.as_double()};
        }
        add(v, std::move(e));
    }
}

// kafe2's form of an error source (common_error_tools.write_errors_to_yaml), for --save.
YAML::Node error_yaml(const ErrorSource& e, std::size_t index) {
    YAML::Node d(YAML::NodeType::Map);
    d["name"] = e.name.empty() ? fmt::format("error_{}", index) : e.name;
    d["type"] = e.matrix.size() > 0 ? "matrix" : "simple";
    if (e.matrix.size() > 0) {
        d["matrix_type"] = e.matrix_is_correlation ? "correlation" : "covariance";
        d["matrix"] = yaml_matrix(e.matrix);
        if (!e.sigma.empty())
            d["error_value"] = e.sigma.size() == 1 ? yaml_float(e.sigma[0]) : yaml_floats(e.sigma);
    } else {
        d["error_value"] = e.sigma.size() == 1 ? yaml_float(e.sigma[0]) : yaml_floats(e.sigma);
        d["correlation_coefficient"] = yaml_float(e.correlation);
    }
    d["relative"] = e.relative;
    return d;
}

// kafe2's to_file writes numpy matrices through PyYAML's unsafe dumper, as pickled objects
// (`!!python/object/apply:numpy...` with `!!binary` data) that only Python can load: say so,
// before the YAML parser trips over them with a syntax error.
void refuse_python_objects(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
        if (const auto p = line.find("!!python/"); p != std::string::npos)
            throw InputError(
                path, n, "",
                fmt::format("'{}' is a Python object pickled by kafe2's YAML writer (a numpy "
                            "array), which only Python can read; hepkit does not support it: write "
                            "the matrix as a list of rows",
                            line.substr(p, std::min<std::size_t>(60, line.size() - p))));
}

} // namespace hepkit::fit::detail
