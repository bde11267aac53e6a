#include "hepkit/fit/LevenbergMarquardt.hpp"

#include <algorithm>
#include <cmath>

namespace hepkit::fit {

std::optional<MinimizerResult> levenberg_marquardt(const NewtonFunction& newton, const CostFunction& cost_of,
                                                   const std::vector<ParameterSpec>& params,
                                                   const LevenbergMarquardtOptions& options,
                                                   long long& spent_calls) {
    spent_calls = 0;
    const long long max_calls = options.max_calls;
    const std::size_t P = params.size();
    std::vector<double> x(P);
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < P; ++i) {
        x[i] = params[i].start;
        if (!params[i].fixed)
            free.push_back(i);
    }
    const auto n = static_cast<Eigen::Index>(free.size());
    double c = 0;
    Eigen::VectorXd g;
    Eigen::MatrixXd A;
    MinimizerResult res;
    // the structure over the free parameters, counted as one evaluation
    auto structure = [&](const std::vector<double>& at, double& cost, Eigen::VectorXd& gf,
                         Eigen::MatrixXd& Af) {
        Eigen::VectorXd gp = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(P));
        Eigen::MatrixXd Ap =
            Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(P), static_cast<Eigen::Index>(P));
        ++res.evaluations;
        if (!newton(at, cost, gp, Ap) || !std::isfinite(cost))
            return false;
        gf.resize(n);
        Af.resize(n, n);
        for (Eigen::Index a = 0; a < n; ++a) {
            gf[a] = gp[static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)])];
            for (Eigen::Index b = 0; b < n; ++b)
                Af(a, b) = Ap(static_cast<Eigen::Index>(free[static_cast<std::size_t>(a)]),
                              static_cast<Eigen::Index>(free[static_cast<std::size_t>(b)]));
        }
        return gf.allFinite() && Af.allFinite();
    };
    if (n == 0 || !structure(x, c, g, A))
        return std::nullopt;
    double lambda = 1e-3;
    bool done = false;
    // One structure pass costs about a cost evaluation per parameter when the problem
    // differences its model (not cheap_newton): count it so against the bound.
    const long long per_pass = options.cheap_newton ? 1 : static_cast<long long>(n) + 1;
    auto spent = [&] { return static_cast<long long>(res.evaluations) * per_pass; };
    for (int it = 0; it < 200 && !done && spent() < max_calls / 2; ++it) {
        if (options.progress)
            options.progress(spent(), max_calls, c);
        // EDM with the approximate Hessian, as MIGRAD's criterion
        const Eigen::LDLT<Eigen::MatrixXd> ldlt(A);
        const double edm = ldlt.info() == Eigen::Success ? 0.5 * g.dot(ldlt.solve(g)) : INFINITY;
        if (std::isfinite(edm) && edm >= 0 && edm < 1e-9) {
            res.converged = true;
            res.edm = edm;
            break;
        }
        bool stepped = false;
        for (int tries = 0; tries < 30 && !stepped; ++tries) {
            Eigen::MatrixXd D = A;
            for (Eigen::Index a = 0; a < n; ++a)
                D(a, a) += lambda * std::max(A(a, a), 1e-12);
            const Eigen::VectorXd step = D.ldlt().solve(-g);
            std::vector<double> trial = x;
            for (Eigen::Index a = 0; a < n; ++a) {
                const std::size_t i = free[static_cast<std::size_t>(a)];
                double v = x[i] + step[a];
                if (params[i].lower)
                    v = std::max(v, *params[i].lower);
                if (params[i].upper)
                    v = std::min(v, *params[i].upper);
                trial[i] = v;
            }
            // Where the structure costs about a cost evaluation (batch models), it decides
            // acceptance itself: one pass per step. Elsewhere (finite-difference Jacobians) a cheap
            // cost evaluation screens the trial first, as rejected steps are common early on.
            double cn = 0;
            Eigen::VectorXd gn;
            Eigen::MatrixXd An;
            const bool screen = !options.cheap_newton;
            if (screen) {
                ++res.evaluations;
                const double ct = cost_of(trial);
                if (!(std::isfinite(ct) && ct < c)) {
                    lambda *= 10;
                    continue;
                }
            }
            if (structure(trial, cn, gn, An) && cn < c) {
                x = trial;
                c = cn;
                g = gn;
                A = An;
                lambda = std::max(lambda / 10, 1e-12);
                stepped = true;
            } else {
                lambda *= 10;
            }
        }
        if (!stepped)
            done = true; // no decrease possible: BFGS decides below
    }
    spent_calls = spent();
    if (!res.converged)
        return std::nullopt;
    res.values = x;
    res.cost = c;
    res.curvature.assign(P, 0.0);
    for (Eigen::Index a = 0; a < n; ++a)
        res.curvature[free[static_cast<std::size_t>(a)]] = A(a, a);
    return res;
}

} // namespace hepkit::fit
