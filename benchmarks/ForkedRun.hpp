#pragma once
// Runs a measurement in a forked child so that its peak memory (ru_maxrss) is its own; shared
// by the scaling benchmarks.

#include <functional>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hepkit::bench {

struct ForkedResult {
    double wall_s = 0;
    double events = 0;
    double peak_mib = 0;
    bool ok = false;
};

/// `body` runs in the child and returns {wall seconds, events}; it must not throw.
inline ForkedResult run_forked(const std::function<std::pair<double, double>()>& body) {
    int fds[2];
    if (pipe(fds) != 0)
        return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const auto [wall, events] = body();
        const double out[2] = {wall, events};
        const bool ok = write(fds[1], out, sizeof out) == static_cast<ssize_t>(sizeof out);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    double buf[2] = {0, 0};
    const bool got = read(fds[0], buf, sizeof buf) == static_cast<ssize_t>(sizeof buf);
    close(fds[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    ForkedResult r;
    r.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    r.wall_s = buf[0];
    r.events = buf[1];
    r.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
    return r;
}

/// Counters of an on/off comparison measured in the same run (wall time of each and their ratio);
/// false (and the benchmark marked failed) if either run failed.
template <typename State>
bool report_on_off(State& state, const ForkedResult& on, const ForkedResult& off) {
    if (!on.ok || !off.ok) {
        state.SkipWithError("run failed");
        return false;
    }
    state.counters["wall_on_s"] = on.wall_s;
    state.counters["wall_off_s"] = off.wall_s;
    state.counters["off_over_on"] = off.wall_s / on.wall_s;
    state.counters["events"] = on.events;
    return true;
}

} // namespace hepkit::bench
