#include "hepkit/core/Error.hpp"

#include "hepkit/core/Number.hpp"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <utility>

namespace hepkit {
namespace {
std::string compose(const std::string& file, int line, const std::string& key, const std::string& message) {
    // fmt rather than operator+ chains: GCC 12 reports a false -Wrestrict on the latter.
    // File names and keys come from the input too: a 10 000-character path must not flood
    // the terminal (the parts stay whole in file() and key()).
    std::string out;
    const std::string f = shorten(file, 240);
    if (!file.empty())
        out = line > 0 ? fmt::format("{}:{}: ", f, line) : fmt::format("{}: ", f);
    if (!key.empty())
        out += fmt::format("{}: ", shorten(key, 160));
    out += message;
    return out;
}
} // namespace

void check_input_size(const std::string& path, std::uintmax_t default_mib) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return; // pipes and devices: read as they come
    const std::uintmax_t bytes = std::filesystem::file_size(path, ec);
    if (ec)
        return;
    std::uintmax_t mib = default_mib;
    if (const char* env = std::getenv("HEPKIT_MAX_INPUT_MB")) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(env, &end, 10);
        if (end != env && *end == '\0' && v > 0)
            mib = v;
    }
    if (bytes > mib * 1024 * 1024)
        throw InputError(
            path, 0, "",
            fmt::format("the file has {:.4g} MiB; input files of this kind are limited to {} MiB "
                        "(a bound on memory; set HEPKIT_MAX_INPUT_MB to raise it)",
                        static_cast<double>(bytes) / (1024.0 * 1024.0), mib));
}

InputError::InputError(std::string file, int line, std::string key, std::string message)
    : std::runtime_error(compose(file, line, key, message)), file_(std::move(file)), line_(line),
      key_(std::move(key)), message_(std::move(message)) {}

} // namespace hepkit
