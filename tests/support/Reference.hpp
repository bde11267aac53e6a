#pragma once
// Where the tests find reference data that is not part of the repository (DCSim files, kafe2
// examples, GPU measurements): $HEPKIT_REFERENCE_DIR at run time, else the CMake cache variable
// of the same name (default ../shared/reference). A clone without it skips those tests with a
// message instead of failing them.

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>

namespace hepkit::test {

inline std::filesystem::path reference_dir() {
    if (const char* env = std::getenv("HEPKIT_REFERENCE_DIR"); env != nullptr && *env != '\0')
        return env;
    return HEPKIT_REFERENCE_DIR;
}

/// Path of a file or folder of the reference data (it may not exist: see HEPKIT_REQUIRE_REFERENCE).
inline std::filesystem::path reference(const std::string& relative) {
    return reference_dir() / relative;
}

/// A file of the reference ROOT files (`root-files/NAME`), as a string for the readers.
inline std::string root_file(const std::string& name) {
    return reference("root-files/" + name).string();
}

} // namespace hepkit::test

/// Skips the current test, naming the missing path, when reference data is absent.
#define HEPKIT_REQUIRE_REFERENCE(relative)                                                                   \
    do {                                                                                                     \
        const auto hepkit_ref_path_ = ::hepkit::test::reference(relative);                                   \
        if (!std::filesystem::exists(hepkit_ref_path_))                                                      \
            GTEST_SKIP() << "reference data missing: " << hepkit_ref_path_.string()                          \
                         << " (set HEPKIT_REFERENCE_DIR to the reference folder to run this test)";          \
    } while (false)
