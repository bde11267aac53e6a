#include "hepkit/fit/UnbinnedProblem.hpp"
#include "Internal.hpp"
#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/fit/Quadrature.hpp"
#include "hepkit/fit/VecMath.hpp"

#include <atomic>
#include <fmt/format.h>
#include <mutex>
#include <stdexcept>

namespace hepkit::fit {
namespace {

using detail::check_values;
using detail::forward_jacobian;
using detail::inf;

// One-point view of a batch model, for plots, toys and the range's adaptive quadrature.
XModel scalar_view(const std::shared_ptr<const BatchModel>& m) {
    if (!m)
        throw std::invalid_argument("unbinned fit: no model");
    return [m](double x, std::span<const double> p) {
        double f = 0;
        m->values(std::span<const double>(&x, 1), p, std::span<double>(&f, 1));
        return f;
    };
}

// Reused per thread: a 10k-event pass needs ~0.5 MB of scratch, and fresh blocks that large come
// from mmap with page faults on every call.
struct Scratch {
    std::vector<double> f, grad, logs, hess;
};
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

} // namespace

struct UnbinnedProblem::Last {
    std::mutex mutex;
    std::vector<double> p;
    Eigen::VectorXd g;
    Eigen::MatrixXd A;
};

UnbinnedProblem::UnbinnedProblem(std::vector<double> data, XModel pdf,
                                 std::optional<std::pair<double, double>> range)
    : UnbinnedProblem(std::move(data), std::move(pdf), nullptr, range) {}

UnbinnedProblem::UnbinnedProblem(std::vector<double> data, std::shared_ptr<const BatchModel> pdf,
                                 std::optional<std::pair<double, double>> range)
    : UnbinnedProblem(std::move(data), scalar_view(pdf), pdf, range) {}

UnbinnedProblem::UnbinnedProblem(std::vector<double> data, XModel pdf,
                                 std::shared_ptr<const BatchModel> batch,
                                 std::optional<std::pair<double, double>> range)
    : data_(std::move(data)), pdf_(std::move(pdf)), batch_(std::move(batch)), last_(std::make_shared<Last>()),
      range_(range) {
    check_values(data_, "data");
    if (range_) {
        if (!(range_->first < range_->second))
            throw std::invalid_argument(
                fmt::format("range [{}, {}] needs low < high", range_->first, range_->second));
        for (double v : data_)
            if (v < range_->first || v > range_->second)
                throw std::invalid_argument(fmt::format("data value {} lies outside the range [{}, {}]", v,
                                                        range_->first, range_->second));
    }
}

std::string UnbinnedProblem::diagnose(std::span<const double> p) const {
    // the density must be finite and positive at every event
    std::string list;
    std::size_t count = 0;
    for (double x : data_) {
        const double f = pdf_ ? pdf_(x, p) : 1.0;
        if (!(std::isfinite(f) && f > 0) && ++count <= 5)
            list += fmt::format("{}{:.6g} ({:.6g})", count > 1 ? ", " : "", x, f);
    }
    if (count == 0)
        return {};
    return fmt::format("the density is not finite and positive at x = {}{} ({} of {} events)", list,
                       count > 5 ? ", ..." : "", count, data_.size());
}

double UnbinnedProblem::cost(std::span<const double> p) const {
    if (batch_) {
        double c = 0;
        return batch_pass(p, c, nullptr, nullptr) ? c : inf;
    }
    double c = 0;
    for (double v : data_) {
        const double f = pdf_(v, p);
        if (!(f > 0) || !std::isfinite(f))
            return inf;
        c -= 2 * std::log(f);
    }
    if (range_) {
        const double norm = integrate([&](double x) { return pdf_(x, p); }, range_->first, range_->second);
        if (!(norm > 0) || !std::isfinite(norm))
            return inf;
        c += 2 * static_cast<double>(data_.size()) * std::log(norm);
    }
    return c;
}

bool UnbinnedProblem::newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                             Eigen::MatrixXd& A) const {
    if (batch_) {
        if (!batch_pass(p, cost, &g, &A) || !g.allFinite() || !A.allFinite())
            return false;
        // kept for hessian(): the minimiser's last structure is where the errors are computed
        const std::lock_guard<std::mutex> l(last_->mutex);
        last_->p.assign(p.begin(), p.end());
        last_->g = g;
        last_->A = A;
        return true;
    }
    if (range_)
        return false;
    const auto n = static_cast<Eigen::Index>(data_.size());
    auto values = [&](std::span<const double> q) {
        Eigen::VectorXd f(n);
        for (Eigen::Index i = 0; i < n; ++i)
            f[i] = pdf_(data_[static_cast<std::size_t>(i)], q);
        return f;
    };
    const Eigen::VectorXd f = values(p);
    if (!f.allFinite() || (f.array() <= 0).any())
        return false;
    Eigen::MatrixXd S = forward_jacobian(values, p, f); // scores ∇f_i / f_i, one row per event
    S.array().colwise() /= f.array();
    cost = -2 * f.array().log().sum();
    g = -2.0 * S.colwise().sum().transpose();
    A = 2.0 * S.transpose() * S;
    return g.allFinite() && A.allFinite();
}

