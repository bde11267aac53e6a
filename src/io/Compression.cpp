// Decompression of ROOT records: the 9-byte block framing and one decoder per algorithm, each on
// the Debian library that is fastest for it (libdeflate for ZL/CS, liblz4 + libxxhash for L4,
// libzstd for ZS, liblzma for XZ). Compression (compress) lives in CompressionWrite.cpp.
#include "hepkit/io/Compression.hpp"

#include "CodecContexts.hpp"
#include "hepkit/core/Error.hpp"

#include <cstring>
#include <fmt/format.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lzma.h>
#include <stdexcept>
#include <xxhash.h>
#include <zstd.h>

namespace hepkit::io {

namespace {

// The LZMA decoder's memory limit. xz -9 (ROOT level 9) needs about 65 MiB to decode; a block
// whose header asks for more is hostile or corrupt, and must not make us allocate it.
constexpr std::uint64_t kLzmaMemLimit = std::uint64_t{128} << 20;

[[noreturn]] void bad(const RecordPlace& p, std::size_t at, const std::string& message) {
    std::string where(p.object);
    where.append(" at byte ").append(std::to_string(p.offset + at));
    throw InputError(std::string(p.file), 0, where, message);
}

std::size_t le24(const std::uint8_t* b) {
    return static_cast<std::size_t>(b[0]) | (static_cast<std::size_t>(b[1]) << 8) |
           (static_cast<std::size_t>(b[2]) << 16);
}

std::string short_by(const char* codec, std::size_t want) {
    return fmt::format("{} block does not decompress to the {} bytes its header promises", codec, want);
}

// ZL: a zlib stream (2-byte header, deflate, adler32). libdeflate decodes it in one call into the
// exactly-sized output (the ROOT header gives the size), verifying the adler32.
void zlib_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
                std::size_t at) {
    const auto rc = libdeflate_zlib_decompress(detail::deflate_decompressor(), in.data(), in.size(),
                                               out.data(), out.size(), nullptr);
    if (rc == LIBDEFLATE_SUCCESS)
        return;
    bad(p, at,
        rc == LIBDEFLATE_SHORT_OUTPUT || rc == LIBDEFLATE_INSUFFICIENT_SPACE
            ? short_by("zlib (ZL)", out.size())
            : fmt::format("zlib (ZL) block of {} bytes is corrupt (bad deflate data or adler32)", in.size()));
}

// CS: ROOT's "old" algorithm (R__zipOld/R__Inflate, from gzip 1.2.4's deflate.c and Mark Adler's
// inflate.c): a raw deflate stream, without the zlib header and checksum (docs/root-io.md).
void old_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
               std::size_t at) {
    const auto rc = libdeflate_deflate_decompress(detail::deflate_decompressor(), in.data(), in.size(),
                                                  out.data(), out.size(), nullptr);
    if (rc == LIBDEFLATE_SUCCESS)
        return;
    bad(p, at,
        rc == LIBDEFLATE_SHORT_OUTPUT || rc == LIBDEFLATE_INSUFFICIENT_SPACE
            ? short_by("old ROOT (CS)", out.size())
            : fmt::format("old ROOT (CS) block of {} bytes is not valid raw deflate", in.size()));
}

// L4: an 8-byte big-endian xxhash64 (seed 0) of the compressed bytes, then an LZ4 block.
void lz4_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
               std::size_t at) {
    constexpr std::size_t kChecksum = 8;
    if (in.size() < kChecksum)
        bad(p, at, fmt::format("LZ4 (L4) block of {} bytes is shorter than its 8-byte checksum", in.size()));
    std::uint64_t stored = 0;
    for (std::size_t i = 0; i < kChecksum; ++i)
        stored = (stored << 8) | in[i];
    const auto body = in.subspan(kChecksum);
    const std::uint64_t computed = XXH64(body.data(), body.size(), 0);
    if (stored != computed)
        bad(p, at,
            fmt::format(
                "LZ4 (L4) block checksum mismatch: the file says xxhash64 {:#018x}, its {} compressed "
                "bytes give {:#018x} (corrupt data)",
                stored, body.size(), computed));
    if (body.size() > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE))
        bad(p, at, "LZ4 (L4) block too large");
    const int n =
        LZ4_decompress_safe(reinterpret_cast<const char*>(body.data()), reinterpret_cast<char*>(out.data()),
                            static_cast<int>(body.size()), static_cast<int>(out.size()));
    if (n < 0)
        bad(p, at,
            fmt::format("LZ4 (L4) block of {} bytes is corrupt (lz4 error at input byte {})", body.size(),
                        -n));
    if (static_cast<std::size_t>(n) != out.size())
        bad(p, at, short_by("LZ4 (L4)", out.size()) + fmt::format(" (it gives {})", n));
}

