#pragma once
/// @file
/// Minimal levelled logging to stderr. The level is per Logger object (no global state), so
/// that several simulations in one process can log differently.

#include <fmt/format.h>
#include <string_view>

namespace hepkit {

enum class LogLevel { trace = 0, debug, info, warning, error, off };

/// Parses "trace", "debug", "info", "warning", "error" or "off"; throws std::invalid_argument.
LogLevel parse_log_level(std::string_view name);

/// Writes `[level] message` lines to stderr when the message's level is at or above the threshold.
class Logger {
  public:
    explicit Logger(LogLevel threshold = LogLevel::warning) : threshold_(threshold) {}
    void set_level(LogLevel level) { threshold_ = level; }
    LogLevel level() const { return threshold_; }
    bool enabled(LogLevel level) const { return level >= threshold_ && threshold_ != LogLevel::off; }

    template <typename... Args>
    void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
        if (enabled(level))
            write(level, fmt::format(format, std::forward<Args>(args)...));
    }
    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) const {
        log(LogLevel::info, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void warn(fmt::format_string<Args...> format, Args&&... args) const {
        log(LogLevel::warning, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void debug(fmt::format_string<Args...> format, Args&&... args) const {
        log(LogLevel::debug, format, std::forward<Args>(args)...);
    }

  private:
    void write(LogLevel level, const std::string& text) const;
    LogLevel threshold_;
};

} // namespace hepkit
