// Files written by hepkit, read back by an independent reader: jsroot (JavaScript ROOT I/O, npm
// package `jsroot`, run under node by tests/io/jsroot/read.mjs). Every histogram is compared bin
// by bin and every branch value by value with what hepkit wrote, for each codec jsroot reads.
// Skips with a message when node or jsroot is missing (scripts/test installs jsroot into
// build/jsroot; HEPKIT_JSROOT_DIR points elsewhere).

#include "WriterSamples.hpp"

#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace hepkit;
using nlohmann::json;

namespace {

fs::path jsroot_dir() {
    if (const char* env = std::getenv("HEPKIT_JSROOT_DIR"); env != nullptr && *env != '\0')
        return env;
    return HEPKIT_JSROOT_DIR;
}

std::string find_node() {
    for (const char* p : {"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"})
        if (fs::exists(p))
            return p;
    return "";
}

// Skips the test unless node and jsroot are there.
#define REQUIRE_JSROOT()                                                                                     \
    do {                                                                                                     \
        if (find_node().empty())                                                                             \
            GTEST_SKIP()                                                                                     \
                << "node is not installed: the jsroot round trip needs it (apt-get install nodejs)";         \
        if (!fs::exists(jsroot_dir() / "node_modules/jsroot/modules/main.mjs"))                              \
            GTEST_SKIP() << "jsroot is not installed in " << jsroot_dir().string()                           \
                         << " (scripts/test installs it with npm; set HEPKIT_JSROOT_DIR)";                   \
    } while (false)

json read_with_jsroot(const fs::path& file) {
    const fs::path script = fs::path(HEPKIT_SOURCE_DIR) / "tests/io/jsroot/read.mjs";
    const fs::path out = fs::path(file).replace_extension(".json");
    const std::string cmd = "'" + find_node() + "' '" + script.string() + "' '" + file.string() + "' '" +
                            jsroot_dir().string() + "' > '" + out.string() + "'";
    const int rc = std::system(cmd.c_str());
    if (rc != 0)
        throw std::runtime_error("jsroot could not read " + file.string() + " (exit status " +
                                 std::to_string(rc) + ")");
    std::ifstream in(out);
    json j = json::parse(in);
    fs::remove(out);
    return j;
}

void expect_hist(const json& j, const io::Hist1D& h) {
    SCOPED_TRACE(h.name);
    EXPECT_EQ(j.at("class"), "TH1D");
    EXPECT_EQ(j.at("title"), h.title);
    EXPECT_EQ(j.at("entries").get<double>(), h.entries);
    EXPECT_EQ(j.at("tsumw").get<double>(), h.tsumw);
    EXPECT_EQ(j.at("tsumw2").get<double>(), h.tsumw2);
    EXPECT_EQ(j.at("tsumwx").get<double>(), h.tsumwx);
    EXPECT_EQ(j.at("tsumwx2").get<double>(), h.tsumwx2);
    EXPECT_EQ(j.at("xaxis").at("nbins"), h.x.nbins);
    EXPECT_EQ(j.at("xaxis").at("min").get<double>(), h.x.min);
    EXPECT_EQ(j.at("xaxis").at("max").get<double>(), h.x.max);
    EXPECT_EQ(j.at("xaxis").at("edges").get<std::vector<double>>(), h.x.edges);
    EXPECT_EQ(j.at("xaxis").at("title"), h.x.title);
    EXPECT_EQ(j.at("yaxis").at("title"), h.y_title);
    EXPECT_EQ(j.at("contents").get<std::vector<double>>(), h.contents);
    EXPECT_EQ(j.at("sumw2").get<std::vector<double>>(), h.sumw2);
}

void expect_hist(const json& j, const io::Hist2D& h) {
    SCOPED_TRACE(h.name);
    EXPECT_EQ(j.at("class"), "TH2D");
    EXPECT_EQ(j.at("entries").get<double>(), h.entries);
    for (const auto& [key, value] : {std::pair{"tsumw", h.tsumw},
                                     {"tsumw2", h.tsumw2},
                                     {"tsumwx", h.tsumwx},
                                     {"tsumwx2", h.tsumwx2},
                                     {"tsumwy", h.tsumwy},
                                     {"tsumwy2", h.tsumwy2},
                                     {"tsumwxy", h.tsumwxy}})
        EXPECT_EQ(j.at(key).get<double>(), value) << key;
    EXPECT_EQ(j.at("xaxis").at("edges").get<std::vector<double>>(), h.x.edges);
    EXPECT_EQ(j.at("yaxis").at("edges").get<std::vector<double>>(), h.y.edges);
    EXPECT_EQ(j.at("yaxis").at("title"), h.y.title);
    EXPECT_EQ(j.at("contents").get<std::vector<double>>(), h.contents);
    EXPECT_EQ(j.at("sumw2").get<std::vector<double>>(), h.sumw2);
}

// jsroot's value of one element: a number, a 0/1 for booleans.
double number(const json& v) {
    if (v.is_string()) // BigInt printed as text
        return std::stod(v.get<std::string>());
    return v.get<double>();
}

void expect_branch(const json& tree, const io::Column& c) {
    SCOPED_TRACE(c.name);
    const auto& b = tree.at("branches").at(c.name);
    const auto& values = b.at("values");
    ASSERT_EQ(values.size(), c.entries());
    std::size_t k = 0, mismatches = 0;
    for (std::size_t e = 0; e < c.entries(); ++e) {
        const std::size_t len =
            c.jagged() ? static_cast<std::size_t>(c.offsets[e + 1] - c.offsets[e]) : c.width;
        const json& v = values[e];
        if (c.jagged() || c.width > 1) {
            ASSERT_TRUE(v.is_array()) << "entry " << e;
            ASSERT_EQ(v.size(), len) << "entry " << e;
            for (std::size_t j = 0; j < len; ++j, ++k)
                if (number(v[j]) != c.value_as_double(k) && ++mismatches < 5)
                    ADD_FAILURE() << "entry " << e << "[" << j << "]: jsroot " << v[j] << ", written "
                                  << c.value_as_double(k);
        } else {
            if (number(v) != c.value_as_double(k) && ++mismatches < 5)
                ADD_FAILURE() << "entry " << e << ": jsroot " << v << ", written " << c.value_as_double(k);
            ++k;
        }
    }
    EXPECT_EQ(mismatches, 0U);
}

class JsrootRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(JsrootRoundTrip, HistogramsAndTreesReadBackValueByValue) {
    REQUIRE_JSROOT();
    const auto setting = io::CompressionSetting::from_root(GetParam());
    const fs::path file = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-jsroot-" +
                                                       std::to_string(GetParam()) + ".root");
    const auto h1 = hepkit::test::sample_hist1d();
    const auto hv = hepkit::test::sample_hist1d_variable();
    const auto h2 = hepkit::test::sample_hist2d();
    const auto flat = hepkit::test::sample_flat(1000);
    const auto jagged = hepkit::test::sample_jagged(2000);
    {
        io::RootWriter out(file.string(), {.compression = setting, .title = "jsroot round trip"});
        out.write(h1);
        out.write(hv);
        out.write(h2);
        // Small baskets and clusters: many baskets per branch, several clusters, a short last one.
        out.write_tree("Flat", flat,
                       {.title = "every basic type", .basket_size = 512, .cluster_entries = 300});
        auto& events =
            out.tree("Events", {.title = "NanoAOD-like", .basket_size = 2000, .cluster_entries = 0});
        // Two appends: two clusters of different sizes (1500, 500 entries).
        std::vector<io::Column> first, second;
        for (const auto& c : jagged) {
            first.push_back(hepkit::test::slice(c, 0, 1500));
            second.push_back(hepkit::test::slice(c, 1500, 500));
        }
        events.append(first);
        events.append(second);
        out.close();
    }
    const json j = read_with_jsroot(file);
    const auto& objects = j.at("objects");
    expect_hist(objects.at("h_fixed"), h1);
    expect_hist(objects.at("h_var"), hv);
    expect_hist(objects.at("h_2d"), h2);

