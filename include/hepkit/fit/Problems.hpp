#pragma once
/// @file
/// Fit types. Each turns data, a model and an uncertainty model into a cost −2 ln L.
///
///  - XYProblem: f(x; p) against (x, y). V = V_y + (f′ f′ᵀ) ∘ V_x (x errors projected onto y
///    with the model's slope at the data x); cost χ² = rᵀ V⁻¹ r by a Cholesky decomposition,
///    plus log det V when V depends on the parameters (x errors, errors relative to the model),
///    which makes the cost the full Gaussian −2 ln L (kafe2, arXiv:2210.12768, eq. 6);
///  - IndexedProblem: a model vector m(p) against data with no independent variable;
///  - HistogramProblem: bin contents n_k against μ_k = N ∫_bin f (density models, N = entries)
///    or ∫_bin f (unnormalised models); Poisson −2 ln L = −2 Σ (n ln μ − μ − ln n!), or a Gaussian
///    approximation with σ² = μ or σ² = n;
///  - UnbinnedProblem: −2 Σ ln f(x_i; p); with a range, f is normalised over it at every step;
///  - MultiProblem: a sum of fits sharing parameters by name;
///  - CustomProblem: the user's cost.

#include "hepkit/fit/BatchFunction.hpp"
#include "hepkit/fit/ErrorModel.hpp"
#include "hepkit/fit/Fit.hpp"

#include <functional>
#include <optional>

namespace hepkit::fit {

/// f(x; p) with p the full parameter vector.
using XModel = std::function<double(double, std::span<const double>)>;
/// ∂f/∂p at x, written into the third argument (one value per parameter).
using XModelGradient = std::function<void(double, std::span<const double>, std::span<double>)>;
/// m(p): one value per data point.
using VectorModel = std::function<std::vector<double>(std::span<const double>)>;

class XYProblem : public Problem {
  public:
    /// Throws std::invalid_argument on empty data, mismatched lengths, NaN, bad or singular errors.
    XYProblem(std::vector<double> x, std::vector<double> y, XModel model, std::vector<ErrorSource> errors);
    std::string type() const override { return "xy"; }
    std::size_t data_size() const override { return y_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;
    /// Gives the model's analytic gradient: the cost gradient is then −2 Jᵀ V⁻¹ r (constant V).
    void set_model_gradient(XModelGradient g) { model_gradient_ = std::move(g); }
    bool gradient(std::span<const double> p, std::span<double> g) const override;
    bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                Eigen::MatrixXd& A) const override;
    bool hessian(std::span<const double> p, Eigen::MatrixXd& H) const override;
    double model(double x, std::span<const double> p) const { return model_(x, p); }
    const std::vector<double>& x() const { return x_; }
    const std::vector<double>& y() const { return y_; }
    /// Total y uncertainty per point (√ of the projected covariance's diagonal) at p.
    std::vector<double> total_errors(std::span<const double> p) const;
    /// Residuals y − f and the projected covariance at p (for joint fits).
    Eigen::VectorXd residuals(std::span<const double> p) const;
    Eigen::MatrixXd covariance(std::span<const double> p) const;
    bool parameter_dependent() const { return has_x_ || model_dependent_; }
    /// Model uncertainty √(∇ₚfᵀ V_p ∇ₚf) at each x.
    std::vector<double> error_band(const std::vector<double>& xs, const FitResult& r) const;
    /// The data's own uncertainties, as a plot draws them: x errors (√ diag V_x, horizontal bars)
    /// and y errors without the projected x part (at p: errors relative to the model).
    std::vector<double> x_errors() const;
    /// Where the model is not finite at the data, else the point farthest from it (in σ).
    std::string diagnose(std::span<const double> p) const override;
    std::vector<double> y_errors(std::span<const double> p) const;
    bool has_x_errors() const { return has_x_; }

