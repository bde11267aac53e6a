#pragma once
// The file being written (internal to hepkit::io): appends keyed records at the end of a
// temporary file and remembers the top directory's keys; RootWriter lays out the header, the
// top directory, the streamer info, the keys list and the free segments around them at close.

#include "WBuffer.hpp"

#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"

#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io::detail {

/// Where a basket went: what TBranch's fBasketSeek / fBasketBytes record.
struct BasketPlace {
    std::int64_t seek = 0;
    std::int32_t nbytes = 0; ///< key header + stored bytes
    std::int32_t key_len = 0;
    std::int32_t obj_len = 0; ///< uncompressed data (entries and entry offsets)
};

/// The uncompressed content of one basket.
struct BasketData {
    std::vector<std::uint8_t> bytes; ///< the entries, then (jagged) the entry-offset array
    std::int32_t nev_buf = 0;        ///< entries in the basket
    std::int32_t nev_buf_size = 0;   ///< fixed: bytes per entry; jagged: the branch's fEntryOffsetLen
    std::int32_t data_size = 0;      ///< bytes of entry data (fLast − key length)
};

class Sink {
  public:
    Sink(std::string path, CompressionSetting compression, std::uint32_t datime);

    const std::string& path() const { return path_; }
    const std::string& file_name() const { return file_name_; }
    CompressionSetting compression() const { return compression_; }
    std::uint32_t datime() const { return datime_; }
    std::int64_t end() const { return end_; }

    /// Writes a keyed object at the end: the payload that `body` serialises (origin = the key
    /// length), compressed with the file's setting. `in_directory`: listed in the keys list.
    Key write_object(std::string_view class_name, std::string_view name, std::string_view title,
                     const std::function<void(WBuffer&)>& body, bool in_directory = true,
                     bool compress = true);
    /// Writes a basket key (TBasket) at the end.
    BasketPlace write_basket(std::string_view branch, std::string_view tree, const BasketData& data,
                             std::int32_t buffer_size);
    /// Raw bytes at `offset` (the header and the top directory, rewritten at close).
    void write_at(std::int64_t offset, std::span<const std::uint8_t> bytes);
    /// Reserves `n` bytes at the end (filled later with write_at); returns their offset.
    std::int64_t reserve(std::int64_t n);

    const std::vector<Key>& keys() const { return keys_; }
    bool has_key(std::string_view name) const;
    /// Classes whose streamer info the file needs.
    void use_class(std::string name) { classes_.insert(std::move(name)); }
    const std::set<std::string>& classes() const { return classes_; }

    /// Flushes and renames into place (hepkit::OutputError on failure).
    void commit();

    /// The bytes of a key header (with or without 64-bit seeks, by key.version).
    static void key_header(WBuffer& b, const Key& key);
    static std::int32_t key_length(std::string_view class_name, std::string_view name, std::string_view title,
                                   bool big);

  private:
    void append(std::span<const std::uint8_t> bytes);

    std::string path_;
    std::string file_name_;
    CompressionSetting compression_;
    std::uint32_t datime_;
    AtomicFile file_;
    std::int64_t end_ = 0;
    std::int64_t stream_pos_ = 0; ///< where the next write lands without a seek
    std::vector<Key> keys_;
    std::set<std::string> classes_;
};

/// The TH1D / TH2D as its key's payload (WriterHist.cpp).
void serialize_th1d(WBuffer& b, const Hist1D& h);
void serialize_th2d(WBuffer& b, const Hist2D& h);

} // namespace hepkit::io::detail
