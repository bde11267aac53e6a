#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <utility>

namespace hepkit {
namespace {
std::string compose(const std::string& file, int line, const std::string& key, const std::string& message) {
    // fmt rather than operator+ chains: GCC 12 reports a false -Wrestrict on the latter.
    std::string out;
    if (!file.empty())
        out = line > 0 ? fmt::format("{}:{}: ", file, line) : fmt::format("{}: ", file);
    if (!key.empty())
        out += fmt::format("{}: ", key);
    out += message;
    return out;
}
} // namespace

InputError::InputError(std::string file, int line, std::string key, std::string message)
    : std::runtime_error(compose(file, line, key, message)), file_(std::move(file)), line_(line),
      key_(std::move(key)), message_(std::move(message)) {}

} // namespace hepkit
