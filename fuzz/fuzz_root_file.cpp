// libFuzzer harness: a ROOT file for hepkit::io::RootFile. The input is written to a file and
// opened; the keys of every directory are listed (subdirectories followed, bounded in depth and
// count), every key's payload and the streamer record read (decompressed: every codec's decoder
// sees fuzzed blocks); then the file is walked record by record from fBEGIN as ROOT's TFile::Map
// does, reading each key header and payload, so that baskets' keys are read too.
#include "FuzzSupport.hpp"
#include "hepkit/io/RootFile.hpp"

#include <string>

namespace {

// Bounds of one input: enough to reach every part of a small file, few enough that a file of
// many tiny keys cannot turn into a timeout.
constexpr int kMaxDepth = 8;
constexpr int kMaxDirectories = 64;
constexpr int kMaxPayloads = 2000;
// An object up to this length is read. Longer ones are legal (a 64 KiB ZSTD record can hold
// gigabytes of zeros, decoded for real), but what they cost is memory in proportion, not a bug.
constexpr std::int32_t kMaxObjectLength = 256 << 20;

struct Budget {
    int directories = 0;
    int payloads = 0;
};

void read_payload(const hepkit::io::RootFile& f, const hepkit::io::Key& k, Budget& budget) {
    if (k.obj_len > kMaxObjectLength || ++budget.payloads > kMaxPayloads)
        return;
    const auto bytes = f.read_payload(k);
    if (bytes.size() != static_cast<std::size_t>(k.obj_len))
        __builtin_trap(); // a payload of another length than its key promises is a bug
}

void list(const hepkit::io::RootFile& f, const std::string& dir, int depth, Budget& budget) {
    if (depth > kMaxDepth || ++budget.directories > kMaxDirectories)
        return;
    for (const auto& k : f.keys(dir)) {
        hepkit::fuzz::expect_input_errors([&] { read_payload(f, k, budget); });
        if (hepkit::io::is_directory(k))
            hepkit::fuzz::expect_input_errors(
                [&] { list(f, dir.empty() ? k.name : dir + "/" + k.name, depth + 1, budget); });
    }
}

std::int64_t be32(const std::uint8_t* b) {
    return static_cast<std::int32_t>((static_cast<std::uint32_t>(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) |
                                     b[3]);
}

// Record by record from fBEGIN: a positive length is a key, a negative one a free gap.
void walk(const hepkit::io::RootFile& f, const std::uint8_t* data, std::size_t size, Budget& budget) {
    if (size < 12)
        return;
    std::int64_t pos = be32(data + 8);
    while (pos > 0 && static_cast<std::uint64_t>(pos) + 4 <= size && budget.payloads < kMaxPayloads) {
        const std::int64_t n = be32(data + pos);
        if (n == 0 || n == INT32_MIN)
            return;
        if (n < 0) {
            pos -= n;
            continue;
        }
        hepkit::fuzz::expect_input_errors([&] { read_payload(f, f.read_key(pos, "record"), budget); });
        pos += n;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.root");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::io::RootFile f(path);
        Budget budget;
        hepkit::fuzz::expect_input_errors([&] { list(f, "", 0, budget); });
        hepkit::fuzz::expect_input_errors([&] { (void)f.read_streamer_record(); });
        walk(f, data, size, budget);
    });
    return 0;
}
