// Reading tree branches into columns with 1 and 2 threads, in the same run (ratio = 2 threads /
// 1 thread): a 20-branch NanoAOD selection of the reference NanoAOD file (its baskets are stored
// uncompressed inside the branch records: this measures the reader's own work) and every branch
// of the zlib HZZ file (decompression-bound). Passes alternate between 1 and 2 threads so that
// both see the same machine load. Skipped when the reference data is absent.
//
//     build/benchmarks/bench_io_read [seconds per case, default 2]

#include "hepkit/core/ThreadPool.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    const char* name;
    const char* file;
    const char* tree;
    std::vector<std::string> branches; ///< empty: all readable
};

double run_once(const hepkit::io::Tree& t, const std::vector<std::string>& names, hepkit::ThreadPool* pool,
                std::size_t& values) {
    const auto start = Clock::now();
    const auto cols = t.read(names, 0, t.entries(), pool);
    values = 0;
    for (const auto& c : cols)
        values += c.size();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const std::filesystem::path ref =
        std::getenv("HEPKIT_REFERENCE_DIR") ? std::getenv("HEPKIT_REFERENCE_DIR") : HEPKIT_REFERENCE_DIR;
    const std::vector<Case> cases{
        {"nanoaod-20-branches",
         "nanoAOD_2015_CMS_Open_Data_ttbar.root",
         "Events",
         {"run",         "event",        "nMuon",        "Muon_pt",       "Muon_eta",
          "Muon_phi",    "Muon_mass",    "Muon_charge",  "nJet",          "Jet_pt",
          "Jet_eta",     "Jet_phi",      "Jet_mass",     "Jet_btagDeepB", "nElectron",
          "Electron_pt", "Electron_eta", "Electron_phi", "MET_pt",        "MET_phi"}},
        {"hzz-zlib-all-branches", "uproot-HZZ.root", "events", {}},
    };
    std::printf("%-24s %8s %14s %14s %14s %14s %7s\n", "case", "entries", "1 thread ev/s", "2 threads ev/s",
                "1 thread MB/s", "2 threads MB/s", "ratio");
    for (const auto& c : cases) {
        const auto path = ref / "root-files" / c.file;
        if (!std::filesystem::exists(path)) {
            std::printf("%-24s skipped: reference data missing: %s\n", c.name, path.c_str());
            continue;
        }
        const hepkit::io::RootFile file(path.string());
        const hepkit::io::Tree tree(file, c.tree);
        std::vector<std::string> names = c.branches;
        if (names.empty())
            for (const auto& b : tree.branches())
                if (b.readable)
                    names.push_back(b.name);
        std::int64_t bytes = 0;
        for (const auto& n : names)
            bytes += tree.branch(n).uncompressed_bytes;
        hepkit::ThreadPool two(2);
        double t1 = 0, t2 = 0;
        std::size_t values = 0, passes = 0;
        while (t1 + t2 < seconds || passes < 3) {
            t1 += run_once(tree, names, nullptr, values);
            t2 += run_once(tree, names, &two, values);
            ++passes;
        }
        const double ev = static_cast<double>(tree.entries()) * static_cast<double>(passes);
        const double mb = static_cast<double>(bytes) * static_cast<double>(passes) / 1e6;
        std::printf("%-24s %8lld %14.0f %14.0f %14.1f %14.1f %7.2f\n", c.name,
                    static_cast<long long>(tree.entries()), ev / t1, ev / t2, mb / t1, mb / t2, t1 / t2);
    }
    return 0;
}
