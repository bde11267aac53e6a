#include "Cursor.hpp"

namespace hepkit::io {

std::string Cursor::tstring() {
    std::uint32_t n = u8();
    if (n == 255)
        n = u32();
    const auto b = bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string Cursor::cstring() {
    std::string s;
    // A class name is short; 1024 bounds a record that has no NUL where one should be.
    while (true) {
        const char c = static_cast<char>(u8());
        if (c == '\0')
            return s;
        if (s.size() >= 1024)
            fail("a class name longer than 1024 characters (no terminating NUL)");
        s.push_back(c);
    }
}

Cursor::Frame Cursor::frame(std::string_view what) {
    Frame f;
    f.start = pos_;
    const std::uint32_t first = u32();
    if ((first & kByteCountMask) != 0) {
        const std::size_t count = first & ~kByteCountMask;
        // The byte count covers what follows it (the version included).
        if (count < 2 || count > data_.size() - (f.start + 4))
            fail(std::string(what) + ": byte count " + std::to_string(count) + " runs past the record (" +
                 std::to_string(data_.size() - (f.start + 4)) + " bytes left)");
        f.end = f.start + 4 + count;
        f.version = u16();
    } else {
        // No byte count: the first two bytes were the version.
        pos_ = f.start;
        f.version = u16();
    }
    return f;
}

void Cursor::skip_to_end(const Frame& f, std::string_view what) {
    if (f.end == 0)
        fail(std::string(what) + ": cannot skip an object written without a byte count");
    if (pos_ > f.end)
        fail(std::string(what) + ": read " + std::to_string(pos_ - f.end) +
             " bytes past the object's byte count");
    pos_ = f.end;
}

void Cursor::skip_object(std::string_view what) {
    skip_to_end(frame(what), what);
}

std::pair<Cursor::Frame, std::int32_t> Cursor::object_array(std::string_view what,
                                                            std::string_view elements) {
    const Frame f = frame(what);
    if (f.version > 2)
        tobject();
    if (f.version > 1)
        tstring(); // fName
    const std::int32_t n = i32();
    i32(); // fLowerBound
    if (n < 0 || static_cast<std::size_t>(n) > remaining() / 4)
        fail(std::string(what) + ": " + std::to_string(n) + " " + std::string(elements) +
             " do not fit in the record");
    return {f, n};
}

void Cursor::tobject() {
    const std::uint16_t version = u16();
    // Very old TObjects (version bit 15 set) carry an extra 2-byte word (ROOT's TObject::Streamer).
    if ((version & 0x8000) != 0)
        skip(2);
    u32(); // fUniqueID
    const std::uint32_t bits = u32();
    constexpr std::uint32_t kIsReferenced = 1u << 4;
    if ((bits & kIsReferenced) != 0)
        skip(2); // the process id of a referenced object
}

std::pair<std::string, std::string> Cursor::tnamed() {
    const Frame f = frame("TNamed");
    tobject();
    std::string name = tstring();
    std::string title = tstring();
    if (f.end != 0)
        skip_to_end(f, "TNamed");
    return {std::move(name), std::move(title)};
}

Cursor::AnyObject Cursor::any_object() {
    AnyObject out;
    const std::size_t begin = pos_;
    std::uint32_t tag = u32();
    std::size_t start = begin;
    if ((tag & kByteCountMask) != 0 && tag != kNewClassTag) {
        const std::size_t count = tag & ~kByteCountMask;
        if (count > data_.size() - (begin + 4))
            fail("object byte count " + std::to_string(count) + " runs past the record");
        out.end = begin + 4 + count;
        start = pos_;
        tag = u32();
    }
    if ((tag & kClassMask) == 0) {
        // Null (0) or a reference to an object read before: nothing to read here.
        out.kind = tag == 0 ? AnyObject::Kind::Null : AnyObject::Kind::Reference;
        return out;
    }
    if (tag == kNewClassTag) {
        out.class_name = cstring();
        if (out.class_name.empty())
            fail("an object with an empty class name");
        classes_[static_cast<std::int64_t>(start) + origin_ + kMapOffset] = out.class_name;
    } else {
        const std::int64_t ref = static_cast<std::int64_t>(tag & ~kClassMask);
        const auto it = classes_.find(ref);
        if (it == classes_.end())
            fail("a class reference to offset " + std::to_string(ref) + " where no class was defined");
        out.class_name = it->second;
    }
    out.kind = AnyObject::Kind::Object;
    return out;
}

void Cursor::fail(const std::string& message) const {
    throw InputError(file_, 0, object_ + " at byte " + std::to_string(file_offset_ + pos_), message);
}

} // namespace hepkit::io
