#pragma once
/// @file
/// Running another program as a child process with an argument vector: no shell, so no quoting
/// and no word splitting of paths, and no PATH search (the program is named by its path).

#include <string>
#include <vector>

namespace hepkit {

struct ProcessResult {
    bool exited = false; ///< ended by exit() (else killed by a signal)
    int exit_code = 0;   ///< with `exited`
    int signal = 0;      ///< without `exited`: the signal that ended it
    std::string errors;  ///< what it wrote on stderr, when captured
};

/// Runs argv[0] (a path) with the arguments argv[1..], stdin and stdout inherited; stderr is
/// captured into ProcessResult::errors with `capture_stderr`, else inherited. Waits for the end.
/// Throws std::runtime_error naming argv[0] when it cannot be started (not found: ENOENT's text).
ProcessResult run_process(const std::vector<std::string>& argv, bool capture_stderr);

} // namespace hepkit