  private:
    double evaluate(std::span<const double> p, double* chi2_only) const;
    Eigen::VectorXd model_values(std::span<const double> p) const; ///< f(x_i; p)
    Eigen::MatrixXd projected(std::span<const double> p, const Eigen::VectorXd& f) const;
    std::vector<double> x_, y_;
    XModel model_;
    XModelGradient model_gradient_;
    std::vector<ErrorSource> errors_;
    Eigen::MatrixXd vy_const_, vx_;
    bool has_x_ = false, model_dependent_ = false;
    Eigen::LLT<Eigen::MatrixXd> fixed_llt_;
};

class IndexedProblem : public Problem {
  public:
    IndexedProblem(std::vector<double> data, VectorModel model, std::vector<ErrorSource> errors);
    std::string type() const override { return "indexed"; }
    std::string diagnose(std::span<const double> p) const override;
    std::size_t data_size() const override { return data_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;

  private:
    double evaluate(std::span<const double> p, bool chi2_only) const;
    std::vector<double> data_;
    VectorModel model_;
    std::vector<ErrorSource> errors_;
    Eigen::MatrixXd v_const_;
    bool model_dependent_ = false;
    Eigen::LLT<Eigen::MatrixXd> fixed_llt_;
};

class HistogramProblem : public Problem {
  public:
    enum class Cost { poisson, gauss_model, gauss_data };
    /// How μ_k is computed: the exact bin integral (default), or Simpson's rule on the bin's
    /// edges and centre (kafe2's default `bin_evaluation`, reproduces kafe2's numbers exactly).
    enum class Evaluation { integral, simpson };
    void set_evaluation(Evaluation e) { evaluation_ = e; }
    /// An antiderivative F of the model (C++ API): μ_k = N (F(b_k) − F(a_k)), exact and without
    /// numerical integration (kafe2 accepts the same as its `bin_evaluation`).
    void set_antiderivative(XModel F) { antiderivative_ = std::move(F); }
    /// `edges`: n+1 increasing bin edges; `counts`: n bin contents (>= 0). With `density`, the
    /// model is a probability density scaled by the number of entries.
    HistogramProblem(std::vector<double> edges, std::vector<double> counts, XModel model, bool density = true,
                     Cost cost = Cost::poisson);
    /// Bins raw data (entries outside the edges are ignored, as numpy.histogram does).
    static std::vector<double> bin(const std::vector<double>& raw, const std::vector<double>& edges);
    std::string type() const override { return "histogram"; }
    std::string diagnose(std::span<const double> p) const override;
    std::size_t data_size() const override { return counts_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;
    bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                Eigen::MatrixXd& A) const override;
    std::vector<double> expected(std::span<const double> p) const; ///< μ_k
    const std::vector<double>& edges() const { return edges_; }
    const std::vector<double>& counts() const { return counts_; }
    double model(double x, std::span<const double> p) const { return model_(x, p); }
    double entries() const { return total_; }
    bool density() const { return density_; }
    /// Entries outside the bins (raw data beyond the edges, under- and overflow): they count in
    /// the number of entries N that scales a density model, as kafe2 counts them (its n_entries),
    /// so that μ_k = N ∫_bin f with f normalised over the whole axis. Throws if n < 0 or not finite.
    void set_entries_outside(double n);

  private:
    std::vector<double> edges_, counts_;
    XModel model_;
    bool density_;
    Cost cost_;
    Evaluation evaluation_ = Evaluation::integral;
    XModel antiderivative_;
    double total_ = 0, log_factorials_ = 0, outside_ = 0;
};

class UnbinnedProblem : public Problem {
  public:
    /// With `range`, the pdf is divided by its integral over the range at every evaluation and
    /// data outside the range are an error; without, the pdf must already be normalised (kafe2).
    UnbinnedProblem(std::vector<double> data, XModel pdf,
                    std::optional<std::pair<double, double>> range = std::nullopt);
    /// With a batch model (a BatchFunction of a Python model, or the user's own BatchModel):
    /// costs, gradients and the Hessian come from array evaluations, with analytic derivatives
    /// when the model gives them — the fast path for large samples (docs/fit.md, "Performance").
    UnbinnedProblem(std::vector<double> data, std::shared_ptr<const BatchModel> pdf,
                    std::optional<std::pair<double, double>> range = std::nullopt);
    /// Both: `pdf` for single values (plots, toys, the range's quadrature), `batch` for the fit.
    UnbinnedProblem(std::vector<double> data, XModel pdf, std::shared_ptr<const BatchModel> batch,
                    std::optional<std::pair<double, double>> range);
    std::string type() const override { return "unbinned"; }
    std::string diagnose(std::span<const double> p) const override;
    std::size_t data_size() const override { return data_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double>) const override { return std::nullopt; }
    /// Events drawn by accept–reject over the range (or the data's span).
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;
    bool newton(std::span<const double> p, double& cost, Eigen::VectorXd& g,
                Eigen::MatrixXd& A) const override;
    bool cheap_newton() const override { return batch_ != nullptr; }
    /// Analytic (batch models) gradient; false without a batch model.
    bool gradient(std::span<const double> p, std::span<double> g) const override;
    /// Differences of the batch gradient; false without a batch model.
    bool hessian(std::span<const double> p, Eigen::MatrixXd& H) const override;
    const std::vector<double>& data() const { return data_; }
    double model(double x, std::span<const double> p) const { return pdf_(x, p); }

