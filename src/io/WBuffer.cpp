#include "WBuffer.hpp"

#include <limits>
#include <stdexcept>

namespace hepkit::io {

void WBuffer::patch_u32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        data_.at(at + static_cast<std::size_t>(i)) = static_cast<std::uint8_t>(v >> (8 * (3 - i)));
}

void WBuffer::patch_i64(std::size_t at, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i)
        data_.at(at + static_cast<std::size_t>(i)) = static_cast<std::uint8_t>(u >> (8 * (7 - i)));
}

void WBuffer::tstring(std::string_view s) {
    if (s.size() < 255) {
        u8(static_cast<std::uint8_t>(s.size()));
    } else {
        if (s.size() > std::numeric_limits<std::int32_t>::max())
            throw std::length_error("a string longer than 2^31 bytes cannot be written to a ROOT file");
        u8(255);
        u32(static_cast<std::uint32_t>(s.size()));
    }
    data_.insert(data_.end(), s.begin(), s.end());
}

void WBuffer::cstring(std::string_view s) {
    data_.insert(data_.end(), s.begin(), s.end());
    u8(0);
}

std::size_t WBuffer::begin_frame(std::uint16_t version) {
    const std::size_t start = pos();
    u32(0);
    u16(version);
    return start;
}

void WBuffer::end_frame(std::size_t start) {
    const std::size_t count = pos() - start - 4;
    // The byte count has 30 bits; ROOT's own limit for one object is 1 GB.
    if (count >= kByteCountMask)
        throw std::length_error("an object of more than 1 GB cannot be framed in a ROOT record");
    patch_u32(start, static_cast<std::uint32_t>(count) | kByteCountMask);
}

void WBuffer::tobject(std::uint32_t bits) {
    u16(1);
    u32(0);
    u32(bits);
}

void WBuffer::tnamed(std::string_view name, std::string_view title, std::uint32_t bits) {
    const auto f = begin_frame(1);
    tobject(bits);
    tstring(name);
    tstring(title);
    end_frame(f);
}

std::uint32_t WBuffer::tag_offset(std::size_t at) const {
    const std::int64_t off = static_cast<std::int64_t>(at) + origin_ + kMapOffset;
    // Tags have 31 bits (the top one marks a class); TBufferFile refuses larger maps as well.
    if (off >= static_cast<std::int64_t>(kClassMask))
        throw std::length_error("a ROOT record too large for object references");
    return static_cast<std::uint32_t>(off);
}

std::size_t WBuffer::begin_object(std::string_view class_name, const void* identity) {
    const std::size_t start = pos();
    u32(0); // byte count, patched by end_object
    if (identity != nullptr)
        objects_[identity] = tag_offset(start);
    if (const auto it = classes_.find(class_name); it != classes_.end()) {
        u32(it->second | kClassMask);
    } else {
        classes_.emplace(std::string(class_name), tag_offset(pos()));
        u32(kNewClassTag);
        cstring(class_name);
    }
    return start;
}

bool WBuffer::reference(const void* identity) {
    const auto it = objects_.find(identity);
    if (it == objects_.end())
        return false;
    u32(it->second);
    return true;
}

} // namespace hepkit::io
