#pragma once
/// @file
/// HistogramProblem: bin contents n_k against μ_k = N ∫_bin f (density models, N = entries) or
/// ∫_bin f (unnormalised models); Poisson −2 ln L = −2 Σ (n ln μ − μ − ln n!), or a Gaussian
/// approximation with σ² = μ or σ² = n.

#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

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

} // namespace hepkit::fit
