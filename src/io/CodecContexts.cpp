#include "CodecContexts.hpp"

#include <libdeflate.h>
#include <new>
#include <zstd.h>

namespace hepkit::io::detail {

namespace {
template <class T, void (*Free)(T*)>
struct Owned {
    T* ptr = nullptr;
    Owned() = default;
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    ~Owned() {
        if (ptr != nullptr)
            Free(ptr);
    }
};

void free_zstd_d(ZSTD_DCtx* c) {
    ZSTD_freeDCtx(c);
}
void free_zstd_c(ZSTD_CCtx* c) {
    ZSTD_freeCCtx(c);
}

template <class T>
T* checked(T* p) {
    if (p == nullptr)
        throw std::bad_alloc();
    return p;
}
} // namespace

libdeflate_decompressor* deflate_decompressor() {
    thread_local Owned<libdeflate_decompressor, libdeflate_free_decompressor> d;
    if (d.ptr == nullptr)
        d.ptr = checked(libdeflate_alloc_decompressor());
    return d.ptr;
}

ZSTD_DCtx* zstd_dctx() {
    thread_local Owned<ZSTD_DCtx, free_zstd_d> d;
    if (d.ptr == nullptr)
        d.ptr = checked(ZSTD_createDCtx());
    return d.ptr;
}

ZSTD_CCtx* zstd_cctx() {
    thread_local Owned<ZSTD_CCtx, free_zstd_c> c;
    if (c.ptr == nullptr)
        c.ptr = checked(ZSTD_createCCtx());
    return c.ptr;
}

} // namespace hepkit::io::detail
