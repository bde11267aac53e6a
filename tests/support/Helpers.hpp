#pragma once
// Helpers shared by test files: temporary files and directories, reading a file whole, catching
// the InputError a call throws. Shared rather than copied per file: test programs are unity builds
// where HEPKIT_UNITY is on (tests/CMakeLists.txt), and two files' same-named helpers would clash.

#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace hepkit::test {

/// A path in the temporary directory named after the process, `tag` and `name`; nothing is created.
inline std::filesystem::path temp_path(const std::string& tag, const std::string& name) {
    return std::filesystem::temp_directory_path() /
           (std::to_string(::getpid()) + "-hepkit-" + tag + "-" + name);
}

/// Writes `text` to a file in the temporary directory, named after the process (tests of one
/// executable run in parallel under ctest, one process each), `tag` and `name`.
inline std::filesystem::path temp_file(const std::string& tag, const std::string& name,
                                       const std::string& text) {
    const auto p = temp_path(tag, name);
    std::ofstream(p) << text;
    return p;
}

/// A directory `name` in a temporary directory of this process and `tag`, removed if an earlier
/// run left it, and not created (a test may check that what it runs creates it).
inline std::filesystem::path temp_dir(const std::string& tag, const std::string& name) {
    const auto d =
        std::filesystem::temp_directory_path() / ("hepkit-" + tag + "-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(d);
    return d;
}

/// temp_dir(tag, name), created empty.
inline std::filesystem::path fresh_dir(const std::string& tag, const std::string& name) {
    const auto d = temp_dir(tag, name);
    std::filesystem::create_directories(d);
    return d;
}

/// A file's bytes (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The InputError `f` throws (fails the test if it throws none; another type propagates).
inline InputError input_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    ADD_FAILURE() << "no InputError";
    return InputError("", 0, "", "none");
}

} // namespace hepkit::test