  private:
    struct Partial { // one chunk's sums
        double logsum = 0;
        Eigen::VectorXd g;
        Eigen::MatrixXd A;
        bool ok = true;
    };
    bool batch_pass(std::span<const double> p, double& cost, Eigen::VectorXd* g, Eigen::MatrixXd* A) const;
    void chunk_pass(std::size_t begin, std::size_t end, std::span<const double> p,
                    const Eigen::ArrayXd& dlogI, bool want_g, bool want_A, Partial& out) const;
    bool exact_hessian(std::span<const double> p, Eigen::MatrixXd& H) const;
    Eigen::ArrayXd integral_gradient(const std::vector<std::pair<double, double>>& nodes,
                                     std::span<const double> p) const;
    std::vector<double> data_;
    XModel pdf_;
    std::shared_ptr<const BatchModel> batch_;
    struct Last; // the last newton() result (batch models), reused by hessian()
    std::shared_ptr<Last> last_;
    std::optional<std::pair<double, double>> range_;
};

class CustomProblem : public Problem {
  public:
    explicit CustomProblem(CostFunction cost, std::size_t data_size = 0)
        : cost_(std::move(cost)), data_size_(data_size) {}
    std::string type() const override { return "custom"; }
    std::size_t data_size() const override { return data_size_; }
    double cost(std::span<const double> p) const override { return cost_(p); }
    std::optional<double> goodness(std::span<const double>) const override { return std::nullopt; }

  private:
    CostFunction cost_;
    std::size_t data_size_;
};

/// Several fits sharing parameters: `maps[k][j]` is the index in the global parameter vector
/// of parameter j of part k. The cost is the sum; with `shared`, the parts' y data (all xy or
/// indexed) also carry these error sources across all their points (e.g. a common
/// normalisation uncertainty), added to the joint covariance.
class MultiProblem : public Problem {
  public:
    MultiProblem(std::vector<std::unique_ptr<Problem>> parts, std::vector<std::vector<std::size_t>> maps,
                 std::vector<ErrorSource> shared = {});
    std::string type() const override { return "multi"; }
    std::size_t data_size() const override;
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;

  private:
    std::vector<double> gather(std::size_t k, std::span<const double> p) const;
    /// χ² (+ log det V when V depends on p) of all parts' residuals with the shared errors.
    double joint(std::span<const double> p, bool chi2_only) const;
    std::vector<std::unique_ptr<Problem>> parts_;
    std::vector<std::vector<std::size_t>> maps_;
    std::vector<ErrorSource> shared_;
};

/// Integral of f over [a, b] by adaptive Gauss–Legendre quadrature (5 and 10 points compared,
/// bisection where they differ by more than 1e-9 relative).
double integrate(const std::function<double(double)>& f, double a, double b);
/// The same, also giving the rule it ended with: Σ w f(t) over `nodes` (t, w) is the result, so
/// the integral's derivatives follow from f's derivatives at those nodes.
double integrate(const std::function<double(double)>& f, double a, double b,
                 std::vector<std::pair<double, double>>& nodes);

} // namespace hepkit::fit
