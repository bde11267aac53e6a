// Compression of ROOT records (hepkit::io::compress): the input is cut into blocks of at most
// kMaxBlockSize bytes, each compressed on its own behind a 9-byte header, as ROOT's
// R__zipMultipleAlgorithm does. The output buffer is never larger than the input: a block that
// does not fit in what is left means compression does not pay, and the record is stored raw.
#include "hepkit/io/Compression.hpp"

#include "CodecContexts.hpp"

#include <algorithm>
#include <array>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <xxhash.h>
#include <zstd.h>

namespace hepkit::io {

namespace {

// ROOT writes nothing shorter than header + 2 bytes compressed (R__zipMultipleAlgorithm).
constexpr std::size_t kMinCompressible = 1 + kBlockHeaderSize + 1;
constexpr std::size_t kLz4Checksum = 8;

// One libdeflate compressor per level and thread: allocating one costs up to a megabyte of tables.
libdeflate_compressor* deflate_compressor(int level) {
    struct Table {
        std::array<libdeflate_compressor*, 13> by_level{};
        Table() = default;
        Table(const Table&) = delete;
        Table& operator=(const Table&) = delete;
        ~Table() {
            for (auto* c : by_level)
                if (c != nullptr)
                    libdeflate_free_compressor(c);
        }
    };
    thread_local Table t;
    auto*& c = t.by_level[static_cast<std::size_t>(level)];
    if (c == nullptr)
        c = libdeflate_alloc_compressor(level);
    if (c == nullptr)
        throw std::bad_alloc();
    return c;
}

// Compresses one block's input into `dst` (after the header); returns the compressed length, or
// 0 when it does not fit in dst.size() bytes.
std::size_t compress_body(Codec codec, int level, std::span<const std::uint8_t> src,
                          std::span<std::uint8_t> dst) {
    switch (codec) {
    case Codec::Zlib:
        return libdeflate_zlib_compress(deflate_compressor(level), src.data(), src.size(), dst.data(),
                                        dst.size());
    case Codec::OldRoot:
        return libdeflate_deflate_compress(deflate_compressor(level), src.data(), src.size(), dst.data(),
                                           dst.size());
    case Codec::Lz4: {
        if (dst.size() <= kLz4Checksum)
            return 0;
        const auto body = dst.subspan(kLz4Checksum);
        const auto* s = reinterpret_cast<const char*>(src.data());
        auto* d = reinterpret_cast<char*>(body.data());
        const int cap = static_cast<int>(std::min<std::size_t>(body.size(), LZ4_MAX_INPUT_SIZE));
        const int n = level >= 4 ? LZ4_compress_HC(s, d, static_cast<int>(src.size()), cap, level)
                                 : LZ4_compress_default(s, d, static_cast<int>(src.size()), cap);
        if (n <= 0)
            return 0;
        std::uint64_t sum = XXH64(body.data(), static_cast<std::size_t>(n), 0);
        for (int i = 7; i >= 0; --i, sum >>= 8)
            dst[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum & 0xff);
        return kLz4Checksum + static_cast<std::size_t>(n);
    }
    case Codec::Zstd: {
        const int zlevel = std::min(2 * level, ZSTD_maxCLevel());
        const std::size_t n =
            ZSTD_compressCCtx(detail::zstd_cctx(), dst.data(), dst.size(), src.data(), src.size(), zlevel);
        return ZSTD_isError(n) ? 0 : n;
    }
    case Codec::Lzma: {
        // As ROOT's R__zipLZMA: the streaming encoder (lzma_easy_encoder, CRC32 check) run to
        // LZMA_FINISH. Its block header carries no sizes; lzma_easy_buffer_encode's does, and
        // jsroot's xz decoder rejects those ("corrupted input"). Output too small: not compressed.
        lzma_stream stream = LZMA_STREAM_INIT;
        lzma_ret rc = lzma_easy_encoder(&stream, static_cast<std::uint32_t>(level), LZMA_CHECK_CRC32);
        if (rc == LZMA_MEM_ERROR)
            throw std::bad_alloc();
        if (rc != LZMA_OK)
            return 0;
        stream.next_in = src.data();
        stream.avail_in = src.size();
        stream.next_out = dst.data();
        stream.avail_out = dst.size();
        rc = lzma_code(&stream, LZMA_FINISH);
        const std::size_t n = dst.size() - stream.avail_out;
        lzma_end(&stream);
        if (rc == LZMA_MEM_ERROR)
            throw std::bad_alloc();
        return rc == LZMA_STREAM_END ? n : 0;
    }
    case Codec::None:
        break;
    }
    return 0;
}

void write_header(std::uint8_t* h, Codec codec, std::size_t csize, std::size_t usize) {
    switch (codec) {
    case Codec::Zlib:
        h[0] = 'Z', h[1] = 'L', h[2] = 8; // Z_DEFLATED
        break;
    case Codec::OldRoot:
        h[0] = 'C', h[1] = 'S', h[2] = 8;
        break;
    case Codec::Lz4:
        h[0] = 'L', h[1] = '4', h[2] = static_cast<std::uint8_t>(LZ4_versionNumber() / 10000);
        break;
    case Codec::Zstd:
        h[0] = 'Z', h[1] = 'S', h[2] = static_cast<std::uint8_t>(ZSTD_versionNumber() / 10000);
        break;
    case Codec::Lzma:
        h[0] = 'X', h[1] = 'Z', h[2] = 0;
        break;
    case Codec::None:
        break;
    }
    for (int i = 0; i < 3; ++i) {
        h[3 + i] = static_cast<std::uint8_t>((csize >> (8 * i)) & 0xff);
        h[6 + i] = static_cast<std::uint8_t>((usize >> (8 * i)) & 0xff);
    }
}

} // namespace

std::vector<std::uint8_t> compress(std::span<const std::uint8_t> in, CompressionSetting setting) {
    const auto raw = [&] { return std::vector<std::uint8_t>(in.begin(), in.end()); };
    if (setting.codec == Codec::None || setting.level <= 0 || in.size() < kMinCompressible)
        return raw();
    const int level = std::min(setting.level, 9);

    // At most in.size() − 1 bytes: a record that does not shrink is stored raw.
    std::vector<std::uint8_t> out(in.size() - 1);
    std::size_t ip = 0, op = 0;
    while (ip < in.size()) {
        const std::size_t usize = std::min(kMaxBlockSize, in.size() - ip);
        if (out.size() - op <= kBlockHeaderSize)
            return raw();
        const auto dst = std::span<std::uint8_t>(out).subspan(op + kBlockHeaderSize);
        // A block's compressed size has 3 bytes too.
        const auto capped = dst.first(std::min(dst.size(), kMaxBlockSize));
        const std::size_t csize = compress_body(setting.codec, level, in.subspan(ip, usize), capped);
        if (csize == 0)
            return raw();
        write_header(out.data() + op, setting.codec, csize, usize);
        ip += usize;
        op += kBlockHeaderSize + csize;
    }
    out.resize(op);
    return out;
}

} // namespace hepkit::io
