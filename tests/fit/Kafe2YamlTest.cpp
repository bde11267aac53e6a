// kafe2go's YAML format, key by key, with hepkit's own files (tests/fit/data): each case's
// expected numbers come from a closed form computed here, or from kafe2 2.10.0's fit of the same
// file where there is none (stated at the case).

#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/Kafe2Library.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <numbers>
#include <unistd.h>

namespace hepkit::fit {
namespace {

const std::string data_dir = std::string(HEPKIT_FIT_DATA) + "/";

// Generalised least squares for a linear model y = X p with covariance V and Gaussian
// pseudo-measurements (c, C) of the parameters: p = (X'V⁻¹X + C⁻¹)⁻¹ (X'V⁻¹y + C⁻¹c).
struct Gls {
    Eigen::VectorXd p;
    Eigen::MatrixXd cov;
};
Gls gls(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const Eigen::MatrixXd& V,
        const Eigen::MatrixXd& info_c = {}, const Eigen::VectorXd& info_c_times_c = {}) {
    const Eigen::MatrixXd Vi = V.inverse();
    Eigen::MatrixXd A = X.transpose() * Vi * X;
    Eigen::VectorXd b = X.transpose() * Vi * y;
    if (info_c.size() > 0) {
        A += info_c;
        b += info_c_times_c;
    }
    const Eigen::MatrixXd cov = A.inverse();
    return {cov * b, cov};
}

const std::vector<double> line_x{0, 1, 2, 3, 4}, line_y{1.1, 2.9, 5.2, 6.8, 9.1};

Gls line_closed_form(double sigma) {
    Eigen::MatrixXd X(5, 2);
    Eigen::VectorXd y(5);
    for (int i = 0; i < 5; ++i) {
        X(i, 0) = line_x[static_cast<std::size_t>(i)];
        X(i, 1) = 1;
        y(i) = line_y[static_cast<std::size_t>(i)];
    }
    return gls(X, y, Eigen::MatrixXd::Identity(5, 5) * sigma * sigma);
}

void expect_fit(const FitResult& r, const Gls& g, double value_sigmas = 1e-4, double error_rel = 1e-4) {
    ASSERT_TRUE(r.converged) << r.message;
    ASSERT_EQ(r.values.size(), static_cast<std::size_t>(g.p.size()));
    for (Eigen::Index i = 0; i < g.p.size(); ++i) {
        const double s = std::sqrt(g.cov(i, i));
        EXPECT_NEAR(r.values[static_cast<std::size_t>(i)], g.p(i), value_sigmas * s)
            << r.names[static_cast<std::size_t>(i)];
        EXPECT_NEAR(r.errors[static_cast<std::size_t>(i)], s, error_rel * s)
            << r.names[static_cast<std::size_t>(i)];
    }
}

// A YAML text in a temporary file (for the bad-input cases).
struct TempYaml {
    std::string path;
    explicit TempYaml(const std::string& text) {
        path = (std::filesystem::temp_directory_path() /
                ("hepkit_kafe2_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++) + ".yml"))
                   .string();
        std::ofstream(path) << text;
    }
    ~TempYaml() { std::filesystem::remove(path); }
    static int& counter() {
        static int c = 0;
        return c;
    }
};

// The message of the InputError that reading `text` raises ("" if none).
std::string read_error(const std::string& text) {
    TempYaml f(text);
    try {
        read_kafe2go(f.path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// kafe2's to_file form: dataset + parametric_model (model_parameters as start values) +
// fit_results (read, not trusted: refitted). Closed form: weighted least squares line.
TEST(Kafe2Yaml, NestedToFileForm) {
    FitFile f = read_kafe2go(data_dir + "nested_line.yml");
    EXPECT_EQ(f.type, "xy");
    EXPECT_EQ(f.label, "nested data");
    EXPECT_EQ(f.model_label, "a line");
    ASSERT_TRUE(f.stored);
    EXPECT_FALSE(f.stored->did_fit);
    EXPECT_EQ(f.fit->parameters()[0].start, 2.0); // model_parameters override the code's defaults
    EXPECT_EQ(f.fit->parameters()[1].start, 0.5);
    expect_fit(f.fit->run(), line_closed_form(0.5));
}

// A data container alone: kafe2go fits its default linear_model.
TEST(Kafe2Yaml, DataContainerFitsDefaultLine) {
    FitFile f = read_kafe2go(data_dir + "container_line.yml");
    EXPECT_TRUE(f.container_only);
    EXPECT_EQ(f.model.name(), "linear_model");
    EXPECT_EQ(f.fit->parameters()[1].start, 1.0); // kafe2's start values: a = b = 1
    expect_fit(f.fit->run(), line_closed_form(0.5));
}

// Every name of kafe2's model library resolves, to the formulas of kafe2's function_library.
TEST(Kafe2Yaml, LibraryNames) {
    auto eval = [](const std::string& name, std::vector<double> args) {
        return PyFunction::parse(*kafe2_library_model(name))(args);
    };
    EXPECT_EQ(kafe2_library_names().size(), 13u);
    for (const auto& n : kafe2_library_names())
        EXPECT_TRUE(kafe2_library_model(n)) << n;
    for (const char* n : {"line", "linear", "linear_model"})
        EXPECT_DOUBLE_EQ(eval(n, {2, 3, 4}), 10);
    for (const char* n : {"quadratic", "quadratic_model"})
        EXPECT_DOUBLE_EQ(eval(n, {2, 3, 4, 5}), 25);
    for (const char* n : {"cubic", "cubic_model"})
        EXPECT_DOUBLE_EQ(eval(n, {2, 1, 2, 3, 4}), 26);
    for (const char* n : {"exp", "exponential", "exponential_model"})
        EXPECT_DOUBLE_EQ(eval(n, {2, 3, 4}), 3 * std::exp(0.5));
    for (const char* n : {"normal", "normal_distribution", "normal_distribution_pdf"})
        EXPECT_NEAR(eval(n, {2, 1, 2}), std::exp(-0.125) / std::sqrt(2 * std::numbers::pi * 4), 1e-15);
    EXPECT_FALSE(kafe2_library_model("linear_modle"));
    // start values: every one 1.0, as in kafe2
    const PyFunction q = PyFunction::parse(*kafe2_library_model("quadratic"));
    for (std::size_t i = 1; i < q.arguments().size(); ++i)
        EXPECT_EQ(q.defaults()[i], 1.0);
}

// `model_function: quadratic` with per-point y errors. Closed form: polynomial least squares.
TEST(Kafe2Yaml, BuiltinModelByName) {
    FitFile f = read_kafe2go(data_dir + "builtin_quadratic.yml");
    const std::vector<double> x{-2, -1, 0, 1, 2, 3}, y{9.2, 3.9, 1.1, 1.8, 7.1, 15.8},
        s{0.2, 0.2, 0.1, 0.1, 0.2, 0.3};
    Eigen::MatrixXd X(6, 3), V = Eigen::MatrixXd::Zero(6, 6);
    Eigen::VectorXd Y(6);
    for (int i = 0; i < 6; ++i) {
        const auto k = static_cast<std::size_t>(i);
        X(i, 0) = x[k] * x[k];
        X(i, 1) = x[k];
        X(i, 2) = 1;
        Y(i) = y[k];
        V(i, i) = s[k] * s[k];
    }
    expect_fit(f.fit->run(), gls(X, Y, V));
}

// kafe2's SymPy shorthand with start values; data exactly on 2 exp(x/3), 5% errors relative to
// the data. Closed form: zero residuals, so the minimum is (2, 3) and the Hessian is the
// Gauss-Newton one, cov = (J'WJ)⁻¹.
TEST(Kafe2Yaml, SympyShorthand) {
    FitFile f = read_kafe2go(data_dir + "sympy_exponential.yml");
    EXPECT_EQ(f.model.name(), "expo");
    EXPECT_EQ(f.fit->parameters()[0].start, 1.5);
    Eigen::MatrixXd J(5, 2), W = Eigen::MatrixXd::Zero(5, 5);
    for (int i = 0; i < 5; ++i) {
        const double e = std::exp(i / 3.0), y = 2 * e;
        J(i, 0) = e;
        J(i, 1) = -2 * e * i / 9.0;
        W(i, i) = 1 / std::pow(0.05 * y, 2);
    }
    Eigen::VectorXd p0(2);
    p0 << 2, 3;
    Gls g{p0, (J.transpose() * W * J).inverse()};
    expect_fit(f.fit->run(), g, 1e-3, 1e-3); // the data are rounded to 1e-10
    EXPECT_EQ(kafe2_sympy_shorthand("f: x a b=2 -> a * x^2 + b").value(),
              "def f(x, a, b=2):\n    return a * x**2 + b\n");
    EXPECT_FALSE(kafe2_sympy_shorthand("def f(x, a):\n    return a\n"));
}

// errors: [[per-point values], {matrix covariance}, {matrix correlation, !symmetric_matrix},
// {simple, relative, correlated}] on an indexed fit of a constant. Closed form: the GLS mean.
TEST(Kafe2Yaml, ErrorListWithMatrices) {
    FitFile f = read_kafe2go(data_dir + "indexed_error_list.yml");
    const std::vector<double> d{10.1, 9.8, 10.4, 10.0, 9.7, 10.3}, s{0.2, 0.3, 0.25, 0.2, 0.3, 0.25};
    Eigen::MatrixXd V = Eigen::MatrixXd::Zero(6, 6);
    Eigen::VectorXd y(6);
    for (int i = 0; i < 6; ++i) {
        const auto k = static_cast<std::size_t>(i);
        y(i) = d[k];
        V(i, i) += s[k] * s[k] + 0.01; // per-point + correlation matrix's diagonal (0.1²)
        for (int j = 0; j < 6; ++j) {
            const bool same_block = (i < 3) == (j < 3);
            if (same_block)
                V(i, j) += i < 3 ? 0.01 : 0.04;
            // relative (to the data) 1% with correlation 0.3 between all points
            V(i, j) += 0.01 * d[k] * 0.01 * d[static_cast<std::size_t>(j)] * (i == j ? 1.0 : 0.3);
        }
    }
    V(0, 1) += 0.5 * 0.01;
    V(1, 0) += 0.5 * 0.01;
    expect_fit(f.fit->run(), gls(Eigen::MatrixXd::Ones(6, 1), y, V));
}

// parameter_constraints in kafe2's list form: matrix (names, correlation + uncertainties),
// simple by index, simple by name relative. Closed form: constraints as pseudo-measurements.
TEST(Kafe2Yaml, ConstraintListForms) {
    FitFile f = read_kafe2go(data_dir + "constraints_forms.yml");
    Eigen::MatrixXd X(5, 3);
    Eigen::VectorXd y(5);
    for (int i = 0; i < 5; ++i) {
        X.row(i) << line_x[static_cast<std::size_t>(i)], 1, 1;
        y(i) = line_y[static_cast<std::size_t>(i)];
    }
    Eigen::MatrixXd C(2, 2); // dynamic sizes: GCC 12 warns falsely on fixed 2x2 products
    C << 0.1 * 0.1, 0.2 * 0.1 * 0.2, 0.2 * 0.1 * 0.2, 0.2 * 0.2;
    Eigen::MatrixXd I = Eigen::MatrixXd::Zero(3, 3);
    I.topLeftCorner(2, 2) = C.inverse();
    Eigen::VectorXd Ic = Eigen::VectorXd::Zero(3);
    Eigen::VectorXd c0(2);
    c0 << 2.1, 0.8;
    Ic.head(2) = C.inverse() * c0;
    I(2, 2) += 1 / (0.05 * 0.05); // c = 0 ± 0.05
    I(0, 0) += 1 / (0.1 * 0.1);   // a = 2.0 ± 5% of 2.0
    Ic(0) += 2.0 / (0.1 * 0.1);
    const FitResult r = f.fit->run();
    expect_fit(r, gls(X, y, Eigen::MatrixXd::Identity(5, 5) * 0.25, I, Ic));
    // kafe2 2.10.0 on the same file: 2.05427328, 0.83651871, 0.00356832 ± 0.0574138, 0.1530371, 0.0494531
    EXPECT_NEAR(r.values[0], 2.05427328111, 0.01 * 0.0574138);
    EXPECT_NEAR(r.values[1], 0.836518711923, 0.01 * 0.1530371);
}

// fixed_parameters and a one-sided limit [0.5, null] not reached. Closed form with b = 1 fixed.
TEST(Kafe2Yaml, FixedAndOneSidedLimit) {
    FitFile f = read_kafe2go(data_dir + "fixed_limited.yml");
    const FitResult r = f.fit->run();
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        sxy += line_x[i] * (line_y[i] - 1.0);
        sxx += line_x[i] * line_x[i];
    }
    ASSERT_TRUE(r.converged);
    EXPECT_TRUE(r.fixed[1]);
    EXPECT_EQ(r.values[1], 1.0);
    EXPECT_NEAR(r.values[0], sxy / sxx, 1e-5);
    EXPECT_NEAR(r.errors[0], 0.5 / std::sqrt(sxx), 1e-4 * 0.5 / std::sqrt(sxx));
}

// Indexed model with the index as first argument + a constraint in kafe2's map form.
TEST(Kafe2Yaml, IndexedIndexArgumentModel) {
    FitFile f = read_kafe2go(data_dir + "indexed_index_model.yml");
    Eigen::MatrixXd X(5, 2);
    Eigen::VectorXd y(5);
    for (int i = 0; i < 5; ++i) {
        X.row(i) << i, 1;
        y(i) = line_y[static_cast<std::size_t>(i)];
    }
    Eigen::MatrixXd I = Eigen::MatrixXd::Zero(2, 2);
    Eigen::VectorXd Ic = Eigen::VectorXd::Zero(2);
    I(1, 1) = 1 / 0.04;
    Ic(1) = 1.0 / 0.04;
    expect_fit(f.fit->run(), gls(X, y, Eigen::MatrixXd::Identity(5, 5) * 0.25, I, Ic));
}

// Unbinned fit with kafe2's default model. Closed form: the normal's maximum likelihood.
TEST(Kafe2Yaml, UnbinnedDefaultNormal) {
    FitFile f = read_kafe2go(data_dir + "unbinned_normal.yml");
    EXPECT_EQ(f.model.name(), "normal_distribution");
    const std::vector<double> d{4.8, 5.3, 4.1, 6.0, 5.5, 4.7, 5.1, 5.9, 4.4, 5.2, 4.9, 5.6};
    double m = 0, v = 0;
    for (double x : d)
        m += x / 12;
    for (double x : d)
        v += (x - m) * (x - m) / 12;
    const double s = std::sqrt(v);
    const FitResult r = f.fit->run();
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], m, 1e-4 * s / std::sqrt(12.0));
    EXPECT_NEAR(std::fabs(r.values[1]), s, 1e-4 * s / std::sqrt(24.0));
    EXPECT_NEAR(r.errors[0], s / std::sqrt(12.0), 1e-3 * s / std::sqrt(12.0));
    EXPECT_NEAR(r.errors[1], s / std::sqrt(24.0), 1e-3 * s / std::sqrt(24.0));
}

// Histogram in the nested form with bin_heights and bin_evaluation: simpson. No closed form:
// kafe2 2.10.0's fit of this file: mu = 0.0347075521, sigma = 1.03304883 (HESSE errors
// 0.1020926553, 0.0820756634), cost 36.46758109.
TEST(Kafe2Yaml, HistogramBinHeightsSimpson) {
    FitFile f = read_kafe2go(data_dir + "histogram_bin_heights.yml");
    const FitResult r = f.fit->run();
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], 0.0347075521476, 0.01 * 0.1020926553);
    EXPECT_NEAR(r.values[1], 1.03304883413, 0.01 * 0.0820756634);
    EXPECT_NEAR(r.errors[0], 0.1020926553, 0.005 * 0.1020926553);
    EXPECT_NEAR(r.errors[1], 0.0820756634, 0.005 * 0.0820756634);
}

// Raw entries beyond the bins count in N (kafe2's n_entries). No closed form: kafe2 2.10.0's fit
// of this file: mu = 0.163143431, sigma = 0.926034836 (HESSE errors 0.1725370719, 0.1810077654).
TEST(Kafe2Yaml, HistogramEntriesOutsideTheBins) {
    FitFile f = read_kafe2go(data_dir + "histogram_outside.yml");
    const FitResult r = f.fit->run();
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], 0.163143430938, 0.01 * 0.1725370719);
    EXPECT_NEAR(r.values[1], 0.926034836329, 0.01 * 0.1810077654);
    EXPECT_NEAR(r.errors[0], 0.1725370719, 0.005 * 0.1725370719);
    EXPECT_NEAR(r.errors[1], 0.1810077654, 0.005 * 0.1810077654);
}

