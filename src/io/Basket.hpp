#pragma once
// Baskets of a branch (internal to hepkit::io): which baskets hold which entries, and one basket
// read from the file, checked and decompressed.

#include "TreeLayout.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hepkit::io::detail {

/// Basket `index` of a branch holds entries [begin, end); embedded baskets come after the
/// baskets on file.
struct BasketRef {
    std::int64_t begin = 0;
    std::int64_t end = 0;
    std::int32_t index = 0;
    bool embedded = false;
    std::size_t embedded_index = 0;
};

/// The basket list of a branch, checked: entry ranges contiguous from 0 to the branch's entries,
/// sizes and seeks inside the file. Throws InputError naming `object` otherwise.
std::vector<BasketRef> basket_refs(const RootFile& file, const BranchModel& branch,
                                   const std::string& object);

/// Buffers a thread reuses from basket to basket, so that loading a basket allocates nothing and
/// zero-fills nothing once they have grown to the largest basket (they only grow: one basket's
/// compressed and uncompressed bytes and entry offsets per thread).
struct BasketScratch {
    std::vector<std::uint8_t> raw;
    std::vector<std::uint8_t> buffer;
    std::vector<std::int32_t> offsets;
};

/// A basket's bytes, uncompressed, with their entry offsets (view() gives the BasketView); they
/// live in the BasketScratch it was loaded with, valid until that scratch loads another basket.
struct LoadedBasket {
    std::span<const std::uint8_t> buffer;
    std::size_t border = 0; ///< data is buffer[0, border)
    std::span<const std::int32_t> offsets;
    std::uint32_t residues = ~0u; ///< see entry_offsets_from_be
    std::int32_t entries = 0;
    const EmbeddedBasket* embedded = nullptr;
    std::uint64_t offset = 0; ///< the basket's key in the file, for errors

    BasketView view() const;
};

/// Reads basket `ref` of `branch` (viewed in the mapped file, or one pread into `scratch`), its key header
/// checked against the branch's tables (size, entry count), decompressed, entry offsets checked monotone and
/// inside the data. The bytes go to `scratch`.
LoadedBasket load_basket(const RootFile& file, const BranchModel& branch, const BasketRef& ref,
                         const std::string& object, BasketScratch& scratch);

/// A basket's n entry offsets, stored big-endian and counted from the key's start, into dst as
/// offsets into the data (minus key_len). True when they start at ≥ 0, never decrease and end at
/// ≤ border; the caller then needs no per-value check. `residues`: the OR of every offset XOR the
/// first (its zero low bits say that every entry's size is a multiple of that power of two). One
/// tight loop (BasketDecode.cpp).
bool entry_offsets_from_be(std::int32_t* dst, const std::uint8_t* p, std::size_t n, std::int32_t key_len,
                           std::int32_t border, std::uint32_t& residues);

} // namespace hepkit::io::detail
