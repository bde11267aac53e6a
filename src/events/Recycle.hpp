#pragma once
// Storage of float64 products recycled between batches, per thread (Recycle.cpp).
//
// A product computed on few rows (after selective filters) is still a column of the batch's
// length, 0 in the rows not selected (Products.hpp): allocated and zeroed per batch, ~0.2 ns per
// event and step at 16 384 events — six of the Z→μμ benchmark's producers pay it for the nominal
// and again for a muon scale. Such a column, whose non-zero values can only be in the rows it was
// computed on, gives its storage back here when its last reference drops, with just those rows
// cleared (then, while they are likely still in the cache: cleared when taken, each row was a
// cache miss, ~0.9 ns per event of the benchmark's nominal run); a later batch's expression
// producer takes it, zeros again, instead of allocating and zeroing the whole length.

#include "hepkit/io/Column.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace hepkit::events::detail {

/// Columns shorter than this are not recycled: zeroing them costs less than the book-keeping.
inline constexpr std::size_t kRecycleMin = 1024;

/// Whether a product of `events` events computed on `rows` of them is worth recycling: a long
/// column computed on few rows (clearing them costs much less than zeroing the column).
bool worth_recycling(std::size_t events, std::size_t rows);

/// `n` zeros (a vector of size n) from this thread's recycled storage, or an empty vector when it
/// holds none of that size.
std::vector<double> take_zeros(std::size_t n);

/// How many times take_zeros gave storage, on every thread since the process started (for tests:
/// that a run recycled at all).
std::uint64_t recycled_takes();

/// `column` (flat float64, 0 outside `rows`) shared; when the last reference drops, its storage
/// goes to the recycling of the thread that drops it, with `rows` cleared then (zeros again).
std::shared_ptr<const io::Column> shared_recycled(io::Column column, std::vector<std::uint32_t> rows);

} // namespace hepkit::events::detail
