#pragma once
// Decoding of uncompressed RNTuple pages (internal to hepkit::io; RNTupleDecode.cpp).

#include "RNTupleFormat.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace hepkit::io::rntuple {

/// Bytes of an uncompressed page of `elements` elements of `column` (bit-packed kinds rounded up).
std::uint64_t page_bytes(const ColumnDesc& column, std::uint64_t elements);

/// Decodes the `n` elements of one uncompressed page (`page` holds page_bytes(column, n) bytes)
/// into out[0, n), converting to T (uint8_t for booleans and bytes, uint64_t for index columns).
/// The caller has checked that the column kind suits T (the field's family).
template <class T>
void decode_page(const ColumnDesc& column, std::span<const std::uint8_t> page, std::size_t n, T* out);

} // namespace hepkit::io::rntuple
