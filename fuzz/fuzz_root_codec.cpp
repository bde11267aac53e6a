// libFuzzer harness: one compressed ROOT record for hepkit::io::decompress. The first 3 bytes
// of the input are the record's uncompressed length (little-endian, as in a block header; at
// most 16 MiB), the rest is the stored record. Both forms are run: the span form into a buffer
// of that length and the growing form; they must agree. Reaches every codec's decoder (ZL, CS,
// L4 with its checksum, ZS, XZ) from seeds of each (fuzz/corpus/root_codec), which whole files
// (fuzz_root_file) reach only through their own codec.
#include "FuzzSupport.hpp"
#include "hepkit/io/Compression.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3)
        return 0;
    const std::size_t out_size = data[0] | (data[1] << 8) | (data[2] << 16);
    const std::span<const std::uint8_t> in(data + 3, size - 3);
    const hepkit::io::RecordPlace place{"input", "record", 0};
    std::vector<std::uint8_t> a(out_size);
    bool span_ok = false;
    hepkit::fuzz::expect_input_errors([&] {
        hepkit::io::decompress(in, a, place);
        span_ok = true;
    });
    hepkit::fuzz::expect_input_errors([&] {
        const std::vector<std::uint8_t> b = hepkit::io::decompress(in, out_size, place);
        if (!span_ok || b != a)
            __builtin_trap(); // the two forms disagree
    });
    (void)hepkit::io::record_codec(in, out_size);
    return 0;
}
