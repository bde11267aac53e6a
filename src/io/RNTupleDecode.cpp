// Decoding of one uncompressed RNTuple page into typed values: little-endian elements, the
// split (byte-transposed) encoding and the zigzag and delta encodings fused with it, bit-packed
// booleans, half floats, truncated and quantized floats. The encodings restart on every page.
#include "RNTupleDecode.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace hepkit::io::rntuple {

static_assert(std::endian::native == std::endian::little,
              "RNTuple pages are decoded on little-endian hosts only");

namespace {

template <std::size_t N>
struct UnsignedOf;
template <>
struct UnsignedOf<1> {
    using type = std::uint8_t;
};
template <>
struct UnsignedOf<2> {
    using type = std::uint16_t;
};
template <>
struct UnsignedOf<4> {
    using type = std::uint32_t;
};
template <>
struct UnsignedOf<8> {
    using type = std::uint64_t;
};

template <class T, class S>
T convert(S v) {
    if constexpr (std::is_floating_point_v<S> && !std::is_floating_point_v<T>)
        return static_cast<T>(v); // not reached: families are checked when a field is resolved
    else
        return static_cast<T>(v);
}

// Plain little-endian elements of type S.
template <class S, class T>
void plain(const std::uint8_t* p, std::size_t n, T* out) {
    if constexpr (std::is_same_v<S, T>) {
        std::memcpy(out, p, n * sizeof(S));
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            S v;
            std::memcpy(&v, p + i * sizeof(S), sizeof(S));
            out[i] = convert<T>(v);
        }
    }
}

enum class Post { None, Zigzag, Delta };

// Split encoding: byte b of element i at p[b·n + i]; then zigzag or delta.
template <class S, Post post, class T>
void split(const std::uint8_t* p, std::size_t n, T* out) {
    using U = typename UnsignedOf<sizeof(S)>::type;
    U previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
        U u = 0;
        for (std::size_t b = 0; b < sizeof(S); ++b)
            u = static_cast<U>(u | (static_cast<U>(p[b * n + i]) << (8 * b)));
        if constexpr (post == Post::Zigzag) {
            u = static_cast<U>((u >> 1) ^ static_cast<U>(-static_cast<U>(u & 1)));
        } else if constexpr (post == Post::Delta) {
            // The first element of a page is stored as is, the others as differences.
            u = static_cast<U>(u + previous);
            previous = u;
        }
        S v;
        std::memcpy(&v, &u, sizeof(S));
        out[i] = convert<T>(v);
    }
}

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1F;
    std::uint32_t mantissa = h & 0x3FF;
    std::uint32_t bits;
    if (exponent == 0x1F) { // inf, nan
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { // subnormal half: normalise
        int e = -1;
        do {
            ++e;
            mantissa <<= 1;
        } while ((mantissa & 0x400) == 0);
        bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mantissa & 0x3FF) << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <bool split_encoded, class T>
void real16(const std::uint8_t* p, std::size_t n, T* out) {
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint16_t h = split_encoded ? static_cast<std::uint16_t>(p[i] | (p[n + i] << 8))
                                              : static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
        out[i] = convert<T>(half_to_float(h));
    }
}

// Element i of a stream of `bits`-bit integers packed from the least significant bit up.
std::uint32_t packed(const std::uint8_t* p, std::size_t i, unsigned bits) {
    const std::uint64_t first = static_cast<std::uint64_t>(i) * bits;
    std::size_t byte = static_cast<std::size_t>(first / 8);
    const unsigned shift = static_cast<unsigned>(first % 8);
    const unsigned nbytes = (shift + bits + 7) / 8; // at most 5
    std::uint64_t word = 0;
    for (unsigned k = 0; k < nbytes; ++k)
        word |= static_cast<std::uint64_t>(p[byte + k]) << (8 * k);
    return static_cast<std::uint32_t>((word >> shift) & ((std::uint64_t{1} << bits) - 1));
}

} // namespace

std::uint64_t page_bytes(const ColumnDesc& column, std::uint64_t elements) {
    return (elements * column.bits + 7) / 8;
}

template <class T>
void decode_page(const ColumnDesc& c, std::span<const std::uint8_t> page, std::size_t n, T* out) {
    const std::uint8_t* p = page.data();
    switch (c.kind) {
    case kBit:
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<T>((p[i >> 3] >> (i & 7)) & 1);
        return;
    case kByte:
    case kUInt8:
        return plain<std::uint8_t>(p, n, out);
    case kChar:
    case kInt8:
        return plain<std::int8_t>(p, n, out);
    case kInt16:
        return plain<std::int16_t>(p, n, out);
    case kUInt16:
        return plain<std::uint16_t>(p, n, out);
    case kInt32:
        return plain<std::int32_t>(p, n, out);
    case kUInt32:
    case kIndex32:
        return plain<std::uint32_t>(p, n, out);
    case kInt64:
        return plain<std::int64_t>(p, n, out);
    case kUInt64:
    case kIndex64:
        return plain<std::uint64_t>(p, n, out);
    case kReal32:
        return plain<float>(p, n, out);
    case kReal64:
        return plain<double>(p, n, out);
    case kReal16:
        return real16<false>(p, n, out);
    case kSplitReal16:
        return real16<true>(p, n, out);
    case kSplitInt16:
        return split<std::int16_t, Post::Zigzag>(p, n, out);
    case kSplitUInt16:
        return split<std::uint16_t, Post::None>(p, n, out);
    case kSplitInt32:
        return split<std::int32_t, Post::Zigzag>(p, n, out);
    case kSplitUInt32:
        return split<std::uint32_t, Post::None>(p, n, out);
    case kSplitInt64:
        return split<std::int64_t, Post::Zigzag>(p, n, out);
    case kSplitUInt64:
        return split<std::uint64_t, Post::None>(p, n, out);
    case kSplitReal32:
        return split<float, Post::None>(p, n, out);
    case kSplitReal64:
        return split<double, Post::None>(p, n, out);
    case kSplitIndex32:
        return split<std::uint32_t, Post::Delta>(p, n, out);
    case kSplitIndex64:
        return split<std::uint64_t, Post::Delta>(p, n, out);
    case kReal32Trunc:
        // The float's top `bits` bits; the dropped mantissa bits read as zero.
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t b = packed(p, i, c.bits) << (32 - c.bits);
            float f;
            std::memcpy(&f, &b, 4);
            out[i] = convert<T>(f);
        }
        return;
    case kReal32Quant: {
        // q in [0, 2^bits − 1] spans [min, max] linearly.
        const double scale = (c.max - c.min) / static_cast<double>((std::uint64_t{1} << c.bits) - 1);
        for (std::size_t i = 0; i < n; ++i)
            out[i] = convert<T>(static_cast<double>(packed(p, i, c.bits)) * scale + c.min);
        return;
    }
    default:
        // Switch and unknown kinds never reach here: resolve() refuses their fields.
        std::memset(static_cast<void*>(out), 0, n * sizeof(T));
        return;
    }
}

template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::uint8_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::int8_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::int16_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::uint16_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::int32_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::uint32_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::int64_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, std::uint64_t*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, float*);
template void decode_page(const ColumnDesc&, std::span<const std::uint8_t>, std::size_t, double*);

} // namespace hepkit::io::rntuple
