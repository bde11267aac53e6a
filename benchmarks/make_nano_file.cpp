// Writes NanoAOD-like ROOT files for the read benchmarks (docs/performance.md): a TTree `Events`
// with run/luminosityBlock/event, 20 float branches of event-level quantities, a trigger bit and
// jagged muon and jet collections (nMuon + Muon_*[nMuon], nJet + Jet_*[nJet]), one file per codec,
// all holding the same values.
//
//   make_nano_file OUTDIR [--events N] [--codecs zlib,zstd,lz4,lzma,none] [--cluster N]
//                  [--basket BYTES] [--seed S]
//
// Values come from a fixed-seed generator (splitmix64 and closed-form transforms, the same bytes on
// every platform) with NanoAOD-like shapes: falling pT spectra, |eta| < 2.5, phi in (−π, π], a
// Poisson-like multiplicity. The jet and muon floats keep the mantissa bits NanoAOD keeps, so that
// the codecs see data as compressible as the real thing: measured on the CMS Open Data NanoAOD file
// of the reference data (nanoAOD_2015_CMS_Open_Data_ttbar.root, the trailing zero bits of every
// value), jet pT and mass and the b-tag discriminant Jet_btagCSVV2 keep 10 bits (its Jet_btagDeepB
// is -1 throughout; ours takes CSVV2's precision), eta and phi 12, the muon mass 10; muon pT, MET
// pT and the weights keep all 23. The event-level floats are generic shapes, not NanoAOD's. (Before
// 2026-12-03 jet pT, the b-tag and the masses kept more: LZ4 could not compress the jet pT and b-tag
// baskets, which were stored raw.) Memory: one cluster of columns at a time.

#include "hepkit/io/RootWriter.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace hepkit::io;

namespace {

struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
    double exponential(double mean) { return -mean * std::log1p(-uniform()); }
    double gauss(double mu, double sigma) {
        const double u = 1.0 - uniform(), v = uniform();
        return mu + sigma * std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
    }
    int poisson(double mean) { // Knuth: small means only
        const double l = std::exp(-mean);
        int k = 0;
        for (double p = uniform(); p > l; p *= uniform())
            ++k;
        return k;
    }
};

// NanoAOD stores some floats with a reduced mantissa (e.g. 12 bits for eta/phi): zero the rest, rounding.
float trunc_mantissa(double x, int bits) {
    auto f = static_cast<float>(x);
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    const int drop = 23 - bits;
    u = (u + (1u << (drop - 1))) & ~((1u << drop) - 1);
    std::memcpy(&f, &u, 4);
    return f;
}

const char* const kEventFloats[] = {"MET_pt",
                                    "MET_phi",
                                    "MET_sumEt",
                                    "MET_significance",
                                    "PuppiMET_pt",
                                    "PuppiMET_phi",
                                    "PV_x",
                                    "PV_y",
                                    "PV_z",
                                    "PV_chi2",
                                    "PV_ndof",
                                    "fixedGridRhoFastjetAll",
                                    "Pileup_nTrueInt",
                                    "genWeight",
                                    "LHEWeight_originalXWGTUP",
                                    "Generator_x1",
                                    "Generator_x2",
                                    "Generator_scalePDF",
                                    "btagWeight_DeepCSVB",
                                    "L1PreFiringWeight_Nom"};

struct Chunk {
    std::vector<Column> columns;
    Column& at(const std::string& name) {
        for (auto& c : columns)
            if (c.name == name)
                return c;
        throw std::logic_error(name);
    }
};

