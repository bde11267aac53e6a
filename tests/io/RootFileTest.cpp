// The file layer: header, keys, directories, payloads, and the errors for files that are not
// ROOT files or are truncated. Keys and classes of the reference files as listed by jsroot.
#include "hepkit/io/RootFile.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using hepkit::InputError;
using hepkit::io::RootFile;

TEST(RootFile, ListsTopKeysOfHepdataExample) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const RootFile f(hepkit::test::root_file("uproot-hepdata-example.root"));
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
    const RootFile f(hepkit::test::root_file("uproot-HZZ.root"));
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
    std::ifstream in(hepkit::test::root_file("uproot-HZZ.root"), std::ios::binary);
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

// view_raw gives the bytes read_raw reads, from the mapped file (the default) and, with
// map_file off, from the caller's scratch; bytes outside the file are an InputError either way.
TEST(RootFile, ViewsOfTheMappedAndUnmappedFileEqualReadRaw) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    RootFile::Config unmapped;
    unmapped.map_file = false;
    const RootFile mapped(hepkit::test::root_file("uproot-HZZ.root")),
        plain(hepkit::test::root_file("uproot-HZZ.root"), unmapped);
    const std::int64_t offset = 100;
    const std::size_t n = 4000;
    const std::vector<std::uint8_t> want = mapped.read_raw(offset, n, "test range");
    std::vector<std::uint8_t> scratch;
    for (const RootFile* f : {&mapped, &plain}) {
        const auto view = f->view_raw(offset, n, scratch, "test range");
        ASSERT_EQ(view.size(), n);
        EXPECT_TRUE(std::equal(view.begin(), view.end(), want.begin()));
        // The last byte, and an empty view at the very end, are inside the file.
        EXPECT_EQ(f->view_raw(static_cast<std::int64_t>(f->size()) - 1, 1, scratch, "last byte").size(), 1u);
        EXPECT_TRUE(f->view_raw(static_cast<std::int64_t>(f->size()), 0, scratch, "end").empty());
        try {
            f->view_raw(static_cast<std::int64_t>(f->size()) - 10, 11, scratch, "past the end");
            FAIL() << "no error for bytes past the end";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("past the end at byte"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("lie outside the file"), std::string::npos) << e.what();
        }
        EXPECT_THROW(f->view_raw(-1, 1, scratch, "negative"), InputError);
    }
    // The unmapped file read into the scratch; the mapped one did not touch it.
    EXPECT_GE(scratch.size(), n);
}

// The bytes views hold mapped are counted once per 64 KiB chunk touched, for all files of the
// process together; a file's count leaves with it, and passing the limit releases every file's
// pages (the count starts again from the view that passed it).
TEST(RootFile, MappedBytesCountedPerChunkAcrossFilesAndReleasedPastTheLimit) {
    HEPKIT_REQUIRE_REFERENCE("root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root");
    const std::string path = hepkit::test::root_file("nanoAOD_2015_CMS_Open_Data_ttbar.root");
    constexpr std::uint64_t kChunk = 65536;
    std::vector<std::uint8_t> scratch;
    const std::uint64_t before = RootFile::mapped_resident_bytes();
    {
        const RootFile a(path);
        ASSERT_GT(a.size(), 4 * kChunk);
        a.view_raw(10, 100, scratch, "one chunk");
        EXPECT_EQ(RootFile::mapped_resident_bytes(), before + kChunk);
        a.view_raw(20, 100, scratch, "the same chunk again");
        EXPECT_EQ(RootFile::mapped_resident_bytes(), before + kChunk);
        a.view_raw(kChunk - 10, 20, scratch, "across two chunks");
        EXPECT_EQ(RootFile::mapped_resident_bytes(), before + 2 * kChunk);
        {
            // A second file counts in the same total; its count leaves with it.
            const RootFile b(path);
            b.view_raw(0, 3 * kChunk, scratch, "three chunks");
            EXPECT_EQ(RootFile::mapped_resident_bytes(), before + 5 * kChunk);
        }
        EXPECT_EQ(RootFile::mapped_resident_bytes(), before + 2 * kChunk);
        // A file whose limit the total passes releases all files: the total starts again.
        RootFile::Config small;
        small.mapped_resident_limit = before + 3 * kChunk;
        const RootFile c(path, small);
        c.view_raw(0, 2 * kChunk, scratch, "past the limit");
        EXPECT_EQ(RootFile::mapped_resident_bytes(), 0u);
        // Released chunks count again when viewed again.
        a.view_raw(10, 100, scratch, "one chunk again");
        EXPECT_EQ(RootFile::mapped_resident_bytes(), kChunk);
    }
    EXPECT_EQ(RootFile::mapped_resident_bytes(), 0u);
    EXPECT_TRUE(scratch.empty()); // mapped files never read into the scratch
}