// save_state's file: the stored numbers, names from kafe2's maps; no fit.
TEST(Kafe2Yaml, ResultFileIsReportedNotRefitted) {
    FitFile f = read_kafe2go(data_dir + "save_state_result.yml");
    ASSERT_TRUE(f.result_file());
    ASSERT_TRUE(f.stored);
    const FitResult r = f.stored->as_fit_result();
    EXPECT_EQ(r.names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r.values, (std::vector<double>{2.4373, -0.2533}));
    EXPECT_EQ(r.errors, (std::vector<double>{0.2274, 0.5527}));
    EXPECT_EQ(*r.error_low[0], -0.21);
    EXPECT_EQ(*r.error_high[1], 0.55);
    EXPECT_EQ(r.ndf, 2);
    EXPECT_DOUBLE_EQ(*r.chi2, 1.5725);
    EXPECT_DOUBLE_EQ(r.correlation(0, 1), -0.893);
    EXPECT_TRUE(r.converged);
    // the older list form (kafe2's own examples/005_convenience) names the parameters p0, p1, ...
    TempYaml list("did_fit: true\nndf: 1\nparameter_values: [1.0, 2.0]\nparameter_errors: [0.1, 0.2]\n");
    FitFile g = read_kafe2go(list.path);
    ASSERT_TRUE(g.result_file());
    EXPECT_EQ(g.stored->names, (std::vector<std::string>{"p0", "p1"}));
    EXPECT_EQ(g.stored->as_fit_result().errors[1], 0.2);
}

