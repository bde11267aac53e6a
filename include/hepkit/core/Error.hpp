#pragma once
/// @file
/// The error type for bad input: it names the file, the line (when known) and the key.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

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

/// An output that cannot be written (directory missing, disk full, rename refused) or a helper
/// program that produces an output and failed (the plot script). A kind of InputError so that
/// code catching input errors still reports it; the CLI maps it to its own exit code (4).
class OutputError : public InputError {
  public:
    using InputError::InputError;
};

/// A command line that cannot be run as given (conflicting options, an option that needs
/// another). A kind of InputError; the CLI maps it to the usage exit code (64).
class UsageError : public InputError {
  public:
    /// @param option the option(s) concerned, e.g. `--emit`; @param message what is wrong
    UsageError(std::string option, std::string message)
        : InputError("", 0, std::move(option), std::move(message)) {}
};

/// Refuses (InputError naming `path`) a regular file larger than `default_mib` MiB, or than the
/// environment variable HEPKIT_MAX_INPUT_MB when set: readers hold a whole document in memory,
/// and a hostile size (a 10^9-element list) must end in a clear error, not in bad_alloc.
/// YAML and JSON documents: 64 MiB; CSV job and activity lists: 1024 MiB (docs/formats.md).
void check_input_size(const std::string& path, std::uintmax_t default_mib);

} // namespace hepkit
