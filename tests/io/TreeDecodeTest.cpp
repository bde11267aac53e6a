// The element encodings no reference file holds, checked on bytes made by hand from ROOT's rules
// (TBufferFile::ReadWithNbits / ReadWithFactor, TStreamerElement::GetRange): Float16_t and
// Double32_t with and without ranges, std::vector<double> entries behind their object header,
// TStrings longer than 254 bytes — and entries whose sizes lie. Uses hepkit::io's internal
// layout and decoder (src/io/TreeLayout.hpp, Basket.hpp).
#include "Basket.hpp"
#include "TreeLayout.hpp"
#include "hepkit/core/Error.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <tuple>

using namespace hepkit::io;
using namespace hepkit::io::detail;

namespace {

struct Decoded {
    BranchInfo info;
    Layout layout;
};

// A branch of one leaf; `len` is the leaf's fLen (the product of its fixed dimensions).
Decoded layout_of(const std::string& leaf_class, const std::string& title, std::int32_t len = 1,
                  const std::string& branch_class = "TBranch", const std::string& element_class = "") {
    TreeModel tree;
    BranchModel b;
    b.class_name = branch_class;
    b.name = "x";
    b.element_class = element_class;
    LeafModel leaf;
    leaf.class_name = leaf_class;
    leaf.name = "x";
    leaf.title = title;
    leaf.len = len;
    b.leaves.push_back(leaf);
    tree.branches.push_back(b);
    Decoded d;
    d.layout = make_branch_layout(tree, tree.branches.front(), d.info);
    return d;
}

Column decode(const Layout& l, const std::vector<std::uint8_t>& data, std::int32_t entries,
              const std::vector<std::int32_t>& offsets = {}) {
    const std::string file = "test.root", object = "tree 't' branch 'x'";
    Column c = make_column("x", l);
    BasketView v{data, offsets, entries};
    decode_entries(l, v, 0, entries, c, BasketPlace{&file, &object, 0, 100});
    return c;
}

void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    for (int i = 3; i >= 0; --i)
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

} // namespace

TEST(TreeDecode, Float16WithoutRangeKeepsTwelveMantissaBits) {
    const auto d = layout_of("TLeafF16", "x");
    EXPECT_EQ(d.info.root_type, "Float16_t");
    EXPECT_EQ(d.layout.encoding, Encoding::Float16Bits);
    EXPECT_EQ(d.layout.stored_size, 3u);
    // 1.5f = 0x3FC00000: exponent byte 0x7F, mantissa 0x400000 >> 11 = 0x800; the sign is bit 13.
    const Column c = decode(d.layout, {0x7F, 0x08, 0x00, 0x7F, 0x28, 0x00}, 2);
    ASSERT_EQ(c.type, ColumnType::Float32);
    EXPECT_EQ(c.as<float>()[0], 1.5f);
    EXPECT_EQ(c.as<float>()[1], -1.5f);
}

TEST(TreeDecode, Float16AndDouble32WithRanges) {
    const auto f = layout_of("TLeafF16", "x[0,10,8]");
    EXPECT_EQ(f.layout.encoding, Encoding::Float16Range);
    ASSERT_TRUE(f.info.range);
    EXPECT_EQ(f.info.range->nbits, 8);
    std::vector<std::uint8_t> bytes;
    put32(bytes, 128); // 128 / (2^8 / 10) + 0 = 5
    EXPECT_EQ(decode(f.layout, bytes, 1).as<float>()[0], 5.0f);

    // A fixed dimension first, then the range: [-1, 1] over 16 bits, 3 values per entry.
    const auto d = layout_of("TLeafD32", "x[3][-1,1,16]", 3);
    EXPECT_EQ(d.layout.encoding, Encoding::Double32Range);
    EXPECT_EQ(d.info.dims, std::vector<std::size_t>{3});
    bytes.clear();
    put32(bytes, 49152); // 49152 / (65536 / 2) − 1 = 0.5
    put32(bytes, 0);
    put32(bytes, 65536);
    const Column c = decode(d.layout, bytes, 1);
    EXPECT_EQ(c.width, 3u);
    EXPECT_EQ(c.as<double>()[0], 0.5);
    EXPECT_EQ(c.as<double>()[1], -1.0);
    EXPECT_EQ(c.as<double>()[2], 1.0);
}

