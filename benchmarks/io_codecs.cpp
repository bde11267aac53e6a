// ROOT codecs: decompression speed of hepkit::io::decompress against the codec library called
// directly on the same blocks (docs/performance.md, "ROOT codecs"; issue 14's criterion: the
// reader adds almost nothing on top of the codec). The baskets are NanoAOD-like: big-endian
// floats with NanoAOD's reduced mantissas (pt 10 bits, eta/phi 12 bits), small counts and flags,
// one branch per basket, compressed as ROOT's default setting of each codec does.
//
//   build/benchmarks/bench_io_codecs                       # all, MB/s of uncompressed output
//   build/benchmarks/bench_io_codecs --benchmark_filter=lz4
//
// Each `io_vs_direct/<codec>/<basket KiB>` decodes the same blocks both ways, alternating, and
// reports io_MB/s, direct_MB/s and io/direct: the reader's share of the codec's speed.
#include "hepkit/io/Compression.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <libdeflate.h>
#include <lz4.h>
#include <lzma.h>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

namespace io = hepkit::io;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Uncompressed bytes per pass: 8 MiB, or $HEPKIT_BENCH_IO_MIB MiB (the ctest smoke run uses 1).
const std::size_t kTotal = [] {
    const char* env = std::getenv("HEPKIT_BENCH_IO_MIB");
    const long mib = env != nullptr ? std::strtol(env, nullptr, 10) : 8;
    return static_cast<std::size_t>(mib > 0 ? mib : 8) << 20;
}();

void put_be32(Bytes& b, std::uint32_t v) {
    for (int i = 3; i >= 0; --i)
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint32_t truncated_float(float f, int mantissa_bits) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u & ~((1u << (23 - mantissa_bits)) - 1);
}

// One basket's uncompressed bytes: one of four NanoAOD-like branch kinds.
Bytes basket(std::size_t bytes, int kind, std::mt19937& rng) {
    Bytes b;
    b.reserve(bytes);
    std::exponential_distribution<float> pt(1.0f / 30.0f);
    std::normal_distribution<float> eta(0.0f, 1.5f);
    std::poisson_distribution<int> count(2.5);
    while (b.size() + 4 <= bytes)
        switch (kind) {
        case 0:
            put_be32(b, truncated_float(pt(rng), 10));
            break;
        case 1:
            put_be32(b, truncated_float(eta(rng), 12));
            break;
        case 2:
            put_be32(b, static_cast<std::uint32_t>(count(rng)));
            break;
        default:
            for (int i = 0; i < 4; ++i)
                b.push_back(static_cast<std::uint8_t>(rng() % 5 == 0));
        }
    b.resize(bytes, 0);
    return b;
}

struct Record {
    Bytes stored;
    std::size_t size = 0;
};

// ROOT's default level per codec: zlib 1 (101), LZMA 7 (207), LZ4 4 (404), ZSTD 5 (505).
io::CompressionSetting root_default(io::Codec c) {
    switch (c) {
    case io::Codec::Lzma:
        return {c, 7};
    case io::Codec::Lz4:
        return {c, 4};
    case io::Codec::Zstd:
        return {c, 5};
    default:
        return {c, 1};
    }
}

const std::vector<Record>& records(io::Codec codec, std::size_t basket_bytes) {
    static std::map<std::pair<int, std::size_t>, std::vector<Record>> cache;
    auto& r = cache[{static_cast<int>(codec), basket_bytes}];
    if (r.empty()) {
        std::mt19937 rng(7);
        for (std::size_t done = 0, i = 0; done < kTotal; done += basket_bytes, ++i) {
            const Bytes raw = basket(basket_bytes, static_cast<int>(i % 4), rng);
            r.push_back({io::compress(raw, root_default(codec)), raw.size()});
        }
    }
    return r;
}

// The codec libraries called directly on a record's single block (the header skipped), with
// their contexts made once, as the fastest direct use would.
struct Direct {
    libdeflate_decompressor* deflate = libdeflate_alloc_decompressor();
    ZSTD_DCtx* zstd = ZSTD_createDCtx();
    ~Direct() {
        libdeflate_free_decompressor(deflate);
        ZSTD_freeDCtx(zstd);
    }
    Direct() = default;
    Direct(const Direct&) = delete;
    Direct& operator=(const Direct&) = delete;

