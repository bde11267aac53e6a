// Hostile trees: baskets whose sizes lie, truncated compressed baskets, entry offsets that run
// backwards, and random corruption of the tree record. Each must end in an InputError naming the
// file, the branch and the basket — never a crash, a hang or a huge allocation.
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

using hepkit::io::RootFile;
using hepkit::io::Tree;

namespace {

std::vector<std::uint8_t> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const auto p =
        std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-tree-" + name);
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p.string();
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           b[at + 3];
}
void put_be32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// The key of the first basket of `branch`: its class name "TBasket" follows 26 bytes of key
// fields (34 with 64-bit seeks, key version > 1000); the key's own seek confirms the match.
std::size_t first_basket_key(const std::vector<std::uint8_t>& b, const std::string& branch) {
    const std::string tag = std::string("\x07TBasket") + static_cast<char>(branch.size()) + branch;
    for (std::size_t at = 34; at + tag.size() < b.size(); ++at) {
        if (std::memcmp(b.data() + at, tag.data(), tag.size()) != 0)
            continue;
        for (const std::size_t fields : {26u, 34u}) {
            const std::size_t key = at - fields;
            const std::size_t version = (std::size_t{b[key + 4]} << 8) | b[key + 5];
            const std::uint64_t seek = fields == 26
                                           ? be32(b, key + 18)
                                           : (std::uint64_t{be32(b, key + 18)} << 32) | be32(b, key + 22);
            if ((version > 1000) == (fields == 34) && seek == key)
                return key;
        }
    }
    ADD_FAILURE() << "no basket of " << branch;
    return 0;
}

// Reads every readable branch; returns the InputError's message ("" when all reads succeed).
std::string read_all(const std::string& path, const std::string& tree) {
    try {
        const RootFile f(path);
        const Tree t(f, tree);
        for (const auto& b : t.branches())
            if (b.readable)
                (void)t.read(b.name, 0, t.entries());
    } catch (const hepkit::InputError& e) {
        return e.what();
    }
    return "";
}

void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
    EXPECT_FALSE(message.empty()) << "no error";
    for (const auto& p : parts)
        EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' not in: " << message;
}

} // namespace

TEST(TreeHostile, BasketSizeThatLies) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ-uncompressed.root");
    auto bytes = slurp(hepkit::test::root_file("uproot-HZZ-uncompressed.root"));
    const std::size_t key = first_basket_key(bytes, "Jet_Px");
    put_be32(bytes, key, be32(bytes, key) + 1000); // fNbytes no longer equals the branch's fBasketBytes
    const auto path = write_temp("lying-size.root", bytes);
    expect_mentions(read_all(path, "events"), {path, "branch 'Jet_Px' basket 0",
                                               "at byte " + std::to_string(key), "the branch's table says"});
    std::filesystem::remove(path);
}

TEST(TreeHostile, BasketEntryCountThatLies) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ-uncompressed.root");
    auto bytes = slurp(hepkit::test::root_file("uproot-HZZ-uncompressed.root"));
    const std::size_t key = first_basket_key(bytes, "MET_px");
    const std::size_t key_len = (std::size_t{bytes[key + 14]} << 8) | bytes[key + 15];
    // fNevBuf sits 19 − 2 − 4 − 4 = 9 bytes before the end of the key header.
    put_be32(bytes, key + key_len - 9, 1u << 30);
    const auto path = write_temp("lying-entries.root", bytes);
    expect_mentions(read_all(path, "events"), {path, "branch 'MET_px' basket 0", "1073741824 entries"});
    std::filesystem::remove(path);
}

TEST(TreeHostile, TruncatedCompressedBasket) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    auto bytes = slurp(hepkit::test::root_file("uproot-HZZ.root"));
    const std::size_t key = first_basket_key(bytes, "Jet_Px");
    const std::size_t key_len = (std::size_t{bytes[key + 14]} << 8) | bytes[key + 15];
    const std::size_t block = key + key_len;
    ASSERT_EQ(bytes[block], 'Z');
    ASSERT_EQ(bytes[block + 1], 'L');
    // The block's compressed size (3 bytes, little-endian) halved: the deflate stream ends early.
    const std::size_t csize = bytes[block + 3] | (bytes[block + 4] << 8) | (bytes[block + 5] << 16);
    const std::size_t half = csize / 2;
    bytes[block + 3] = static_cast<std::uint8_t>(half);
    bytes[block + 4] = static_cast<std::uint8_t>(half >> 8);
    bytes[block + 5] = static_cast<std::uint8_t>(half >> 16);
    const auto path = write_temp("truncated-basket.root", bytes);
    expect_mentions(read_all(path, "events"), {path, "branch 'Jet_Px' basket 0"});
    std::filesystem::remove(path);
}

TEST(TreeHostile, EntryOffsetsThatRunBackwards) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ-uncompressed.root");
    auto bytes = slurp(hepkit::test::root_file("uproot-HZZ-uncompressed.root"));
    const std::size_t key = first_basket_key(bytes, "Muon_Px");
    const std::size_t key_len = (std::size_t{bytes[key + 14]} << 8) | bytes[key + 15];
    const std::uint32_t last = be32(bytes, key + key_len - 5);
    // The offsets table after the data: a count, then one offset per entry; entry 5 made huge.
    const std::size_t table = key + last;
    ASSERT_GT(be32(bytes, table), 5u);
    put_be32(bytes, table + 4 + 4 * 5, 0x7fff0000u);
    const auto path = write_temp("offsets.root", bytes);
    expect_mentions(read_all(path, "events"),
                    {path, "branch 'Muon_Px' basket 0", "entry 5", "must increase"});
    std::filesystem::remove(path);
}

TEST(TreeHostile, RandomCorruptionOfTheTreeRecordEndsInInputErrors) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-sample-6.16.00-zlib.root");
    // An uncompressed tree record: corrupted bytes reach the streamers directly.
    const auto original = slurp(hepkit::test::root_file("uproot-HZZ-uncompressed.root"));
    const RootFile f(hepkit::test::root_file("uproot-HZZ-uncompressed.root"));
    const auto key = f.key("events");
    std::mt19937_64 rng(20261202);
    std::uniform_int_distribution<std::size_t> where(static_cast<std::size_t>(key.seek_key + key.key_len),
                                                     static_cast<std::size_t>(key.seek_key + key.nbytes - 1));
    std::size_t errors = 0;
    for (int trial = 0; trial < 300; ++trial) {
        auto bytes = original;
        for (int k = 0; k < 3; ++k)
            bytes[where(rng)] = static_cast<std::uint8_t>(rng());
        const auto path = write_temp("fuzz.root", bytes);
        try {
            const RootFile g(path);
            const Tree t(g, "events");
            for (const auto& b : t.branches())
                if (b.readable && b.entries == t.entries())
                    (void)t.read(b.name, 0, std::min<std::int64_t>(t.entries(), 3000));
        } catch (const hepkit::InputError&) {
            ++errors; // UsageError included: a corrupted entry count can make the range invalid
        }
    }
    EXPECT_GT(errors, 0u);
}
