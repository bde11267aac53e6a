#pragma once
// Per-thread decoder and encoder contexts of the codec libraries, internal to hepkit::io.
// Allocating a libdeflate decompressor or a ZSTD context costs more than decompressing a small
// basket; one per thread, created on first use and freed at thread exit, keeps every call
// allocation-free and lets baskets decompress on many threads at once without locks.

struct libdeflate_decompressor;
struct ZSTD_DCtx_s;
struct ZSTD_CCtx_s;

namespace hepkit::io::detail {

/// This thread's libdeflate decompressor (ZL and CS blocks). Throws std::bad_alloc when none can be made.
libdeflate_decompressor* deflate_decompressor();
/// This thread's ZSTD decompression context.
ZSTD_DCtx_s* zstd_dctx();
/// This thread's ZSTD compression context.
ZSTD_CCtx_s* zstd_cctx();

} // namespace hepkit::io::detail
