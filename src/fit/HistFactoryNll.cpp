// The HistFactory negative log-likelihood, its gradient and Hessian (HistFactoryModel.hpp).
// Per sample and bin ν = A·F with A = nom + Σ histosys deltas and F = Π factors; the derivatives
// of ν follow from the product rule with the products of the other factors (no division, so a
// factor at zero, μ = 0, is no special case), and those of −ln L by the chain rule:
//   ∂/∂p = Σ_i (1 − n_i/ν_i) ∂ν_i/∂p,  ∂²/∂p∂q = Σ_i (1 − n_i/ν_i) ∂²ν_i/∂p∂q + n_i/ν_i² ∂ν_i/∂p ∂ν_i/∂q.
#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <random>
#include <stdexcept>

namespace hepkit::fit::hf {

namespace {
struct Local {
    std::size_t k; // parameter
    double v, d1, d2;
    bool add;
};

// The interpolated factors (normsys) of sample s at p: one value for all its bins, computed once
// per sample instead of per bin (pow and log dominate a normsys-heavy evaluation).
void scalar_factors(const Model::SampleTerms& s, std::span<const double> p, std::vector<Interpolated>& out) {
    out.assign(s.terms.size(), Interpolated{});
    for (std::size_t t = 0; t < s.terms.size(); ++t) {
        const auto& term = s.terms[t];
        if (term.interpolated && !term.additive)
            out[t] = interpolate(term.code, p[term.param[0]], 1.0, term.hi[0], term.lo[0]);
    }
}

// The local terms of sample s in its bin i at p (with its scalar_factors); returns A and F.
void locals(const Model::SampleTerms& s, std::size_t i, std::span<const double> p,
            const std::vector<Interpolated>& scalars, std::vector<Local>& out, double& A, double& F) {
    out.clear();
    const double nom = s.nominal[i];
    A = nom, F = 1;
    for (std::size_t x = 0; x < s.terms.size(); ++x) {
        const auto& t = s.terms[x];
        const std::size_t k = t.param.size() == 1 ? t.param[0] : t.param[i];
        if (t.additive) {
            const Interpolated I = interpolate(t.code, p[k], nom, t.hi[i], t.lo[i]);
            A += I.value - nom;
            out.push_back({k, I.value - nom, I.d1, I.d2, true});
        } else if (t.interpolated) {
            const Interpolated& I = scalars[x];
            F *= I.value;
            out.push_back({k, I.value, I.d1, I.d2, false});
        } else {
            F *= p[k];
            out.push_back({k, p[k], 1.0, 0.0, false});
        }
    }
}

// Π of the factors other than t and u (u = t: other than t).
double others(const std::vector<Local>& l, std::size_t t, std::size_t u) {
    double P = 1;
    for (std::size_t x = 0; x < l.size(); ++x)
        if (!l[x].add && x != t && x != u)
            P *= l[x].v;
    return P;
}

// The data of a call: as many bins and auxiliary data as the model has (a wrong size would read
// past the end).
void check_data(std::size_t n, std::size_t aux, std::size_t bins, std::size_t params) {
    if (n != bins || aux != params)
        throw std::invalid_argument(fmt::format(
            "{} bins and {} auxiliary data given, the model has {} and {}", n, aux, bins, params));
}

constexpr double kHalfLog2Pi = 0.91893853320467274178; // ½ ln 2π
} // namespace

std::vector<double> Model::expected(std::span<const double> p) const {
    if (p.size() != params_.size())
        throw std::invalid_argument(
            fmt::format("{} parameter values given, the model has {} parameters", p.size(), params_.size()));
    std::vector<double> nu(observed_.size(), 0.0);
    std::vector<Local> l;
    std::vector<Interpolated> scalars;
    for (const auto& s : samples_) {
        scalar_factors(s, p, scalars);
        for (std::size_t i = 0; i < s.nominal.size(); ++i) {
            double A = 0, F = 0;
            locals(s, i, p, scalars, l, A, F);
            nu[s.offset + i] += A * F;
        }
    }
    return nu;
}

std::vector<Model::SampleRates> Model::expected_samples(std::span<const double> p) const {
    if (p.size() != params_.size())
        throw std::invalid_argument(
            fmt::format("{} parameter values given, the model has {} parameters", p.size(), params_.size()));
    std::vector<SampleRates> out;
    std::vector<Local> l;
    std::vector<Interpolated> scalars;
    for (const auto& s : samples_) {
        SampleRates r{s.channel, s.sample, s.offset, {}};
        scalar_factors(s, p, scalars);
        for (std::size_t i = 0; i < s.nominal.size(); ++i) {
            double A = 0, F = 0;
            locals(s, i, p, scalars, l, A, F);
            r.rates.push_back(A * F);
        }
        out.push_back(std::move(r));
    }
    return out;
}

double Model::nll(std::span<const double> p, std::span<const double> n, std::span<const double> aux) const {
    check_data(n.size(), aux.size(), observed_.size(), params_.size());
    const std::vector<double> nu = expected(p);
    double r = 0;
    for (std::size_t i = 0; i < nu.size(); ++i) {
        // A bin without observed events contributes −ln e^{−ν} = ν, clipped at 0 for ν < 0 (as
        // ROOT's HistFactory clips yields): an interpolation with a quadratic term (code2, code4p,
        // smooth) turns negative near α = 0 in a bin whose nominal is empty and one variation is
        // not, and an infinite cost there would wall the minimum in (pyhf gives NaN). Bins with
        // events and ν ≤ 0 stay impossible (infinite cost).
        if (n[i] == 0) {
            r += std::max(nu[i], 0.0);
            continue;
        }
        if (!(nu[i] > 0))
            return std::numeric_limits<double>::infinity();
        r += nu[i] - n[i] * std::log(nu[i]) + std::lgamma(n[i] + 1);
    }
    for (std::size_t k = 0; k < params_.size(); ++k) {
        const auto& q = params_[k];
        if (q.constraint == ModelParameter::Constraint::Normal) {
            const double z = (p[k] - aux[k]) / q.sigma;
            r += 0.5 * z * z + std::log(q.sigma) + kHalfLog2Pi;
        } else if (q.constraint == ModelParameter::Constraint::Poisson) {
            const double lam = p[k] * q.tau;
            if (!(lam > 0))
                return std::numeric_limits<double>::infinity();
            r += lam - aux[k] * std::log(lam) + std::lgamma(aux[k] + 1);
        }
    }
    return r;
}

void Model::gradient(std::span<const double> p, std::span<double> g) const {
    gradient(p, observed_, aux_, g);
}

Eigen::MatrixXd Model::hessian(std::span<const double> p, bool fisher) const {
    return hessian(p, observed_, aux_, fisher);
}

namespace {
// One pass for the gradient (g non-null) and the Hessian (H non-null).
void derivatives(const std::vector<Model::SampleTerms>& samples, const std::vector<ModelParameter>& params,
                 const std::vector<double>& nu, std::span<const double> p, std::span<const double> n,
                 std::span<const double> aux, double* g, Eigen::MatrixXd* H, bool fisher) {
    const std::size_t P = params.size();
    if (g)
        std::fill(g, g + P, 0.0);
    if (H)
        H->setZero(static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P));
    std::vector<double> w(nu.size()), c(nu.size());
    for (std::size_t i = 0; i < nu.size(); ++i) {
        w[i] = n[i] == 0 ? (nu[i] > 0 ? 1.0 : 0.0) : 1.0 - n[i] / nu[i]; // clipped as in nll()
        c[i] = fisher ? 1.0 / nu[i] : (n[i] == 0 ? 0.0 : n[i] / (nu[i] * nu[i]));
        if (fisher)
            w[i] = 0; // expected information: E[n] = ν
    }
    std::vector<std::vector<std::pair<std::size_t, double>>> dnu(H ? nu.size() : 0);
    std::vector<Local> l;
    std::vector<double> d, rest;
    std::vector<Interpolated> scalars;
    for (const auto& s : samples) {
        scalar_factors(s, p, scalars);
        for (std::size_t i = 0; i < s.nominal.size(); ++i) {
            const std::size_t b = s.offset + i;
            double A = 0, F = 0;
            locals(s, i, p, scalars, l, A, F);
            // the product of the other factors of each term from prefix and suffix products: O(K)
            // per bin instead of O(K²), and no division (a factor may be 0)
            d.assign(l.size(), 0.0);
            rest.assign(l.size(), 1.0);
            double run = 1;
            for (std::size_t t = 0; t < l.size(); ++t) {
                rest[t] = run;
                run *= l[t].add ? 1.0 : l[t].v;
            }
            run = 1;
            for (std::size_t t = l.size(); t-- > 0;) {
                rest[t] *= run;
                run *= l[t].add ? 1.0 : l[t].v;
            }
            for (std::size_t t = 0; t < l.size(); ++t) {
                d[t] = l[t].add ? l[t].d1 * F : A * l[t].d1 * rest[t];
                if (g)
                    g[l[t].k] += (n[b] == 0 ? (nu[b] > 0 ? 1.0 : 0.0) : 1.0 - n[b] / nu[b]) * d[t];
                if (H)
                    dnu[b].emplace_back(l[t].k, d[t]);
            }
            if (!H || w[b] == 0)
                continue;
            for (std::size_t t = 0; t < l.size(); ++t)
                for (std::size_t u = t; u < l.size(); ++u) {
                    double h = 0;
                    if (l[t].add && l[u].add)
                        h = t == u ? l[t].d2 * F : 0.0;
                    else if (l[t].add || l[u].add) {
                        const std::size_t m = l[t].add ? u : t;
                        h = l[t].d1 * l[u].d1 * others(l, m, m);
                    } else
                        h = A * (t == u ? l[t].d2 : l[t].d1 * l[u].d1) * others(l, t, u);
                    const auto a = static_cast<Eigen::Index>(l[t].k), bb = static_cast<Eigen::Index>(l[u].k);
                    (*H)(a, bb) += w[b] * h;
                    if (t != u)
                        (*H)(bb, a) += w[b] * h;
                }
        }
    }
    if (H)
        for (std::size_t b = 0; b < dnu.size(); ++b)
            for (const auto& [k, dk] : dnu[b])
                for (const auto& [q, dq] : dnu[b])
                    (*H)(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(q)) += c[b] * dk * dq;
    for (std::size_t k = 0; k < P; ++k) {
        const auto& q = params[k];
        const auto e = static_cast<Eigen::Index>(k);
        if (q.constraint == ModelParameter::Constraint::Normal) {
            if (g)
                g[k] += (p[k] - aux[k]) / (q.sigma * q.sigma);
            if (H)
                (*H)(e, e) += 1 / (q.sigma * q.sigma);
        } else if (q.constraint == ModelParameter::Constraint::Poisson) {
            const double lam = p[k] * q.tau;
            if (g)
                g[k] += q.tau * (1 - aux[k] / lam);
            if (H)
                (*H)(e, e) += fisher ? q.tau * q.tau / lam : q.tau * q.tau * aux[k] / (lam * lam);
        }
    }
}
} // namespace

