#include "hepkit/core/Distribution.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/core/Number.hpp"
#include "hepkit/core/Random.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace hepkit {

double standard_normal(std::mt19937_64& rng) {
    for (;;) {
        const double u = 2 * uniform01(rng) - 1;
        const double v = 2 * uniform01(rng) - 1;
        const double s = u * u + v * v;
        if (s > 0 && s < 1)
            return u * std::sqrt(-2 * std::log(s) / s);
    }
}

namespace {

// One entry of `counts` or `bins`: a finite number (NaN, infinities and their spellings are
// refused as everywhere else, see Number.hpp).
double list_number(const config::JsonView& list, const nlohmann::json& item, const char* what) {
    if (item.is_string() && (spells_non_finite(item.get_ref<const std::string&>()) ||
                             is_out_of_range_number(item.get_ref<const std::string&>())))
        list.fail(describe_bad_number(item.get_ref<const std::string&>()));
    if (!item.is_number())
        list.fail(fmt::format("{} must be numbers, got {}", what, config::show(item)));
    const double v = item.get<double>();
    if (!std::isfinite(v))
        list.fail(fmt::format("{} must be finite numbers", what));
    return v;
}

} // namespace

Distribution Distribution::from_json(const config::JsonView& node, bool integer) {
    Distribution d;
    d.integer_ = integer;
    d.file_ = node.file();
    d.key_ = node.key();
    if (!node.node().is_object())
        node.fail("a distribution is an object with a \"type\" (gaussian, histogram or poisson)");
    const std::string type = node.at("type").as_string();
    if (type == "gaussian") {
        d.kind_ = Kind::gaussian;
        d.average_ = node.at("average").as_double();
        d.sigma_ = node.at("sigma").as_double();
        if (d.sigma_ < 0)
            node.at("sigma").fail(fmt::format("sigma = {} must be >= 0", d.sigma_));
        // Draws must stay finite: average and sigma far inside the double range.
        if (std::abs(d.average_) > max_magnitude || d.sigma_ > max_magnitude)
            node.fail(fmt::format("average {} and sigma {} must lie within +-{:g}", d.average_, d.sigma_,
                                  max_magnitude));
        // Rejection of negative draws must end quickly: at least min_acceptance of the mass must
        // lie at or above the floor (average + 3.09 sigma >= floor <=> P(accept) >= 1e-3).
        const double floor = integer ? 1.0 : 0.0;
        if (d.average_ + 3.09 * d.sigma_ < floor)
            node.fail(fmt::format("average {} and sigma {} give (almost) no draw >= {} (less than 1 in 1000)",
                                  d.average_, d.sigma_, floor));
    } else if (type == "histogram") {
        d.kind_ = Kind::histogram;
        const config::JsonView counts = node.at("counts");
        if (!counts.node().is_array() || counts.node().empty())
            counts.fail("counts must be a non-empty list of numbers >= 0");
        std::vector<double> w;
        if (counts.node().size() > max_bins)
            counts.fail(fmt::format("{} counts: at most {} are allowed", counts.node().size(), max_bins));
        for (const auto& c : counts.node()) {
            const double x = list_number(counts, c, "counts");
            if (x < 0)
                counts.fail(fmt::format("counts must be numbers >= 0, got {}", config::show(c)));
            w.push_back(x);
        }
        if (!integer) {
            if (node.has("bins")) {
                const config::JsonView bins = node.at("bins");
                if (!bins.node().is_array())
                    bins.fail("bins must be a list of numbers");
                for (const auto& b : bins.node()) {
                    const double x = list_number(bins, b, "bins");
                    if (std::abs(x) > max_magnitude)
                        bins.fail(fmt::format("bin edge {} must lie within +-{:g}", x, max_magnitude));
                    d.bins_.push_back(x);
                }
                if (d.bins_.size() != w.size() + 1)
                    bins.fail(fmt::format("{} bin edges for {} counts: need one edge more than counts",
                                          d.bins_.size(), w.size()));
                if (!std::is_sorted(d.bins_.begin(), d.bins_.end()))
                    bins.fail("bin edges must increase");
            } else {
                for (std::size_t i = 0; i <= w.size(); ++i)
                    d.bins_.push_back(static_cast<double>(i));
            }
        }
        // keep only the mass that can give an acceptable value (>= 0, or >= 1 for integers)
        double total = 0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const double hi = integer ? static_cast<double>(i) : d.bins_[i + 1];
            if (hi > (integer ? 0.5 : 0.0))
                total += w[i];
        }
        if (!(total > 0))
            counts.fail(integer ? "all counts are at values below 1" : "all counts are at negative values");
        double acc = 0;
        double sum = 0;
        for (double x : w)
            sum += x;
        if (!std::isfinite(sum))
            counts.fail("the counts add up to more than the range of numbers");
        // As for the gaussian: the acceptable mass must not be negligible, or sampling would
        // redraw for ever.
        if (total < min_acceptance * sum)
            counts.fail(fmt::format("less than 1 in {:g} of the counts lies at acceptable values (>= {})",
                                    1 / min_acceptance, integer ? 1 : 0));
        for (double x : w) {
            acc += x / sum;
            d.cumulative_.push_back(acc);
        }
        d.cumulative_.back() = 1.0;
    } else if (type == "poisson") {
        d.kind_ = Kind::poisson;
        d.average_ = node.at("mu").as_double();
        if (!(d.average_ > 0) || d.average_ > 1e6)
            node.at("mu").fail(fmt::format("mu = {} must be in (0, 1e6]", d.average_));
    } else {
        node.at("type").fail(
            fmt::format("'{}' is not a distribution type (allowed: gaussian, histogram, poisson)", type));
    }
    return d;
}