// ZS: one zstd frame.
void zstd_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
                std::size_t at) {
    const std::size_t n =
        ZSTD_decompressDCtx(detail::zstd_dctx(), out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n))
        bad(p, at,
            fmt::format("ZSTD (ZS) block of {} bytes is corrupt or decompresses to more than {} bytes ({})",
                        in.size(), out.size(), ZSTD_getErrorName(n)));
    if (n != out.size())
        bad(p, at, short_by("ZSTD (ZS)", out.size()) + fmt::format(" (it gives {})", n));
}

// XZ: a whole .xz stream (ROOT writes it with lzma_easy_encoder and a CRC32 check), decoded with a
// memory limit so that a forged dictionary size cannot make liblzma allocate gigabytes.
void lzma_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
                std::size_t at) {
    std::uint64_t memlimit = kLzmaMemLimit;
    std::size_t in_pos = 0, out_pos = 0;
    const lzma_ret rc = lzma_stream_buffer_decode(&memlimit, 0, nullptr, in.data(), &in_pos, in.size(),
                                                  out.data(), &out_pos, out.size());
    if (rc == LZMA_OK && out_pos == out.size())
        return;
    if (rc == LZMA_MEMLIMIT_ERROR)
        bad(p, at,
            fmt::format("LZMA (XZ) block needs {} bytes of memory to decode, more than the {} allowed",
                        memlimit, kLzmaMemLimit));
    if (rc == LZMA_BUF_ERROR && out_pos == out.size())
        bad(p, at,
            fmt::format("LZMA (XZ) block decompresses to more than the {} bytes its header promises",
                        out.size()));
    if (rc == LZMA_OK)
        bad(p, at, short_by("LZMA (XZ)", out.size()) + fmt::format(" (it gives {})", out_pos));
    bad(p, at,
        fmt::format("LZMA (XZ) block of {} bytes is corrupt or truncated (liblzma code {}, at input byte {})",
                    in.size(), static_cast<int>(rc), in_pos));
}

Codec codec_of(const std::uint8_t* h) {
    const char a = static_cast<char>(h[0]), b = static_cast<char>(h[1]);
    if (a == 'Z' && b == 'L')
        return Codec::Zlib;
    if (a == 'X' && b == 'Z')
        return Codec::Lzma;
    if (a == 'C' && b == 'S')
        return Codec::OldRoot;
    if (a == 'L' && b == '4')
        return Codec::Lz4;
    if (a == 'Z' && b == 'S')
        return Codec::Zstd;
    return Codec::None;
}

std::string printable_tag(const std::uint8_t* h) {
    std::string s;
    for (int i = 0; i < 2; ++i) {
        if (h[i] >= 0x20 && h[i] < 0x7f)
            s += static_cast<char>(h[i]);
        else
            s += fmt::format("\\x{:02x}", h[i]);
    }
    return s;
}

} // namespace

std::string_view codec_name(Codec codec) {
    switch (codec) {
    case Codec::None:
        return "none";
    case Codec::Zlib:
        return "zlib";
    case Codec::Lzma:
        return "lzma";
    case Codec::OldRoot:
        return "old";
    case Codec::Lz4:
        return "lz4";
    case Codec::Zstd:
        return "zstd";
    }
    return "?";
}