void Model::gradient(std::span<const double> p, std::span<const double> n, std::span<const double> aux,
                     std::span<double> g) const {
    check_data(n.size(), aux.size(), observed_.size(), params_.size());
    if (g.size() != params_.size())
        throw std::invalid_argument(fmt::format("gradient: room for {} values, the model has {} parameters",
                                                g.size(), params_.size()));
    const std::vector<double> nu = expected(p);
    derivatives(samples_, params_, nu, p, n, aux, g.data(), nullptr, false);
}

Eigen::MatrixXd Model::hessian(std::span<const double> p, std::span<const double> n,
                               std::span<const double> aux, bool fisher) const {
    const std::vector<double> nu = expected(p);
    Eigen::MatrixXd H;
    derivatives(samples_, params_, nu, p, n, aux, nullptr, &H, fisher);
    return H;
}

std::size_t HistFactoryProblem::data_size() const {
    std::size_t n = model_.bins();
    for (const auto& q : model_.parameters())
        n += q.constraint == ModelParameter::Constraint::None ? 0 : 1;
    return n;
}

bool HistFactoryProblem::gradient(std::span<const double> p, std::span<double> g) const {
    model_.gradient(p, g);
    for (double& x : g)
        x *= 2;
    return true;
}

bool HistFactoryProblem::newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                                Eigen::MatrixXd& A) const {
    cost = 2 * model_.nll(p);
    if (!std::isfinite(cost))
        return false;
    g.resize(static_cast<Eigen::Index>(model_.size()));
    model_.gradient(p, std::span<double>(g.data(), model_.size()));
    g *= 2;
    A = 2 * model_.hessian(p, true);
    return true;
}

