#pragma once
// A bounds-checked reader of ROOT's big-endian serialisation (TBuffer), internal to hepkit::io.
// Every read checks the remaining length first and throws InputError naming the file, the object
// and the absolute file offset of the failed read: a hostile record can end a read, never make it
// run past its buffer. Object references (class tags, back-references) are resolved through a map
// keyed, as ROOT does, by position + origin (origin = the key length for an object read from a key,
// so that the offsets equal ROOT's, kMapOffset included).

#include "hepkit/core/Error.hpp"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

namespace hepkit::io {

/// ROOT's object framing constants (TBufferFile).
inline constexpr std::uint32_t kByteCountMask = 0x40000000;
inline constexpr std::uint32_t kClassMask = 0x80000000;
inline constexpr std::uint32_t kNewClassTag = 0xFFFFFFFF;
inline constexpr std::uint32_t kMapOffset = 2;

class Cursor {
  public:
    /// @param data       the record's bytes (decompressed)
    /// @param file       file path, for errors
    /// @param object     object name, for errors
    /// @param file_offset offset of data[0] in the file (for errors; for a decompressed record,
    ///                   the record's key offset)
    /// @param origin     added to positions for ROOT's reference offsets (the key length)
    Cursor(std::span<const std::uint8_t> data, std::string file, std::string object,
           std::uint64_t file_offset, std::int64_t origin = 0)
        : data_(data), file_(std::move(file)), object_(std::move(object)), file_offset_(file_offset),
          origin_(origin) {}

    std::size_t pos() const { return pos_; }
    std::size_t size() const { return data_.size(); }
    std::size_t remaining() const { return data_.size() - pos_; }
    std::span<const std::uint8_t> data() const { return data_; }
    const std::string& file() const { return file_; }
    const std::string& object() const { return object_; }
    void set_object(std::string object) { object_ = std::move(object); }

    void seek(std::size_t pos) {
        if (pos > data_.size())
            fail("seek to " + std::to_string(pos) + " past the record's end " + std::to_string(data_.size()));
        pos_ = pos;
    }
    void skip(std::size_t n) { need(n), pos_ += n; }

    std::uint8_t u8() { return read_be<std::uint8_t>(); }
    std::uint16_t u16() { return read_be<std::uint16_t>(); }
    std::uint32_t u32() { return read_be<std::uint32_t>(); }
    std::uint64_t u64() { return read_be<std::uint64_t>(); }
    std::int8_t i8() { return static_cast<std::int8_t>(u8()); }
    std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    float f32() {
        const std::uint32_t b = u32();
        float f;
        std::memcpy(&f, &b, 4);
        return f;
    }
    double f64() {
        const std::uint64_t b = u64();
        double d;
        std::memcpy(&d, &b, 8);
        return d;
    }
    bool boolean() { return u8() != 0; }

    /// n raw bytes.
    std::span<const std::uint8_t> bytes(std::size_t n) {
        need(n);
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    /// A TString: one length byte, or 255 and a 4-byte length.
    std::string tstring();
    /// A NUL-terminated C string (class names after kNewClassTag).
    std::string cstring();

    /// A versioned object header: [byte count | kByteCountMask] version. `end` is where the
    /// object ends (when the byte count is present; else 0).
    struct Frame {
        std::uint16_t version = 0;
        std::size_t start = 0;
        std::size_t end = 0;
    };
    Frame frame(std::string_view what);
    /// Moves to the frame's end (checked), skipping members this reader does not need.
    void skip_to_end(const Frame& frame, std::string_view what);
    /// A whole versioned object (a base class such as TAttFill) this reader does not need:
    /// its frame, then skip_to_end.
    void skip_object(std::string_view what);

    /// A TObjArray's header (frame, TObject, name, element count, lower bound). Returns the
    /// frame and the count, checked to fit the record's remaining bytes (4 per element at least);
    /// `elements` names them in the error ("branches", "leaves").
    std::pair<Frame, std::int32_t> object_array(std::string_view what, std::string_view elements);

    /// TObject's header (version, unique id, bits; the process id when referenced).
    void tobject();
    /// TNamed: TObject, name, title.
    std::pair<std::string, std::string> tnamed();

    /// The head of an object written through a pointer (TBufferFile::ReadObjectAny).
    struct AnyObject {
        enum class Kind { Null, Object, Reference } kind = Kind::Null;
        std::string class_name; ///< Object: the class to read next
        std::size_t end = 0;    ///< Object: end of the object when its byte count is known, else 0
    };
    /// Reads the tag; for Kind::Object the cursor stands at the object's body and the caller reads
    /// it (or skips to `end`). Class names are remembered for later class references.
    AnyObject any_object();

    /// Throws InputError: `file: object at byte N: message`.
    [[noreturn]] void fail(const std::string& message) const;

  private:
    void need(std::size_t n) const {
        if (n > data_.size() - pos_)
            fail("needs " + std::to_string(n) + " more bytes, the record has " +
                 std::to_string(data_.size() - pos_) + " left (truncated or corrupt)");
    }
    template <class T>
    T read_be() {
        need(sizeof(T));
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v = static_cast<T>((v << 8) | data_[pos_ + i]);
        pos_ += sizeof(T);
        return v;
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    std::string file_;
    std::string object_;
    std::uint64_t file_offset_;
    std::int64_t origin_;
    std::unordered_map<std::int64_t, std::string> classes_;
};

} // namespace hepkit::io
