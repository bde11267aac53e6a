// Hostile RNTuples: a copy of the Run2012 reference file with one thing broken — a checksum,
// a truncated or misplaced page, sizes and counts that lie. Each must end in an InputError that
// names the file, the RNTuple, the envelope or page and the byte offset; never a crash, a hang or
// a huge allocation.
#include "Helpers.hpp"
#include "RNTupleTestFile.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"

#include <gtest/gtest.h>

using hepkit::InputError;
using hepkit::io::RNTuple;
using hepkit::io::RootFile;
using hepkit::test::NtupleBytes;

namespace {

const std::string kRun2012 = "root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root";

std::string source() {
    return hepkit::test::reference(kRun2012).string();
}

/// The error of opening `path` and reading every readable field.
InputError read_everything_error(const std::string& path) {
    return hepkit::test::input_error([&] {
        const RootFile file(path);
        const RNTuple ntuple(file, "Events");
        for (const auto& f : ntuple.fields())
            if (f.readable)
                (void)ntuple.read(f.name);
    });
}

void expect_mentions(const InputError& e, const std::vector<std::string>& parts) {
    const std::string what = e.what();
    for (const auto& p : parts)
        EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
}

/// The first stored page of Muon_pt's float column.
hepkit::io::RNTuplePageInfo value_page() {
    const RootFile file(source());
    const RNTuple ntuple(file, "Events");
    for (const auto& p : ntuple.pages("Muon_pt"))
        if (p.column_type == "SplitReal32")
            return p;
    throw std::logic_error("no value page");
}

/// Where a page's locator (i32 size, u64 offset) lies in the page list; the element count precedes it.
std::size_t locator_in(const std::vector<std::uint8_t>& page_list, const hepkit::io::RNTuplePageInfo& p) {
    std::vector<std::uint8_t> pattern(12);
    const std::uint32_t size = static_cast<std::uint32_t>(p.size);
    std::memcpy(pattern.data(), &size, 4);
    std::memcpy(pattern.data() + 4, &p.offset, 8);
    const std::size_t at = NtupleBytes::find(page_list, pattern);
    EXPECT_NE(at, std::string::npos);
    return at;
}

} // namespace

TEST(RNTupleHostile, CopyWithoutDamageReadsFine) {
    // The patching itself (append a re-encoded page list and footer, fix the anchor) must not
    // break anything: otherwise the cases below would prove nothing.
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    f.replace_page_list(f.page_list());
    f.replace_header(f.header());
    const std::string path = f.write("intact");
    const RootFile file(path);
    const RNTuple ntuple(file, "Events");
    EXPECT_EQ(ntuple.read("Muon_pt").size(), 2372u);
    EXPECT_EQ(ntuple.read("nMuon").entries(), 1000u);
}

TEST(RNTupleHostile, CorruptAnchorFailsItsChecksum) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    f.set_anchor(NtupleBytes::SeekHeader, f.anchor(NtupleBytes::SeekHeader) + 1, /*fix_checksum=*/false);
    const std::string path = f.write("anchor");
    const auto e = read_everything_error(path);
    // The checksum follows the anchor's 64 bytes of fields.
    expect_mentions(e, {path, "ntuple Events anchor at byte " + std::to_string(f.anchor_offset() + 64),
                        "anchor checksum mismatch"});
}

TEST(RNTupleHostile, CorruptHeaderEnvelopeFailsItsChecksum) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    auto header = f.header();
    header[30] ^= 0x20; // inside the ntuple's name / description strings
    f.replace_header(header, /*fix_checksum=*/false);
    const std::uint64_t at = f.anchor(NtupleBytes::SeekHeader);
    const auto e = read_everything_error(f.write("header-checksum"));
    expect_mentions(e, {"header envelope at byte " + std::to_string(at), "checksum mismatch"});
}

TEST(RNTupleHostile, CorruptPageFailsItsChecksum) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const auto page = value_page();
    ASSERT_TRUE(page.checksum) << "ROOT ≥ 6.34 writes page checksums by default";
    NtupleBytes f(source(), "Events");
    f.bytes[page.offset + page.size / 2] ^= 0x01;
    const auto e = read_everything_error(f.write("page-checksum"));
    expect_mentions(
        e, {"page checksum mismatch", "at byte " + std::to_string(page.offset), "Muon_pt", "page 0"});
}

TEST(RNTupleHostile, PageRunningPastTheFileEnd) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const auto page = value_page();
    NtupleBytes f(source(), "Events");
    auto list = f.page_list();
    const std::size_t loc = locator_in(list, page);
    // The page now starts 10 bytes before the file's end (after the new envelopes are appended).
    const std::uint64_t end = f.bytes.size() + list.size() + f.footer().size();
    NtupleBytes::set_le64(list, loc + 4, end - 10);
    f.replace_page_list(list);
    const auto e = read_everything_error(f.write("page-eof"));
    expect_mentions(e, {"at byte " + std::to_string(end - 10), "past the file's end", "Muon_pt"});
}

