#pragma once
/// @file
/// An RNTuple (ROOT's columnar successor of TTree, binary format 1.0, written by ROOT ≥ 6.34)
/// read into typed columns without ROOT.
///
///     hepkit::io::RootFile file("events.root");
///     hepkit::io::RNTuple ntuple(file, "Events");
///     for (const auto& f : ntuple.fields()) std::cout << f.name << ' ' << f.type_name << '\n';
///     hepkit::io::Column pt = ntuple.read("Muon_pt");              // jagged: offsets + values
///     hepkit::io::Column n = ntuple.read("nMuon", 0, 100, &pool);  // entries [0, 100), pages on a pool
///
/// What is read (docs/root-io.md, "RNTuple"):
/// - leaf fields of basic types (bool, std::(u)int8…64_t, char, std::byte, float, double —
///   Double32_t included) into flat columns; std::string into a String column;
/// - std::vector<T>, ROOT::VecOps::RVec<T> and untyped collections of one basic leaf into jagged
///   columns (0-based offsets over the range read), and a leaf inside a collection's record
///   (`_collection0._0.Muon_pt`, a dotted path) likewise; std::array<T, N> into fixed-width columns;
/// - projected fields (the NanoAOD importer's `Muon_pt` over `_collection0`), and
///   ROOT::RNTupleCardinality<T> fields (`nMuon`) as the sizes of their collection;
/// - every column type of the format but Switch: plain, split, zigzag + split, delta + split,
///   Bit, Real16, Real32Trunc, Real32Quant; pages compressed with any codec io::decompress knows.
///
/// The anchor, header, footer and page lists are read and checked when the object is made
/// (xxhash3 checksums of the anchor, every envelope and every page that carries one; every size,
/// offset and count against its envelope and the file before anything is allocated). Pages are
/// read only for the fields and the entry range asked for, and decompressed on a thread pool when
/// one is given. Errors are InputErrors naming the file, the RNTuple, the envelope, field, column or
/// page, and the byte offset.

#include "hepkit/io/Column.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit {
class ThreadPool;
}

namespace hepkit::io {

class RootFile;

/// One top-level field of an RNTuple, as `hepkit root ls` lists it.
struct RNTupleFieldInfo {
    std::string name;      ///< the field's name (`Muon_pt`)
    std::string type_name; ///< its C++ type as stored (`ROOT::VecOps::RVec<float>`; "" when untyped)
    /// The column types backing it, own and subfields' (`SplitIndex64`, `SplitReal32`), in column
    /// order; for a projected field those of the physical columns it reads.
    std::vector<std::string> column_types;
    std::uint64_t compressed_bytes = 0;   ///< sum of its pages as stored (without page checksums)
    std::uint64_t uncompressed_bytes = 0; ///< sum of its pages decompressed
    bool projected = false;               ///< an alias of other fields' columns
    /// Whether read() turns it into a Column; if so, its element type and layout.
    bool readable = false;
    ColumnType column_type = ColumnType::Float64;
    bool jagged = false;
    std::size_t width = 1; ///< values per entry of a fixed-size array field
    std::string why_not;   ///< when not readable: why (a nested collection, a variant, ...)
};

/// One page of an RNTuple column, where it lies in the file (for listings and diagnostics).
struct RNTuplePageInfo {
    std::size_t cluster = 0;
    std::uint32_t column = 0; ///< physical column id
    std::string column_type;  ///< `SplitReal32`
    std::uint32_t elements = 0;
    std::uint64_t offset = 0;      ///< file offset of the stored page
    std::uint64_t size = 0;        ///< stored bytes (without the checksum)
    bool checksum = false;         ///< an xxhash3 of the stored bytes follows them
    std::uint32_t compression = 0; ///< the column's setting in this cluster (100·algorithm + level)
};

class RNTuple {
  public:
    /// Opens the RNTuple `name` ("dir/name;cycle" like RootFile::key) of `file`, which must outlive
    /// this object. Reads the anchor, the header and footer envelopes and all page lists.
    RNTuple(const RootFile& file, std::string_view name);
    ~RNTuple();
    RNTuple(RNTuple&&) noexcept;
    RNTuple& operator=(RNTuple&&) noexcept;

    const std::string& name() const;
    /// `1.0.0.1`: the anchor's format version (epoch.major.minor.patch).
    std::string format_version() const;
    /// The writer recorded in the header (`ROOT v6.35.001`).
    const std::string& writer() const;
    std::uint64_t entries() const;
    std::size_t clusters() const;
    /// First entry and number of entries of cluster `i`.
    std::pair<std::uint64_t, std::uint64_t> cluster_range(std::size_t i) const;

    /// The top-level fields in schema order (header, then the footer's schema extension).
    std::vector<RNTupleFieldInfo> fields() const;
    /// What read(`path`) gives, or why not. `path` is a top-level field or a dotted path
    /// to a subfield. Throws InputError when no such field exists.
    RNTupleFieldInfo field(std::string_view path) const;
    /// The pages of the columns of `path` and its subfields (physical columns of a projection),
    /// cluster by cluster.
    std::vector<RNTuplePageInfo> pages(std::string_view path) const;

    /// Entries [entry_begin, entry_end) of the field `path` (top-level name or dotted path). The
    /// column's name is `path`. Pages are decompressed and decoded on `pool` (null: serially).
    /// Throws InputError for an unknown or unreadable field, a range past entries(), or bad data.
    Column read(std::string_view path, std::uint64_t entry_begin, std::uint64_t entry_end,
                ThreadPool* pool = nullptr) const;
    /// All entries.
    Column read(std::string_view path, ThreadPool* pool = nullptr) const;

    /// The reader's state (src/io/RNTupleImpl.hpp), named here for the reader's own files.
    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace hepkit::io
