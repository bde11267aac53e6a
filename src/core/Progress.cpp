#include "hepkit/core/Progress.hpp"

namespace hepkit {

Progress::Progress(Config config, std::FILE* stream)
    : config_(config), stream_(stream), start_(std::chrono::steady_clock::now()),
      next_(config.first_after_s) {}

Progress::Progress(Config config, std::function<void(const std::string&)> sink)
    : config_(config), sink_(std::move(sink)), start_(std::chrono::steady_clock::now()),
      next_(config.first_after_s) {}

double Progress::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool Progress::due() const {
    return config_.enabled && elapsed() >= next_;
}

void Progress::show(const std::string& text) {
    if (!config_.enabled)
        return;
    next_ = elapsed() + config_.interval_s;
    shown_ = true;
    if (sink_) {
        sink_(text);
        return;
    }
    if (!stream_)
        return;
    // pad over the remains of a longer previous line
    const std::size_t pad = text.size() < width_ ? width_ - text.size() : 0;
    std::fprintf(stream_, "\r  %s%*s", text.c_str(), static_cast<int>(pad), "");
    std::fflush(stream_);
    width_ = text.size();
}

void Progress::finish() {
    if (shown_ && !sink_ && stream_)
        std::fputc('\n', stream_);
    shown_ = false;
}

} // namespace hepkit