    const auto& t = objects.at("Flat");
    EXPECT_EQ(t.at("entries"), 1000);
    EXPECT_EQ(t.at("autoflush"), 300);
    EXPECT_EQ(t.at("branches").size(), flat.size());
    for (const auto& c : flat)
        expect_branch(t, c);
    EXPECT_EQ(t.at("branches").at("a3").at("title"), "a3[3]/F");
    EXPECT_EQ(t.at("branches").at("u64").at("leaf"), "TLeafL");
    EXPECT_GT(t.at("branches").at("f64").at("baskets").get<int>(), 10);

    const auto& ev = objects.at("Events");
    EXPECT_EQ(ev.at("entries"), 2000);
    // The columns plus the counter nMuon that the writer made.
    EXPECT_EQ(ev.at("branches").size(), jagged.size() + 1);
    for (const auto& c : jagged)
        expect_branch(ev, c);
    EXPECT_EQ(ev.at("branches").at("Muon_pt").at("title"), "Muon_pt[nMuon]/F");
    EXPECT_EQ(ev.at("branches").at("Muon_pt").at("counter"), "nMuon");
    EXPECT_EQ(ev.at("branches").at("Jet_hadronFlavour").at("counter"), "nJet");
    EXPECT_EQ(ev.at("branches").at("nJet").at("title"), "nJet/i");
    // nMuon: the counts of Muon_pt, entry by entry.
    const auto& mu = jagged[3];
    const auto& nmuon = ev.at("branches").at("nMuon").at("values");
    ASSERT_EQ(nmuon.size(), 2000U);
    for (std::size_t e = 0; e < 2000; ++e)
        ASSERT_EQ(nmuon[e].get<std::int64_t>(), mu.offsets[e + 1] - mu.offsets[e]) << "entry " << e;

