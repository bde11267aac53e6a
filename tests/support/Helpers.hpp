#pragma once
// Helpers shared by test files: temporary input files and catching the InputError a call throws.

#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace hepkit::test {

/// Writes `text` to a file in the temporary directory, named after the process (tests of one
/// executable run in parallel under ctest, one process each), `tag` and `name`.
inline std::filesystem::path temp_file(const std::string& tag, const std::string& name,
                                       const std::string& text) {
    const auto p =
        std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-" + tag + "-" + name);
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
