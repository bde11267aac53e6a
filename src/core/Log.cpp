#include "hepkit/core/Log.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace hepkit {

LogLevel parse_log_level(std::string_view name) {
    if (name == "trace")
        return LogLevel::trace;
    if (name == "debug")
        return LogLevel::debug;
    if (name == "info")
        return LogLevel::info;
    if (name == "warning" || name == "warn")
        return LogLevel::warning;
    if (name == "error")
        return LogLevel::error;
    if (name == "off")
        return LogLevel::off;
    throw std::invalid_argument("log level '" + std::string(name) +
                                "' is not one of trace, debug, info, warning, error, off");
}

void Logger::write(LogLevel level, const std::string& text) const {
    static constexpr const char* names[] = {"trace", "debug", "info", "warning", "error", "off"};
    std::fprintf(stderr, "[%s] %s\n", names[static_cast<int>(level)], text.c_str());
}

} // namespace hepkit
