#pragma once
/// @file
/// Settings of streaming jobs (XRootD): how the job state machine reads a job's input in blocks
/// while computing (docs/models.md, "Streaming (exactly)" and "XRootD overhead").

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/core/ParameterRegistry.hpp"

namespace hepkit::sim {

/// How the XRootD CPU overhead of a streamed block is computed (docs/models.md, "XRootD overhead").
/// Both charge `xrd_flops_per_time` flop per second to the block's computation:
///  - read_time (hepkit's default): per second of the block's own read;
///  - dcsim: per second from the start of the last read to the start of the computation, as
///    DCSim does. With prefetch that interval also covers the previous block's computation, so the
///    overhead feeds on itself and grows by a factor xrd_flops_per_time / core speed per block.
enum class XrdOverhead { read_time, dcsim };
inline constexpr auto xrd_overhead_models = make_enum_table<XrdOverhead>(
    "XRootD overhead model", {{"read-time", XrdOverhead::read_time}, {"dcsim", XrdOverhead::dcsim}});

/// Streaming jobs (XRootD): parameter paths `streaming.*` (docs/formats.md, "Parameter paths").
struct StreamingConfig {
    double block_size = 1e9;             ///< B per streamed block (-x)
    bool prefetch = true;                ///< read block i+1 while computing block i (--prefetch-off)
    double xrd_flops_per_time = 2e10;    ///< flop/s of CPU overhead per second of remote streaming
    double xrd_flops_per_time_local = 0; ///< flop/s of overhead when streaming from the worker's host
    XrdOverhead xrd_overhead = XrdOverhead::read_time; ///< overhead model (--xrd-overhead-model)
    bool dcsim_block_sizes = false; ///< reproduce DCSim's over-read of each file's last block
};

/// Registers every field (`block_size`, `prefetch`, ..., scenario keys in `options:`).
void register_parameters(ParameterRegistry<StreamingConfig>& r);

} // namespace hepkit::sim
