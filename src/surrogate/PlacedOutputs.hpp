#pragma once
// Each job's output write time as the placement would see it: the per-job input
// `placed_output_s` of the platform-aware sequence model (SequenceData.hpp).
//
// Why: the per-job model's output transfers were off by 45 % on the unseen platform and 88 % on
// random ones (tenth session), and the time of a write is decided by who else streams over its
// route when it is written, not by the route alone. On a sample of the study's one-site platform
// (route latency 3.15 ms) the reprocessing and analysis jobs write at the TCP window's rate
// (γ / 2L), while the Monte-Carlo jobs, which end while the analysis jobs still read, get a
// fair share of the shared campus link beside them, a sixth of that (docs/surrogate.md, eleventh
// session). It stays an estimate: the links are shared equally among the flows on them (readers
// bounded elsewhere counted whole) or max-min with the readers uncapped (the simulator caps every
// flow by its TCP window and weights flows by their RTT), the readers' own acknowledgements are
// left out, and a worker writing to its own disk has no route (the simulator's loopback is not
// modelled). A write's way back is in since the fourteenth session: the simulator puts every flow
// on its reverse route at weight 0.05, and a max-min share binds a flow there whatever its weight,
// so a write from a node whose down link its readers fill gets a reader's share (unseen sample
// 192: 14–44 MB/s, estimated ~500). The disk's resource that reads and writes share (sim::DiskModel: max of
// the two bandwidths) is in since the fourteenth session: where the disks were slow the writes to a storage
// host its site's readers stream from were estimated a ninth of the simulated ones.

#include "Placement.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace hepkit::surrogate::detail {

/// The jobs (groups of one, as placed_jobs took them) with `placed` placed_jobs' results and
/// `output_bytes` each job's output size: per job, the seconds its output write would take (all 0
/// where `c` has no output routes: ReadContext's placed_outputs fields).
///
/// A job placed whole starts at its estimated start (PlacedJob::start_s: its submission in the
/// first burst, the timed placement's start from TimedPlacement.hpp) and ends after its
/// PlacedJob::duration_s; while it runs, a reader streams on the links of the routes its input
/// takes (from the storage hosts for misses, from the caches in its scope for the hit rate's
/// share) for the share of its time it reads, transfer / duration (at most 1; a streaming reader
/// with `final_s` to its end less those seconds, below) — a job of the
/// simulator's non-streaming kinds (`reads_first[i]` set; empty: none), a copy job where it reads,
/// instead reads all the time from its start until its transfer is done, then computes; at its
/// end it writes its output in one flow to its worker's output storage host. The write takes the route's
/// latency times the network model's latency factor, then its bytes at the least, over its
/// route's links, of each link's bandwidth over the flows on it then (itself, the streaming
/// readers by their share of time, the copy jobs reading then whole, and the other writers, each
/// taking its time alone), bounded by the TCP window γ / 2L, by the output disk's write bandwidth over its
/// writers and by its resource of reads and writes over them and the readers streaming from it (where
/// ReadContext names the readers' source hosts), times the bandwidth factor (sim::NetworkModel). A job
/// without a worker (placed_jobs' waiting jobs; timed_jobs' jobs that never fit) writes alone: the workers'
/// mean delay and time per byte alone. Two ways of sharing: equal shares among the flows on each link
/// or disk at the write's start (readers bounded elsewhere counted whole, the other writers each for
/// its time alone); and max-min (MaxMin.hpp) with the writes as flows in time (twenty-fourth
/// session): the rates are solved again whenever a read begins or ends, a write begins or a write's
/// bytes are through, so that a write that outlasts a read, or the writes of jobs ending together,
/// take what the simulator's flows would.
/// `final_s` (empty: none), per job: the seconds at the end of a streaming reader's life in which
/// it computes its last block without reading (sim's stream: of each file, block b is computed
/// while block b + 1 is read, the last alone); such a reader streams from its start to its end less
/// those seconds, at transfer / (duration − final_s) of that time.
/// The bytes of a file's last block (sim's stream reads a file of `size` bytes in blocks of
/// `block`: the rest after the full ones, a whole block where they divide it; 0 for an empty file).
inline double last_block_bytes(double size, double block) {
    return size - (std::max(1.0, std::ceil(size / block)) - 1) * block;
}

struct PlacedWrites {
    std::vector<double> equal, max_min; ///< per job, s
};
PlacedWrites placed_outputs(const sim::Platform& p, const ReadContext& c,
                            const std::vector<sim::JobGroup>& jobs, const std::vector<PlacedJob>& placed,
                            const std::vector<double>& output_bytes,
                            std::span<const std::uint8_t> reads_first = {},
                            std::span<const double> final_s = {});

} // namespace hepkit::surrogate::detail
