#pragma once
// RNTuple binary format 1.0, internal to hepkit::io: the records of the anchor, the envelopes
// (header, footer, page lists) and the column types, and a bounds-checked little-endian reader
// of envelopes. The layout is ROOT's "RNTuple Binary Format Specification 1.0" (docs/root-io.md).
//
// Every reader here checks a size against what is left of its envelope before it reads or
// allocates, and fails with an InputError naming the file, the RNTuple, the envelope, the byte
// inside the (decompressed) envelope and the envelope's offset in the file.

#include "hepkit/core/Error.hpp"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {
class RootFile;
struct Key;
} // namespace hepkit::io

namespace hepkit::io::rntuple {

/// Column types (the numbers of the specification's table).
enum ColumnKind : std::uint16_t {
    kBit = 0x00,
    kByte = 0x01,
    kChar = 0x02,
    kInt8 = 0x03,
    kUInt8 = 0x04,
    kInt16 = 0x05,
    kUInt16 = 0x06,
    kInt32 = 0x07,
    kUInt32 = 0x08,
    kInt64 = 0x09,
    kUInt64 = 0x0A,
    kReal16 = 0x0B,
    kReal32 = 0x0C,
    kReal64 = 0x0D,
    kIndex32 = 0x0E,
    kIndex64 = 0x0F,
    kSwitch = 0x10,
    kSplitInt16 = 0x11,
    kSplitUInt16 = 0x12,
    kSplitInt32 = 0x13,
    kSplitUInt32 = 0x14,
    kSplitInt64 = 0x15,
    kSplitUInt64 = 0x16,
    kSplitReal16 = 0x17,
    kSplitReal32 = 0x18,
    kSplitReal64 = 0x19,
    kSplitIndex32 = 0x1A,
    kSplitIndex64 = 0x1B,
    kReal32Trunc = 0x1C,
    kReal32Quant = 0x1D,
};
inline constexpr std::uint16_t kMaxColumnKind = kReal32Quant;

/// `SplitReal32`, or `unknown(0x2a)`.
std::string column_kind_name(std::uint16_t kind);
/// Whether `bits` is a valid bits-on-storage value for `kind` (fixed for most, a range for
/// Real32Trunc 10–31 and Real32Quant 1–32).
bool valid_bits(std::uint16_t kind, std::uint16_t bits);
/// The value family of a column kind: what a field may read from it.
enum class Family { Bool, Integer, Real, Index, Switch, Byte };
Family column_family(std::uint16_t kind);

/// Field structural roles and flags.
enum Role : std::uint16_t { kLeaf = 0, kCollection = 1, kRecord = 2, kVariant = 3, kStreamer = 4 };
inline constexpr std::uint16_t kFieldRepetitive = 0x01;
inline constexpr std::uint16_t kFieldProjected = 0x02;
inline constexpr std::uint16_t kFieldChecksum = 0x04;
inline constexpr std::uint16_t kColumnDeferred = 0x01;
inline constexpr std::uint16_t kColumnRange = 0x02;

struct Locator {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

struct EnvelopeLink {
    std::uint64_t length = 0; ///< uncompressed
    Locator where;
};

/// The ROOT::RNTuple object behind the key.
struct Anchor {
    std::uint16_t epoch = 0, major = 0, minor = 0, patch = 0;
    std::uint64_t seek_header = 0, nbytes_header = 0, len_header = 0;
    std::uint64_t seek_footer = 0, nbytes_footer = 0, len_footer = 0;
    std::uint64_t max_key_size = 0;
};

struct FieldDesc {
    std::uint32_t version = 0;
    std::uint32_t type_version = 0;
    std::uint32_t parent = 0; ///< == own id for a top-level field
    std::uint16_t role = kLeaf;
    std::uint16_t flags = 0;
    std::string name, type, alias, description;
    std::uint64_t array_size = 0; ///< kFieldRepetitive
    std::uint32_t source = 0;     ///< kFieldProjected: the field it projects
    // Filled when the schema is complete:
    std::vector<std::uint32_t> children;
    /// Physical column ids per representation (index = representation index), own and alias
    /// columns in schema order.
    std::vector<std::vector<std::uint32_t>> representations;
};

struct ColumnDesc {
    std::uint16_t kind = 0;
    std::uint16_t bits = 0;
    std::uint32_t field = 0;
    std::uint16_t flags = 0;
    std::uint16_t representation = 0;
    std::int64_t first_element = 0; ///< kColumnDeferred
    double min = 0, max = 0;        ///< kColumnRange
};

struct Schema {
    std::vector<FieldDesc> fields;
    std::vector<ColumnDesc> columns; ///< physical columns; the id is the index
    struct Alias {
        std::uint32_t physical = 0;
        std::uint32_t field = 0;
    };
    std::vector<Alias> aliases;
};

struct PageDesc {
    std::uint32_t elements = 0;
    bool checksum = false; ///< 8 bytes of xxhash3 follow the page
    Locator where;
};

/// One column in one cluster.
struct ColumnPages {
    bool present = false;    ///< listed in the cluster's page list
    bool suppressed = false; ///< a secondary representation, inactive in this cluster
    std::int64_t first_element = 0;
    std::uint32_t compression = 0;
    std::uint64_t elements = 0; ///< sum of the pages' elements
    std::vector<PageDesc> pages;
};

struct ClusterDesc {
    std::uint64_t first_entry = 0;
    std::uint64_t entries = 0;
    /// By physical column id, as many as the page list lists (a cluster written before a schema
    /// extension lists fewer); only these are stored, so a hostile file cannot make the reader
    /// allocate clusters × columns.
    std::vector<ColumnPages> columns;
    /// Column `c` in this cluster (an absent one: present == false).
    const ColumnPages& column(std::size_t c) const {
        static const ColumnPages absent;
        return c < columns.size() ? columns[c] : absent;
    }
};

struct ClusterGroup {
    std::uint64_t min_entry = 0;
    std::uint64_t entry_span = 0;
    std::uint32_t clusters = 0;
    EnvelopeLink page_list;
};

/// Names the place of an error: the file, the RNTuple and the envelope or page.
struct Where {
    std::string file;
    std::string ntuple;
};

/// A bounds-checked little-endian reader of one decompressed envelope.
class LeReader {
  public:
    /// @param what  `header envelope`, `page list 0` …
    /// @param file_offset where the envelope is stored in the file (for errors)
    LeReader(std::span<const std::uint8_t> data, const Where& where, std::string what,
             std::uint64_t file_offset)
        : data_(data), where_(where), what_(std::move(what)), file_offset_(file_offset) {}

