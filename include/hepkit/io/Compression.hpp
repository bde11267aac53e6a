#pragma once
/// @file
/// ROOT's compression framing, on Debian's codec libraries.
///
/// A compressed ROOT record (an object after its key, a basket, an RNTuple page) is a sequence of
/// blocks of at most 2^24−1 uncompressed bytes each. A block starts with a 9-byte header: two
/// characters naming the algorithm (`ZL` zlib, `CS` ROOT's old deflate, `XZ` LZMA, `L4` LZ4,
/// `ZS` ZSTD), one method byte, the compressed size (3 bytes, little-endian) and the uncompressed
/// size (3 bytes, little-endian). An LZ4 block carries an 8-byte big-endian xxhash64 checksum of
/// the compressed bytes after the header. A record whose stored size equals its uncompressed size
/// is not compressed at all (ROOT writes it raw when compression does not pay).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

/// Length of a block header: algorithm (2), method (1), compressed size (3), uncompressed size (3).
inline constexpr std::size_t kBlockHeaderSize = 9;
/// The most uncompressed bytes one block holds (ROOT's kMAXZIPBUF); longer records are split.
inline constexpr std::size_t kMaxBlockSize = 0xffffff;

/// The compression algorithms ROOT writes (ROOT::RCompressionSetting::EAlgorithm).
enum class Codec : std::uint8_t { None, Zlib, Lzma, OldRoot, Lz4, Zstd };

/// `none`, `zlib`, `lzma`, `old`, `lz4`, `zstd`.
std::string_view codec_name(Codec codec);

/// A codec and its level (1 … 9; 0 means uncompressed), as in ROOT's fCompress = 100·algorithm + level.
struct CompressionSetting {
    Codec codec = Codec::Zlib;
    int level = 1;

    /// ROOT's integer form: 0 → none; 1–9 → zlib (ROOT < 6.30 default 1 → 101); 101 zlib,
    /// 201 LZMA, 301 old, 404 LZ4 level 4, 505 ZSTD level 5. Throws std::invalid_argument otherwise.
    static CompressionSetting from_root(int fcompress);
    int to_root() const;
};

/// Where a record comes from, for error messages: the file, the object (`Events/Muon_pt basket 3`)
/// and the file offset of the record's first stored byte (after the key header), so that an error
/// names the absolute offset of the bad block.
struct RecordPlace {
    std::string_view file;
    std::string_view object;
    std::uint64_t offset = 0;
};

/// Decompresses a whole record (all its blocks) into `out`, which must have exactly the
/// uncompressed size the key or basket header promised. When in.size() == out.size() the
/// record is stored raw and copied. Throws InputError naming `place` on an unknown algorithm,
/// a block that runs past the input, sizes that do not add up, a codec error or a wrong LZ4
/// checksum — never reads or writes out of bounds.
void decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, const RecordPlace& place);

/// The codec of the record's first block (Codec::None when the record is raw: in_size == out_size).
Codec record_codec(std::span<const std::uint8_t> in, std::size_t out_size);

/// Compresses `in` into ROOT blocks with `setting` (blocks of at most kMaxBlockSize input bytes).
/// Returns the input unchanged when the setting is uncompressed, the input shorter than 11 bytes,
/// or compression would not make the record smaller (as ROOT does; the reader then sees stored
/// size == uncompressed size). Levels as ROOT uses them: zlib and old (raw deflate) 1–9 with
/// libdeflate; LZ4 below 4 the fast compressor, 4–9 LZ4-HC at that level, an xxhash64 checksum
/// per block; ZSTD at zstd level 2·level; LZMA xz preset `level` with a CRC32 check. Levels above
/// 9 count as 9.
std::vector<std::uint8_t> compress(std::span<const std::uint8_t> in, CompressionSetting setting);

} // namespace hepkit::io
