// A model's training domain (Domain.hpp): the messages of what leaves it, the settings seen.
#include "hepkit/surrogate/Domain.hpp"

#include "hepkit/surrogate/Features.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::surrogate {

std::string OutsideFeature::message() const {
    return fmt::format("{} = {:.4g} (trained on [{:.4g}, {:.4g}])", name, value, lo, hi);
}

void features_outside(const std::vector<std::string>& names, const double* values,
                      const std::vector<double>& lo, const std::vector<double>& hi,
                      std::vector<OutsideFeature>& out) {
    for (std::size_t f = 0; f < lo.size() && f < hi.size() && f < names.size(); ++f) {
        const double v = values[f];
        const double slack = 0.01 * (hi[f] - lo[f]) + 1e-12 * std::max(std::abs(lo[f]), std::abs(hi[f]));
        if (v < lo[f] - slack || v > hi[f] + slack)
            out.push_back({names[f], v, lo[f], hi[f]});
    }
}

void SettingsDomain::add(const std::vector<double>& settings) {
    if (settings.size() != setting_names().size())
        throw std::invalid_argument(fmt::format("{} settings, {} expected (setting_names())", settings.size(),
                                                setting_names().size()));
    values.resize(settings.size());
    for (std::size_t i = 0; i < settings.size(); ++i) {
        auto& seen = values[i];
        const auto at = std::lower_bound(seen.begin(), seen.end(), settings[i]);
        if (at == seen.end() || *at != settings[i])
            seen.insert(at, settings[i]);
    }
}

void SettingsDomain::outside(const std::vector<double>& settings, std::vector<OutsideFeature>& out) const {
    if (!recorded())
        return;
    for (std::size_t i = 0; i < settings.size() && i < values.size(); ++i) {
        const auto& seen = values[i];
        if (seen.empty() || std::binary_search(seen.begin(), seen.end(), settings[i]))
            continue;
        out.push_back({setting_names()[i], settings[i], seen.front(), seen.back()});
    }
}

} // namespace hepkit::surrogate
