#include "hepkit/core/Process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hepkit {
namespace {

// Closes a file descriptor when it goes out of scope.
struct Descriptor {
    int fd = -1;
    ~Descriptor() { reset(); }
    void reset() {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

// Frees posix_spawn's file actions when they go out of scope.
struct FileActions {
    posix_spawn_file_actions_t actions;
    FileActions() { posix_spawn_file_actions_init(&actions); }
    ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
};

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, bool capture_stderr) {
    if (argv.empty())
        throw std::invalid_argument("run_process: no program given");
    Descriptor read_end, write_end;
    FileActions files;
    if (capture_stderr) {
        int fds[2];
        // close-on-exec: the child keeps only the duplicate on its stderr, so the pipe ends when it does
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw std::runtime_error(fmt::format("cannot run {}: pipe: {}", argv[0], std::strerror(errno)));
        read_end.fd = fds[0];
        write_end.fd = fds[1];
        posix_spawn_file_actions_adddup2(&files.actions, write_end.fd, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, argv[0].c_str(), &files.actions, nullptr, args.data(), environ);
    if (rc != 0)
        throw std::runtime_error(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
    write_end.reset();
    ProcessResult result;
    if (capture_stderr) {
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::read(read_end.fd, buffer, sizeof buffer);
            if (n > 0)
                result.errors.append(buffer, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw std::runtime_error(fmt::format("{}: waitpid: {}", argv[0], std::strerror(errno)));
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : 0;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
}

} // namespace hepkit