    // hepkit's own reader sees the same keys.
    io::RootFile f(file.string());
    const auto keys = f.keys();
    ASSERT_EQ(keys.size(), 5U);
    EXPECT_EQ(j.at("keys").size(), 6U); // jsroot lists StreamerInfo too
    fs::remove(file);
}

// What jsroot needs of an XZ block (and ROOT's R__zipLZMA writes, streaming through lzma_code):
// an .xz stream whose block header carries neither the compressed nor the uncompressed size. The
// xz format (tukaani.org/xz/xz-file-format.txt): 12-byte stream header (magic FD 37 7A 58 5A 00,
// flags 00 01 = CRC32, CRC32 of the flags), then the block header: its size byte ((n+1)·4 bytes),
// then the block flags, where 0x40 says "compressed size present" and 0x80 "uncompressed size
// present". Runs without node.
TEST(LzmaBlocks, XzStreamsAsRootWritesThemWithoutSizesInTheBlockHeader) {
    std::vector<std::uint8_t> in(5000);
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = static_cast<std::uint8_t>((i * 7) % 13);
    for (int level : {1, 5, 9}) {
        const auto out = io::compress(in, {io::Codec::Lzma, level});
        ASSERT_GT(out.size(), 9U + 12U + 2U);
        EXPECT_EQ(out[0], 'X');
        EXPECT_EQ(out[1], 'Z');
        const std::uint8_t* xz = out.data() + 9;
        const std::uint8_t magic[] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
        EXPECT_TRUE(std::equal(std::begin(magic), std::end(magic), xz)) << "level " << level;
        EXPECT_EQ(xz[6], 0x00);
        EXPECT_EQ(xz[7], 0x01) << "check type CRC32";
        EXPECT_NE(xz[12], 0x00) << "a block, not the index, follows the stream header";
        EXPECT_EQ(xz[13] & 0xC0, 0) << "block header of level " << level << " carries sizes";
        EXPECT_EQ(io::decompress(out, in.size(), {}), in);
    }
}

// Every codec the writer has: none, zlib (ROOT's default before 6.30), ZSTD (6.30's default),
// LZ4, LZMA (an xz stream as ROOT's R__zipLZMA writes it; jsroot rejected block headers with sizes).
INSTANTIATE_TEST_SUITE_P(Codecs, JsrootRoundTrip, ::testing::Values(0, 101, 505, 404, 207),
                         [](const auto& info) {
                             return std::string(
                                 io::codec_name(io::CompressionSetting::from_root(info.param).codec));
                         });

} // namespace
