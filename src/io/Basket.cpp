// Reading one basket: a TKey header whose last 19 bytes are the basket's own fields (fVersion,
// fBufferSize, fNevBufSize, fNevBuf, fLast, a flag), then the compressed bytes. Uncompressed, the
// data of the entries fills [0, fLast − fKeylen); when entries have variable size an array of
// entry offsets follows (a count, then one offset per entry counted from the key's start).

#include "Basket.hpp"

#include "Cursor.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/Compression.hpp"

#include <algorithm>
#include <cstring>

namespace hepkit::io::detail {

namespace {

// The shortest basket key: the TKey fields with 32-bit seeks, three empty strings, the basket fields.
constexpr std::int32_t kMinBasketKey = 4 + 2 + 4 + 4 + 2 + 2 + 4 + 4 + 3 + 19;
// An uncompressed record holds at most 2^24−1 bytes per block of ≥ 10 stored bytes (see RootFile).
constexpr std::int64_t kMaxBlockBytes = (std::int64_t{1} << 24) - 1;
constexpr std::int64_t kMinBlockStored = 10;

// The first n elements of a grow-only buffer (growing zero-fills only the new part, once).
template <class T>
std::span<T> first(std::vector<T>& v, std::size_t n) {
    if (v.size() < n)
        v.resize(n);
    return std::span<T>(v.data(), n);
}

[[noreturn]] void fail(const RootFile& file, const std::string& object, std::int64_t offset,
                       const std::string& message) {
    throw InputError(file.path(), 0, object + " at byte " + std::to_string(offset), message);
}

} // namespace

BasketView LoadedBasket::view() const {
    BasketView v;
    v.entries = entries;
    if (embedded) {
        v.data = embedded->data;
        v.offsets = embedded->offsets;
    } else {
        v.data = std::span<const std::uint8_t>(buffer.data(), border);
        v.offsets = offsets;
        v.residues = residues;
    }
    return v;
}

std::vector<BasketRef> basket_refs(const RootFile& file, const BranchModel& b, const std::string& object) {
    std::vector<BasketRef> refs;
    const auto n = static_cast<std::size_t>(b.write_basket);
    std::int64_t at = 0;
    for (std::size_t i = 0; i < n; ++i) {
        BasketRef r;
        r.index = static_cast<std::int32_t>(i);
        r.begin = b.basket_entry[i];
        // The entry after the last basket on file is in fBasketEntry[fWriteBasket] when the table
        // is long enough, else the branch's entry count.
        r.end = i + 1 < b.basket_entry.size() ? b.basket_entry[i + 1] : b.entries;
        if (i + 1 == n && b.embedded.empty() && i + 1 < b.basket_entry.size() && r.end == 0)
            r.end = b.entries;
        if (r.begin != at || r.end < r.begin)
            fail(file, object + " basket " + std::to_string(i), b.basket_seek[i],
                 "basket entries [" + std::to_string(r.begin) + ", " + std::to_string(r.end) +
                     ") do not continue the previous basket (which ended at entry " + std::to_string(at) +
                     ")");
        const std::int64_t seek = b.basket_seek[i];
        const std::int32_t bytes = b.basket_bytes[i];
        if (seek <= 0 || bytes < kMinBasketKey || static_cast<std::uint64_t>(seek) > file.size() ||
            static_cast<std::uint64_t>(bytes) > file.size() - static_cast<std::uint64_t>(seek))
            fail(file, object + " basket " + std::to_string(i), seek,
                 std::to_string(bytes) + " bytes at offset " + std::to_string(seek) +
                     " lie outside the file (" + std::to_string(file.size()) + " bytes; at least " +
                     std::to_string(kMinBasketKey) + " bytes per basket)");
        at = r.end;
        refs.push_back(r);
    }
    for (std::size_t k = 0; k < b.embedded.size(); ++k) {
        BasketRef r;
        r.index = static_cast<std::int32_t>(n + k);
        r.embedded = true;
        r.embedded_index = k;
        r.begin = at;
        r.end = at + b.embedded[k].entries;
        at = r.end;
        refs.push_back(r);
    }
    if (at != b.entries)
        fail(file, object, 0,
             "the baskets hold " + std::to_string(at) + " entries, the branch says " +
                 std::to_string(b.entries));
    return refs;
}

LoadedBasket load_basket(const RootFile& file, const BranchModel& b, const BasketRef& ref,
                         const std::string& object, BasketScratch& scratch) {
    LoadedBasket out;
    const std::string what = object + " basket " + std::to_string(ref.index);
    const std::int64_t expected = ref.end - ref.begin;
    if (ref.embedded) {
        const EmbeddedBasket& e = b.embedded[ref.embedded_index];
        out.embedded = &e;
        out.entries = e.entries;
        if (!e.offsets.empty()) {
            // Offsets of an embedded basket were read from the record: check them as a file's.
            for (std::size_t i = 0; i + 1 < e.offsets.size(); ++i)
                if (e.offsets[i] < 0 || e.offsets[i] > e.offsets[i + 1] ||
                    static_cast<std::size_t>(e.offsets[i + 1]) > e.data.size())
                    fail(file, what, 0, "entry offsets not increasing inside the basket's data");
        }
        return out;
    }
    const auto i = static_cast<std::size_t>(ref.index);
    const std::int64_t seek = b.basket_seek[i];
    out.offset = static_cast<std::uint64_t>(seek);
    // A view into the mapped file where it is mapped: decompressed from the page cache, not copied
    // out of it first (that copy cost a third of the LZ4 codec's own time, docs/performance.md).
    const std::span<const std::uint8_t> raw =
        file.view_raw(seek, static_cast<std::size_t>(b.basket_bytes[i]), scratch.raw, what);
    Cursor c(raw, file.path(), what, static_cast<std::uint64_t>(seek));
    const std::int32_t nbytes = c.i32();
    const std::uint16_t key_version = c.u16();
    const std::int32_t obj_len = c.i32();
    c.u32(); // fDatime
    const std::int16_t key_len = c.i16();
    c.i16(); // fCycle
    if (nbytes != b.basket_bytes[i])
        fail(file, what, seek,
             "the basket's key says " + std::to_string(nbytes) + " bytes, the branch's table says " +
                 std::to_string(b.basket_bytes[i]));
    if (key_len < kMinBasketKey || key_len > nbytes)
        fail(file, what, seek,
             "key length " + std::to_string(key_len) + " outside " + std::to_string(kMinBasketKey) + " … " +
                 std::to_string(nbytes));
    (void)key_version;
    const std::int64_t stored = nbytes - key_len;
    if (obj_len < 0 || (obj_len != stored && obj_len > (stored / kMinBlockStored + 1) * kMaxBlockBytes))
        fail(file, what, seek,
             "uncompressed length " + std::to_string(obj_len) + " is more than " + std::to_string(stored) +
                 " compressed bytes can hold");
    c.seek(static_cast<std::size_t>(key_len) - 19);
    c.u16(); // fVersion
    c.i32(); // fBufferSize
    c.i32(); // fNevBufSize
    const std::int32_t nev = c.i32();
    const std::int32_t last = c.i32();
    if (nev != expected)
        fail(file, what, seek,
             "the basket holds " + std::to_string(nev) + " entries, the branch's table says " +
                 std::to_string(expected));
    const std::int64_t border = static_cast<std::int64_t>(last) - key_len;
    if (border < 0 || border > obj_len)
        fail(file, what, seek,
             "data end fLast " + std::to_string(last) + " outside the key length " + std::to_string(key_len) +
                 " … the key length + the uncompressed length " + std::to_string(obj_len));

    out.entries = nev;
    out.border = static_cast<std::size_t>(border);
    const std::span<const std::uint8_t> in(raw.data() + key_len, static_cast<std::size_t>(stored));
    if (stored == obj_len) {
        out.buffer = in; // stored raw (compression did not pay): used where it was read, not copied
    } else {
        const std::span<std::uint8_t> buffer = first(scratch.buffer, static_cast<std::size_t>(obj_len));
        out.buffer = buffer;
        decompress(in, buffer, RecordPlace{file.path(), what, static_cast<std::uint64_t>(seek)});
    }

    if (border < obj_len) {
        // The entry offsets: a count (≥ entries), then one offset per entry from the key's start.
        Cursor t(out.buffer.subspan(out.border), file.path(), what + " entry offsets",
                 static_cast<std::uint64_t>(seek));
        const std::int32_t count = t.i32();
        if (count < nev)
            t.fail(std::to_string(count) + " entry offsets for " + std::to_string(nev) + " entries in " +
                   std::to_string(t.remaining()) + " bytes");
        if (static_cast<std::size_t>(nev) > t.remaining() / 4)
            t.fail(std::to_string(nev) + " entry offsets do not fit in " + std::to_string(t.remaining()) +
                   " bytes");
        const std::span<std::int32_t> offsets = first(scratch.offsets, static_cast<std::size_t>(nev) + 1);
        out.offsets = offsets;
        // Decoded in one tight loop (the count above proved they fit), checked in a second one that
        // only looks for a bad offset: both vectorise, unlike a checked read per value. The first
        // bad one is then looked up for the message.
        const bool bad = !entry_offsets_from_be(offsets.data(), out.buffer.data() + out.border + 4,
                                                static_cast<std::size_t>(nev), key_len,
                                                static_cast<std::int32_t>(border), out.residues);
        const auto n = static_cast<std::size_t>(nev);
        if (bad) {
            // The message names the offset as stored, in 64 bits: a hostile value near INT32_MIN
            // wrapped in the fast loop's unsigned arithmetic (fuzz/regressions/root_tree).
            const std::uint8_t* raw = out.buffer.data() + out.border + 4;
            std::int64_t previous = 0;
            for (std::size_t e = 0; e < n; ++e) {
                const auto stored = static_cast<std::int32_t>(
                    (std::uint32_t{raw[4 * e]} << 24) | (std::uint32_t{raw[4 * e + 1]} << 16) |
                    (std::uint32_t{raw[4 * e + 2]} << 8) | std::uint32_t{raw[4 * e + 3]});
                const std::int64_t o = static_cast<std::int64_t>(stored) - key_len;
                if (o < previous || o > border)
                    fail(file, what, seek,
                         "entry " + std::to_string(e) + " starts at byte " + std::to_string(o) +
                             " of the data, outside " + std::to_string(previous) + " … " +
                             std::to_string(border) + " (entry offsets must increase inside the basket)");
                previous = o;
            }
        }
        offsets.back() = static_cast<std::int32_t>(border);
    }
    return out;
}

} // namespace hepkit::io::detail
