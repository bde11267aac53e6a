// The streamer-info record of the reference files: the classes ROOT wrote and the members of TH1
// and TAxis in the order ROOT's headers (TH1.h, TAxis.h) declare them; malformed records refused.

#include "hepkit/io/StreamerInfo.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"

#include <filesystem>
#include <gtest/gtest.h>

namespace io = hepkit::io;

namespace {
std::vector<std::string> member_names(const io::StreamerInfo& info) {
    std::vector<std::string> names;
    for (const auto& e : info.elements)
        names.push_back(e.name);
    return names;
}
} // namespace

TEST(StreamerInfo, HepdataExampleDescribesItsClasses) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const io::RootFile file(hepkit::test::root_file("uproot-hepdata-example.root"));
    const auto infos = io::read_streamer_infos(file);
    for (const char* cls : {"TH1F", "TH2F", "TProfile", "TNtuple", "TTree", "TAxis", "TH1", "TH2", "TH1D"})
        EXPECT_NE(infos.describe(cls).find("describes"), std::string::npos) << cls;
    const auto* th1 = infos.find("TH1", 7);
    ASSERT_NE(th1, nullptr);
    const std::vector<std::string> expected{
        "TNamed",     "TAttLine",    "TAttFill",  "TAttMarker",    "fNcells",  "fXaxis",  "fYaxis",
        "fZaxis",     "fBarOffset",  "fBarWidth", "fEntries",      "fTsumw",   "fTsumw2", "fTsumwx",
        "fTsumwx2",   "fMaximum",    "fMinimum",  "fNormFactor",   "fContour", "fSumw2",  "fOption",
        "fFunctions", "fBufferSize", "fBuffer",   "fBinStatErrOpt"};
    EXPECT_EQ(member_names(*th1), expected);
    const auto& buffer = th1->elements[23];
    EXPECT_EQ(buffer.kind, "TStreamerBasicPointer");
    EXPECT_EQ(buffer.count_name, "fBufferSize");
    EXPECT_EQ(buffer.type, io::streamer_type::kOffsetP + io::streamer_type::kDouble);
    EXPECT_EQ(th1->elements[0].type, io::streamer_type::kTNamed);
    EXPECT_EQ(th1->elements[5].type_name, "TAxis");
    EXPECT_EQ(th1->elements[5].type, io::streamer_type::kObject);
    EXPECT_EQ(th1->elements[19].type_name, "TArrayD");
    const auto* th1f = infos.find("TH1F", 1);
    ASSERT_NE(th1f, nullptr);
    ASSERT_EQ(th1f->elements.size(), 2u);
    EXPECT_EQ(th1f->elements[0].kind, "TStreamerBase");
    EXPECT_EQ(th1f->elements[0].base_version, 7);
    EXPECT_EQ(th1f->elements[1].name, "TArrayF");
    const auto* prof = infos.find("TProfile", 6);
    ASSERT_NE(prof, nullptr);
    EXPECT_EQ(member_names(*prof), (std::vector<std::string>{"TH1D", "fBinEntries", "fErrorMode", "fYmin",
                                                             "fYmax", "fTsumwy", "fTsumwy2", "fBinSumw2"}));
    EXPECT_EQ(infos.find("TH1", 99), nullptr);
    EXPECT_NE(infos.describe("TH1").find("TH1 version 7"), std::string::npos);
    EXPECT_NE(infos.describe("TNoSuchClass").find("no entry"), std::string::npos);
    EXPECT_EQ(io::describe_element_type(buffer), "Double_t* [fBufferSize]");
}

TEST(StreamerInfo, EveryReferenceFileParses) {
    HEPKIT_REQUIRE_REFERENCE("root-files");
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(hepkit::test::reference("root-files"))) {
        if (entry.path().extension() != ".root")
            continue;
        SCOPED_TRACE(entry.path().string());
        const io::RootFile file(entry.path().string());
        const auto infos = io::read_streamer_infos(file);
        EXPECT_FALSE(infos.all().empty());
        for (const auto& info : infos.all())
            EXPECT_FALSE(info.class_name.empty());
        ++files;
    }
    EXPECT_GE(files, 10);
}

TEST(StreamerInfo, SampleFileHasFixedArraysOfTheTree) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    const io::RootFile file(hepkit::test::root_file("uproot-HZZ.root"));
    const auto infos = io::read_streamer_infos(file);
    EXPECT_NE(infos.describe("TTree").find("describes TTree"), std::string::npos);
    EXPECT_NE(infos.describe("TBranch").find("describes TBranch"), std::string::npos);
}

TEST(StreamerInfo, TruncatedOrLyingRecordsAreRefused) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-histograms.root");
    const io::RootFile file(hepkit::test::root_file("uproot-histograms.root"));
    const auto record = file.read_streamer_record();
    ASSERT_GT(record.size(), 100u);
    const std::int64_t origin = file.read_key(file.seek_info(), "streamer info").key_len;
    const auto whole = io::parse_streamer_infos(record, file.path(), 0, origin);
    EXPECT_FALSE(whole.all().empty());
    for (std::size_t n = 0; n < record.size(); n += 7) {
        const std::vector<std::uint8_t> cut(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(n));
        if (n == 0) {
            EXPECT_TRUE(io::parse_streamer_infos(cut, file.path(), 0, origin).all().empty());
            continue;
        }
        const auto e =
            hepkit::test::input_error([&] { io::parse_streamer_infos(cut, file.path(), 0, origin); });
        EXPECT_NE(std::string(e.what()).find("streamer info"), std::string::npos) << e.what();
    }
    // Byte flips: an error or a (differently) parsed record, never a crash.
    auto bytes = record;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto keep = bytes[i];
        bytes[i] = 0xff;
        try {
            io::parse_streamer_infos(bytes, file.path(), 0, origin);
        } catch (const hepkit::InputError&) {
        }
        bytes[i] = keep;
    }
}
