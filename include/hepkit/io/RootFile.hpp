#pragma once
/// @file
/// A ROOT file opened without ROOT: its header, directories and keys, and the bytes of any
/// object (decompressed). The readers of trees, RNTuples and histograms stand on this class.
///
///     hepkit::io::RootFile file("events.root");
///     for (const auto& key : file.keys()) std::cout << key.name << ' ' << key.class_name << '\n';
///     const auto& key = file.key("dir/hpx");        // highest cycle; "hpx;1" names a cycle
///     std::vector<std::uint8_t> bytes = file.read_payload(key);
///
/// Format: ROOT's TFile layout (header at byte 0, 32-bit seeks until the file passes 2 GB, then
/// 64-bit ones), TKey and TDirectory as ROOT 6 writes them (docs/root-io.md). One RootFile may be
/// read from many threads at once. The file is mapped into memory (read-only) so that baskets are
/// decompressed straight from the page cache (view_raw) instead of copied out of it first; other
/// reads use pread. Mapping means that a file truncated by another process while it is being read
/// ends the program with SIGBUS instead of an InputError: Config::map_file = false reads
/// everything with pread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

/// A TKey header: where an object lies and what it is.
struct Key {
    std::string class_name;
    std::string name;
    std::string title;
    std::int16_t cycle = 0;
    std::uint16_t version = 0;  ///< > 1000: 64-bit seeks
    std::int32_t nbytes = 0;    ///< key header + stored (maybe compressed) object
    std::int32_t obj_len = 0;   ///< uncompressed object length
    std::int16_t key_len = 0;   ///< key header length
    std::int64_t seek_key = 0;  ///< offset of the key header in the file
    std::int64_t seek_pdir = 0; ///< offset of the parent directory
    std::uint32_t datime = 0;

    /// The object's stored bytes follow the header: nbytes − key_len of them.
    std::int64_t stored_size() const { return static_cast<std::int64_t>(nbytes) - key_len; }
};

/// A directory entry that is itself a directory (class TDirectory or TDirectoryFile).
bool is_directory(const Key& key);

class RootFile {
  public:
    struct Config {
        /// Map the file (mmap) for view_raw; off: every read is a pread into the caller's buffer.
        bool map_file = true;
        /// Bytes (B) that views of all mapped files of the process may hold mapped (resident)
        /// before their pages are released from it (they stay in the page cache; bytes viewed
        /// again count once): bounds the resident memory that mapping adds, whatever the file
        /// sizes and however many files are open. A view of this file past it releases them.
        std::uint64_t mapped_resident_limit = std::uint64_t{64} << 20;
    };

    /// Opens `path`, reads the header and the top directory's keys. Throws InputError naming the
    /// file and the offset when it is not a ROOT file, is truncated or its header lies.
    explicit RootFile(const std::string& path);
    RootFile(const std::string& path, const Config& config);
    ~RootFile();
    RootFile(const RootFile&) = delete;
    RootFile& operator=(const RootFile&) = delete;
    RootFile(RootFile&&) noexcept;
    RootFile& operator=(RootFile&&) noexcept;

    const std::string& path() const;
    /// ROOT's file format version (e.g. 62206 for ROOT 6.22/06; + 1000000 with 64-bit seeks).
    int version() const;
    /// Size of the file on disk.
    std::uint64_t size() const;
    /// The file's default compression (fCompress: 100·algorithm + level).
    int compression() const;
    /// Offset and length of the streamer-info record (the TList of TStreamerInfo).
    std::int64_t seek_info() const;
    std::int32_t nbytes_info() const;

    /// The keys of a directory ("" is the top; "a/b" a subdirectory), in the order stored,
    /// all cycles. Throws InputError when the directory does not exist.
    std::vector<Key> keys(std::string_view directory = "") const;
    /// The key of `path` ("name", "dir/name", "name;cycle"): the highest cycle unless one is given.
    /// Throws InputError naming the path and listing what the directory holds.
    Key key(std::string_view path) const;
    /// Whether `path` names an object.
    bool contains(std::string_view path) const;

    /// Reads the key header at `seek` (a basket's or a page's key); checks it against the file.
    Key read_key(std::int64_t seek, std::string_view what) const;
    /// The object's bytes, decompressed (obj_len bytes).
    std::vector<std::uint8_t> read_payload(const Key& key) const;
    /// `n` raw bytes at `offset`; throws InputError (naming `what`) when they lie outside the file.
    void read_raw(std::int64_t offset, std::span<std::uint8_t> out, std::string_view what) const;
    std::vector<std::uint8_t> read_raw(std::int64_t offset, std::size_t n, std::string_view what) const;
    /// `n` raw bytes at `offset` without a copy: a view into the mapped file, or (not mapped) the
    /// bytes read into `scratch` (grown as needed, never shrunk). Valid while the RootFile lives
    /// (mapped) or until `scratch` changes. Throws InputError as read_raw does.
    std::span<const std::uint8_t> view_raw(std::int64_t offset, std::size_t n,
                                           std::vector<std::uint8_t>& scratch, std::string_view what) const;
    /// Bytes that views of all mapped files of the process hold mapped now (the touched 64 KiB
    /// chunks; approximate while threads view concurrently), for monitoring and tests.
    static std::uint64_t mapped_resident_bytes();
    /// The streamer-info record, decompressed (empty when the file has none).
    std::vector<std::uint8_t> read_streamer_record() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hepkit::io