Codec record_codec(std::span<const std::uint8_t> in, std::size_t out_size) {
    if (in.size() == out_size || in.size() < kBlockHeaderSize)
        return Codec::None;
    return codec_of(in.data());
}

void decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& place) {
    if (in.size() == out.size()) {
        if (!in.empty())
            std::memcpy(out.data(), in.data(), in.size());
        return;
    }
    // Blocks follow each other until the output is full. Every header's sizes are checked against
    // what is left of the input and the output before a decoder sees them; each block advances
    // the input by at least its 9-byte header, so a loop over zero-length blocks ends too. Bytes
    // after the last block are ignored, as ROOT does (R__unzip stops at the object length).
    std::size_t ip = 0, op = 0;
    while (op < out.size()) {
        if (in.size() - ip < kBlockHeaderSize)
            bad(place, ip,
                ip == in.size()
                    ? fmt::format(
                          "compressed record ends after {} of its {} uncompressed bytes (truncated or "
                          "lying sizes)",
                          op, out.size())
                    : fmt::format("compressed block header truncated: {} bytes left, a header has {}",
                                  in.size() - ip, kBlockHeaderSize));
        const std::uint8_t* h = in.data() + ip;
        const std::size_t csize = le24(h + 3), usize = le24(h + 6);
        const Codec codec = codec_of(h);
        if (codec == Codec::None)
            bad(place, ip,
                fmt::format("unknown compression algorithm '{}' (ROOT writes ZL, CS, XZ, L4, ZS)",
                            printable_tag(h)));
        if (csize > in.size() - ip - kBlockHeaderSize)
            bad(place, ip,
                fmt::format(
                    "{} block of {} compressed bytes runs past the record ({} bytes left; truncated or "
                    "lying size)",
                    codec_name(codec), csize, in.size() - ip - kBlockHeaderSize));
        if (usize > out.size() - op)
            bad(place, ip,
                fmt::format(
                    "{} block says it holds {} bytes, only {} of the record's {} are left (lying size)",
                    codec_name(codec), usize, out.size() - op, out.size()));
        const auto body = in.subspan(ip + kBlockHeaderSize, csize);
        const auto dst = out.subspan(op, usize);
        switch (codec) {
        case Codec::Zlib:
            zlib_block(body, dst, place, ip);
            break;
        case Codec::OldRoot:
            old_block(body, dst, place, ip);
            break;
        case Codec::Lz4:
            lz4_block(body, dst, place, ip);
            break;
        case Codec::Zstd:
            zstd_block(body, dst, place, ip);
            break;
        case Codec::Lzma:
            lzma_block(body, dst, place, ip);
            break;
        case Codec::None:
            break;
        }
        ip += kBlockHeaderSize + csize;
        op += usize;
    }
}

CompressionSetting CompressionSetting::from_root(int fcompress) {
    if (fcompress < 0)
        throw std::invalid_argument("negative compression setting " + std::to_string(fcompress));
    const int algo = fcompress / 100, level = fcompress % 100;
    if (level == 0)
        return {Codec::None, 0};
    switch (algo) {
    case 0:
    case 1:
        return {Codec::Zlib, level};
    case 2:
        return {Codec::Lzma, level};
    case 3:
        return {Codec::OldRoot, level};
    case 4:
        return {Codec::Lz4, level};
    case 5:
        return {Codec::Zstd, level};
    default:
        throw std::invalid_argument("compression algorithm " + std::to_string(algo) +
                                    " unknown (ROOT has 1 zlib, 2 lzma, 3 old, 4 lz4, 5 zstd)");
    }
}

int CompressionSetting::to_root() const {
    const int algo = codec == Codec::None      ? 0
                     : codec == Codec::Zlib    ? 1
                     : codec == Codec::Lzma    ? 2
                     : codec == Codec::OldRoot ? 3
                     : codec == Codec::Lz4     ? 4
                                               : 5;
    return codec == Codec::None ? 0 : 100 * algo + level;
}

} // namespace hepkit::io
