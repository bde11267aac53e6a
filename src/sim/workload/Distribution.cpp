#include "hepkit/sim/workload/Distribution.hpp"

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Random.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace hepkit::sim {

double standard_normal(std::mt19937_64& rng) {
    for (;;) {
        const double u = 2 * uniform01(rng) - 1;
        const double v = 2 * uniform01(rng) - 1;
        const double s = u * u + v * v;
        if (s > 0 && s < 1)
            return u * std::sqrt(-2 * std::log(s) / s);
    }
}

Distribution Distribution::from_json(const config::JsonView& node, bool integer) {
    Distribution d;
    d.integer_ = integer;
    if (!node.node().is_object())
        node.fail("a distribution is an object with a \"type\" (gaussian, histogram or poisson)");
    const std::string type = node.at("type").as_string();
    if (type == "gaussian") {
        d.kind_ = Kind::gaussian;
        d.average_ = node.at("average").as_double();
        d.sigma_ = node.at("sigma").as_double();
        if (d.sigma_ < 0)
            node.at("sigma").fail(fmt::format("sigma = {} must be >= 0", d.sigma_));
        // Rejection of negative draws must terminate: the mass above 0 must not be negligible.
        const double floor = integer ? 1.0 : 0.0;
        if (d.average_ + 6 * d.sigma_ < floor)
            node.fail(fmt::format("average {} and sigma {} give (almost) no draw >= {}", d.average_, d.sigma_,
                                  floor));
    } else if (type == "histogram") {
        d.kind_ = Kind::histogram;
        const config::JsonView counts = node.at("counts");
        if (!counts.node().is_array() || counts.node().empty())
            counts.fail("counts must be a non-empty list of numbers >= 0");
        std::vector<double> w;
        for (const auto& c : counts.node()) {
            if (!c.is_number() || c.get<double>() < 0)
                counts.fail(fmt::format("counts must be numbers >= 0, got {}",
                                        c.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
            w.push_back(c.get<double>());
        }
        if (!integer) {
            if (node.has("bins")) {
                const config::JsonView bins = node.at("bins");
                if (!bins.node().is_array())
                    bins.fail("bins must be a list of numbers");
                for (const auto& b : bins.node()) {
                    if (!b.is_number())
                        bins.fail(
                            fmt::format("bins must be numbers, got {}",
                                        b.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
                    d.bins_.push_back(b.get<double>());
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
    for (;;) {
        const double x = draw(rng);
        if (x >= 0)
            return x;
    }
}

long long Distribution::sample_int(std::mt19937_64& rng, long long minimum) const {
    for (;;) {
        const double x = std::round(draw(rng));
        if (x >= static_cast<double>(minimum))
            return static_cast<long long>(x);
    }
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

} // namespace hepkit::sim
