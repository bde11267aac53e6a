#include "hepkit/fit/MultiProblem.hpp"

#include "Internal.hpp"
#include "hepkit/fit/XYProblem.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace hepkit::fit {

using detail::as_vector;
using detail::inf;

MultiProblem::MultiProblem(std::vector<std::unique_ptr<Problem>> parts,
                           std::vector<std::vector<std::size_t>> maps, std::vector<ErrorSource> shared)
    : parts_(std::move(parts)), maps_(std::move(maps)), shared_(std::move(shared)) {
    if (parts_.empty() || parts_.size() != maps_.size())
        throw std::invalid_argument("a multi fit needs at least one fit and a parameter map per fit");
    if (!shared_.empty()) {
        std::size_t n = 0;
        for (const auto& part : parts_) {
            if (!dynamic_cast<const XYProblem*>(part.get()))
                throw std::invalid_argument("errors shared across fits need xy fits");
            n += part->data_size();
        }
        for (const auto& e : shared_) {
            if (e.axis != ErrorSource::Axis::y || e.depends_on_model())
                throw std::invalid_argument(
                    "errors shared across fits are y errors (absolute or relative to data)");
            e.check(n);
        }
    }
}

void MultiProblem::set_thread_pool(ThreadPool* pool) {
    for (auto& part : parts_)
        part->set_thread_pool(pool);
}

std::size_t MultiProblem::data_size() const {
    std::size_t n = 0;
    for (const auto& p : parts_)
        n += p->data_size();
    return n;
}

std::vector<double> MultiProblem::gather(std::size_t k, std::span<const double> p) const {
    std::vector<double> out;
    out.reserve(maps_[k].size());
    for (std::size_t i : maps_[k])
        out.push_back(p[i]);
    return out;
}

double MultiProblem::cost(std::span<const double> p) const {
    if (shared_.empty()) {
        double c = 0;
        for (std::size_t k = 0; k < parts_.size(); ++k)
            c += parts_[k]->cost(gather(k, p));
        return c;
    }
    return joint(p, false);
}

double MultiProblem::joint(std::span<const double> p, bool chi2_only) const {
    // Joint Gaussian: residuals of all parts, block covariance plus the shared sources.
    const auto n = static_cast<Eigen::Index>(data_size());
    Eigen::VectorXd r(n), y(n);
    Eigen::MatrixXd V = Eigen::MatrixXd::Zero(n, n);
    Eigen::Index at = 0;
    bool dependent = false;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        const auto* xy = static_cast<const XYProblem*>(parts_[k].get());
        const auto pk = gather(k, p);
        const auto m = static_cast<Eigen::Index>(xy->data_size());
        r.segment(at, m) = xy->residuals(pk);
        y.segment(at, m) = as_vector(xy->y());
        V.block(at, at, m, m) = xy->covariance(pk);
        dependent = dependent || xy->parameter_dependent();
        at += m;
    }
    for (const auto& e : shared_)
        V += e.covariance(y);
    if (!r.allFinite())
        return inf;
    const Eigen::LLT<Eigen::MatrixXd> llt(V);
    if (llt.info() != Eigen::Success)
        return inf;
    const double chi2 = llt.matrixL().solve(r).squaredNorm();
    return dependent && !chi2_only ? chi2 + 2 * llt.matrixLLT().diagonal().array().log().sum() : chi2;
}

std::optional<double> MultiProblem::goodness(std::span<const double> p) const {
    if (!shared_.empty()) // the errors shared across fits correlate their residuals
        return joint(p, true);
    double g = 0;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        const auto v = parts_[k]->goodness(gather(k, p));
        if (!v)
            return std::nullopt;
        g += *v;
    }
    return g;
}

} // namespace hepkit::fit
