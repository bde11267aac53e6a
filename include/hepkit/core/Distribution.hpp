#pragma once
/// @file
/// Random distributions read from JSON, as DCSim's workload and dataset files give job and file
/// properties (and scenarios give drone boot times), sampled identically on every platform.

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace hepkit::config {
class JsonView;
}

namespace hepkit {

/// A distribution read from `{"type": "gaussian", "average": a, "sigma": s}`,
/// `{"type": "histogram", "counts": [...], "bins": [...]}` or `{"type": "poisson", "mu": m}`.
///
/// Semantics follow DCSim (src/Workload.cpp, src/Dataset.cpp):
/// - real-valued histograms are piecewise constant over the bins (bins.size() = counts.size() + 1);
///   when `bins` is absent, hepkit uses the unit bins [0, 1, ..., n] (DCSim would fail);
/// - integer-valued histograms (cores) pick the index i with probability counts[i] / sum, and
///   ignore `bins`, exactly as DCSim does;
/// - negative draws are rejected and drawn again (DCSim's loop); for cores, draws below 1.
///   hepkit bounds the loop: a distribution with less than 1e-3 of its mass at acceptable
///   values (gaussian: average + 3.09 sigma below the floor) is refused when read, and a sample
///   that finds no acceptable draw in 100000 tries fails with an InputError naming the key
///   (probability < e^-100 for an accepted distribution). Non-finite draws count as rejected.
/// - every number is finite; averages, sigmas and bin edges lie within +-1e300; at most 1e6
///   histogram bins.
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

    static constexpr int max_draws = 100000;         ///< redraws before sampling gives up
    static constexpr double min_acceptance = 1e-3;   ///< least acceptable mass, checked when read
    static constexpr double max_magnitude = 1e300;   ///< |average|, sigma, |bin edge|
    static constexpr std::size_t max_bins = 1000000; ///< histogram counts

  private:
    double draw(std::mt19937_64& rng) const;
    Kind kind_ = Kind::gaussian;
    bool integer_ = false;
    double average_ = 0, sigma_ = 0;
    std::vector<double> bins_, cumulative_; ///< cumulative weights, normalised to 1
    std::string file_, key_;                ///< where it was read, for sampling errors
};

/// Standard normal draw by the Marsaglia polar method (Marsaglia & Bray 1964).
double standard_normal(std::mt19937_64& rng);

} // namespace hepkit
