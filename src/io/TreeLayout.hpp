#pragma once
// How a branch's entries lie in its baskets (internal to hepkit::io): the element encoding, the
// stored size of one element, the fixed width, whether entries have variable size. Made from the
// streamer models by make_branch_layout (BranchLayout.cpp), used by the basket decoder
// (BasketDecode.cpp).

#include "TreeModel.hpp"
#include "hepkit/io/Column.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hepkit::io::detail {

enum class Encoding : std::uint8_t {
    Plain,         ///< big-endian values of the column type (bool: one byte)
    Float16Bits,   ///< exponent byte + 16-bit mantissa word, `nbits` mantissa bits
    Float16Range,  ///< 32-bit unsigned integer over [xmin, xmax]
    Double32Float, ///< a float, widened
    Double32Bits,  ///< as Float16Bits, widened
    Double32Range, ///< as Float16Range, in double
    TString,       ///< one length-prefixed string per entry (TLeafC)
    StdString,     ///< std::string, maybe behind an object header
    StdVector,     ///< object header, element count, elements
};

struct Layout {
    ColumnType type = ColumnType::Float64;
    Encoding encoding = Encoding::Plain;
    std::size_t stored_size = 0;  ///< bytes of one stored element
    std::size_t width = 1;        ///< values per entry (fixed) or per counted element (jagged x[n][w])
    bool variable = false;        ///< entries have variable size (entry offsets in the baskets)
    bool jagged = false;          ///< the column has offsets
    std::size_t entry_header = 0; ///< bytes before each variable entry's values (kOffsetP: 1)
    double factor = 0;
    double xmin = 0;
    int nbits = 0;
};

/// Interprets a branch: fills `info` (name, types, dims, counter, range, sizes) and returns the
/// layout of its entries. Unreadable branches get info.readable = false and a reason.
Layout make_branch_layout(const TreeModel& tree, const BranchModel& branch, BranchInfo& info);

/// The bytes of one basket, uncompressed: `data` holds the entries; `offsets` (entries+1 values,
/// checked monotone and inside data) is empty when every entry has the same size.
struct BasketView {
    std::span<const std::uint8_t> data;
    std::span<const std::int32_t> offsets;
    std::int32_t entries = 0;
    /// OR of every offset XOR the first: zero low bits prove that every entry's size is a multiple
    /// of that power of two (all bits set: unknown, every entry is checked).
    std::uint32_t residues = ~0u;
};

/// Where an error points: file, object (tree/branch basket i) and the basket's file offset.
struct BasketPlace {
    const std::string* file = nullptr;
    const std::string* object = nullptr; ///< the branch, as errors name it
    std::int32_t basket = 0;             ///< its index in the branch
    std::uint64_t offset = 0;
};

/// Appends the entries [first, last) of a basket to `out` (a column of layout.type made with
/// the right width and, when jagged, offsets starting at {0}). Throws InputError naming `place`
/// when an entry's bytes do not match the layout.
void decode_entries(const Layout& layout, const BasketView& basket, std::int32_t first, std::int32_t last,
                    Column& out, const BasketPlace& place);

/// A fresh column for `layout` (offsets {0} when jagged).
Column make_column(const std::string& name, const Layout& layout);

} // namespace hepkit::io::detail