Chunk make_chunk(Rng& rng, std::uint64_t first_event, std::size_t n) {
    Chunk ch;
    ch.columns.push_back(Column::make("run", ColumnType::UInt32));
    ch.columns.push_back(Column::make("luminosityBlock", ColumnType::UInt32));
    ch.columns.push_back(Column::make("event", ColumnType::UInt64));
    for (const char* name : kEventFloats)
        ch.columns.push_back(Column::make(name, ColumnType::Float32));
    ch.columns.push_back(Column::make("HLT_IsoMu24", ColumnType::Bool));
    const char* mu_f[] = {"Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass", "Muon_pfRelIso04_all"};
    const char* jet_f[] = {"Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagDeepB"};
    for (const char* name : mu_f)
        ch.columns.push_back(Column::make(name, ColumnType::Float32));
    ch.columns.push_back(Column::make("Muon_charge", ColumnType::Int32));
    ch.columns.push_back(Column::make("Muon_tightId", ColumnType::Bool));
    for (const char* name : jet_f)
        ch.columns.push_back(Column::make(name, ColumnType::Float32));
    ch.columns.push_back(Column::make("Jet_jetId", ColumnType::Int32));
    ch.columns.push_back(Column::make("Jet_hadronFlavour", ColumnType::Int32));
    for (auto& c : ch.columns)
        if (c.name.rfind("Muon_", 0) == 0 || c.name.rfind("Jet_", 0) == 0)
            c.offsets.push_back(0);

    for (std::size_t e = 0; e < n; ++e) {
        const std::uint64_t event = first_event + e;
        ch.at("run").mut<std::uint32_t>().push_back(static_cast<std::uint32_t>(273158 + event / 500000));
        ch.at("luminosityBlock").mut<std::uint32_t>().push_back(static_cast<std::uint32_t>(1 + event / 1000));
        ch.at("event").mut<std::uint64_t>().push_back(event * 13 + 1000000000ULL);
        std::size_t k = 0;
        for (const char* name : kEventFloats) {
            double v;
            switch (k++ % 5) {
            case 0:
                v = rng.exponential(40.0);
                break; // energies
            case 1:
                v = trunc_mantissa(rng.uniform() * 2 * M_PI - M_PI, 12);
                break; // angles
            case 2:
                v = rng.gauss(0.0, 0.01);
                break; // positions
            case 3:
                v = trunc_mantissa(rng.gauss(25.0, 5.0), 12);
                break; // counts
            default:
                v = 1.0 + rng.gauss(0.0, 0.05);
                break; // weights
            }
            ch.at(name).mut<float>().push_back(static_cast<float>(v));
        }
        ch.at("HLT_IsoMu24").mut<std::uint8_t>().push_back(static_cast<std::uint8_t>(rng.uniform() < 0.3));
        const int nmu = rng.poisson(0.8);
        for (int m = 0; m < nmu; ++m) {
            ch.at("Muon_pt").mut<float>().push_back(static_cast<float>(3 + rng.exponential(20.0)));
            ch.at("Muon_eta").mut<float>().push_back(trunc_mantissa(rng.uniform() * 4.8 - 2.4, 12));
            ch.at("Muon_phi").mut<float>().push_back(trunc_mantissa(rng.uniform() * 2 * M_PI - M_PI, 12));
            ch.at("Muon_mass").mut<float>().push_back(trunc_mantissa(0.10566, 10));
            ch.at("Muon_pfRelIso04_all").mut<float>().push_back(static_cast<float>(rng.exponential(0.1)));
            ch.at("Muon_charge").mut<std::int32_t>().push_back(rng.uniform() < 0.5 ? -1 : 1);
            ch.at("Muon_tightId")
                .mut<std::uint8_t>()
                .push_back(static_cast<std::uint8_t>(rng.uniform() < 0.8));
        }
        const int njet = rng.poisson(4.5);
        for (int j = 0; j < njet; ++j) {
            ch.at("Jet_pt").mut<float>().push_back(trunc_mantissa(15 + rng.exponential(30.0), 10));
            ch.at("Jet_eta").mut<float>().push_back(trunc_mantissa(rng.uniform() * 9.4 - 4.7, 12));
            ch.at("Jet_phi").mut<float>().push_back(trunc_mantissa(rng.uniform() * 2 * M_PI - M_PI, 12));
            ch.at("Jet_mass").mut<float>().push_back(trunc_mantissa(rng.exponential(8.0), 10));
            ch.at("Jet_btagDeepB").mut<float>().push_back(trunc_mantissa(rng.uniform(), 10));
            ch.at("Jet_jetId").mut<std::int32_t>().push_back(rng.uniform() < 0.9 ? 6 : 2);
            const double f = rng.uniform();
            ch.at("Jet_hadronFlavour").mut<std::int32_t>().push_back(f < 0.1 ? 5 : f < 0.2 ? 4 : 0);
        }
        for (auto& c : ch.columns)
            if (c.jagged())
                c.offsets.push_back(static_cast<std::int64_t>(c.size()));
    }
    return ch;
}

