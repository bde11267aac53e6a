#pragma once
/// @file
/// The error type for bad input: it names the file, the line (when known) and the key.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace hepkit {

/// Thrown for any problem with user input (files, command-line values). `what()` is the full
/// message in the form `file:line: key: message`, ready to print; the parts stay available.
/// Internal invariant violations use assertions or std::logic_error instead, never this type.
class InputError : public std::runtime_error {
  public:
    /// @param file  path of the offending file; empty when the input is not a file (a CLI value)
    /// @param line  1-based line number, 0 when unknown
    /// @param key   dotted key or element name, e.g. `hosts[2].speed` or `<link id="l1">`; may be empty
    /// @param message what is wrong: the bad value and what is allowed
    InputError(std::string file, int line, std::string key, std::string message);

    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    const std::string& key() const noexcept { return key_; }
    const std::string& message() const noexcept { return message_; }

  private:
    std::string file_;
    int line_;
    std::string key_;
    std::string message_;
};

/// Refuses (InputError naming `path`) a regular file larger than `default_mib` MiB, or than the
/// environment variable HEPKIT_MAX_INPUT_MB when set: readers hold a whole document in memory,
/// and a hostile size (a 10^9-element list) must end in a clear error, not in bad_alloc.
/// YAML and JSON documents: 64 MiB; CSV job and activity lists: 1024 MiB (docs/formats.md).
void check_input_size(const std::string& path, std::uintmax_t default_mib);

} // namespace hepkit