    std::size_t pos() const { return pos_; }
    std::size_t end() const { return end_; }
    std::size_t remaining() const { return end_ - pos_; }
    /// Limits reading to [pos, end) (the envelope's payload, before its checksum).
    void set_end(std::size_t end);
    void seek(std::size_t pos);

    std::uint8_t u8() { return le<std::uint8_t>(); }
    std::uint16_t u16() { return le<std::uint16_t>(); }
    std::uint32_t u32() { return le<std::uint32_t>(); }
    std::uint64_t u64() { return le<std::uint64_t>(); }
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    double f64() {
        const std::uint64_t b = u64();
        double d;
        std::memcpy(&d, &b, 8);
        return d;
    }
    /// A string: 32-bit length and the bytes.
    std::string string(std::string_view what);
    /// Feature flags: 64-bit words while the last one is negative. Fails on any bit set (format
    /// 1.0 defines none, and a reader must refuse what it does not know).
    void feature_flags();

    /// A frame: record (size > 0) or list (size < 0, then a 32-bit item count). `end` is where
    /// the frame ends, checked against the envelope.
    struct Frame {
        std::size_t start = 0;
        std::size_t end = 0;
        bool list = false;
        std::uint32_t items = 0;
    };
    Frame frame(std::string_view what);
    /// A list frame whose items are each at least `min_item` bytes (checks the count against the
    /// frame's size before a caller reserves for it).
    Frame list(std::string_view what, std::size_t min_item);
    Frame record(std::string_view what);
    /// Moves to the frame's end; fails when the reader has passed it.
    void leave(const Frame& frame, std::string_view what);

    Locator locator(std::string_view what);
    EnvelopeLink envelope_link(std::string_view what);

    /// Throws InputError: file, `ntuple NAME WHAT (stored at byte F) at byte N`, message.
    [[noreturn]] void fail(const std::string& message) const;

  private:
    void need(std::size_t n) const;
    template <class T>
    T le() {
        need(sizeof(T));
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v = static_cast<T>(v | (static_cast<T>(data_[pos_ + i]) << (8 * i)));
        pos_ += sizeof(T);
        return v;
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    std::size_t end_ = data_.size();
    const Where& where_;
    std::string what_;
    std::uint64_t file_offset_;
};

/// Throws InputError for `where`: key `ntuple NAME OBJECT at byte OFFSET`.
[[noreturn]] void fail_at(const Where& where, std::string_view object, std::uint64_t offset,
                          const std::string& message);

/// The anchor: the key's payload (a framed ROOT::RNTuple, big-endian, its xxhash3 after it).
Anchor read_anchor(const RootFile& file, const Key& key, const Where& where);

/// Reads an envelope of `type` (1 header, 2 footer, 3 page list) stored at `where_stored`,
/// decompresses it to `length` bytes and checks its preamble (type, length) and xxhash3.
/// Returns the bytes (preamble and checksum included) and its checksum in `checksum`.
std::vector<std::uint8_t> read_envelope(const RootFile& file, const Where& where, std::string_view what,
                                        std::uint16_t type, Locator stored, std::uint64_t length,
                                        std::uint64_t max_key_size, std::uint64_t& checksum);

/// Checks, before anything is allocated, that the ROOT compression blocks of `stored` (9-byte
/// headers) lie within it and promise exactly `length` bytes.
void check_blocks(std::span<const std::uint8_t> stored, std::uint64_t length, const Where& where,
                  std::string_view what, std::uint64_t offset);

/// The header envelope's payload: name, description, writer and the schema.
struct Header {
    std::string name, description, writer;
};
Header parse_header(LeReader& in, Schema& schema);
/// The footer: its schema extension is appended to `schema`; returns the cluster groups.
/// `header_checksum` must equal the one the footer records.
std::vector<ClusterGroup> parse_footer(LeReader& in, Schema& schema, std::uint64_t header_checksum);
/// Finishes the schema: checks ids, parents (no cycles), column kinds and bits, and fills the
/// fields' children and representations.
void link_schema(Schema& schema, const Where& where);
/// A page list envelope: the clusters of `group` (their page locations by column).
std::vector<ClusterDesc> parse_page_list(LeReader& in, const ClusterGroup& group,
                                         std::uint64_t header_checksum, std::size_t columns);

} // namespace hepkit::io::rntuple