int usage(const char* message) {
    std::cerr
        << "make_nano_file: " << message << "\n"
        << "usage: make_nano_file OUTDIR [--events N] [--codecs zlib,zstd,lz4,lzma,none] [--cluster N]\n"
           "                      [--basket BYTES] [--seed S]\n";
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return usage("no output folder");
    if (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        usage("writes NanoAOD-like ROOT files, one per codec, into OUTDIR");
        return 0;
    }
    if (argv[1][0] == '-') // an option where the folder belongs: never a folder named "--events"
        return usage(("the output folder comes first, not " + std::string(argv[1])).c_str());
    std::filesystem::path outdir = argv[1];
    std::size_t events = 100000, cluster = 10000, basket = 64000;
    std::uint64_t seed = 12345;
    std::string codecs = "zlib,zstd,lz4,lzma,none";
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc)
            return usage(("missing value after " + a).c_str());
        const std::string v = argv[++i];
        try {
            if (a == "--events")
                events = std::stoull(v);
            else if (a == "--cluster")
                cluster = std::stoull(v);
            else if (a == "--basket")
                basket = std::stoull(v);
            else if (a == "--seed")
                seed = std::stoull(v);
            else if (a == "--codecs")
                codecs = v;
            else
                return usage(("unknown option " + a).c_str());
        } catch (const std::exception&) {
            return usage(("not a number: " + a + " " + v).c_str());
        }
    }
    if (cluster == 0 || basket == 0)
        return usage("--cluster and --basket must be > 0");
    std::filesystem::create_directories(outdir);
    std::vector<std::pair<std::string, CompressionSetting>> settings;
    std::stringstream list(codecs);
    for (std::string name; std::getline(list, name, ',');) {
        if (name == "zlib")
            settings.push_back({name, {Codec::Zlib, 1}});
        else if (name == "zstd")
            settings.push_back({name, {Codec::Zstd, 5}});
        else if (name == "lz4")
            settings.push_back({name, {Codec::Lz4, 4}});
        else if (name == "lzma")
            settings.push_back({name, {Codec::Lzma, 4}});
        else if (name == "none")
            settings.push_back({name, {Codec::None, 0}});
        else
            return usage(("unknown codec " + name).c_str());
    }
    try {
        for (const auto& [name, setting] : settings) {
            const auto path = outdir / ("nano-" + name + ".root");
            const auto t0 = std::chrono::steady_clock::now();
            RootWriter out(path.string(),
                           {.compression = setting, .title = "NanoAOD-like benchmark file", .timestamp = 1});
            auto& tree =
                out.tree("Events", {.title = "Events", .basket_size = basket, .cluster_entries = cluster});
            Rng rng{seed};
            for (std::size_t first = 0; first < events; first += cluster) {
                const auto chunk = make_chunk(rng, first, std::min(cluster, events - first));
                tree.append(chunk.columns);
            }
            out.close();
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("%s: %zu events, %.1f MB, %.2f s\n", path.string().c_str(), events,
                        static_cast<double>(std::filesystem::file_size(path)) / 1e6, s);
        }
    } catch (const std::exception& e) {
        std::cerr << "make_nano_file: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
