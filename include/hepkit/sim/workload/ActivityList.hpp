#pragma once
/// @file
/// The "activities" workload: explicit transfers, computations and disk I/O with start times
/// and dependencies, for data-movement campaigns, what-if transfers and validation.
///
/// CSV header: `id,type,source,destination,amount,start[,after]`
///  - `transfer`: `amount` bytes from host `source` to host `destination`
///  - `compute` : `amount` flop on host `source`, one core; `destination` empty
///  - `read` / `write`: `amount` bytes on disk `destination` of host `source` (empty: its first disk)
///  - `start`: earliest start in seconds; `after`: id of an activity that must finish first
///    (the activity then starts at max(start, end of `after`)).

#include "hepkit/sim/platform/Platform.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::sim {

struct ActivityRow {
    enum class Type { transfer, compute, read, write };
    std::string id;
    Type type = Type::transfer;
    HostIndex source = 0;
    HostIndex destination = 0; ///< transfers only
    std::size_t disk = 0;      ///< read/write only
    double amount = 0;         ///< bytes or flop
    double start = 0;          ///< s
    std::int64_t after = -1;   ///< row index of the dependency, or -1
};

/// Reads and checks an activities CSV against `platform`: unknown hosts or disks, bad numbers,
/// duplicate ids, unknown or cyclic `after` references all throw InputError with the line.
std::vector<ActivityRow> read_activities(const std::string& path, const Platform& platform);

/// Same checks for rows built in memory (generated campaigns); `origin` names them in errors.
void check_dependencies(const std::vector<ActivityRow>& rows, const std::string& origin);

} // namespace hepkit::sim
