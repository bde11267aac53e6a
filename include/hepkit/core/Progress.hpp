#pragma once
/// @file
/// The progress reporter of long-running work (simulations, scans, pseudo-experiments, contours):
/// a one-line status that is rate limited, silent for short runs and off in quiet mode. Where the
/// line goes is the owner's choice: a stream (a terminal: each line replaces the previous one with
/// a carriage return, finish() ends it with a newline) or a callback (a GUI, a log, a test).
///
///     hepkit::Progress progress({.first_after_s = 2.0});
///     for (int i = 0; i < n; ++i) {
///         work(i);
///         if (progress.due())
///             progress.show(fmt::format("{} / {}", i + 1, n));
///     }
///     progress.finish();
///
/// The command-line tool's policy (stderr only on a terminal, the HEPKIT_PROGRESS variable, -q)
/// is in apps/hepkit/Progress.hpp.

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace hepkit {

class Progress {
  public:
    struct Config {
        bool enabled = true;        ///< false: quiet, nothing is ever shown
        double first_after_s = 1.0; ///< s; no line before this (runs shorter than it show nothing)
        double interval_s = 1.0;    ///< s; at most one line per interval
    };
    /// Lines go to `stream` (stderr by default), each replacing the previous one.
    explicit Progress(Config config, std::FILE* stream = stderr);
    /// Lines go to `sink`, one call per line (the text as given to show()); finish() calls nothing.
    Progress(Config config, std::function<void(const std::string&)> sink);
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// True when a new line should be shown now (enabled, past first_after_s, and the last line is
    /// interval_s old). Cheap enough to call every few thousand events.
    bool due() const;
    /// Shows `text` (no newline), replacing the previous line, and restarts the interval. Shows
    /// nothing when disabled; otherwise shows it whether due() or not (a final count, say).
    void show(const std::string& text);
    /// Ends the line (a newline on a stream) if one is shown.
    void finish();
    /// Seconds since construction.
    double elapsed() const;
    bool enabled() const { return config_.enabled; }
    /// A line is on screen (shown and not yet finished).
    bool shown() const { return shown_; }

  private:
    Config config_;
    std::FILE* stream_ = nullptr;
    std::function<void(const std::string&)> sink_;
    bool shown_ = false;
    std::size_t width_ = 0;
    std::chrono::steady_clock::time_point start_;
    double next_ = 0;
};

} // namespace hepkit
