// ROOT's compression framing: round trips through compress/decompress per codec and level,
// blocks built by hand with the codec libraries called directly (an encoder independent of
// hepkit's, framed as ROOT's RZip/ZipLZ4/ZipZSTD/R__LZMA write them), multi-block records, and
// hostile records (truncated, lying sizes, wrong LZ4 checksum, unknown algorithm, corrupt bodies)
// that must end in an InputError naming the offset of the bad block.
#include "hepkit/io/Compression.hpp"

#include <gtest/gtest.h>
#include <lz4.h>
#include <lzma.h>
#include <random>
#include <stdexcept>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

namespace io = hepkit::io;
using io::Codec;
using Bytes = std::vector<std::uint8_t>;

namespace {

const io::RecordPlace kPlace{"test.root", "events/px basket 0", 1000};

// Numbers with structure (compress well, but not trivially) and pure noise (does not compress).
Bytes compressible(std::size_t n, std::uint32_t seed = 1) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = (i / 64) % 2 == 0 ? static_cast<std::uint8_t>(i / 256) : static_cast<std::uint8_t>(rng() & 7);
    return b;
}
Bytes noise(std::size_t n, std::uint32_t seed = 2) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (auto& x : b)
        x = static_cast<std::uint8_t>(rng());
    return b;
}

Bytes roundtrip(const Bytes& in, io::CompressionSetting s) {
    const Bytes z = io::compress(in, s);
    Bytes out(in.size());
    io::decompress(z, out, kPlace);
    return out;
}

std::size_t le24(const std::uint8_t* b) {
    return b[0] | (b[1] << 8) | (b[2] << 16);
}

// A ROOT block header in front of `body`.
Bytes framed(const char* tag, std::uint8_t method, const Bytes& body, std::size_t usize) {
    Bytes r = {static_cast<std::uint8_t>(tag[0]), static_cast<std::uint8_t>(tag[1]), method};
    for (int i = 0; i < 3; ++i)
        r.push_back(static_cast<std::uint8_t>(body.size() >> (8 * i)));
    for (int i = 0; i < 3; ++i)
        r.push_back(static_cast<std::uint8_t>(usize >> (8 * i)));
    r.insert(r.end(), body.begin(), body.end());
    return r;
}

// Independent encoders: the codec libraries called directly (zlib, not libdeflate, for ZL and CS).
Bytes zlib_block(const Bytes& in, bool raw_deflate) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, raw_deflate ? -15 : 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    Bytes out(deflateBound(&z, in.size()));
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return framed(raw_deflate ? "CS" : "ZL", 8, out, in.size());
}
Bytes lz4_block(const Bytes& in) {
    Bytes body(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
    const int n =
        LZ4_compress_default(reinterpret_cast<const char*>(in.data()), reinterpret_cast<char*>(body.data()),
                             static_cast<int>(in.size()), static_cast<int>(body.size()));
    body.resize(static_cast<std::size_t>(n));
    XXH64_canonical_t sum;
    XXH64_canonicalFromHash(&sum, XXH64(body.data(), body.size(), 0));
    body.insert(body.begin(), sum.digest, sum.digest + 8);
    return framed("L4", 1, body, in.size());
}
Bytes zstd_block(const Bytes& in) {
    Bytes body(ZSTD_compressBound(in.size()));
    body.resize(ZSTD_compress(body.data(), body.size(), in.data(), in.size(), 3));
    return framed("ZS", 1, body, in.size());
}
Bytes xz_block(const Bytes& in) {
    Bytes body(lzma_stream_buffer_bound(in.size()));
    std::size_t pos = 0;
    EXPECT_EQ(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, nullptr, in.data(), in.size(), body.data(), &pos,
                                      body.size()),
              LZMA_OK);
    body.resize(pos);
    return framed("XZ", 0, body, in.size());
}

} // namespace

TEST(Compression, RoundTripsEveryCodecAndLevel) {
    const Bytes data = compressible(300000);
    for (Codec c : {Codec::Zlib, Codec::OldRoot, Codec::Lz4, Codec::Zstd, Codec::Lzma})
        for (int level : {1, 3, 4, 6, 9}) {
            SCOPED_TRACE(std::string(io::codec_name(c)) + " level " + std::to_string(level));
            const Bytes z = io::compress(data, {c, level});
            EXPECT_LT(z.size(), data.size() / 2);
            EXPECT_EQ(io::record_codec(z, data.size()), c);
            EXPECT_EQ(le24(z.data() + 3) + io::kBlockHeaderSize, z.size()); // one block
            EXPECT_EQ(le24(z.data() + 6), data.size());
            EXPECT_EQ(roundtrip(data, {c, level}), data);
        }
}

TEST(Compression, HigherLevelsCompressMoreAsRootLevelsThem) {
    const Bytes data = compressible(1 << 20);
    // LZ4: below 4 the fast compressor, from 4 on LZ4-HC (ROOT's ZipLZ4); HC finds longer matches.
    EXPECT_LT(io::compress(data, {Codec::Lz4, 9}).size(), io::compress(data, {Codec::Lz4, 1}).size());
    EXPECT_EQ(io::compress(data, {Codec::Lz4, 1}), io::compress(data, {Codec::Lz4, 3}));
    EXPECT_LE(io::compress(data, {Codec::Zlib, 9}).size(), io::compress(data, {Codec::Zlib, 1}).size());
    // Levels above 9 count as 9.
    EXPECT_EQ(io::compress(data, {Codec::Zlib, 42}), io::compress(data, {Codec::Zlib, 9}));
}

