#pragma once
// The directory of the running hepkit executable, for files that travel with it (the fit plot
// script, hepkit-gpu-kernel). Found from the path the kernel was given to execute (the auxiliary
// vector's AT_EXECFN), not from argv[0], which the caller may set to anything, and not from
// /proc/self/exe, which a library must not assume; symbolic links are resolved, so an installed
// link finds the files next to its target. Empty when it cannot be told (then the next place in a
// search order is used). Call it before the process changes its working directory.

#include <filesystem>
#include <string>
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

/// A file that travels with the executable (a plot script): next to it (the build tree's copy), or
/// in the data directory of an installed hepkit (bin/hepkit and share/hepkit/NAME,
/// cmake/HepkitInstall.cmake). Empty when neither exists; `searched` then lists the places.
inline std::filesystem::path find_program_file(const std::filesystem::path& program, const std::string& name,
                                               std::string& searched) {
    if (program.empty())
        return {};
    for (const auto& p : {program / name, program.parent_path() / "share" / "hepkit" / name}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec))
            return p;
        searched.append(searched.empty() ? "" : ", ").append(p.string());
    }
    return {};
}

} // namespace hepkit::app