TEST(RNTupleHostile, TruncatedPageLocator) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const auto page = value_page();
    NtupleBytes f(source(), "Events");
    auto list = f.page_list();
    const std::size_t loc = locator_in(list, page);
    NtupleBytes::set_le32(list, loc, static_cast<std::uint32_t>(page.size - 7)); // the last 7 bytes cut off
    f.replace_page_list(list);
    const auto e = read_everything_error(f.write("page-truncated"));
    expect_mentions(e, {"at byte " + std::to_string(page.offset), "Muon_pt"});
}

TEST(RNTupleHostile, PageClaimingMoreElementsThanItsBlocksHold) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const auto page = value_page();
    NtupleBytes f(source(), "Events");
    auto list = f.page_list();
    const std::size_t loc = locator_in(list, page);
    const std::int32_t n =
        static_cast<std::int32_t>(NtupleBytes::le32(list, loc - 4)); // negative: checksummed
    NtupleBytes::set_le32(list, loc - 4, static_cast<std::uint32_t>(n * 2));
    f.replace_page_list(list);
    const auto e = read_everything_error(f.write("page-elements"));
    expect_mentions(e, {"at byte " + std::to_string(page.offset), "compressed blocks hold"});
}

TEST(RNTupleHostile, PageClaimingBillionsOfElements) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const auto page = value_page();
    NtupleBytes f(source(), "Events");
    auto list = f.page_list();
    const std::size_t loc = locator_in(list, page);
    NtupleBytes::set_le32(list, loc - 4, 0x7FFFFFF0u); // 2^31 floats from a few kB: refused before allocating
    f.replace_page_list(list);
    const auto e = read_everything_error(f.write("page-huge"));
    expect_mentions(e, {"at byte " + std::to_string(page.offset), "cannot come from"});
}

TEST(RNTupleHostile, ClusterClaimingMoreEntriesThanItsColumnsHold) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    auto list = f.page_list();
    // preamble 8, header checksum 8, summary list frame 12, summary record frame 8, first entry 8
    ASSERT_EQ(NtupleBytes::le64(list, 44), 1000u);
    NtupleBytes::set_le64(list, 44, 2000);
    f.replace_page_list(list);
    const auto e = read_everything_error(f.write("cluster-entries"));
    expect_mentions(e, {"has 1000 elements, 2000 are needed", "cluster 0"});
}

TEST(RNTupleHostile, AnchorLyingAboutTheHeaderLength) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    const std::uint64_t seek = f.anchor(NtupleBytes::SeekHeader);
    f.set_anchor(NtupleBytes::LenHeader, f.anchor(NtupleBytes::LenHeader) + 100);
    const auto e = read_everything_error(f.write("header-length"));
    expect_mentions(
        e, {"header envelope at byte " + std::to_string(seek), "compressed blocks hold 1514 bytes, 1614"});
}

TEST(RNTupleHostile, AnchorPointingPastTheFile) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    f.set_anchor(NtupleBytes::SeekFooter, f.bytes.size() - 20);
    const auto e = read_everything_error(f.write("footer-seek"));
    expect_mentions(
        e, {"footer envelope at byte " + std::to_string(f.bytes.size() - 20), "past the file's end"});
}

TEST(RNTupleHostile, HeaderWithLyingFrameSizeAndItemCount) {
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    NtupleBytes f(source(), "Events");
    const auto header = f.header();
    // preamble 8, feature flags 8, then three strings: name, description, writer
    std::size_t at = 16;
    for (int i = 0; i < 3; ++i)
        at += 4 + NtupleBytes::le32(header, at);
    ASSERT_EQ(static_cast<std::int64_t>(NtupleBytes::le64(header, at)) < 0, true) << "field list frame";

    auto lying_size = header;
    NtupleBytes::set_le64(lying_size, at, static_cast<std::uint64_t>(-(std::int64_t{1} << 40)));
    NtupleBytes a(f);
    a.replace_header(lying_size);
    expect_mentions(read_everything_error(a.write("frame-size")),
                    {"header envelope (stored at byte", "at byte " + std::to_string(at + 8), "frame size"});

    auto lying_count = header;
    NtupleBytes::set_le32(lying_count, at + 8, 1000000000u);
    NtupleBytes b(f);
    b.replace_header(lying_count);
    expect_mentions(read_everything_error(b.write("frame-items")), {"1000000000 items", "field list"});
}
