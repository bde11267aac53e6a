#include "hepkit/fit/IndexedProblem.hpp"

#include "Internal.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

using detail::as_vector;
using detail::check_values;
using detail::data_outlier;
using detail::inf;
using detail::largest_residual;
using detail::not_finite_at;

IndexedProblem::IndexedProblem(std::vector<double> data, VectorModel model, std::vector<ErrorSource> errors)
    : data_(std::move(data)), model_(std::move(model)), errors_(std::move(errors)) {
    check_values(data_, "data");
    const auto n = static_cast<Eigen::Index>(data_.size());
    v_const_ = Eigen::MatrixXd::Zero(n, n);
    if (errors_.empty())
        throw std::invalid_argument("no uncertainties given: an indexed fit needs errors");
    for (const auto& e : errors_) {
        if (e.axis == ErrorSource::Axis::x)
            throw std::invalid_argument("an indexed fit has no x: give its errors without axis x");
        e.check(data_.size());
        if (e.depends_on_model())
            model_dependent_ = true;
        else
            v_const_ += e.covariance(as_vector(data_));
    }
    if (!model_dependent_) {
        fixed_llt_.compute(v_const_);
        if (fixed_llt_.info() != Eigen::Success)
            throw std::invalid_argument("the covariance matrix is singular (not positive definite)");
    }
}

double IndexedProblem::evaluate(std::span<const double> p, bool chi2_only) const {
    const std::vector<double> m = model_(p);
    if (m.size() != data_.size())
        return inf;
    const Eigen::VectorXd r = as_vector(data_) - as_vector(m);
    if (!r.allFinite())
        return inf;
    if (!model_dependent_)
        return fixed_llt_.matrixL().solve(r).squaredNorm();
    Eigen::MatrixXd V = v_const_;
    for (const auto& e : errors_)
        if (e.depends_on_model())
            V += e.covariance(as_vector(m));
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        return inf;
    const double chi2 = llt.matrixL().solve(r).squaredNorm();
    return chi2_only ? chi2 : chi2 + 2 * llt.matrixLLT().diagonal().array().log().sum();
}

std::string IndexedProblem::diagnose(std::span<const double> p) const {
    const std::vector<double> m = model_(p);
    std::vector<double> index(data_.size());
    for (std::size_t i = 0; i < index.size(); ++i)
        index[i] = static_cast<double>(i);
    if (m.size() != data_.size())
        return fmt::format("the model gives {} values for {} data points", m.size(), data_.size());
    if (std::string s = not_finite_at(index, m, "index"); !s.empty())
        return s;
    Eigen::VectorXd v = v_const_.diagonal();
    for (const auto& e : errors_)
        if (e.depends_on_model())
            v += e.covariance(as_vector(m)).diagonal();
    std::vector<double> sigma;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        sigma.push_back(std::sqrt(v[i]));
    std::string s = data_outlier(index, "index", "data", data_);
    const std::string r = largest_residual(index, "index", data_, m, sigma);
    return s.empty() ? r : r.empty() ? s : s + "; " + r;
}

double IndexedProblem::cost(std::span<const double> p) const {
    return evaluate(p, false);
}
std::optional<double> IndexedProblem::goodness(std::span<const double> p) const {
    return evaluate(p, true);
}

std::unique_ptr<Problem> IndexedProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    const std::vector<double> m = model_(truth);
    Eigen::MatrixXd V = v_const_;
    for (const auto& e : errors_)
        if (e.depends_on_model())
            V += e.covariance(as_vector(m));
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    std::normal_distribution<double> gauss;
    Eigen::VectorXd z(V.rows());
    for (Eigen::Index i = 0; i < z.size(); ++i)
        z[i] = gauss(rng);
    const Eigen::VectorXd noise = llt.matrixL() * z;
    std::vector<double> d(m.size());
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = m[i] + noise[static_cast<Eigen::Index>(i)];
    std::vector<ErrorSource> errors = errors_;
    for (auto& e : errors)
        if (e.relative && e.reference == ErrorSource::Reference::data) {
            e.matrix = e.covariance(as_vector(data_));
            e.relative = false;
            e.sigma.clear();
        }
    return std::make_unique<IndexedProblem>(d, model_, errors);
}

} // namespace hepkit::fit