// --save writes kafe2's to_file form; reading it back gives the same fit (closed form) and the
// stored result; numbers are spelled so that PyYAML reads them as floats (1.0e-05, not 1e-05).
TEST(Kafe2Yaml, SaveRoundTrip) {
    for (const char* file :
         {"nested_line.yml", "container_line.yml", "indexed_index_model.yml", "histogram_bin_heights.yml",
          "constraints_forms.yml", "fixed_limited.yml", "unbinned_normal.yml", "indexed_error_list.yml"}) {
        SCOPED_TRACE(file);
        FitFile f = read_kafe2go(data_dir + file);
        const FitResult r = f.fit->run(true);
        TempYaml out("");
        write_kafe2_result(f, r, out.path);
        FitFile g = read_kafe2go(out.path);
        ASSERT_TRUE(g.stored);
        EXPECT_TRUE(g.stored->did_fit);
        ASSERT_EQ(g.stored->values.size(), r.values.size());
        for (std::size_t i = 0; i < r.values.size(); ++i) {
            EXPECT_EQ(g.stored->values[i], r.values[i]); // shortest round-trip text: exact
            EXPECT_EQ(g.stored->names[i], r.names[i]);
            EXPECT_EQ(g.fit->parameters()[i].start, r.values[i]); // model_parameters: the fitted values
        }
        ASSERT_TRUE(g.stored->asymmetric);
        const FitResult r2 = g.fit->run();
        for (std::size_t i = 0; i < r.values.size(); ++i) {
            EXPECT_NEAR(r2.values[i], r.values[i], 1e-4 * std::max(r.errors[i], 1e-12));
            EXPECT_NEAR(r2.errors[i], r.errors[i], 1e-4 * r.errors[i]);
        }
        std::ifstream in(out.path);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(text.find(" 1e-"), std::string::npos);
        EXPECT_NE(text.find("fit_results:"), std::string::npos);
    }
}

