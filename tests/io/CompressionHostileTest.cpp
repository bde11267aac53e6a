// Hostile compressed records: truncated blocks, sizes that lie, a wrong LZ4 checksum, an unknown
// algorithm, an LZMA stream that asks for gigabytes, corrupt bodies. Each must end in an
// InputError naming the file, the object and the absolute offset of the bad block — never a
// crash, an out-of-bounds access (the sanitizer build checks) or a huge allocation.
#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/Compression.hpp"

#include <gtest/gtest.h>
#include <random>
#include <zlib.h>

using hepkit::InputError;
using hepkit::test::input_error;
namespace io = hepkit::io;
using io::Codec;
using Bytes = std::vector<std::uint8_t>;

namespace {

const io::RecordPlace kHostilePlace{"test.root", "events/px basket 0", 1000};
constexpr std::size_t kN = 100000;

Bytes data(std::size_t n = kN) {
    std::mt19937 rng(11);
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = (i / 32) % 3 == 0 ? static_cast<std::uint8_t>(i >> 5) : static_cast<std::uint8_t>(rng() & 15);
    return b;
}

InputError decompress_error(const Bytes& in, std::size_t out_size) {
    Bytes out(out_size);
    return input_error([&] { io::decompress(in, out, kHostilePlace); });
}

void expect_names(const InputError& e, std::size_t absolute, const std::string& fragment) {
    const std::string what = e.what();
    EXPECT_NE(what.find("test.root"), std::string::npos) << what;
    EXPECT_NE(what.find("events/px basket 0"), std::string::npos) << what;
    EXPECT_NE(what.find("at byte " + std::to_string(absolute)), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
}

void set_le24(Bytes& b, std::size_t at, std::size_t v) {
    for (int i = 0; i < 3; ++i)
        b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::size_t le24_of(const Bytes& b) {
    return b[6] | (b[7] << 8) | (b[8] << 16);
}

constexpr Codec kCodecs[] = {Codec::Zlib, Codec::OldRoot, Codec::Lz4, Codec::Zstd, Codec::Lzma};

} // namespace

TEST(CompressionHostile, TruncatedBlocks) {
    for (Codec c : kCodecs) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes z = io::compress(data(), {c, 1});
        // Cut inside the body: the header's compressed size runs past the record.
        expect_names(decompress_error(Bytes(z.begin(), z.end() - 7), kN), 1000, "runs past the record");
        // Cut inside the header.
        expect_names(decompress_error(Bytes(z.begin(), z.begin() + 5), kN), 1000, "header truncated");
    }
}

TEST(CompressionHostile, SizesThatLie) {
    const Bytes d = data();
    for (Codec c : kCodecs) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes z = io::compress(d, {c, 1});
        // A block claiming more uncompressed bytes than the record has.
        Bytes more = z;
        set_le24(more, 6, kN + 1);
        expect_names(decompress_error(more, kN), 1000, "lying size");
        // A record promising more than its blocks hold: after the last block, nothing is left.
        expect_names(decompress_error(z, kN + 5), 1000 + z.size(), "ends after");
        // A block claiming fewer bytes than it holds: the codec overruns the shorter window.
        Bytes fewer = z;
        set_le24(fewer, 6, kN - 1);
        Bytes two = fewer;
        two.insert(two.end(), z.begin(), z.end());
        expect_names(decompress_error(two, kN - 1 + kN), 1000, "block");
        // A compressed size that stops short of the stream: the codec sees a truncated body.
        Bytes shorter = z;
        set_le24(shorter, 3, (z.size() - io::kBlockHeaderSize) / 2);
        expect_names(decompress_error(shorter, kN), 1000, "");
    }
}

TEST(CompressionHostile, WrongLz4Checksum) {
    Bytes z = io::compress(data(), {Codec::Lz4, 4});
    z[io::kBlockHeaderSize + 3] ^= 0x40;
    expect_names(decompress_error(z, kN), 1000, "checksum mismatch");
    // A flipped body byte changes the checksum too: caught before LZ4 sees the block.
    Bytes body = io::compress(data(), {Codec::Lz4, 1});
    body[body.size() / 2] ^= 1;
    expect_names(decompress_error(body, kN), 1000, "checksum mismatch");
    // A second block's bad checksum names the second block's offset.
    const Bytes first = io::compress(data(), {Codec::Lz4, 1});
    Bytes two = first;
    two.insert(two.end(), z.begin(), z.end());
    expect_names(decompress_error(two, 2 * kN), 1000 + first.size(), "checksum mismatch");
    // An L4 block too short to hold its checksum.
    Bytes tiny = {'L', '4', 1, 4, 0, 0, 10, 0, 0, 1, 2, 3, 4};
    expect_names(decompress_error(tiny, 10), 1000, "shorter than its 8-byte checksum");
}

TEST(CompressionHostile, UnknownAlgorithm) {
    Bytes z = io::compress(data(), {Codec::Zlib, 1});
    z[0] = 'Q', z[1] = 'Q';
    expect_names(decompress_error(z, kN), 1000, "unknown compression algorithm 'QQ'");
    z[0] = 0xbd, z[1] = 0x01;
    expect_names(decompress_error(z, kN), 1000, "'\\xbd\\x01'");
}

