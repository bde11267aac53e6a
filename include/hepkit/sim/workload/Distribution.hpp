#pragma once
/// @file
/// Random distributions of job and file properties, as DCSim's workload and dataset files give
/// them, sampled identically on every platform.

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace hepkit::config {
class JsonView;
}

namespace hepkit::sim {

/// A distribution read from `{"type": "gaussian", "average": a, "sigma": s}`,
/// `{"type": "histogram", "counts": [...], "bins": [...]}` or `{"type": "poisson", "mu": m}`.
///
/// Semantics follow DCSim (src/Workload.cpp, src/Dataset.cpp):
/// - real-valued histograms are piecewise constant over the bins (bins.size() = counts.size() + 1);
///   when `bins` is absent, hepkit uses the unit bins [0, 1, ..., n] (DCSim would fail);
/// - integer-valued histograms (cores) pick the index i with probability counts[i] / sum, and
///   ignore `bins`, exactly as DCSim does;
/// - negative draws are rejected and drawn again (DCSim's loop); for cores, draws below 1.
///   A distribution that can only give negative values is rejected when read, so sampling
///   never loops for ever.
/// Sampling uses hepkit's portable generators (not std::normal_distribution, whose algorithm
/// differs between standard libraries), so draws differ from DCSim's but not in distribution.
class Distribution {
  public:
    enum class Kind { gaussian, histogram, poisson };

    /// Reads and checks a distribution; `integer` selects the integer histogram semantics.
    /// Throws InputError naming the file and key.
    static Distribution from_json(const config::JsonView& node, bool integer);

    /// A real value >= 0.
    double sample(std::mt19937_64& rng) const;
    /// An integer >= minimum.
    long long sample_int(std::mt19937_64& rng, long long minimum) const;

    double mean() const; ///< expectation of one draw (before rejection), for summaries

  private:
    double draw(std::mt19937_64& rng) const;
    Kind kind_ = Kind::gaussian;
    bool integer_ = false;
    double average_ = 0, sigma_ = 0;
    std::vector<double> bins_, cumulative_; ///< cumulative weights, normalised to 1
};

/// Standard normal draw by the Marsaglia polar method (Marsaglia & Bray 1964).
double standard_normal(std::mt19937_64& rng);

} // namespace hepkit::sim