// What kafe2's own writers put into files: a zero-valued relative source beside every absolute
// error (dropped: it adds nothing), and the unbinned likelihood as source code (kafe2's own nll,
// hepkit's unbinned cost). Closed forms: the weighted line, the normal's maximum likelihood.
TEST(Kafe2Yaml, WhatKafe2Writes) {
    TempYaml zeros(
        "x_data: [0.0, 1.0, 2.0, 3.0, 4.0]\ny_data: [1.1, 2.9, 5.2, 6.8, 9.1]\ny_errors:\n"
        "- {name: r, type: simple, error_value: 0.0, relative: true, correlation_coefficient: 0.0}\n"
        "- {name: a, type: simple, error_value: 0.5, relative: false, correlation_coefficient: 0.0}\n");
    expect_fit(read_kafe2go(zeros.path).fit->run(), line_closed_form(0.5));
    TempYaml nll(
        "type: unbinned\ndata: [4.8, 5.3, 4.1, 6.0]\ncost_function: \"def nll(model):\\n"
        "    _total_log_likelihood = np.sum(np.log(model))\\n    return -2.0 * _total_log_likelihood\\n\"\n");
    const FitResult r = read_kafe2go(nll.path).fit->run();
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], (4.8 + 5.3 + 4.1 + 6.0) / 4, 1e-5);
    // a numpy array pickled by kafe2's writer: named, not a YAML syntax error
    const std::string e =
        read_error("x_data: [1, 2]\ny_data: [1, 2]\ny_errors:\n- type: matrix\n  matrix_type: covariance\n"
                   "  matrix: !!python/object/apply:numpy.core.multiarray._reconstruct\n");
    EXPECT_NE(e.find(":6: '!!python/object/apply:numpy"), std::string::npos) << e;
    EXPECT_NE(e.find("only Python can read"), std::string::npos) << e;
}

