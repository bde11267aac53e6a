// The histogram JSON of `hepkit events` as a histogram fit's dataset (`file:`; Kafe2Internal.hpp).
#include "Kafe2Internal.hpp"
#include "hepkit/core/ConfigReader.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hepkit::fit::detail {

HistogramFile read_histogram_file(const YamlView& v, const std::string& fit_path) {
    HistogramFile h;
    std::filesystem::path p = v.as_string();
    if (p.is_relative())
        p = std::filesystem::path(fit_path).parent_path() / p;
    h.path = p.string();
    const nlohmann::json doc = config::load_json_file(h.path);
    auto fail = [&](const std::string& key, const std::string& what) {
        v.fail(fmt::format("{}: {}: {}", h.path, key, what));
    };
    if (!doc.is_object() || !doc.contains("counts"))
        fail("counts", "not a histogram of hepkit events (an object with edges and counts)");
    if (doc.contains("dimension") && doc["dimension"] != 1)
        fail("dimension",
             fmt::format("{}: a histogram fit takes a 1D histogram", config::show(doc["dimension"])));
    auto numbers_of = [&](const char* key) {
        if (!doc.contains(key) || !doc[key].is_array())
            fail(key, "missing or not an array of numbers");
        std::vector<double> out;
        for (std::size_t k = 0; k < doc[key].size(); ++k) {
            const auto& x = doc[key][k];
            if (!x.is_number() || !std::isfinite(x.get<double>()))
                fail(fmt::format("{}[{}]", key, k),
                     fmt::format("{}: expected a finite number", config::show(x)));
            out.push_back(x.get<double>());
        }
        return out;
    };
    h.edges = numbers_of("edges");
    h.counts = numbers_of("counts");
    if (h.edges.size() < 2)
        fail("edges", "a histogram needs at least two edges");
    for (std::size_t k = 1; k < h.edges.size(); ++k)
        if (!(h.edges[k - 1] < h.edges[k]))
            fail(fmt::format("edges[{}]", k), "bin edges must increase");
    if (h.counts.size() + 1 != h.edges.size())
        fail("counts", fmt::format("{} values for {} bins", h.counts.size(), h.edges.size() - 1));
    for (std::size_t k = 0; k < h.counts.size(); ++k)
        if (h.counts[k] < 0)
            fail(fmt::format("counts[{}]", k),
                 fmt::format("{}: negative bin content (the histogram costs need contents >= 0)",
                             h.counts[k]));
    for (const char* key : {"underflow", "overflow"}) {
        double x = 0;
        if (doc.contains(key)) {
            if (!doc[key].is_number() || !(doc[key].get<double>() >= 0) ||
                !std::isfinite(doc[key].get<double>()))
                fail(key, fmt::format("{}: must be a number >= 0", config::show(doc[key])));
            x = doc[key].get<double>();
        }
        (key == std::string("underflow") ? h.underflow : h.overflow) = x;
    }
    return h;
}

} // namespace hepkit::fit::detail
