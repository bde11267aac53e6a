#pragma once
/// @file
/// What the object-reader harnesses (fuzz_root_tree, fuzz_root_rntuple, fuzz_root_hist) share:
/// the keys of a fuzzed ROOT file, every directory followed (bounded in depth and count), as
/// "dir/name;cycle" paths with their classes.
#include "FuzzSupport.hpp"
#include "hepkit/io/RootFile.hpp"

#include <string>
#include <vector>

namespace hepkit::fuzz {

struct RootObject {
    std::string path; ///< "dir/name;cycle"
    hepkit::io::Key key;
};

/// Every key of `f` (directories followed up to 8 deep, at most 64 directories and 256 keys).
inline std::vector<RootObject> root_objects(const hepkit::io::RootFile& f) {
    std::vector<RootObject> out;
    int directories = 0;
    auto walk = [&](auto& self, const std::string& dir, int depth) -> void {
        if (depth > 8 || ++directories > 64)
            return;
        for (const auto& k : f.keys(dir)) {
            if (out.size() >= 256)
                return;
            std::string path = dir.empty() ? k.name : dir + "/" + k.name;
            if (hepkit::io::is_directory(k))
                expect_input_errors([&] { self(self, path, depth + 1); });
            else
                out.push_back({path + ";" + std::to_string(k.cycle), k});
        }
    };
    expect_input_errors([&] { walk(walk, "", 0); });
    return out;
}

} // namespace hepkit::fuzz
