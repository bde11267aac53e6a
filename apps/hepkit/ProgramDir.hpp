#pragma once
// The directory of the running hepkit executable, for files that travel with it (the fit plot
// script, hepkit-gpu-kernel). Found from the path the kernel was given to execute (the auxiliary
// vector's AT_EXECFN), not from argv[0], which the caller may set to anything, and not from
// /proc/self/exe, which a library must not assume; symbolic links are resolved, so an installed
// link finds the files next to its target. Empty when it cannot be told (then the next place in a
// search order is used). Call it before the process changes its working directory.

#include <filesystem>
#include <sys/auxv.h>
#include <system_error>

namespace hepkit::app {

inline std::filesystem::path program_dir() {
    const auto* executed = reinterpret_cast<const char*>(::getauxval(AT_EXECFN));
    if (!executed || !*executed)
        return {};
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::canonical(executed, ec);
    if (ec)
        return {};
    return exe.parent_path();
}

} // namespace hepkit::app
