#pragma once
/// @file
/// A vector of slots with a free list: stable small indices for objects that come and go.
///
/// The simulator keeps many short-lived records (running jobs, engine activities, GPU tasks)
/// that other tables point at by index. A slot keeps its index from acquire() to release(); a
/// released index is handed out again, most recently released first (a stack), so the vector
/// stays as large as the most slots ever in use at once and the indices stay dense.
///
/// A reused slot keeps the content its last user left (and the capacity of its vectors): the
/// caller resets what it needs, e.g. `pool[i] = T{}`. Released slots stay readable, so a scan
/// over all slots must tell live ones from free ones itself (a `live` flag in T).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hepkit {

template <class T, class Index = std::uint32_t>
class SlotPool {
  public:
    /// The index the next acquire() returns.
    Index next() const { return free_.empty() ? static_cast<Index>(slots_.size()) : free_.back(); }

    /// Takes a free slot, or appends a default-constructed one when none is free.
    Index acquire() {
        if (!free_.empty()) {
            const Index i = free_.back();
            free_.pop_back();
            return i;
        }
        slots_.emplace_back();
        return static_cast<Index>(slots_.size() - 1);
    }

    /// Takes a free slot and stores `value` in it (a copy into a reused slot, else an append).
    Index acquire(const T& value) {
        if (!free_.empty()) {
            const Index i = free_.back();
            free_.pop_back();
            slots_[i] = value;
            return i;
        }
        slots_.push_back(value);
        return static_cast<Index>(slots_.size() - 1);
    }

    /// Returns slot `i` to the free list; its content stays until the slot is reused.
    /// Precondition: `i` is in use (releasing twice hands the index out twice).
    void release(Index i) { free_.push_back(i); }

    T& operator[](Index i) { return slots_[i]; }
    const T& operator[](Index i) const { return slots_[i]; }
    /// Slot `i`, checked: throws std::out_of_range past size().
    T& at(Index i) { return slots_.at(i); }
    const T& at(Index i) const { return slots_.at(i); }

    /// Slots ever created (in use or free): the bound of a scan over all indices.
    std::size_t size() const { return slots_.size(); }
    /// Slots in use.
    std::size_t in_use() const { return slots_.size() - free_.size(); }

  private:
    std::vector<T> slots_;
    std::vector<Index> free_;
};

} // namespace hepkit
