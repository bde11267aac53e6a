#include "hepkit/io/Compression.hpp"

#include "hepkit/core/Error.hpp"

#include <cstring>
#include <stdexcept>
#include <zlib.h>

// First cut: zlib only (the codec helper adds LZMA, LZ4 with xxhash64, ZSTD, the old algorithm
// and compression).

namespace hepkit::io {

namespace {
constexpr std::size_t kHeader = 9;

[[noreturn]] void bad(const RecordPlace& p, std::size_t at, const std::string& m) {
    throw InputError(std::string(p.file), 0,
                     std::string(p.object) + " at byte " + std::to_string(p.offset + at), m);
}

std::size_t le24(const std::uint8_t* b) {
    return b[0] | (b[1] << 8) | (b[2] << 16);
}

void inflate_block(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& p,
                   std::size_t at) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK)
        bad(p, at, "zlib: inflateInit failed");
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const auto produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != out.size())
        bad(p, at,
            "zlib block does not decompress to its " + std::to_string(out.size()) + " bytes (zlib code " +
                std::to_string(rc) + ")");
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
    if (in.size() == out_size || in.size() < 2)
        return Codec::None;
    const char a = static_cast<char>(in[0]), b = static_cast<char>(in[1]);
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

void decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& place) {
    if (in.size() == out.size()) {
        std::memcpy(out.data(), in.data(), in.size());
        return;
    }
    std::size_t ip = 0, op = 0;
    while (op < out.size()) {
        if (in.size() - ip < kHeader)
            bad(place, ip, "compressed block header truncated");
        const std::uint8_t* h = in.data() + ip;
        const std::size_t csize = le24(h + 3), usize = le24(h + 6);
        if (csize > in.size() - ip - kHeader)
            bad(place, ip, "compressed block runs past the record");
        if (usize > out.size() - op)
            bad(place, ip, "blocks decompress to more than the record's length");
        const auto body = in.subspan(ip + kHeader, csize);
        const auto dst = out.subspan(op, usize);
        if (h[0] == 'Z' && h[1] == 'L')
            inflate_block(body, dst, place, ip);
        else
            bad(place, ip,
                "unknown compression algorithm '" + std::string(reinterpret_cast<const char*>(h), 2) + "'");
        ip += kHeader + csize;
        op += usize;
    }
}

CompressionSetting CompressionSetting::from_root(int fcompress) {
    if (fcompress < 0)
        throw std::invalid_argument("negative compression setting");
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
        throw std::invalid_argument("compression algorithm " + std::to_string(algo) + " unknown");
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

std::vector<std::uint8_t> compress(std::span<const std::uint8_t> in, CompressionSetting) {
    return {in.begin(), in.end()};
}

} // namespace hepkit::io