std::unique_ptr<Problem> HistFactoryProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    std::vector<double> n = model_.expected(truth);
    for (double& x : n) {
        if (!(x >= 0) || !std::isfinite(x))
            throw std::invalid_argument(fmt::format("pseudo-experiment: expected count {} at the truth", x));
        x = x > 0 ? static_cast<double>(std::poisson_distribution<long long>(x)(rng)) : 0.0;
    }
    std::vector<double> aux = model_.auxdata();
    const auto& params = model_.parameters();
    for (std::size_t k = 0; k < params.size(); ++k) {
        if (params[k].constraint == ModelParameter::Constraint::Normal)
            aux[k] = std::normal_distribution<double>(truth[k], params[k].sigma)(rng);
        else if (params[k].constraint == ModelParameter::Constraint::Poisson)
            aux[k] = static_cast<double>(std::poisson_distribution<long long>(truth[k] * params[k].tau)(rng));
    }
    return std::make_unique<HistFactoryProblem>(model_.with_data(std::move(n), std::move(aux)));
}

bool HistFactoryProblem::hessian(std::span<const double> p, Eigen::MatrixXd& H) const {
    if (!std::isfinite(model_.nll(p)))
        return false;
    H = 2 * model_.hessian(p);
    return true;
}

} // namespace hepkit::fit::hf
