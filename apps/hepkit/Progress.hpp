#pragma once
// The progress line of long commands: on stderr, only when stderr is a terminal (a log file or a
// pipe gets no carriage-return clutter), never with -q, at most once per second, and only for
// runs that last longer than a second (short runs print nothing). HEPKIT_PROGRESS=1 forces it
// on without a terminal and from the first update (for tests and for logs that want it);
// HEPKIT_PROGRESS=0 turns it off.

#include <chrono>
#include <cstdio>
#include <string>

namespace hepkit::app {

class ProgressLine {
  public:
    explicit ProgressLine(bool quiet, double first_after_s = 1.0);
    ~ProgressLine() { finish(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    /// True when a new line should be shown now (enabled, and the last one is a second old).
    /// Cheap enough to call every few thousand events.
    bool due() const;
    /// Shows `text` (without newline), replacing the previous line.
    void show(const std::string& text);
    /// Ends the line (newline) if one was shown.
    void finish();
    /// Seconds since construction.
    double elapsed() const;
    bool enabled() const { return enabled_; }
    /// A line is on screen (shown and not yet finished).
    bool shown() const { return shown_; }

  private:
    bool enabled_;
    bool shown_ = false;
    std::size_t width_ = 0;
    std::chrono::steady_clock::time_point start_;
    double next_ = 0;
};

} // namespace hepkit::app