TEST(TreeDecode, Double32WithoutRangeIsAFloatAndWithNbitsOnlyATruncatedFloat) {
    const auto plain = layout_of("TLeafD32", "x");
    EXPECT_EQ(plain.layout.encoding, Encoding::Double32Float);
    std::vector<std::uint8_t> bytes;
    put32(bytes, 0x40100000); // 2.25f
    EXPECT_EQ(decode(plain.layout, bytes, 1).as<double>()[0], 2.25);
    // [0, 0, 10]: no range, 10 mantissa bits (GetRange stores nbits in xmin).
    const auto bits = layout_of("TLeafD32", "x[0,0,10]");
    EXPECT_EQ(bits.layout.encoding, Encoding::Double32Bits);
    EXPECT_EQ(bits.layout.nbits, 10);
    // 2.25f = 0x40100000: exponent byte 0x80, mantissa 0x100000 >> 13 = 0x80.
    EXPECT_EQ(decode(bits.layout, {0x80, 0x00, 0x80}, 1).as<double>()[0], 2.25);
}

TEST(TreeDecode, StdVectorEntriesBehindTheirHeader) {
    const auto d = layout_of("TLeafElement", "x", 1, "TBranchElement", "vector<double>");
    ASSERT_TRUE(d.info.readable) << d.info.unreadable_reason;
    EXPECT_EQ(d.info.type_name, "vector<float64>");
    std::vector<std::uint8_t> bytes;
    // entry 0: byte count | kByteCountMask, version 9, 2 elements 1.0 and -2.0; entry 1: empty.
    put32(bytes, 0x40000000u | 22);
    bytes.push_back(0);
    bytes.push_back(9);
    put32(bytes, 2);
    for (const double v : {1.0, -2.0}) {
        std::uint64_t u;
        std::memcpy(&u, &v, 8);
        put32(bytes, static_cast<std::uint32_t>(u >> 32));
        put32(bytes, static_cast<std::uint32_t>(u));
    }
    const auto first = static_cast<std::int32_t>(bytes.size());
    put32(bytes, 0x40000000u | 6);
    bytes.push_back(0);
    bytes.push_back(9);
    put32(bytes, 0);
    const Column c = decode(d.layout, bytes, 2, {0, first, static_cast<std::int32_t>(bytes.size())});
    EXPECT_EQ(c.offsets, (std::vector<std::int64_t>{0, 2, 2}));
    EXPECT_EQ(c.as<double>()[1], -2.0);
    // A count that does not match the entry's bytes.
    bytes[6 + 3] = 200;
    EXPECT_THROW(decode(d.layout, bytes, 2, {0, first, static_cast<std::int32_t>(bytes.size())}),
                 hepkit::InputError);
}

TEST(TreeDecode, LongStringsAndLyingStringLengths) {
    const auto d = layout_of("TLeafC", "s");
    std::vector<std::uint8_t> bytes{255};
    put32(bytes, 300);
    bytes.insert(bytes.end(), 300, 'a');
    const Column c = decode(d.layout, bytes, 1, {0, static_cast<std::int32_t>(bytes.size())});
    EXPECT_EQ(c.as<std::string>()[0], std::string(300, 'a'));
    bytes[4] = 0x2D; // 301 bytes claimed, 300 there
    try {
        (void)decode(d.layout, bytes, 1, {0, static_cast<std::int32_t>(bytes.size())});
        FAIL() << "no error";
    } catch (const hepkit::InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("test.root"), std::string::npos) << m;
        EXPECT_NE(m.find("branch 'x' basket 0"), std::string::npos) << m;
        EXPECT_NE(m.find("a string of 301 bytes"), std::string::npos) << m;
    }
}

TEST(TreeDecode, FixedEntriesWhoseBasketSizeLies) {
    const auto d = layout_of("TLeafI", "x[2]", 2);
    EXPECT_EQ(d.info.type_name, "int32[2]");
    // 3 entries of 8 bytes need 24 bytes; 20 are there.
    EXPECT_THROW(decode(d.layout, std::vector<std::uint8_t>(20, 0), 3), hepkit::InputError);
    // A title whose dimensions disagree with fLen.
    EXPECT_FALSE(layout_of("TLeafI", "x[2]", 3).info.readable);
    // Variable entries whose bytes are not whole elements.
    const auto j = layout_of("TLeafF", "x[n]");
    EXPECT_TRUE(j.info.jagged);
    EXPECT_THROW(decode(j.layout, std::vector<std::uint8_t>(6, 0), 1, {0, 6}), hepkit::InputError);
}

