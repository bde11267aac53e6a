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

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <iostream>
#include <random>

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

TEST(RNTupleHostile, RandomDamageEndsInAnInputErrorOrInColumns) {
    // A deterministic mutation run: bytes of the header, footer, page list (checksums recomputed,
    // so that the damage reaches the parsers) or of a page (its checksum recomputed) are flipped
    // or overwritten by words that lie; opening and reading every field must then either work or
    // throw InputError — nothing else, no crash (the sanitizer build runs this too).
    HEPKIT_REQUIRE_REFERENCE(kRun2012);
    const NtupleBytes original(source(), "Events");
    std::vector<hepkit::io::RNTuplePageInfo> pages;
    {
        const RootFile file(source());
        const RNTuple ntuple(file, "Events");
        pages = ntuple.pages("_collection0");
    }
    std::mt19937_64 rng(20261202);
    auto damage = [&](std::vector<std::uint8_t>& b, std::size_t from, std::size_t to) {
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int i = 0; i < edits; ++i) {
            const std::size_t at = from + rng() % (to - from);
            switch (rng() % 4) {
            case 0:
                b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                break;
            case 1:
                b[at] = static_cast<std::uint8_t>(rng());
                break;
            default: { // a lying 32- or 64-bit word
                const std::size_t width = rng() % 2 ? 4 : 8;
                if (at + width > to)
                    break;
                const std::uint64_t values[] = {
                    0,    1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF, std::uint64_t{1} << 40,
                    rng()};
                const std::uint64_t v = values[rng() % 8];
                std::memcpy(b.data() + at, &v, width);
            }
            }
        }
    };
    // HEPKIT_RNTUPLE_MUTATIONS=N runs more rounds (the sanitizer build, by hand).
    const char* more = std::getenv("HEPKIT_RNTUPLE_MUTATIONS");
    const int rounds = more ? std::max(1, std::atoi(more)) : 400;
    int errors = 0, fine = 0;
    for (int round = 0; round < rounds; ++round) {
        NtupleBytes f = original;
        const int target = static_cast<int>(rng() % 4);
        if (target == 0) {
            auto h = f.header();
            damage(h, 8, h.size() - 8);
            // The footer and the page list name the header's checksum: keep them in step.
            const std::uint64_t sum = XXH3_64bits(h.data(), h.size() - 8);
            auto list = f.page_list();
            NtupleBytes::set_le64(list, 8, sum);
            f.replace_header(h);
            auto footer = f.footer();
            NtupleBytes::set_le64(footer, 16, sum);
            f.replace_footer(footer);
            f.replace_page_list(list);
        } else if (target == 1) {
            auto footer = f.footer();
            damage(footer, 8, footer.size() - 8);
            f.replace_footer(footer);
        } else if (target == 2) {
            auto list = f.page_list();
            damage(list, 8, list.size() - 8);
            f.replace_page_list(list);
        } else {
            const auto& p = pages[rng() % pages.size()];
            damage(f.bytes, p.offset, p.offset + p.size);
            if (p.checksum) {
                const std::uint64_t sum = XXH3_64bits(f.bytes.data() + p.offset, p.size);
                std::memcpy(f.bytes.data() + p.offset + p.size, &sum, 8);
            }
        }
        const std::string path = f.write("mutant");
        try {
            const RootFile file(path);
            const RNTuple ntuple(file, "Events");
            for (const auto& field : ntuple.fields())
                if (field.readable)
                    (void)ntuple.read(field.name);
            (void)ntuple.read("_collection0._0.Muon_charge", 0, ntuple.entries() / 2);
            ++fine;
        } catch (const InputError&) {
            ++errors;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "round " << round << " target " << target << ": not an InputError: " << e.what();
        }
    }
    std::cout << "mutations: " << errors << " input errors, " << fine << " read fine\n";
    EXPECT_GT(errors, rounds / 4);
    EXPECT_GT(fine, 0); // damage that changes values only (a page's floats) reads fine
}