std::unique_ptr<Problem> UnbinnedProblem::toy(std::span<const double> truth, std::mt19937_64& rng) const {
    const auto [lo_it, hi_it] = std::minmax_element(data_.begin(), data_.end());
    const double lo = range_ ? range_->first : *lo_it, hi = range_ ? range_->second : *hi_it;
    double fmax = 0;
    for (int i = 0; i <= 2000; ++i)
        fmax = std::max(fmax, pdf_(lo + (hi - lo) * i / 2000.0, truth));
    if (!(fmax > 0) || !std::isfinite(fmax))
        throw std::invalid_argument("toys: the pdf is not positive over the data range");
    fmax *= 1.1; // margin for peaks between the grid points
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> events;
    events.reserve(data_.size());
    while (events.size() < data_.size()) {
        const double x = lo + (hi - lo) * u(rng);
        if (u(rng) * fmax < pdf_(x, truth))
            events.push_back(x);
    }
    auto toy = std::make_unique<UnbinnedProblem>(events, pdf_, batch_, range_);
    toy->pool_ = pool_;
    return toy;
}

// One pass of the batch model: the cost and, with `g`, its gradient and, with `A`, the scores'
// outer product 2 Σ s_i s_iᵀ (BHHH), where s_i = ∇f_i / f_i − ∇I / I (I: the pdf's integral over
// the range; 1 without a range). Analytic derivatives when the model gives them, else forward
// differences of batch values. Events are split into chunks of ≥ 4096 over the pool's threads.
bool UnbinnedProblem::batch_pass(std::span<const double> p, double& cost, Eigen::VectorXd* g,
                                 Eigen::MatrixXd* A) const {
    const std::size_t n = data_.size(), P = p.size();
    double logI = 0;
    Eigen::ArrayXd dlogI = Eigen::ArrayXd::Zero(static_cast<Eigen::Index>(P));
    if (range_) {
        std::vector<std::pair<double, double>> nodes;
        const double I =
            integrate([&](double x) { return pdf_(x, p); }, range_->first, range_->second, nodes);
        if (!(I > 0) || !std::isfinite(I))
            return false;
        logI = std::log(I);
        if (g)
            dlogI = integral_gradient(nodes, p) / I;
    }
    const std::size_t chunks = std::clamp<std::size_t>(n / 4096, 1, pool_size(pool_));
    std::vector<Partial> parts(chunks);
    parallel_for(pool_, chunks, [&](std::size_t c) {
        chunk_pass(n * c / chunks, n * (c + 1) / chunks, p, dlogI, g != nullptr, A != nullptr, parts[c]);
    });
    double logsum = 0;
    for (const auto& part : parts) {
        if (!part.ok)
            return false;
        logsum += part.logsum;
    }
    cost = -2 * logsum + 2 * static_cast<double>(n) * logI;
    if (g) {
        *g = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(P));
        for (const auto& part : parts)
            *g -= 2.0 * part.g;
    }
    if (A) {
        *A = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P));
        for (const auto& part : parts)
            *A += 2.0 * part.A;
    }
    return std::isfinite(cost);
}

