#include "hepkit/sim/grid/StreamingConfig.hpp"

namespace hepkit::sim {

void register_parameters(ParameterRegistry<StreamingConfig>& r) {
    using C = StreamingConfig;
    r.field("block_size", "xrd_blocksize", "B", "bytes per streamed XRootD block (-x)", &C::block_size,
            Bounds::above(0));
    r.field("prefetch", "prefetch", "read block i+1 while computing block i (--prefetch-off)", &C::prefetch);
    r.field("xrd_flops_per_time", "xrd_flops_per_time", "flop/s",
            "XRootD CPU overhead per second of remote streaming (--xrd-flops-per-time)",
            &C::xrd_flops_per_time);
    r.field("xrd_flops_per_time_local", "xrd_flops_per_time_local", "flop/s",
            "the same overhead when streaming from the worker's own host (--xrd-flops-per-time-local)",
            &C::xrd_flops_per_time_local);
    r.field("xrd_overhead_model", "xrd_overhead_model",
            "how the XRootD overhead of a block is computed (--xrd-overhead-model)", &C::xrd_overhead,
            xrd_overhead_models);
    r.field("dcsim_block_sizes", "dcsim_block_sizes",
            "reproduce DCSim's over-read of each file's last block (--dcsim-block-sizes)",
            &C::dcsim_block_sizes);
}

} // namespace hepkit::sim
