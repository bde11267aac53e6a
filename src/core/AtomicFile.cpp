#include "hepkit/core/AtomicFile.hpp"

#include "hepkit/core/Error.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>
#include <unistd.h>

namespace hepkit {
namespace detail {
namespace {

// Temporary files of AtomicFiles not yet committed, kept where a signal handler can reach them
// without allocating or locking: a fixed table of slots, each a path and an atomic "in use"
// flag. A handler may only call async-signal-safe functions (POSIX.1-2017 2.4.3): it reads the
// flags, unlink()s the paths and re-raises the signal with the default action, so that the
// process still ends "killed by signal N" (exit status 128 + N in a shell).
constexpr std::size_t slot_count = 256;
constexpr std::size_t path_max = 4096;
struct Slot {
    std::atomic<bool> used{false};
    std::atomic<bool> claimed{false}; // reserved by a thread that is filling in the path
    char path[path_max];
};
std::array<Slot, slot_count> slots;

// Termination signals whose default action ends the process (SIGABRT: a failed assertion or
// std::terminate); SIGKILL cannot be caught.
constexpr int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXCPU, SIGXFSZ, SIGABRT};

void unlink_registered() noexcept {
    for (auto& s : slots)
        if (s.used.load(std::memory_order_acquire))
            ::unlink(s.path);
}

extern "C" void on_fatal_signal(int sig) {
    const int saved = errno;
    unlink_registered();
    // SA_RESETHAND restored the default action; the re-raised signal is delivered when the
    // handler returns and ends the process as the original one would have.
    errno = saved;
    ::raise(sig);
}

void install_handlers() {
    for (int sig : cleanup_signals) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0)
            continue;
        // Leave a signal alone when someone else handles or ignores it (nohup's SIGHUP, a shell's
        // SIGINT for background jobs, a sanitizer's or test framework's handler).
        if ((old.sa_flags & SA_SIGINFO) != 0 || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa {};
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        ::sigaction(sig, &sa, nullptr);
    }
    // std::exit() from anywhere skips the AtomicFile destructors on the stack.
    std::atexit([] { unlink_registered(); });
}

} // namespace

int register_temp_file(const std::string& path) {
    static std::once_flag once;
    std::call_once(once, install_handlers);
    if (path.size() + 1 > path_max)
        return -1; // not tracked: only the destructor removes it
    for (std::size_t i = 0; i < slots.size(); ++i) {
        bool expected = false;
        if (!slots[i].claimed.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
            continue;
        std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
        slots[i].used.store(true, std::memory_order_release);
        return static_cast<int>(i);
    }
    return -1; // more than slot_count outputs open at once: the extra ones are not tracked
}

void unregister_temp_file(int slot) noexcept {
    if (slot < 0)
        return;
    slots[static_cast<std::size_t>(slot)].used.store(false, std::memory_order_release);
    slots[static_cast<std::size_t>(slot)].claimed.store(false, std::memory_order_release);
}

} // namespace detail

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += fmt::format(".tmp.{}", static_cast<long>(::getpid()));
    // Registered before the file exists, so that no instant has a file a signal would leave behind.
    slot_ = detail::register_temp_file(tmp_.string());
    out_.open(tmp_, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!out_) {
        detail::unregister_temp_file(slot_);
        throw OutputError(path_.string(), 0, "",
                          "cannot create output file (does the directory exist and is it writable?)");
    }
}

AtomicFile::~AtomicFile() {
    if (!committed_) {
        out_.close();
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }
    detail::unregister_temp_file(slot_);
}

void AtomicFile::commit() {
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok)
        throw OutputError(path_.string(), 0, "", "write failed (disk full?)");
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec)
        throw OutputError(path_.string(), 0, "", "cannot move output into place: " + ec.message());
    committed_ = true;
    // After the rename the temporary name no longer exists; a signal arriving before this line
    // makes the handler unlink a missing file, which is harmless.
    detail::unregister_temp_file(slot_);
    slot_ = -1;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    AtomicFile file(path);
    file.stream() << text;
    file.commit();
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc, int indent) {
    std::string text;
    try {
        text = doc.dump(indent);
    } catch (const nlohmann::json::type_error& e) { // a string that is not UTF-8
        throw OutputError(path.string(), 0, "", fmt::format("cannot write JSON: {}", e.what()));
    }
    text += '\n';
    write_file_atomically(path, text);
}

CsvWriter::CsvWriter(std::filesystem::path path, const std::string& header) : file_(std::move(path)) {
    file_.stream() << header << '\n';
}

void CsvWriter::line(const std::string& text) {
    file_.stream() << text << '\n';
}

std::string CsvWriter::field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string CsvWriter::number(double value) {
    return fmt::format("{}", value);
}

} // namespace hepkit