void UnbinnedProblem::chunk_pass(std::size_t begin, std::size_t end, std::span<const double> p,
                                 const Eigen::ArrayXd& dlogI, bool want_g, bool want_A, Partial& out) const {
    Scratch& w = scratch();
    const std::size_t n = end - begin, P = p.size();
    const auto N = static_cast<Eigen::Index>(n);
    const std::span<const double> x(data_.data() + begin, n);
    w.f.resize(n);
    w.logs.resize(n);
    if (want_g) {
        w.grad.resize(n * P);
        if (!batch_->gradients(x, p, w.f, w.grad)) {
            batch_->values(x, p, w.f);
            auto values = [&](std::span<const double> q) {
                Eigen::VectorXd v(N);
                batch_->values(x, q, std::span<double>(v.data(), n));
                return v;
            };
            Eigen::Map<Eigen::MatrixXd>(w.grad.data(), N, static_cast<Eigen::Index>(P)) =
                forward_jacobian(values, p, Eigen::Map<const Eigen::VectorXd>(w.f.data(), N));
        }
    } else {
        batch_->values(x, p, w.f);
    }
    bool positive = true;
    for (double v : w.f) // no early exit: the loop vectorises
        positive &= v > 0 && v < inf;
    out.ok = positive;
    if (!positive)
        return;
    vecmath::apply(vecmath::Fn1::log, w.f.data(), w.logs.data(), n);
    out.logsum = Eigen::Map<const Eigen::ArrayXd>(w.logs.data(), N).sum();
    if (!want_g)
        return;
    // Scores s = ∇f / f − ∇I / I, their sum and outer product, in blocks that stay in L1: the
    // columns are read from memory once (10 dot products over whole columns were L2-bound).
    const auto PP = static_cast<Eigen::Index>(P);
    out.g = Eigen::VectorXd::Zero(PP);
    if (want_A)
        out.A = Eigen::MatrixXd::Zero(PP, PP);
    constexpr std::size_t block = 512;
    double* inv = w.logs.data(); // the logs are summed already
    for (std::size_t b0 = 0; b0 < n; b0 += block) {
        const std::size_t m = std::min(block, n - b0);
        const auto M = static_cast<Eigen::Index>(m);
        Eigen::Map<Eigen::ArrayXd> iv(inv + b0, M);
        iv = Eigen::Map<const Eigen::ArrayXd>(w.f.data() + b0, M).inverse(); // one division per event
        for (std::size_t k = 0; k < P; ++k) {
            Eigen::Map<Eigen::ArrayXd> col(w.grad.data() + k * n + b0, M);
            col = col * iv - dlogI[static_cast<Eigen::Index>(k)];
            out.g[static_cast<Eigen::Index>(k)] += col.sum();
        }
        if (want_A)
            for (std::size_t j = 0; j < P; ++j)
                for (std::size_t k = 0; k <= j; ++k)
                    out.A(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)) +=
                        vecmath::dot(w.grad.data() + j * n + b0, w.grad.data() + k * n + b0, m);
    }
    if (want_A)
        out.A = out.A.selfadjointView<Eigen::Lower>();
}

// ∇I = Σ w ∇f(t) over the quadrature rule's nodes (analytic, or forward differences of values).
Eigen::ArrayXd UnbinnedProblem::integral_gradient(const std::vector<std::pair<double, double>>& nodes,
                                                  std::span<const double> p) const {
    const std::size_t m = nodes.size(), P = p.size();
    std::vector<double> t, ft(m), jt(m * P);
    for (const auto& node : nodes)
        t.push_back(node.first);
    if (!batch_->gradients(t, p, ft, jt)) {
        batch_->values(t, p, ft);
        std::vector<double> q(p.begin(), p.end()), fh(m);
        for (std::size_t k = 0; k < P; ++k) {
            const double h = 1.5e-8 * std::max(1.0, std::fabs(p[k]));
            q[k] = p[k] + h;
            batch_->values(t, q, fh);
            for (std::size_t j = 0; j < m; ++j)
                jt[k * m + j] = (fh[j] - ft[j]) / h;
            q[k] = p[k];
        }
    }
    Eigen::ArrayXd d(static_cast<Eigen::Index>(P));
    for (std::size_t k = 0; k < P; ++k) {
        double s = 0;
        for (std::size_t j = 0; j < m; ++j)
            s += nodes[j].second * jt[k * m + j];
        d[static_cast<Eigen::Index>(k)] = s;
    }
    return d;
}

bool UnbinnedProblem::gradient(std::span<const double> p, std::span<double> g) const {
    if (!batch_)
        return false;
    double c = 0;
    Eigen::VectorXd gv;
    if (!batch_pass(p, c, &gv, nullptr))
        return false;
    for (std::size_t k = 0; k < g.size(); ++k)
        g[k] = gv[static_cast<Eigen::Index>(k)];
    return true;
}