    bool run(io::Codec codec, const std::uint8_t* body, std::size_t n, std::uint8_t* out, std::size_t size,
             bool lz4_checksum) const {
        switch (codec) {
        case io::Codec::Zlib:
            return libdeflate_zlib_decompress(deflate, body, n, out, size, nullptr) == LIBDEFLATE_SUCCESS;
        case io::Codec::OldRoot:
            return libdeflate_deflate_decompress(deflate, body, n, out, size, nullptr) == LIBDEFLATE_SUCCESS;
        case io::Codec::Lz4: {
            if (lz4_checksum &&
                XXH64(body + 8, n - 8, 0) == 0x5eed) // keeps the hash from being optimised away
                return false;
            return LZ4_decompress_safe(reinterpret_cast<const char*>(body + 8), reinterpret_cast<char*>(out),
                                       static_cast<int>(n - 8),
                                       static_cast<int>(size)) == static_cast<int>(size);
        }
        case io::Codec::Zstd:
            return ZSTD_decompressDCtx(zstd, out, size, body, n) == size;
        case io::Codec::Lzma: {
            std::uint64_t limit = UINT64_MAX;
            std::size_t ip = 0, op = 0;
            return lzma_stream_buffer_decode(&limit, 0, nullptr, body, &ip, n, out, &op, size) == LZMA_OK;
        }
        case io::Codec::None:
            break;
        }
        return false;
    }
};

// zlib's own inflate (what ROOT itself uses for ZL), for comparison with libdeflate.
bool zlib_inflate(const std::uint8_t* body, std::size_t n, std::uint8_t* out, std::size_t size) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK)
        return false;
    z.next_in = const_cast<Bytef*>(body);
    z.avail_in = static_cast<uInt>(n);
    z.next_out = out;
    z.avail_out = static_cast<uInt>(size);
    const int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

enum class Way { Io, Direct, DirectNoChecksum, ZlibInflate };

// One pass over all records one way; false when a direct call failed.
bool pass(const std::vector<Record>& recs, io::Codec codec, Way way, const Direct& direct, Bytes& out) {
    static const io::RecordPlace place{"bench", "basket", 0};
    bool ok = true;
    for (const auto& r : recs) {
        const std::uint8_t* body = r.stored.data() + io::kBlockHeaderSize;
        const std::size_t n = r.stored.size() - io::kBlockHeaderSize;
        switch (way) {
        case Way::Io:
            io::decompress(r.stored, std::span(out).first(r.size), place);
            break;
        case Way::Direct:
            ok &= direct.run(codec, body, n, out.data(), r.size, true);
            break;
        case Way::DirectNoChecksum:
            ok &= direct.run(codec, body, n, out.data(), r.size, false);
            break;
        case Way::ZlibInflate:
            ok &= zlib_inflate(body, n, out.data(), r.size);
            break;
        }
        benchmark::DoNotOptimize(out.data());
    }
    return ok;
}

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// hepkit::io::decompress and the codec library called directly (`against`), alternating pass by
// pass so that both see the same machine load and caches; reports each one's MB/s (CPU time of
// this thread) and their ratio.
void pair(benchmark::State& state, io::Codec codec, Way against) {
    const std::size_t basket_bytes = static_cast<std::size_t>(state.range(0)) << 10;
    const auto& recs = records(codec, basket_bytes);
    Bytes out(basket_bytes);
    const Direct direct;
    std::size_t stored = 0;
    for (const auto& r : recs) {
        stored += r.stored.size();
        if (io::record_codec(r.stored, r.size) != codec)
            throw std::runtime_error("a basket did not compress: the benchmark needs compressed blocks");
    }
    double t_io = 0, t_direct = 0;
    bool io_first = true;
    for (auto _ : state) {
        for (int k = 0; k < 2; ++k) {
            const bool io_now = (k == 0) == io_first;
            const double t0 = thread_seconds();
            if (!pass(recs, codec, io_now ? Way::Io : against, direct, out))
                state.SkipWithError("direct decompression failed");
            (io_now ? t_io : t_direct) += thread_seconds() - t0;
        }
        io_first = !io_first;
    }
    const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(kTotal);
    state.SetBytesProcessed(static_cast<std::int64_t>(2 * bytes));
    state.counters["io_MB/s"] = bytes / t_io / 1e6;
    state.counters["direct_MB/s"] = bytes / t_direct / 1e6;
    state.counters["io/direct"] = t_direct / t_io;
    state.counters["compression"] = static_cast<double>(kTotal) / static_cast<double>(stored);
}

void register_all() {
    const io::Codec codecs[] = {io::Codec::Zlib, io::Codec::OldRoot, io::Codec::Lz4, io::Codec::Zstd,
                                io::Codec::Lzma};
    const auto add = [](const std::string& name, io::Codec c, Way against) {
        benchmark::RegisterBenchmark(name.c_str(), pair, c, against)
            ->Arg(8)
            ->Arg(256)
            ->Unit(benchmark::kMillisecond);
    };
    for (io::Codec c : codecs)
        add("io_vs_direct/" + std::string(io::codec_name(c)), c, Way::Direct);
    // LZ4 without the checksum a reader must verify: what the checksum costs.
    add("io_vs_lz4_without_checksum/lz4", io::Codec::Lz4, Way::DirectNoChecksum);
    // zlib's own inflate, as ROOT and most readers decode ZL, against libdeflate through hepkit.
    add("io_vs_zlib_inflate/zlib", io::Codec::Zlib, Way::ZlibInflate);
}

} // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