// Keys hepkit does not support are refused with a message naming them, never ignored.
TEST(Kafe2Yaml, UnsupportedKeysNamed) {
    const std::string xy = "x_data: [1, 2, 3]\ny_data: [1, 2, 3]\ny_errors: 0.1\n";
    EXPECT_NE(read_error("type: custom\ncost_function: 'def c(a): return a'\n").find("custom fits"),
              std::string::npos);
    EXPECT_NE(read_error("type: multi\n").find("no multi fits"), std::string::npos);
    EXPECT_NE(
        read_error(xy + "cost_function: nll_poisson\n").find("cost_function 'nll_poisson' is not supported"),
        std::string::npos);
    EXPECT_NE(read_error(xy + "cost_function: |\n  def cost(y_data, y_model):\n    return 0\n")
                  .find("Python code is not supported"),
              std::string::npos);
    EXPECT_NE(
        read_error(xy + "minimizer_kwargs: {tolerance: 0.1}\n").find("minimizer_kwargs is not supported"),
        std::string::npos);
    EXPECT_NE(read_error(xy + "x_eror: 0.1\n").find("unknown key 'x_eror'"), std::string::npos);
    EXPECT_NE(read_error("dataset:\n  x_data: [1, 2]\n  y_data: [1, 2]\n  shape_like: [1, 2]\n")
                  .find("unknown key 'shape_like' in a xy dataset"),
              std::string::npos);
    EXPECT_NE(read_error(xy + "model_function: linear_modle\n").find("not one of kafe2's built-in models"),
              std::string::npos);
    EXPECT_NE(read_error("type: histogram\nn_bins: 2\nbin_range: [0, 1]\nraw_data: [0.2, 0.7]\nerrors: 0.1\n")
                  .find("data errors of a histogram are not supported"),
              std::string::npos);
    EXPECT_NE(read_error("type: histogram\nn_bins: 2\nbin_range: [0, 1]\nraw_data: [0.2, 0.7]\n"
                         "parametric_model:\n  bin_evaluation: rectangle\n")
                  .find("bin_evaluation 'rectangle' is not supported"),
              std::string::npos);
    EXPECT_NE(read_error("type: indexed\ndata: [1, 2]\n").find("needs model_function"), std::string::npos);
    EXPECT_NE(
        read_error("type: histogram\nn_bins: 2\nbin_range: [0, 1]\nbin_heights: [3, 4]\nunderflow: -1\n")
            .find("underflow = -1 must be >= 0"),
        std::string::npos);
    EXPECT_NE(read_error(xy + "x_errors: [0.1, 5%, 0.2]\n").find("mixing percentages"), std::string::npos);
    EXPECT_NE(read_error(xy + "model_parameters: [1, 2, 3]\n").find("3 values for the 2 parameters"),
              std::string::npos);
    EXPECT_NE(
        read_error(xy + "parameter_constraints:\n- type: simple\n  index: 7\n  value: 1\n  uncertainty: 1\n")
            .find("index 7 is out of range"),
        std::string::npos);
    // the error names the file's line
    const std::string e = read_error(xy + "minimizer: nlopt\n");
    EXPECT_NE(e.find(":4"), std::string::npos) << e;
    EXPECT_NE(e.find("'nlopt' is not one of kafe2's minimizers"), std::string::npos) << e;
}

} // namespace
} // namespace hepkit::fit