// Forward differences of the gradient, with steps of 1e-4 of each parameter's error estimated
// from the scores' outer product (BHHH): the truncation error is then ~1e-4 of the curvature's
// own scale and rounding stays far below it. P + 1 gradient passes instead of the ~2P² cost
// evaluations of a Hessian from costs.
// Exact: H = −2 Σ (∇∇f_i / f_i − u_i u_iᵀ) with u = ∇f / f, plus 2N (∇∇I / I − ∇I ∇Iᵀ / I²) with a
// range; one pass with the model's second derivatives. Models without them: differences of the
// gradient below.
bool UnbinnedProblem::exact_hessian(std::span<const double> p, Eigen::MatrixXd& H) const {
    const std::size_t n = data_.size(), P = p.size();
    const auto PP = static_cast<Eigen::Index>(P);
    Eigen::MatrixXd range_term = Eigen::MatrixXd::Zero(PP, PP);
    if (range_) {
        std::vector<std::pair<double, double>> nodes;
        integrate([&](double x) { return pdf_(x, p); }, range_->first, range_->second, nodes);
        const std::size_t m = nodes.size();
        std::vector<double> t, ft(m), jt(m * P), ht(m * P * (P + 1) / 2);
        for (const auto& node : nodes)
            t.push_back(node.first);
        if (!batch_->hessians(t, p, ft, jt, ht))
            return false;
        double I = 0;
        Eigen::VectorXd dI = Eigen::VectorXd::Zero(PP);
        Eigen::MatrixXd ddI = Eigen::MatrixXd::Zero(PP, PP);
        for (std::size_t j = 0; j < m; ++j) {
            const double w = nodes[j].second;
            I += w * ft[j];
            for (std::size_t k = 0; k < P; ++k) {
                dI[static_cast<Eigen::Index>(k)] += w * jt[k * m + j];
                for (std::size_t l = 0; l <= k; ++l)
                    ddI(static_cast<Eigen::Index>(l), static_cast<Eigen::Index>(k)) +=
                        w * ht[(k * (k + 1) / 2 + l) * m + j];
            }
        }
        if (!(I > 0) || !std::isfinite(I))
            return false;
        ddI = ddI.selfadjointView<Eigen::Upper>();
        range_term = 2.0 * static_cast<double>(n) * (ddI / I - dI * dI.transpose() / (I * I));
    }
    const std::size_t chunks = std::clamp<std::size_t>(n / 4096, 1, pool_size(pool_));
    std::vector<Eigen::MatrixXd> parts(chunks);
    std::vector<char> ok(chunks, 0);
    std::atomic<bool> available{true};
    parallel_for(pool_, chunks, [&](std::size_t c) {
        Scratch& w = scratch();
        const std::size_t b = n * c / chunks, e = n * (c + 1) / chunks, k = e - b;
        const std::span<const double> x(data_.data() + b, k);
        w.f.resize(k);
        w.grad.resize(k * P);
        w.hess.resize(k * P * (P + 1) / 2);
        if (!batch_->hessians(x, p, w.f, w.grad, w.hess)) {
            available = false;
            return;
        }
        const auto K = static_cast<Eigen::Index>(k);
        const Eigen::Map<const Eigen::ArrayXd> f(w.f.data(), K);
        if (!((f > 0).all() && f.isFinite().all()))
            return;
        w.logs.resize(k);
        Eigen::Map<Eigen::ArrayXd> inv(w.logs.data(), K);
        inv = f.inverse();
        for (std::size_t j = 0; j < P; ++j) // u = ∇f / f in place
            Eigen::Map<Eigen::ArrayXd>(w.grad.data() + j * k, K) *= inv;
        Eigen::MatrixXd& part = parts[c];
        part.resize(PP, PP);
        for (std::size_t j = 0; j < P; ++j)
            for (std::size_t l = 0; l <= j; ++l) {
                const double* h = w.hess.data() + (j * (j + 1) / 2 + l) * k;
                part(static_cast<Eigen::Index>(l), static_cast<Eigen::Index>(j)) =
                    part(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) =
                        vecmath::dot(h, inv.data(), k) -
                        vecmath::dot(w.grad.data() + j * k, w.grad.data() + l * k, k);
            }
        ok[c] = 1;
    });
    if (!available)
        return false;
    H = range_term;
    for (std::size_t c = 0; c < chunks; ++c) {
        if (!ok[c])
            return false;
        H -= 2.0 * parts[c];
    }
    return H.allFinite();
}

bool UnbinnedProblem::hessian(std::span<const double> p, Eigen::MatrixXd& H) const {
    if (!batch_)
        return false;
    if (exact_hessian(p, H))
        return true;
    const std::size_t P = p.size();
    double c = 0;
    Eigen::VectorXd g0, gk;
    Eigen::MatrixXd fisher;
    bool cached = false;
    {
        const std::lock_guard<std::mutex> l(last_->mutex);
        if (std::equal(p.begin(), p.end(), last_->p.begin(), last_->p.end())) {
            g0 = last_->g;
            fisher = last_->A;
            cached = true;
        }
    }
    if (!cached && !batch_pass(p, c, &g0, &fisher))
        return false;
    H.resize(static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P));
    std::vector<double> q(p.begin(), p.end());
    for (std::size_t k = 0; k < P; ++k) {
        const double a = fisher(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
        const double h =
            a > 0 && std::isfinite(a) ? 1e-4 * std::sqrt(2 / a) : 1e-6 * std::max(1.0, std::fabs(p[k]));
        q[k] = p[k] + h;
        if (!batch_pass(q, c, &gk, nullptr))
            return false;
        H.col(static_cast<Eigen::Index>(k)) = (gk - g0) / h;
        q[k] = p[k];
    }
    H = 0.5 * (H + H.transpose()).eval();
    return H.allFinite();
}

} // namespace hepkit::fit