double Distribution::draw(std::mt19937_64& rng) const {
    switch (kind_) {
    case Kind::gaussian:
        return average_ + sigma_ * standard_normal(rng);
    case Kind::histogram: {
        const double u = uniform01(rng);
        const auto i = static_cast<std::size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                                cumulative_.begin());
        const std::size_t bin = std::min(i, cumulative_.size() - 1);
        if (integer_)
            return static_cast<double>(bin);
        return bins_[bin] + (bins_[bin + 1] - bins_[bin]) * uniform01(rng);
    }
    case Kind::poisson: {
        // Knuth's multiplication method for small mu, normal approximation for large mu.
        if (average_ < 30) {
            const double limit = std::exp(-average_);
            double p = 1;
            long long k = -1;
            do {
                ++k;
                p *= uniform01(rng);
            } while (p > limit);
            return static_cast<double>(k);
        }
        return std::round(average_ + std::sqrt(average_) * standard_normal(rng));
    }
    }
    return 0;
}

double Distribution::sample(std::mt19937_64& rng) const {
    // DCSim redraws negative values. Bounded here: with at least 1e-3 of the mass acceptable
    // (checked when read), max_draws failures in a row happen with probability < e^-100.
    for (int i = 0; i < max_draws; ++i) {
        const double x = draw(rng);
        if (x >= 0 && std::isfinite(x))
            return x;
    }
    throw InputError(file_, 0, key_,
                     fmt::format("no draw >= 0 in {} tries: the distribution gives (almost) only negative "
                                 "values",
                                 max_draws));
}

long long Distribution::sample_int(std::mt19937_64& rng, long long minimum) const {
    for (int i = 0; i < max_draws; ++i) {
        const double x = std::round(draw(rng));
        if (x >= static_cast<double>(minimum) && x < 9e18)
            return static_cast<long long>(x);
    }
    throw InputError(file_, 0, key_,
                     fmt::format("no draw >= {} in {} tries: the distribution gives (almost) only smaller "
                                 "values",
                                 minimum, max_draws));
}

double Distribution::mean() const {
    switch (kind_) {
    case Kind::gaussian:
    case Kind::poisson:
        return average_;
    case Kind::histogram: {
        double m = 0, prev = 0;
        for (std::size_t i = 0; i < cumulative_.size(); ++i) {
            const double p = cumulative_[i] - prev;
            prev = cumulative_[i];
            m += p * (integer_ ? static_cast<double>(i) : 0.5 * (bins_[i] + bins_[i + 1]));
        }
        return m;
    }
    }
    return 0;
}

} // namespace hepkit