TEST(TreeDecode, SplitObjectMembers) {
    // evt/SliceI16: an Short_t array behind a pointer (kOffsetP + kShort = 42), its length in the
    // member N; each entry is a 1-byte "array present" flag, then the values.
    TreeModel tree;
    BranchModel b;
    b.class_name = "TBranchElement";
    b.name = "evt/SliceI16";
    b.element_class = "Event";
    b.streamer_type = 42;
    LeafModel leaf;
    leaf.class_name = "TLeafElement";
    leaf.name = "SliceI16";
    leaf.title = "SliceI16[N]";
    b.leaves.push_back(leaf);
    tree.branches.push_back(b);
    BranchInfo info;
    const Layout l = make_branch_layout(tree, tree.branches.front(), info);
    ASSERT_TRUE(info.readable) << info.unreadable_reason;
    EXPECT_EQ(info.type_name, "int16[N]");
    const Column c = decode(l, {1, 0x00, 0x07, 0xFF, 0xFE, 0}, 2, {0, 5, 6});
    EXPECT_EQ(c.offsets, (std::vector<std::int64_t>{0, 2, 2}));
    EXPECT_EQ(c.as<std::int16_t>()[0], 7);
    EXPECT_EQ(c.as<std::int16_t>()[1], -2);
    // A fixed array member (kOffsetL + kInt = 23) and a member of an unsupported kind (kSTL = 300).
    tree.branches.front().streamer_type = 23;
    tree.branches.front().leaves.front().title = "ArrayI32[10]";
    BranchInfo fixed;
    make_branch_layout(tree, tree.branches.front(), fixed);
    EXPECT_EQ(fixed.type_name, "int32[10]");
    tree.branches.front().streamer_type = 300;
    BranchInfo stl;
    make_branch_layout(tree, tree.branches.front(), stl);
    EXPECT_FALSE(stl.readable);
    EXPECT_NE(stl.unreadable_reason.find("streamer type 300"), std::string::npos);
}

// A C array x[n] of floats: the basket's big-endian entry offsets decoded as Basket.cpp does
// (entry_offsets_from_be, which also finds their common low bits), then the entries. Sizes that
// are whole floats decode; a size of 6 bytes, or a last entry (ending at the data's end) of 2,
// is an error naming the entry, even when every other offset is a multiple of 4.
TEST(TreeDecode, CArrayEntrySizesCheckedFromTheOffsetsLowBits) {
    Layout l;
    l.type = ColumnType::Float32;
    l.stored_size = 4;
    l.variable = true;
    l.jagged = true;
    const std::int32_t key_len = 10;
    const auto run = [&](const std::vector<std::int32_t>& starts, std::int32_t border) {
        std::vector<std::uint8_t> data(static_cast<std::size_t>(border)), be(4 * starts.size());
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = i % 4 == 0 ? 0x40 : 0; // big-endian 2.0f, 2.0f, ...
        for (std::size_t e = 0; e < starts.size(); ++e) {
            const auto v = static_cast<std::uint32_t>(starts[e] + key_len);
            be[4 * e] = static_cast<std::uint8_t>(v >> 24);
            be[4 * e + 1] = static_cast<std::uint8_t>(v >> 16);
            be[4 * e + 2] = static_cast<std::uint8_t>(v >> 8);
            be[4 * e + 3] = static_cast<std::uint8_t>(v);
        }
        std::vector<std::int32_t> offsets(starts.size() + 1);
        std::uint32_t residues = 0;
        EXPECT_TRUE(
            entry_offsets_from_be(offsets.data(), be.data(), starts.size(), key_len, border, residues));
        offsets.back() = border;
        const std::string file = "test.root", object = "tree 't' branch 'x'";
        Column c = make_column("x", l);
        BasketView v{data, offsets, static_cast<std::int32_t>(starts.size()), residues};
        decode_entries(l, v, 0, v.entries, c, BasketPlace{&file, &object, 0, 100});
        return std::pair(c, residues);
    };
    const auto [ok, residues] = run({0, 8, 8}, 20); // 2, 0 and 3 floats
    EXPECT_EQ(residues & 3u, 0u);
    EXPECT_EQ(ok.offsets, (std::vector<std::int64_t>{0, 2, 2, 5}));
    ASSERT_EQ(ok.size(), 5u);
    EXPECT_EQ(ok.as<float>()[4], 2.0f);
    for (const auto& [starts, border, bad] :
         {std::tuple{std::vector<std::int32_t>{0, 8, 14}, 20, "entry 1 "},
          std::tuple{std::vector<std::int32_t>{0, 8, 16}, 18, "entry 2 "}}) {
        try {
            run(starts, border);
            ADD_FAILURE() << "no error for an entry that is not whole floats";
        } catch (const hepkit::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("not a whole number of elements of 4 bytes"),
                      std::string::npos)
                << e.what();
        }
    }
}
