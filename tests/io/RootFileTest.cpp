// The file layer: header, keys, directories, payloads, and the errors for files that are not
// ROOT files or are truncated. Keys and classes of the reference files as listed by jsroot.
#include "hepkit/io/RootFile.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using hepkit::InputError;
using hepkit::io::RootFile;

namespace {
std::string root_file(const std::string& name) {
    return hepkit::test::reference("root-files/" + name).string();
}
} // namespace

TEST(RootFile, ListsTopKeysOfHepdataExample) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const RootFile f(root_file("uproot-hepdata-example.root"));
    const auto keys = f.keys();
    ASSERT_EQ(keys.size(), 4u);
    EXPECT_EQ(keys[0].name, "hpx");
    EXPECT_EQ(keys[0].class_name, "TH1F");
    EXPECT_EQ(keys[1].class_name, "TH2F");
    EXPECT_EQ(keys[2].class_name, "TProfile");
    EXPECT_EQ(keys[3].name, "ntuple");
    EXPECT_EQ(keys[3].class_name, "TNtuple");
    // The payload has the length the key promises (zlib-compressed on disk).
    EXPECT_EQ(f.read_payload(keys[0]).size(), static_cast<std::size_t>(keys[0].obj_len));
    EXPECT_LT(keys[0].stored_size(), keys[0].obj_len);
}

TEST(RootFile, FindsKeysByNameAndCycle) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    const RootFile f(root_file("uproot-HZZ.root"));
    EXPECT_EQ(f.key("events").class_name, "TTree");
    EXPECT_EQ(f.key("events;1").cycle, 1);
    EXPECT_TRUE(f.contains("events"));
    EXPECT_FALSE(f.contains("nope"));
    try {
        f.key("nope");
        FAIL() << "no error for a missing key";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("events;1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(f.key("events;x"), InputError);
    EXPECT_THROW(f.keys("no/such/dir"), InputError);
    EXPECT_GT(f.read_streamer_record().size(), 1000u);
}

TEST(RootFile, RefusesAFileThatIsNotRoot) {
    const auto path =
        hepkit::test::temp_file("io", "not-root.root", "hello, this is not a ROOT file at all\n");
    try {
        RootFile f(path.string());
        FAIL() << "opened a text file";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not a ROOT file"), std::string::npos) << e.what();
    }
    EXPECT_THROW(RootFile("/nonexistent/file.root"), InputError);
}

TEST(RootFile, TruncatedFileNamesTheOffset) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    std::ifstream in(root_file("uproot-HZZ.root"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Keep the first half: the header's fEND and the key list now lie past the end.
    const auto path = hepkit::test::temp_file("io", "truncated.root", bytes.substr(0, bytes.size() / 2));
    try {
        RootFile f(path.string());
        f.keys();
        FAIL() << "opened a truncated file";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("at byte"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
}
