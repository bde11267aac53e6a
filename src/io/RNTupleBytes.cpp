// The little-endian envelope reader (frames, strings, locators) and the column-type table of
// the RNTuple format (RNTupleFormat.hpp).
#include "RNTupleFormat.hpp"

#include <array>
#include <cstdio>

namespace hepkit::io::rntuple {

namespace {

struct KindInfo {
    const char* name;
    std::uint16_t min_bits;
    std::uint16_t max_bits;
    Family family;
};

// Indexed by ColumnKind.
constexpr std::array<KindInfo, kMaxColumnKind + 1> kKinds{{
    {"Bit", 1, 1, Family::Bool},
    {"Byte", 8, 8, Family::Byte},
    {"Char", 8, 8, Family::Integer},
    {"Int8", 8, 8, Family::Integer},
    {"UInt8", 8, 8, Family::Integer},
    {"Int16", 16, 16, Family::Integer},
    {"UInt16", 16, 16, Family::Integer},
    {"Int32", 32, 32, Family::Integer},
    {"UInt32", 32, 32, Family::Integer},
    {"Int64", 64, 64, Family::Integer},
    {"UInt64", 64, 64, Family::Integer},
    {"Real16", 16, 16, Family::Real},
    {"Real32", 32, 32, Family::Real},
    {"Real64", 64, 64, Family::Real},
    {"Index32", 32, 32, Family::Index},
    {"Index64", 64, 64, Family::Index},
    {"Switch", 96, 96, Family::Switch},
    {"SplitInt16", 16, 16, Family::Integer},
    {"SplitUInt16", 16, 16, Family::Integer},
    {"SplitInt32", 32, 32, Family::Integer},
    {"SplitUInt32", 32, 32, Family::Integer},
    {"SplitInt64", 64, 64, Family::Integer},
    {"SplitUInt64", 64, 64, Family::Integer},
    {"SplitReal16", 16, 16, Family::Real},
    {"SplitReal32", 32, 32, Family::Real},
    {"SplitReal64", 64, 64, Family::Real},
    {"SplitIndex32", 32, 32, Family::Index},
    {"SplitIndex64", 64, 64, Family::Index},
    {"Real32Trunc", 10, 31, Family::Real},
    {"Real32Quant", 1, 32, Family::Real},
}};

} // namespace

std::string column_kind_name(std::uint16_t kind) {
    if (kind <= kMaxColumnKind)
        return kKinds[kind].name;
    char buf[32];
    std::snprintf(buf, sizeof buf, "unknown(0x%x)", static_cast<unsigned>(kind));
    return buf;
}

bool valid_bits(std::uint16_t kind, std::uint16_t bits) {
    return kind <= kMaxColumnKind && bits >= kKinds[kind].min_bits && bits <= kKinds[kind].max_bits;
}

Family column_family(std::uint16_t kind) {
    return kind <= kMaxColumnKind ? kKinds[kind].family : Family::Switch;
}

void fail_at(const Where& where, std::string_view object, std::uint64_t offset, const std::string& message) {
    std::string key = "ntuple ";
    key.append(where.ntuple).append(" ").append(object).append(" at byte ").append(std::to_string(offset));
    throw InputError(where.file, 0, key, message);
}

void LeReader::set_end(std::size_t end) {
    if (end < pos_ || end > data_.size())
        fail("end " + std::to_string(end) + " outside the envelope (" + std::to_string(data_.size()) +
             " bytes)");
    end_ = end;
}

void LeReader::seek(std::size_t pos) {
    if (pos > end_)
        fail("seek to " + std::to_string(pos) + " past the envelope's end " + std::to_string(end_));
    pos_ = pos;
}

void LeReader::need(std::size_t n) const {
    if (n > end_ - pos_)
        fail("needs " + std::to_string(n) + " more bytes, the envelope has " + std::to_string(end_ - pos_) +
             " left (truncated or corrupt)");
}

std::string LeReader::string(std::string_view what) {
    const std::uint32_t n = u32();
    if (n > remaining())
        fail(std::string(what) + ": string length " + std::to_string(n) + " runs past the envelope (" +
             std::to_string(remaining()) + " bytes left)");
    std::string s(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return s;
}

void LeReader::feature_flags() {
    for (int word = 0;; ++word) {
        const std::uint64_t flags = u64();
        // The top bit says that another word follows; any other bit is a feature this reader lacks.
        const std::uint64_t features = flags & ~(std::uint64_t{1} << 63);
        if (features != 0) {
            int bit = 0;
            while (((features >> bit) & 1) == 0)
                ++bit;
            fail("feature flag " + std::to_string(63 * word + bit) +
                 " is set: a format feature newer than RNTuple 1.0, which hepkit reads");
        }
        if ((flags >> 63) == 0)
            return;
        if (word > 64)
            fail("more than 64 words of feature flags");
    }
}

LeReader::Frame LeReader::frame(std::string_view what) {
    Frame f;
    f.start = pos_;
    const std::int64_t size = i64();
    // |size| covers the frame's preamble and payload; INT64_MIN has no absolute value.
    if (size == INT64_MIN)
        fail(std::string(what) + ": frame size " + std::to_string(size) + " is not valid");
    f.list = size < 0;
    const std::uint64_t bytes = static_cast<std::uint64_t>(size < 0 ? -size : size);
    const std::uint64_t preamble = f.list ? 12 : 8;
    if (bytes < preamble || bytes > end_ - f.start)
        fail(std::string(what) + ": frame size " + std::to_string(bytes) + " is outside [" +
             std::to_string(preamble) + ", " + std::to_string(end_ - f.start) +
             "] (the bytes left in the envelope)");
    f.end = f.start + bytes;
    if (f.list)
        f.items = u32();
    return f;
}

LeReader::Frame LeReader::list(std::string_view what, std::size_t min_item) {
    const Frame f = frame(what);
    if (!f.list)
        fail(std::string(what) + ": a record frame where a list frame belongs");
    if (min_item > 0 && f.items > (f.end - pos_) / min_item)
        fail(std::string(what) + ": " + std::to_string(f.items) + " items of at least " +
             std::to_string(min_item) + " bytes do not fit in the frame's " + std::to_string(f.end - pos_) +
             " bytes");
    return f;
}

LeReader::Frame LeReader::record(std::string_view what) {
    const Frame f = frame(what);
    if (f.list)
        fail(std::string(what) + ": a list frame where a record frame belongs");
    return f;
}

void LeReader::leave(const Frame& frame, std::string_view what) {
    if (pos_ > frame.end)
        fail(std::string(what) + ": read " + std::to_string(pos_ - frame.end) +
             " bytes past the frame's end " + std::to_string(frame.end));
    pos_ = frame.end;
}

Locator LeReader::locator(std::string_view what) {
    const std::int32_t size = i32();
    if (size < 0)
        // Non-standard locators (type in the top byte: 0x01 large files, others for object
        // stores) only appear for pages or envelopes beyond 2 GiB; hepkit does not read them yet.
        fail(std::string(what) + ": a non-standard locator (0x" + [&] {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(size));
            return std::string(buf);
        }() + "), which hepkit does not read");
    Locator l;
    l.size = static_cast<std::uint64_t>(size);
    l.offset = u64();
    return l;
}

EnvelopeLink LeReader::envelope_link(std::string_view what) {
    EnvelopeLink link;
    link.length = u64();
    link.where = locator(what);
    return link;
}

void LeReader::fail(const std::string& message) const {
    std::string object = what_;
    object.append(" (stored at byte ").append(std::to_string(file_offset_)).append(")");
    fail_at(where_, object, pos_, message);
}

} // namespace hepkit::io::rntuple
