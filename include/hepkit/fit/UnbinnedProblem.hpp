#pragma once
/// @file
/// UnbinnedProblem: −2 Σ ln f(x_i; p); with a range, f is normalised over it at every step.
/// Large samples with a batch model are evaluated in chunks over a ThreadPool the caller passes
/// in (set_thread_pool; without one, serially).

#include "hepkit/fit/BatchFunction.hpp"
#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

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
    /// The pool for the batch passes (chunks of ≥ 4096 events); toys inherit it.
    void set_thread_pool(ThreadPool* pool) override { pool_ = pool; }
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
    ThreadPool* pool_ = nullptr; ///< not owned; null: serial passes
};

} // namespace hepkit::fit
