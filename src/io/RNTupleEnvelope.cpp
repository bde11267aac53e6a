// The RNTuple anchor (the ROOT::RNTuple object behind a key) and the envelopes it leads to:
// read, size-checked, decompressed, their preamble and xxhash3 checksum verified.
#include "Cursor.hpp"
#include "RNTupleFormat.hpp"

#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"

#include <xxhash.h>

namespace hepkit::io::rntuple {

namespace {
constexpr std::size_t kAnchorFields = 4 * 2 + 7 * 8; // four u16 versions, seven u64
} // namespace

Anchor read_anchor(const RootFile& file, const Key& key, const Where& where) {
    const std::vector<std::uint8_t> payload = file.read_payload(key);
    const std::uint64_t at =
        static_cast<std::uint64_t>(key.seek_key) + static_cast<std::uint64_t>(key.key_len);
    Cursor in(payload, where.file, "ntuple " + where.ntuple + " anchor", at, key.key_len);
    const Cursor::Frame frame = in.frame("ROOT::RNTuple");
    const std::size_t fields_at = in.pos();
    Anchor a;
    a.epoch = in.u16();
    a.major = in.u16();
    a.minor = in.u16();
    a.patch = in.u16();
    a.seek_header = in.u64();
    a.nbytes_header = in.u64();
    a.len_header = in.u64();
    a.seek_footer = in.u64();
    a.nbytes_footer = in.u64();
    a.len_footer = in.u64();
    a.max_key_size = in.u64();
    // Later format versions may append fields; the checksum covers all of them and follows the
    // object (outside its byte count).
    if (frame.end != 0)
        in.skip_to_end(frame, "ROOT::RNTuple");
    const std::size_t fields_end = in.pos();
    const std::uint64_t stored = in.u64();
    const std::uint64_t computed = XXH3_64bits(payload.data() + fields_at, fields_end - fields_at);
    if (stored != computed) {
        in.seek(fields_end);
        in.fail("anchor checksum mismatch: stored xxhash3 " + std::to_string(stored) + ", computed " +
                std::to_string(computed) + " (corrupt anchor)");
    }
    if (fields_end - fields_at < kAnchorFields)
        in.fail("anchor too short");
    if (a.epoch != 1) {
        in.seek(fields_at);
        in.fail("RNTuple format epoch " + std::to_string(a.epoch) + " (version " + std::to_string(a.epoch) +
                "." + std::to_string(a.major) + "." + std::to_string(a.minor) + "." +
                std::to_string(a.patch) +
                "); hepkit reads epoch 1 (ROOT ≥ 6.34), not the pre-release formats");
    }
    return a;
}

std::vector<std::uint8_t> read_envelope(const RootFile& file, const Where& where, std::string_view what,
                                        std::uint16_t type, Locator stored, std::uint64_t length,
                                        std::uint64_t max_key_size, std::uint64_t& checksum) {
    auto fail = [&](std::uint64_t at, const std::string& m) { fail_at(where, what, at, m); };
    if (stored.offset > file.size() || stored.size > file.size() - stored.offset)
        fail(stored.offset, std::to_string(stored.size) + " stored bytes run past the file's end (" +
                                std::to_string(file.size()) + " bytes)");
    if (max_key_size > 0 && stored.size > max_key_size)
        fail(stored.offset, "stored in " + std::to_string(stored.size) + " bytes, more than one key (" +
                                std::to_string(max_key_size) + "): multi-key blobs are not read by hepkit");
    if (length < 16)
        fail(stored.offset, "length " + std::to_string(length) + " is shorter than an envelope's 16 bytes");
    const std::vector<std::uint8_t> raw =
        file.read_raw(static_cast<std::int64_t>(stored.offset), static_cast<std::size_t>(stored.size), what);
    std::vector<std::uint8_t> data;
    if (raw.size() == length) {
        data = raw;
    } else {
        check_blocks(raw, length, where, what, stored.offset);
        data.resize(length);
        const std::string object = "ntuple " + where.ntuple + " " + std::string(what);
        decompress(raw, data, RecordPlace{where.file, object, stored.offset});
    }
    std::uint64_t preamble = 0;
    for (int i = 0; i < 8; ++i)
        preamble |= static_cast<std::uint64_t>(data[i]) << (8 * i);
    const std::uint16_t got_type = static_cast<std::uint16_t>(preamble & 0xFFFF);
    const std::uint64_t got_length = preamble >> 16;
    if (got_type != type)
        fail(stored.offset, "envelope type " + std::to_string(got_type) + " where type " +
                                std::to_string(type) + " belongs");
    if (got_length != length)
        fail(stored.offset, "envelope length " + std::to_string(got_length) + " differs from its link's " +
                                std::to_string(length));
    std::uint64_t recorded = 0;
    for (int i = 0; i < 8; ++i)
        recorded |= static_cast<std::uint64_t>(data[length - 8 + i]) << (8 * i);
    checksum = XXH3_64bits(data.data(), length - 8);
    if (checksum != recorded)
        fail(stored.offset, "checksum mismatch: recorded xxhash3 " + std::to_string(recorded) +
                                ", computed " + std::to_string(checksum) + " (corrupt envelope)");
    return data;
}

void check_blocks(std::span<const std::uint8_t> stored, std::uint64_t length, const Where& where,
                  std::string_view what, std::uint64_t offset) {
    // Walk ROOT's 9-byte block headers and add up what they promise before anything of that size
    // is allocated: a hostile locator cannot ask for more than its blocks say they hold.
    std::uint64_t promised = 0;
    std::size_t at = 0;
    while (at < stored.size()) {
        if (stored.size() - at < 9)
            fail_at(where, what, offset + at, "compressed block header truncated");
        const std::uint8_t* h = stored.data() + at;
        const std::size_t csize = h[3] | (h[4] << 8) | (h[5] << 16);
        const std::size_t usize = h[6] | (h[7] << 8) | (h[8] << 16);
        if (csize > stored.size() - at - 9)
            fail_at(where, what, offset + at,
                    "compressed block of " + std::to_string(csize) + " bytes runs past the stored " +
                        std::to_string(stored.size()) + " bytes");
        promised += usize;
        at += 9 + csize;
    }
    if (promised != length)
        fail_at(where, what, offset,
                "compressed blocks hold " + std::to_string(promised) + " bytes, " + std::to_string(length) +
                    " expected");
}

} // namespace hepkit::io::rntuple