TEST(Compression, StoresRawWhatDoesNotShrink) {
    for (Codec c : {Codec::Zlib, Codec::OldRoot, Codec::Lz4, Codec::Zstd, Codec::Lzma}) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes random = noise(100000);
        EXPECT_EQ(io::compress(random, {c, 5}), random);
        EXPECT_EQ(roundtrip(random, {c, 5}), random);
        EXPECT_TRUE(io::compress(Bytes{}, {c, 5}).empty());
        EXPECT_EQ(roundtrip(Bytes{}, {c, 5}), Bytes{});
        const Bytes tiny(10, 0); // shorter than a header + 2 bytes: ROOT does not try
        EXPECT_EQ(io::compress(tiny, {c, 5}), tiny);
        EXPECT_EQ(io::record_codec(tiny, tiny.size()), Codec::None);
    }
    const Bytes data = compressible(5000);
    EXPECT_EQ(io::compress(data, {Codec::None, 0}), data);
    EXPECT_EQ(io::compress(data, {Codec::Zlib, 0}), data);
}

TEST(Compression, OneFullBlockAndMultiBlockRecords) {
    // Exactly 2^24 − 1 bytes: the largest single block.
    const Bytes full = compressible(io::kMaxBlockSize, 3);
    for (Codec c : {Codec::Zlib, Codec::Lz4, Codec::Zstd}) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes z = io::compress(full, {c, 1});
        EXPECT_EQ(le24(z.data() + 3) + io::kBlockHeaderSize, z.size());
        EXPECT_EQ(le24(z.data() + 6), io::kMaxBlockSize);
        Bytes out(full.size());
        io::decompress(z, out, kPlace);
        EXPECT_EQ(out, full);
    }
    // 40 MiB: three blocks of 2^24 − 1, 2^24 − 1 and the rest, each with its own header.
    const Bytes big = compressible(40u << 20, 4);
    for (Codec c : {Codec::Zlib, Codec::Lz4, Codec::Zstd}) {
        SCOPED_TRACE(io::codec_name(c));
        const Bytes z = io::compress(big, {c, 1});
        std::size_t pos = 0, blocks = 0, total = 0;
        while (pos < z.size()) {
            EXPECT_EQ(io::record_codec(std::span(z).subspan(pos), 0), c);
            total += le24(z.data() + pos + 6);
            pos += io::kBlockHeaderSize + le24(z.data() + pos + 3);
            ++blocks;
        }
        EXPECT_EQ(blocks, 3u);
        EXPECT_EQ(total, big.size());
        EXPECT_EQ(le24(z.data() + 6), io::kMaxBlockSize);
        Bytes out(big.size());
        io::decompress(z, out, kPlace);
        EXPECT_EQ(out, big);
    }
}

TEST(Compression, DecodesBlocksMadeByTheCodecLibrariesDirectly) {
    const Bytes data = compressible(200000, 5);
    for (const Bytes& block : {zlib_block(data, false), zlib_block(data, true), lz4_block(data),
                               zstd_block(data), xz_block(data)}) {
        SCOPED_TRACE(std::string(reinterpret_cast<const char*>(block.data()), 2));
        Bytes out(data.size());
        io::decompress(block, out, kPlace);
        EXPECT_EQ(out, data);
    }
    EXPECT_EQ(io::record_codec(zlib_block(data, true), data.size()), Codec::OldRoot);
    // Records of mixed blocks (ROOT never writes them, but each block stands alone) and trailing
    // bytes after the last block (ignored, as ROOT's R__unzip loop does).
    const Bytes a = compressible(70000, 6), b = compressible(50000, 7);
    Bytes mixed = lz4_block(a);
    const Bytes second = xz_block(b);
    mixed.insert(mixed.end(), second.begin(), second.end());
    mixed.push_back(0xEE);
    Bytes out(a.size() + b.size());
    io::decompress(mixed, out, kPlace);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), out.begin()));
    EXPECT_TRUE(std::equal(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(a.size())));
}

TEST(Compression, RootSettingsConvert) {
    EXPECT_EQ(io::CompressionSetting::from_root(0).codec, Codec::None);
    EXPECT_EQ(io::CompressionSetting::from_root(1).codec, Codec::Zlib); // ROOT < 6.30's default
    EXPECT_EQ(io::CompressionSetting::from_root(101).level, 1);
    EXPECT_EQ(io::CompressionSetting::from_root(207).codec, Codec::Lzma);
    EXPECT_EQ(io::CompressionSetting::from_root(301).codec, Codec::OldRoot);
    EXPECT_EQ(io::CompressionSetting::from_root(404).codec, Codec::Lz4);
    EXPECT_EQ(io::CompressionSetting::from_root(404).level, 4);
    EXPECT_EQ(io::CompressionSetting::from_root(505).codec, Codec::Zstd);
    EXPECT_EQ(io::CompressionSetting::from_root(500).codec, Codec::None);
    for (int s : {101, 209, 301, 404, 505})
        EXPECT_EQ(io::CompressionSetting::from_root(s).to_root(), s);
    EXPECT_THROW(io::CompressionSetting::from_root(-1), std::invalid_argument);
    EXPECT_THROW(io::CompressionSetting::from_root(601), std::invalid_argument);
}
