// libFuzzer harness: a ROOT file for hepkit::io::RNTuple. Every ROOT::RNTuple key is opened
// (anchor, header and footer envelopes, page lists), its fields and their pages listed, and every
// readable field read over its entries (bounded: entries, fields and page bytes per input), so
// that the envelopes' frames, the schema, the cluster groups, the page locators and every column
// encoding (split, zigzag, delta) see fuzzed bytes. InputError is the only allowed outcome.
#include "FuzzRootKeys.hpp"
#include "hepkit/io/RNTuple.hpp"

#include <algorithm>
#include <string>

namespace {

constexpr std::uint64_t kMaxEntries = 100000;
constexpr std::uint64_t kMaxBytes = 64 << 20;
constexpr std::size_t kMaxFields = 200;

void read_ntuple(const hepkit::io::RootFile& f, const std::string& path, std::uint64_t& bytes) {
    const hepkit::io::RNTuple nt(f, path);
    (void)nt.format_version();
    for (std::size_t i = 0; i < nt.clusters() && i < 1000; ++i)
        (void)nt.cluster_range(i);
    const std::uint64_t end = std::min(nt.entries(), kMaxEntries);
    std::size_t n = 0;
    for (const auto& field : nt.fields()) {
        if (++n > kMaxFields || bytes > kMaxBytes)
            return;
        hepkit::fuzz::expect_input_errors([&] { (void)nt.pages(field.name); });
        if (!field.readable)
            continue;
        bytes += field.uncompressed_bytes;
        if (bytes > kMaxBytes || field.uncompressed_bytes > kMaxBytes)
            return;
        hepkit::fuzz::expect_input_errors([&] {
            const auto column = nt.read(field.name, 0, end);
            if (column.entries() != end)
                __builtin_trap(); // a column of another length than asked for is a bug
        });
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.root");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::io::RootFile f(path);
        std::uint64_t bytes = 0;
        for (const auto& o : hepkit::fuzz::root_objects(f))
            if (o.key.class_name == "ROOT::RNTuple" || o.key.class_name == "ROOT::Experimental::RNTuple")
                hepkit::fuzz::expect_input_errors([&] { read_ntuple(f, o.path, bytes); });
    });
    return 0;
}
