#pragma once
// The writing twin of Cursor (internal to hepkit::io): ROOT's big-endian serialisation (TBuffer)
// into a growing byte vector. Objects are framed by a byte count (reserved, then patched when the
// object ends) and a version; objects written through a pointer carry a class tag — the class
// name the first time, afterwards a reference to where it was first written — and an object met
// a second time is written as a reference to its first copy. Offsets in tags and references are
// positions in the record plus `origin` (the key length, as ROOT counts them from the start of
// the key) plus kMapOffset, so that every reader resolves them as it resolves ROOT's own.

#include "Cursor.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

class WBuffer {
  public:
    explicit WBuffer(std::int64_t origin = 0) : origin_(origin) {}

    std::size_t pos() const { return data_.size(); }
    /// The record's key length: what ROOT adds to positions in tags and references.
    std::int64_t origin() const { return origin_; }
    const std::vector<std::uint8_t>& data() const { return data_; }
    std::vector<std::uint8_t> take() { return std::move(data_); }

    void u8(std::uint8_t v) { data_.push_back(v); }
    void u16(std::uint16_t v) { put_be(v); }
    void u32(std::uint32_t v) { put_be(v); }
    void u64(std::uint64_t v) { put_be(v); }
    void i8(std::int8_t v) { u8(static_cast<std::uint8_t>(v)); }
    void i16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
    void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void f32(float v) {
        std::uint32_t b;
        std::memcpy(&b, &v, 4);
        u32(b);
    }
    void f64(double v) {
        std::uint64_t b;
        std::memcpy(&b, &v, 8);
        u64(b);
    }
    void bytes(std::span<const std::uint8_t> b) { data_.insert(data_.end(), b.begin(), b.end()); }
    /// Overwrites 4 bytes at `at` (a size or offset known only later).
    void patch_u32(std::size_t at, std::uint32_t v);
    void patch_i64(std::size_t at, std::int64_t v);

    /// A TString: one length byte, or 255 and a 4-byte length.
    void tstring(std::string_view s);
    /// A NUL-terminated C string (a class name after kNewClassTag).
    void cstring(std::string_view s);

    /// Starts a versioned object: reserves its byte count, writes the version. Returns the
    /// position to hand to end_frame().
    std::size_t begin_frame(std::uint16_t version);
    /// Patches the byte count reserved at `start` (it covers everything after itself).
    void end_frame(std::size_t start);

    /// TObject's header: version 1, unique id 0 and `bits` (ROOT writes kNotDeleted|kIsOnHeap).
    void tobject(std::uint32_t bits = 0x03000000);
    /// TNamed: frame, TObject, name, title.
    void tnamed(std::string_view name, std::string_view title, std::uint32_t bits = 0x03000000);

    /// Null pointer (TBufferFile's kNullTag).
    void null_pointer() { u32(0); }
    /// Starts an object written through a pointer (WriteObjectAny): byte count, class tag.
    /// `identity` names the object for later references (nullptr: never referenced). Returns the
    /// position for end_object().
    std::size_t begin_object(std::string_view class_name, const void* identity = nullptr);
    void end_object(std::size_t start) { end_frame(start); }
    /// Writes a reference to an object begun earlier with the same identity; false when there is
    /// none (the caller then writes the object).
    bool reference(const void* identity);

  private:
    template <class T>
    void put_be(T v) {
        for (int i = static_cast<int>(sizeof(T)) - 1; i >= 0; --i)
            data_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    std::uint32_t tag_offset(std::size_t at) const;

    std::vector<std::uint8_t> data_;
    std::int64_t origin_;
    std::map<std::string, std::uint32_t, std::less<>> classes_;
    std::map<const void*, std::uint32_t> objects_;
};

} // namespace hepkit::io
