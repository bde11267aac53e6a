// libFuzzer harness: a ROOT file for hepkit::io::Tree. Every TTree/TNtuple/TNtupleD key is
// opened, its clusters and branches listed, and every readable branch read over its entries
// (bounded: entries, branches and decompressed bytes per input), so that the tree record, the
// branch and leaf records, the basket headers, embedded baskets, counters, jagged offsets and
// Float16/Double32 decoding all see fuzzed bytes. InputError is the only allowed outcome.
#include "FuzzRootKeys.hpp"
#include "hepkit/io/Tree.hpp"

#include <algorithm>
#include <string>

namespace {

// A fuzzed fEntries can claim 2^62 entries over one tiny basket; read at most this many per
// branch, and stop after this many decompressed bytes per input (a legal 64 KiB ZSTD basket may
// hold gigabytes, which costs memory in proportion, not a bug).
constexpr std::int64_t kMaxEntries = 100000;
constexpr std::int64_t kMaxBytes = 64 << 20;
constexpr std::size_t kMaxBranches = 200;

bool is_tree_class(const std::string& c) {
    return c == "TTree" || c == "TNtuple" || c == "TNtupleD";
}

void read_tree(const hepkit::io::RootFile& f, const std::string& path, std::int64_t& bytes) {
    const hepkit::io::Tree tree(f, path);
    (void)tree.clusters();
    const std::int64_t end = std::clamp<std::int64_t>(tree.entries(), 0, kMaxEntries);
    std::size_t n = 0;
    for (const auto& b : tree.branches()) {
        if (++n > kMaxBranches || bytes > kMaxBytes)
            return;
        if (!b.readable)
            continue;
        // The branch's own claim bounds what decompressing its baskets may cost.
        bytes += std::max<std::int64_t>(b.uncompressed_bytes, 0);
        if (bytes > kMaxBytes)
            return;
        hepkit::fuzz::expect_input_errors([&] {
            const auto column = tree.read(b.name, 0, end);
            if (static_cast<std::int64_t>(column.entries()) != end)
                __builtin_trap(); // a column of another length than asked for is a bug
        });
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.root");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::io::RootFile f(path);
        std::int64_t bytes = 0;
        for (const auto& o : hepkit::fuzz::root_objects(f))
            if (is_tree_class(o.key.class_name))
                hepkit::fuzz::expect_input_errors([&] { read_tree(f, o.path, bytes); });
    });
    return 0;
}
