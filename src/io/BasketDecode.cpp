// Basket bytes to column values: big-endian basic types (a loop the compiler vectorises), the
// packed Float16_t/Double32_t encodings, strings and std::vector entries. Every entry's size is
// checked against the layout before a value is read.

#include "Basket.hpp"
#include "TreeLayout.hpp"
#include "hepkit/core/ArchClones.hpp"
#include "hepkit/core/Error.hpp"

#include <bit>
#include <cstring>

namespace hepkit::io::detail {

namespace {

[[noreturn]] void fail(const BasketPlace& place, std::int32_t entry, const std::string& message) {
    throw InputError(*place.file, 0,
                     *place.object + " basket " + std::to_string(place.basket) + " (basket at byte " +
                         std::to_string(place.offset) + ")",
                     "entry " + std::to_string(entry) + " of the basket: " + message);
}

template <class T>
T load_be(const std::uint8_t* p) {
    if constexpr (sizeof(T) == 1) {
        return static_cast<T>(*p);
    } else {
        using U = std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                     std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>;
        U u;
        std::memcpy(&u, p, sizeof(U));
        if constexpr (std::endian::native == std::endian::little) {
            if constexpr (sizeof(U) == 2)
                u = __builtin_bswap16(u);
            else if constexpr (sizeof(U) == 4)
                u = __builtin_bswap32(u);
            else
                u = __builtin_bswap64(u);
        }
        return std::bit_cast<T>(u);
    }
}

// The tight loops over basket bytes are compiled three times: the x86-64-v3 clone (AVX2, picked at
// load time where the CPU has it) swaps 32 bytes with one byte shuffle, which the SSE2 baseline
// lacks, and handles twice the values per instruction; x86-64-v4 (AVX-512) 64 bytes (LZ4 reader /
// codec 0.78/0.80/0.79 against 0.78/0.77/0.79 with two clones: within the noise, kept for wider CPUs).
#if HEPKIT_ARCH_CLONES
#define HEPKIT_SWAP_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPKIT_SWAP_CLONES
#endif
// The per-entry loops of a C array x[n]: any entry size not a multiple of 2^k bytes, and the
// column offsets from the basket's entry offsets (element counts, shifted by `base`).
HEPKIT_SWAP_CLONES bool sizes_uneven(const std::int32_t* __restrict bo, std::size_t n, std::uint32_t mask) {
    // An integer OR-reduction vectorises where a bool one does not.
    std::uint32_t bits = 0;
    for (std::size_t e = 0; e < n; ++e)
        bits |= static_cast<std::uint32_t>(bo[e + 1]) - static_cast<std::uint32_t>(bo[e]);
    return (bits & mask) != 0;
}

// Values are appended with vector::insert from iterators that decode as they are read, so that
// each value is written once, straight from the basket bytes: resize-then-write value-initialised
// (zero-filled) the new part first, a whole extra pass over the column (~7 % of reading an LZ4
// NanoAOD selection, docs/performance.md). The column is reserved to its final size by Tree::read,
// so insert does not regrow it.

// A random-access iterator over a transformed sequence: element i is f(i) (f a small functor).
// Only what vector::insert and std::copy need; the copy loop it makes is counted, so it vectorises.
template <class T, class F>
struct MappedIterator {
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = T;
    F f;
    difference_type i = 0;
    T operator*() const { return f(i); }
    T operator[](difference_type k) const { return f(i + k); }
    MappedIterator& operator++() {
        ++i;
        return *this;
    }
    MappedIterator operator++(int) {
        MappedIterator o = *this;
        ++i;
        return o;
    }
    MappedIterator& operator--() {
        --i;
        return *this;
    }
    MappedIterator operator--(int) {
        MappedIterator o = *this;
        --i;
        return o;
    }
    MappedIterator& operator+=(difference_type k) {
        i += k;
        return *this;
    }
    MappedIterator& operator-=(difference_type k) {
        i -= k;
        return *this;
    }
    friend MappedIterator operator+(MappedIterator a, difference_type k) { return a += k; }
    friend MappedIterator operator+(difference_type k, MappedIterator a) { return a += k; }
    friend MappedIterator operator-(MappedIterator a, difference_type k) { return a -= k; }
    friend difference_type operator-(const MappedIterator& a, const MappedIterator& b) { return a.i - b.i; }
    friend bool operator==(const MappedIterator& a, const MappedIterator& b) { return a.i == b.i; }
    friend auto operator<=>(const MappedIterator& a, const MappedIterator& b) { return a.i <=> b.i; }
};

// out += f(0), ..., f(n−1), each element constructed once.
// Always inlined, so that the copy loop is compiled inside each target clone of its caller.
template <class T, class F>
[[gnu::always_inline]] inline void append_mapped(std::vector<T>& out, std::size_t n, F f) {
    using It = MappedIterator<T, F>;
    out.insert(out.end(), It{f, 0}, It{f, static_cast<std::ptrdiff_t>(n)});
}

template <class T>
struct FromBigEndian {
    const std::uint8_t* p;
    T operator()(std::ptrdiff_t i) const { return load_be<T>(p + sizeof(T) * static_cast<std::size_t>(i)); }
};

// One function per element type (not a template: target_clones wants plain functions). The
// x86-64-v3 clone (AVX2, picked at load time where the CPU has it) swaps 32 bytes with one byte
// shuffle, which the SSE2 baseline lacks; vector::insert and its copy loop are inlined into each.
#define HEPKIT_APPEND_BE(T)                                                                                  \
    HEPKIT_SWAP_CLONES void append_plain(std::vector<T>& out, const std::uint8_t* p, std::size_t n) {        \
        append_mapped(out, n, FromBigEndian<T>{p});                                                          \
    }
HEPKIT_APPEND_BE(std::int8_t)
HEPKIT_APPEND_BE(std::uint8_t)
HEPKIT_APPEND_BE(std::int16_t)
HEPKIT_APPEND_BE(std::uint16_t)
HEPKIT_APPEND_BE(std::int32_t)
HEPKIT_APPEND_BE(std::uint32_t)
HEPKIT_APPEND_BE(std::int64_t)
HEPKIT_APPEND_BE(std::uint64_t)
HEPKIT_APPEND_BE(float)
HEPKIT_APPEND_BE(double)
#undef HEPKIT_APPEND_BE

// The column offsets of a C array's entries: base + bo[e+1] / 2^shift, appended.
struct CountsToOffsets {
    const std::int32_t* bo;
    std::int64_t base;
    int shift;
    std::int64_t operator()(std::ptrdiff_t e) const { return base + (bo[e + 1] >> shift); }
};
HEPKIT_SWAP_CLONES void append_offsets(std::vector<std::int64_t>& out, const std::int32_t* bo, std::size_t n,
                                       std::int64_t base, int shift) {
    append_mapped(out, n, CountsToOffsets{bo, base, shift});
}

void append_bool(std::vector<std::uint8_t>& out, const std::uint8_t* p, std::size_t n) {
    const std::size_t at = out.size();
    out.resize(at + n);
    for (std::size_t i = 0; i < n; ++i)
        out[at + i] = p[i] != 0 ? 1 : 0;
}

// ROOT's TBufferFile::ReadWithNbits: exponent byte, mantissa word with `nbits` bits and the sign
// in bit nbits+1.
float float_from_bits(const std::uint8_t* p, int nbits) {
    const std::uint32_t exponent = p[0];
    const std::uint32_t mantissa = (std::uint32_t{p[1]} << 8) | p[2];
    std::uint32_t bits = exponent << 23;
    bits |= (mantissa & ((1u << (nbits + 1)) - 1)) << (23 - nbits);
    float f = std::bit_cast<float>(bits);
    if (((1u << (nbits + 1)) & mantissa) != 0)
        f = -f;
    return f;
}

// n stored elements at p, appended to the column.
void append_values(const Layout& l, Column& out, const std::uint8_t* p, std::size_t n) {
    switch (l.encoding) {
    case Encoding::Plain:
        switch (l.type) {
        case ColumnType::Bool:
            append_bool(out.mut<std::uint8_t>(), p, n);
            return;
        case ColumnType::Int8:
            append_plain(out.mut<std::int8_t>(), p, n);
            return;
        case ColumnType::UInt8:
            append_plain(out.mut<std::uint8_t>(), p, n);
            return;
        case ColumnType::Int16:
            append_plain(out.mut<std::int16_t>(), p, n);
            return;
        case ColumnType::UInt16:
            append_plain(out.mut<std::uint16_t>(), p, n);
            return;
        case ColumnType::Int32:
            append_plain(out.mut<std::int32_t>(), p, n);
            return;
        case ColumnType::UInt32:
            append_plain(out.mut<std::uint32_t>(), p, n);
            return;
        case ColumnType::Int64:
            append_plain(out.mut<std::int64_t>(), p, n);
            return;
        case ColumnType::UInt64:
            append_plain(out.mut<std::uint64_t>(), p, n);
            return;
        case ColumnType::Float32:
            append_plain(out.mut<float>(), p, n);
            return;
        case ColumnType::Float64:
            append_plain(out.mut<double>(), p, n);
            return;
        case ColumnType::String:
            break;
        }
        break;
    case Encoding::Float16Bits: {
        auto& v = out.mut<float>();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(float_from_bits(p + 3 * i, l.nbits));
        return;
    }
    case Encoding::Double32Bits: {
        auto& v = out.mut<double>();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(static_cast<double>(float_from_bits(p + 3 * i, l.nbits)));
        return;
    }
    case Encoding::Float16Range: {
        auto& v = out.mut<float>();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(static_cast<float>(load_be<std::uint32_t>(p + 4 * i) / l.factor + l.xmin));
        return;
    }
    case Encoding::Double32Range: {
        auto& v = out.mut<double>();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(load_be<std::uint32_t>(p + 4 * i) / l.factor + l.xmin);
        return;
    }
    case Encoding::Double32Float: {
        auto& v = out.mut<double>();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(static_cast<double>(load_be<float>(p + 4 * i)));
        return;
    }
    default:
        break;
    }
    throw std::logic_error("append_values: not a value encoding");
}

// A TString / std::string body: one length byte, or 255 and a 4-byte length; then the bytes.
std::string read_string(const std::uint8_t* p, std::size_t size, const BasketPlace& place,
                        std::int32_t entry) {
    if (size == 0)
        return {};
    std::size_t n = p[0];
    std::size_t head = 1;
    if (n == 255) {
        if (size < 5)
            fail(place, entry,
                 "a long string's length runs past the entry's " + std::to_string(size) + " bytes");
        n = load_be<std::uint32_t>(p + 1);
        head = 5;
    }
    if (n > size - head)
        fail(place, entry,
             "a string of " + std::to_string(n) + " bytes in an entry of " + std::to_string(size));
    return {reinterpret_cast<const char*>(p + head), n};
}

// An object header written with a byte count: 4 bytes count | kByteCountMask, 2 bytes version.
std::size_t object_header(const std::uint8_t* p, std::size_t size) {
    if (size >= 6 && (load_be<std::uint32_t>(p) & kByteCountMask) != 0)
        return 6;
    return 0;
}

} // namespace

HEPKIT_SWAP_CLONES bool entry_offsets_from_be(std::int32_t* __restrict dst, const std::uint8_t* __restrict p,
                                              std::size_t n, std::int32_t key_len, std::int32_t border,
                                              std::uint32_t& residues) {
    residues = 0;
    if (n == 0)
        return true;
    // Unsigned arithmetic: a hostile offset below key_len wraps to a huge value, caught below.
    const auto k = static_cast<std::uint32_t>(key_len);
    const auto at = [&](std::size_t e) {
        std::uint32_t u;
        std::memcpy(&u, p + 4 * e, 4);
        return __builtin_bswap32(u) - k;
    };
    const std::uint32_t first = at(0);
    dst[0] = static_cast<std::int32_t>(first);
    // One pass: each offset decoded, compared with the one before (decoded again from the bytes,
    // so that the iterations stay independent and the loop vectorises) and its low bits compared
    // with the first's. Integer OR-reductions vectorise where a bool one does not.
    std::uint32_t decreasing = 0, differ = 0;
    for (std::size_t e = 1; e < n; ++e) {
        const std::uint32_t cur = at(e), prev = at(e - 1);
        dst[e] = static_cast<std::int32_t>(cur);
        decreasing |=
            static_cast<std::uint32_t>(static_cast<std::int32_t>(cur) < static_cast<std::int32_t>(prev));
        differ |= cur ^ first;
    }
    // The last entry ends at border (the data's end), which Basket.cpp appends as the final offset.
    residues = differ | (static_cast<std::uint32_t>(border) ^ first);
    return decreasing == 0 && dst[0] >= 0 && dst[n - 1] <= border;
}

void decode_entries(const Layout& l, const BasketView& b, std::int32_t first, std::int32_t last, Column& out,
                    const BasketPlace& place) {
    if (first < 0 || last < first || last > b.entries)
        throw std::logic_error("decode_entries: entry range outside the basket");
    if (!l.variable) {
        // Fixed-size entries: one block of (last − first) · width elements.
        const std::size_t entry_bytes = l.stored_size * l.width;
        const std::size_t need = entry_bytes * static_cast<std::size_t>(b.entries);
        if (b.data.size() != need)
            fail(place, first,
                 "the basket holds " + std::to_string(b.data.size()) + " bytes for " +
                     std::to_string(b.entries) + " entries of " + std::to_string(entry_bytes) + " bytes (" +
                     std::to_string(need) + " expected)");
        append_values(l, out, b.data.data() + entry_bytes * static_cast<std::size_t>(first),
                      l.width * static_cast<std::size_t>(last - first));
        return;
    }
    if (b.offsets.size() != static_cast<std::size_t>(b.entries) + 1)
        fail(place, first, "entries of variable size but no entry offsets in the basket");
    const bool strings_or_vectors = l.encoding == Encoding::TString || l.encoding == Encoding::StdString ||
                                    l.encoding == Encoding::StdVector;
    if (l.jagged && l.entry_header == 0 && !strings_or_vectors) {
        // A C array x[n]: the entries' values lie back to back, so the sizes are checked and the
        // offsets written entry by entry, and the values decoded in one block.
        // Sizes are checked in one pass that only looks for a bad one (a shift instead of a
        // division for the usual power-of-two element size and width 1), then the offsets are
        // written in a second tight loop.
        const std::size_t unit = l.stored_size * l.width;
        const auto fo = static_cast<std::size_t>(first), lo = static_cast<std::size_t>(last);
        const std::int32_t* bo = b.offsets.data();
        const bool pow2 = (unit & (unit - 1)) == 0;
        bool uneven = false;
        if (pow2) {
            // No entry's size can be uneven when all offsets agree in their low bits (the basket's
            // residues, found while its offsets were decoded); else the entries are looked at.
            const auto mask = static_cast<std::uint32_t>(unit - 1);
            uneven = (b.residues & mask) != 0 && sizes_uneven(bo + fo, lo - fo, mask);
        } else {
            for (std::size_t e = fo; e < lo; ++e)
                uneven |= static_cast<std::size_t>(bo[e + 1] - bo[e]) % unit != 0;
        }
        if (uneven)
            for (std::int32_t e = first; e < last; ++e) {
                const auto size = static_cast<std::size_t>(b.offsets[static_cast<std::size_t>(e) + 1] -
                                                           b.offsets[static_cast<std::size_t>(e)]);
                if (size % unit != 0)
                    fail(place, e,
                         std::to_string(size) + " bytes are not a whole number of elements of " +
                             std::to_string(unit) + " bytes");
            }
        const std::int64_t base = out.offsets.back() - bo[fo] / static_cast<std::int64_t>(l.stored_size);
        if ((l.stored_size & (l.stored_size - 1)) == 0) {
            append_offsets(out.offsets.mut(), bo + fo, lo - fo, base, std::countr_zero(l.stored_size));
        } else {
            const auto size = static_cast<std::int32_t>(l.stored_size);
            append_mapped(out.offsets.mut(), lo - fo, [&](std::ptrdiff_t e) {
                return base + bo[fo + static_cast<std::size_t>(e) + 1] / size;
            });
        }
        const auto begin = static_cast<std::size_t>(b.offsets[static_cast<std::size_t>(first)]);
        const auto end = static_cast<std::size_t>(b.offsets[static_cast<std::size_t>(last)]);
        append_values(l, out, b.data.data() + begin, (end - begin) / l.stored_size);
        return;
    }
    for (std::int32_t e = first; e < last; ++e) {
        const auto begin = static_cast<std::size_t>(b.offsets[static_cast<std::size_t>(e)]);
        const auto end = static_cast<std::size_t>(b.offsets[static_cast<std::size_t>(e) + 1]);
        const std::uint8_t* p = b.data.data() + begin;
        std::size_t size = end - begin;
        switch (l.encoding) {
        case Encoding::TString:
            out.mut<std::string>().push_back(read_string(p, size, place, e));
            continue;
        case Encoding::StdString: {
            const std::size_t h = object_header(p, size);
            out.mut<std::string>().push_back(read_string(p + h, size - h, place, e));
            continue;
        }
        case Encoding::StdVector: {
            const std::size_t h = object_header(p, size);
            if (size - h < 4)
                fail(place, e,
                     "a std::vector entry of " + std::to_string(size) + " bytes has no element count");
            const std::int32_t n = static_cast<std::int32_t>(load_be<std::uint32_t>(p + h));
            if (n < 0 || static_cast<std::size_t>(n) * l.stored_size != size - h - 4)
                fail(place, e,
                     "std::vector of " + std::to_string(n) + " elements in " + std::to_string(size - h - 4) +
                         " bytes (elements of " + std::to_string(l.stored_size) + " bytes)");
            Layout elements = l; // std::vector<basic> elements are plain big-endian values
            elements.encoding = Encoding::Plain;
            append_values(elements, out, p + h + 4, static_cast<std::size_t>(n));
            out.offsets.push_back(out.offsets.back() + n);
            continue;
        }
        default: {
            if (l.entry_header != 0) {
                if (size < l.entry_header)
                    fail(place, e,
                         "an entry of " + std::to_string(size) + " bytes lacks its " +
                             std::to_string(l.entry_header) + "-byte header");
                p += l.entry_header;
                size -= l.entry_header;
            }
            const std::size_t unit = l.stored_size * l.width;
            if (size % unit != 0)
                fail(place, e,
                     std::to_string(size) + " bytes are not a whole number of elements of " +
                         std::to_string(unit) + " bytes");
            const std::size_t n = size / l.stored_size;
            append_values(l, out, p, n);
            if (l.jagged)
                out.offsets.push_back(out.offsets.back() + static_cast<std::int64_t>(n));
            else if (n != l.width)
                fail(place, e, std::to_string(n) + " values where the leaf has " + std::to_string(l.width));
            continue;
        }
        }
    }
}

} // namespace hepkit::io::detail
