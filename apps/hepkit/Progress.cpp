#include "Progress.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace hepkit::app {

ProgressLine::ProgressLine(bool quiet, double first_after_s)
    : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()),
      next_(first_after_s) {
    if (const char* env = std::getenv("HEPKIT_PROGRESS"); env && !quiet) {
        enabled_ = std::strcmp(env, "0") != 0;
        if (enabled_)
            next_ = 0; // forced (tests, logs): from the first update on, still once per second
    }
}

double ProgressLine::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool ProgressLine::due() const {
    return enabled_ && elapsed() >= next_;
}

void ProgressLine::show(const std::string& text) {
    if (!enabled_)
        return;
    next_ = elapsed() + 1.0;
    // pad over the remains of a longer previous line
    const std::size_t pad = text.size() < width_ ? width_ - text.size() : 0;
    std::fprintf(stderr, "\r  %s%*s", text.c_str(), static_cast<int>(pad), "");
    std::fflush(stderr);
    width_ = text.size();
    shown_ = true;
}

void ProgressLine::finish() {
    if (shown_)
        std::fputc('\n', stderr);
    shown_ = false;
}

} // namespace hepkit::app