TEST(CompressionHostile, CorruptBodiesOfEveryCodec) {
    std::mt19937 rng(5);
    for (Codec c : kCodecs) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes good = io::compress(data(), {c, 1});
        int errors = 0;
        for (int trial = 0; trial < 300; ++trial) {
            Bytes z = good;
            for (int k = 0; k < 1 + trial % 4; ++k) // 1–4 random bytes of the body
                z[io::kBlockHeaderSize + rng() % (z.size() - io::kBlockHeaderSize)] ^=
                    static_cast<std::uint8_t>(1 + rng() % 255);
            Bytes out(kN);
            try {
                io::decompress(z, out, kHostilePlace);
            } catch (const InputError& e) {
                ++errors;
                EXPECT_NE(std::string(e.what()).find("at byte 1000"), std::string::npos) << e.what();
            }
        }
        // Checksummed codecs catch every change (adler32, xxhash64, CRC32); raw deflate and
        // zstd frames without a checksum may decode a changed literal silently.
        if (c == Codec::Zlib || c == Codec::Lz4 || c == Codec::Lzma)
            EXPECT_EQ(errors, 300);
        else
            EXPECT_GT(errors, 0);
    }
}

TEST(CompressionHostile, LzmaDictionaryBeyondTheMemoryLimit) {
    // A real xz stream whose LZMA2 dictionary size (in the block header, CRC32 fixed up) is
    // raised to 2 GiB: decoding must refuse with a memory-limit error instead of allocating it.
    Bytes z = io::compress(data(), {Codec::Lzma, 1});
    const std::size_t block = io::kBlockHeaderSize + 12; // after the 12-byte stream header
    const std::size_t header_size = (static_cast<std::size_t>(z[block]) + 1) * 4;
    std::size_t props = 0;
    for (std::size_t i = block + 2; i + 2 < block + header_size; ++i)
        if (z[i] == 0x21 && z[i + 1] == 0x01) { // filter id LZMA2, one property byte
            props = i + 2;
            break;
        }
    ASSERT_NE(props, 0u);
    z[props] = 38; // LZMA2 dictionary 2 << (38/2 + 11) = 2 GiB
    const uLong crc = crc32(0, z.data() + block, static_cast<uInt>(header_size - 4));
    for (int i = 0; i < 4; ++i)
        z[block + header_size - 4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
    expect_names(decompress_error(z, kN), 1000, "memory");
}

TEST(CompressionHostile, BlocksClaimingMoreThanTheirCodecCanHold) {
    // A 100-byte zlib body cannot hold 16 MiB (deflate expands at most 1032-fold), nor 100 LZ4
    // bytes 1 MiB: refused from the header, before anything is allocated or decoded.
    Bytes z = io::compress(data(), {Codec::Zlib, 1});
    z.resize(io::kBlockHeaderSize + 100);
    set_le24(z, 3, 100);
    set_le24(z, 6, io::kMaxBlockSize);
    expect_names(decompress_error(z, io::kMaxBlockSize), 1000, "expands at most 1032-fold");
    Bytes l = io::compress(data(), {Codec::Lz4, 1});
    l.resize(io::kBlockHeaderSize + 100);
    set_le24(l, 3, 100);
    set_le24(l, 6, 1 << 20);
    expect_names(decompress_error(l, 1 << 20), 1000, "expands at most 255-fold");
    // A ZSTD frame states its content size; a header saying otherwise lies.
    Bytes s = io::compress(data(), {Codec::Zstd, 1});
    set_le24(s, 6, kN + 1);
    expect_names(decompress_error(s, kN + 1), 1000, "ZSTD (ZS) frame holds 100000 bytes");
}

TEST(CompressionHostile, TheGrowingFormAllocatesOnlyWhatDecodes) {
    const Bytes d = data();
    for (Codec c : kCodecs) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes z = io::compress(d, {c, 1});
        EXPECT_EQ(io::decompress(z, d.size(), kHostilePlace), d);
        // A record of 1000 blocks, each claiming the full 16 MiB — 16 GB in all — whose first block
        // is this corrupt body: the chain of headers is consistent, so only decoding finds the lie,
        // after one block's output (at most 16 MiB) was allocated.
        Bytes bomb;
        Bytes first = z;
        first[first.size() - 3] ^= 0x55;
        set_le24(first, 6,
                 std::min<std::size_t>(io::kMaxBlockSize, (c == Codec::Lz4 ? 255 : 1032) * z.size()));
        for (int i = 0; i < 1000; ++i)
            bomb.insert(bomb.end(), first.begin(), first.end());
        const std::size_t claimed = 1000 * le24_of(first);
        const InputError e = input_error([&] { (void)io::decompress(bomb, claimed, kHostilePlace); });
        EXPECT_NE(std::string(e.what()).find("at byte 1000"), std::string::npos) << e.what();
    }
}
