// ModelOutput (ModelOutput.hpp): a model trained into a staging folder and moved into place.
#include "ModelOutput.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace hepkit::surrogate::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStaging = ".training-";

// A file a model directory holds: the manifest and either kind's networks.
bool model_file(const fs::path& p) {
    const std::string name = p.filename().string();
    auto numbered = [&](const std::string& prefix) {
        return name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + 3 &&
               name.compare(name.size() - 3, 3, ".pt") == 0;
    };
    return name == "surrogate.json" || numbered("member_") || numbered("network_");
}

} // namespace

ModelOutput::ModelOutput(const std::string& output)
    : output_(output), staging_(output_ / (kStaging + std::to_string(::getpid()))) {
    std::error_code ec;
    if (fs::exists(output_, ec) && !fs::is_directory(output_, ec))
        throw OutputError(output, 0, "", "is a file, where the training writes its model's directory");
    fs::create_directories(output_, ec);
    if (ec)
        throw OutputError(output, 0, "", fmt::format("cannot create directory: {}", ec.message()));
    fs::remove_all(staging_, ec);
    fs::create_directories(staging_, ec);
    if (ec)
        throw OutputError(staging_.string(), 0, "", fmt::format("cannot create directory: {}", ec.message()));
}

ModelOutput::~ModelOutput() {
    if (!keep_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

void ModelOutput::commit() {
    std::error_code ec;
    std::vector<fs::path> old;
    for (const auto& e : fs::directory_iterator(output_, ec))
        if (e.is_regular_file() && model_file(e.path()))
            old.push_back(e.path());
    // From here on the staging folder is the only whole model: kept where a step fails.
    keep_ = true;
    for (const auto& p : old)
        if (!fs::remove(p, ec) || ec)
            throw OutputError(p.string(), 0, "",
                              fmt::format("cannot replace the old model's file: {} (the new model is in {})",
                                          ec.message(), staging_.string()));
    for (const auto& e : fs::directory_iterator(staging_)) {
        const fs::path target = output_ / e.path().filename();
        fs::rename(e.path(), target, ec);
        if (ec)
            throw OutputError(target.string(), 0, "",
                              fmt::format("cannot move the model into place: {} (the rest is in {})",
                                          ec.message(), staging_.string()));
    }
    keep_ = false;
}

} // namespace hepkit::surrogate::detail
