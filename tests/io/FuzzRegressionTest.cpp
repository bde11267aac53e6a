// Inputs the object-reader fuzzers (fuzz/fuzz_root_*.cpp) found, read through the public API: each
// must end in an InputError naming the file, the object and the bad value, never in undefined
// behaviour (the inputs are in fuzz/regressions/, also replayed by ctest fuzz.replay.NAME).

#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace hepkit;

namespace {

std::string regression(const std::string& harness, const std::string& name) {
    return std::string(HEPKIT_SOURCE_DIR) + "/fuzz/regressions/" + harness + "/" + name;
}

// A basket whose entry-offset table holds 0x80000000: offset minus the key length overflowed a
// 32-bit int (UBSan, fuzz_root_tree). It is an offset before the basket's data: an InputError.
TEST(FuzzRegression, EntryOffsetNearInt32MinIsAnInputErrorNotAnOverflow) {
    const std::string path = regression("root_tree", "entry-offset-int-overflow.root");
    const io::RootFile file(path);
    const io::Tree tree(file, "sample");
    std::string message;
    for (const auto& b : tree.branches()) {
        if (!b.readable)
            continue;
        try {
            (void)tree.read(b.name, 0, tree.entries());
        } catch (const InputError& e) {
            const std::string m = e.what();
            if (m.find("-2147483") != std::string::npos)
                message = m;
        }
    }
    EXPECT_NE(message.find("entry offsets must increase inside the basket"), std::string::npos) << message;
    EXPECT_NE(message.find("entry-offset-int-overflow.root"), std::string::npos) << message;
}

} // namespace
