#pragma once
/// @file
/// Output files that appear whole or not at all.

#include <filesystem>
#include <fstream>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace hepkit {

namespace detail {
/// Records a temporary file that a termination signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
/// SIGXCPU, SIGXFSZ, SIGABRT) or std::exit must remove; installs the signal handlers on first use (only
/// for signals whose action is still the default). Returns the slot, or -1 when not tracked.
int register_temp_file(const std::string& path);
void unregister_temp_file(int slot) noexcept;
} // namespace detail

/// Writes to `<path>.tmp.<pid>` and renames onto `path` in commit(). If commit() is never called
/// (an exception, an early return), the destructor removes the temporary file, so a failed run
/// never leaves a half-written output and never clobbers a previous good one. A run ended by a
/// termination signal removes its temporary files too (a handler unlinks them and re-raises the
/// signal); only SIGKILL and a power cut can leave one behind.
class AtomicFile {
  public:
    /// Opens the temporary file; throws hepkit::OutputError naming `path` if it cannot be created.
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ofstream& stream() { return out_; }
    /// Flushes, checks for write errors and renames into place; throws OutputError on failure.
    void commit();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::filesystem::path tmp_;
    std::ofstream out_;
    bool committed_ = false;
    int slot_ = -1; ///< in the signal handler's table of temporary files
};

/// Writes `text` to `path` through AtomicFile: the file appears whole or not at all. Throws
/// hepkit::OutputError naming `path` when it cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

/// The one JSON writer of hepkit's outputs (reports, summaries, plot descriptions): `doc` as
/// nlohmann::json::dump(indent) writes it (-1: one line; n ≥ 0: n spaces per level), a newline,
/// through AtomicFile. Throws hepkit::OutputError naming `path` when it cannot be written, and
/// for text that is not UTF-8 (naming the path; nothing is written).
void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc, int indent = 1);

/// A CSV file written through AtomicFile. Fields are written as given; use field() to quote
/// strings that may contain separators. Doubles are written with full round-trip precision.
class CsvWriter {
  public:
    CsvWriter(std::filesystem::path path, const std::string& header);
    /// Appends one already formatted line (without newline).
    void line(const std::string& text);
    void commit() { file_.commit(); }

    /// Quotes a text field when it contains a comma, quote or newline (RFC 4180).
    static std::string field(const std::string& text);
    /// Shortest text that reads back as exactly `value` ("%.17g" trimmed by fmt's algorithm).
    static std::string number(double value);

  private:
    AtomicFile file_;
};

} // namespace hepkit
