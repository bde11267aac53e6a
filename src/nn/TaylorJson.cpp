// The JSON of a Taylor-coefficient analysis (include/hepkit/nn/Taylor.hpp, docs/nn-taylor.md):
// kept apart from Taylor.cpp so that it compiles without libtorch's headers.

#include "hepkit/nn/Taylor.hpp"

#include <nlohmann/json.hpp>

namespace hepkit::nn {

std::string to_json(const TaylorResult& result) {
    nlohmann::ordered_json doc;
    doc["convention"] = to_string(result.convention);
    doc["order"] = result.order;
    doc["features"] = result.features;
    auto list = nlohmann::ordered_json::array();
    for (const auto& c : result.coefficients) {
        nlohmann::ordered_json item;
        item["index"] = c.index;
        item["names"] = c.names;
        // nlohmann writes doubles with the digits that read back to the same value
        item["mean_abs"] = c.mean_abs;
        item["mean"] = c.mean;
        list.push_back(std::move(item));
    }
    doc["coefficients"] = std::move(list);
    return doc.dump(2) + "\n";
}

} // namespace hepkit::nn
