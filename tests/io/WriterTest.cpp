// RootWriter: the file layout (header, top directory, a gap-free chain of keys, keys list, free
// segments, streamer record), what hepkit's own reader finds in a written file, atomic output,
// bad input as clear errors, and the streamer checksums against files ROOT wrote.

#include "Cursor.hpp"
#include "WriterSamples.hpp"
#include "WriterStreamers.hpp"

#include "Helpers.hpp"
#include "Reference.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/io/Tree.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <tuple>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit;
using io::Column;
using io::ColumnType;

namespace {

fs::path temp_path(const std::string& name) {
    return fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-write-" + name);
}

std::vector<std::uint8_t> slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::int64_t be(const std::vector<std::uint8_t>& d, std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = v << 8 | d.at(at + static_cast<std::size_t>(i));
    return n == 4   ? static_cast<std::int32_t>(v)
           : n == 2 ? static_cast<std::int16_t>(v)
                    : static_cast<std::int64_t>(v);
}

// Files next to `p` whose name starts like a temporary of it.
std::vector<fs::path> leftovers(const fs::path& p) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(p.parent_path()))
        if (e.path().filename().string().rfind(p.filename().string(), 0) == 0)
            out.push_back(e.path());
    return out;
}

Column floats(const std::string& name, std::vector<float> v) {
    auto c = Column::make(name, ColumnType::Float32);
    c.mut<float>() = std::move(v);
    return c;
}

fs::path write_sample(const std::string& name, io::CompressionSetting setting, std::size_t entries = 500) {
    const auto p = temp_path(name);
    io::RootWriter out(p.string(), {.compression = setting, .title = "sample", .timestamp = 1700000000});
    out.write(hepkit::test::sample_hist1d());
    out.write(hepkit::test::sample_hist2d());
    out.write_tree("Flat", hepkit::test::sample_flat(entries),
                   {.title = "", .basket_size = 256, .cluster_entries = 200});
    out.write_tree("Events", hepkit::test::sample_jagged(entries),
                   {.title = "", .basket_size = 1024, .cluster_entries = 0});
    out.close();
    return p;
}

// ---- layout --------------------------------------------------------------------------------

TEST(WriterLayout, HeaderPointsAtTheRecordsAndTheKeysChainWithoutGaps) {
    // Scenario: a file with two histograms and two trees, zlib. The header's fEND is the file
    // size; fSeekFree/fSeekInfo point at keys named as ROOT names them; from fBEGIN = 100 the
    // keys follow each other without a gap up to fEND (every byte is accounted for).
    const auto p = write_sample("layout.root", {io::Codec::Zlib, 1});
    const auto d = slurp(p);
    ASSERT_GE(d.size(), 100U);
    EXPECT_EQ(std::string(d.begin(), d.begin() + 4), "root");
    EXPECT_LT(be(d, 4, 4), 1000000); // small file: 32-bit header
    EXPECT_EQ(be(d, 8, 4), 100);
    const std::int64_t end = be(d, 12, 4), seek_free = be(d, 16, 4), nbytes_free = be(d, 20, 4);
    EXPECT_EQ(end, static_cast<std::int64_t>(d.size()));
    EXPECT_EQ(seek_free + nbytes_free, end);
    EXPECT_EQ(be(d, 24, 4), 1);   // one free segment
    EXPECT_EQ(d.at(32), 4);       // fUnits
    EXPECT_EQ(be(d, 33, 4), 101); // fCompress
    const std::int64_t seek_info = be(d, 37, 4), nbytes_info = be(d, 41, 4);

    io::RootFile f(p.string());
    EXPECT_EQ(f.compression(), 101);
    EXPECT_EQ(f.seek_info(), seek_info);
    EXPECT_EQ(f.nbytes_info(), nbytes_info);
    const auto info = f.read_key(seek_info, "streamer info");
    EXPECT_EQ(info.class_name, "TList");
    EXPECT_EQ(info.name, "StreamerInfo");
    EXPECT_EQ(info.nbytes, nbytes_info);
    const auto free = f.read_key(seek_free, "free segments");
    EXPECT_EQ(free.nbytes, nbytes_free);

    // The chain of keys: the top directory at 100, then every record.
    std::int64_t at = 100;
    std::map<std::string, int> by_class;
    std::map<std::string, std::int64_t> basket_bytes; // branch -> uncompressed bytes in its baskets
    while (at < end) {
        const auto k = f.read_key(at, "chain");
        ASSERT_GT(k.nbytes, 0);
        ++by_class[k.class_name];
        if (k.class_name == "TBasket" && k.title == "Flat")
            basket_bytes[k.name] += k.obj_len;
        at += k.nbytes;
    }
    EXPECT_EQ(at, end);
    EXPECT_EQ(by_class["TFile"], 3); // top directory, keys list, free segments
    EXPECT_EQ(by_class["TH1D"], 1);
    EXPECT_EQ(by_class["TH2D"], 1);
    EXPECT_EQ(by_class["TTree"], 2);
    EXPECT_EQ(by_class["TList"], 1);
    // Flat baskets hold exactly the values: 500 entries × element size (× 3 for a3[3]).
    EXPECT_EQ(basket_bytes["f64"], 500 * 8);
    EXPECT_EQ(basket_bytes["b"], 500 * 1);
    EXPECT_EQ(basket_bytes["i16"], 500 * 2);
    EXPECT_EQ(basket_bytes["a3"], 500 * 3 * 4);
    // 256-byte baskets inside 200-entry clusters: f64 (32 entries per basket) needs
    // ceil(200/32)+ceil(200/32)+ceil(100/32) = 7+7+4 baskets.
    EXPECT_EQ(by_class["TBasket"] > 18, true);
    fs::remove(p);
}

TEST(WriterLayout, KeysListHoldsTheObjectsInOrderWithTheirClasses) {
    const auto p = write_sample("keys.root", {io::Codec::Zstd, 5});
    io::RootFile f(p.string());
    const auto keys = f.keys();
    ASSERT_EQ(keys.size(), 4U);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"h_fixed", "TH1D"}, {"h_2d", "TH2D"}, {"Flat", "TTree"}, {"Events", "TTree"}};
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ(keys[i].name, expected[i].first);
        EXPECT_EQ(keys[i].class_name, expected[i].second);
        EXPECT_EQ(keys[i].cycle, 1);
        const auto payload = f.read_payload(keys[i]);
        EXPECT_EQ(payload.size(), static_cast<std::size_t>(keys[i].obj_len));
        EXPECT_LT(keys[i].stored_size(), keys[i].obj_len) << keys[i].name << " is compressed";
    }
    EXPECT_EQ(keys[0].title, "a fixed-bin TH1D;x title");
    // A TH1D payload: TH1D v3 framing, then TH1 v8, then TNamed with the name.
    const auto h = f.read_payload(keys[0]);
    io::Cursor c(h, p.string(), "h_fixed", 0, keys[0].key_len);
    EXPECT_EQ(c.frame("TH1D").version, 3);
    EXPECT_EQ(c.frame("TH1").version, 8);
    EXPECT_EQ(c.tnamed().first, "h_fixed");
    fs::remove(p);
}

// Reads the streamer record's TStreamerInfo list: class -> (version, checksum, elements).
struct ParsedInfo {
    int version = 0;
    std::uint32_t checksum = 0;
    std::vector<io::detail::StreamerElement> elements;
};

std::map<std::string, ParsedInfo> parse_streamers(const io::RootFile& f) {
    const auto bytes = f.read_streamer_record();
    const auto key = f.read_key(f.seek_info(), "streamer info");
    io::Cursor c(bytes, f.path(), "StreamerInfo", 0, key.key_len);
    std::map<std::string, ParsedInfo> out;
    c.frame("TList");
    c.tobject();
    c.tstring();
    const std::int32_t n = c.i32();
    for (std::int32_t i = 0; i < n; ++i) {
        const auto obj = c.any_object();
        if (obj.kind != io::Cursor::AnyObject::Kind::Object || obj.class_name != "TStreamerInfo") {
            if (obj.end != 0)
                c.seek(obj.end);
            c.skip(c.u8());
            continue;
        }
        const auto f9 = c.frame("TStreamerInfo");
        const auto [name, title] = c.tnamed();
        ParsedInfo info;
        info.checksum = c.u32();
        info.version = c.i32();
        const auto arr = c.any_object();
        EXPECT_EQ(arr.class_name, "TObjArray");
        c.frame("TObjArray");
        c.tobject();
        c.tstring();
        const std::int32_t ne = c.i32();
        c.i32();
        for (std::int32_t k = 0; k < ne; ++k) {
            const auto el = c.any_object();
            io::detail::StreamerElement e;
            e.element_class = el.class_name;
            const auto outer = c.frame("element");
            const auto inner = c.frame("TStreamerElement");
            std::tie(e.name, e.title) = c.tnamed();
            e.type = c.i32();
            e.size = c.i32();
            c.i32(); // array length
            e.array_dim = c.i32();
            for (int& m : e.max_index)
                m = c.i32();
            e.type_name = c.tstring();
            c.skip_to_end(inner, "TStreamerElement");
            if (e.is_base()) {
                e.base_version = c.i32();
                e.base_checksum = static_cast<std::uint32_t>(e.max_index[1]);
            } else if (e.element_class == "TStreamerBasicPointer") {
                e.count_version = c.i32();
                e.count_name = c.tstring();
                e.count_class = c.tstring();
            }
            c.skip_to_end(outer, "element");
            info.elements.push_back(std::move(e));
        }
        c.skip_to_end(f9, "TStreamerInfo");
        if (obj.end != 0)
            c.seek(obj.end);
        c.skip(c.u8()); // the list entry's option
        out[name] = std::move(info);
    }
    return out;
}

TEST(WriterLayout, StreamerRecordDescribesEveryClassWritten) {
    // The record decompresses, and lists every class the file holds with ROOT 6's versions;
    // the checksum stored for each is the one computed from its elements.
    const auto p = write_sample("streamers.root", {io::Codec::Lz4, 4});
    io::RootFile f(p.string());
    const auto infos = parse_streamers(f);
    const std::map<std::string, int> versions = {
        {"TH1D", 3},     {"TH2D", 4},     {"TH2", 5},        {"TH1", 8},
        {"TAxis", 10},   {"TAttAxis", 4}, {"TNamed", 1},     {"TObject", 1},
        {"TAttLine", 2}, {"TAttFill", 2}, {"TAttMarker", 2}, {"TList", 5},
        {"TTree", 20},   {"TBranch", 13}, {"TLeaf", 2},      {"TLeafF", 1},
        {"TLeafD", 1},   {"TLeafO", 1},   {"TLeafB", 1},     {"TLeafS", 1},
        {"TLeafI", 1},   {"TLeafL", 1},   {"TObjArray", 3},  {"ROOT::TIOFeatures", 1}};
    for (const auto& [cls, version] : versions) {
        SCOPED_TRACE(cls);
        ASSERT_EQ(infos.count(cls), 1U);
        EXPECT_EQ(infos.at(cls).version, version);
        EXPECT_EQ(infos.at(cls).checksum, io::detail::streamer_checksum(cls, infos.at(cls).elements));
    }
    EXPECT_EQ(infos.at("TH1").elements.back().name, "fStatOverflows");
    fs::remove(p);
}

TEST(WriterStreamers, ChecksumsEqualThoseRootWroteInTheReferenceFiles) {
    // Scenario: ROOT 6 files (reference data). For every TStreamerInfo ROOT wrote, the checksum
    // computed from its elements equals ROOT's; for every class hepkit writes in the same version,
    // hepkit's own member list gives ROOT's checksum (so ROOT accepts our streamer infos).
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-sample-6.16.00-zlib.root");
    int computed = 0, same_version = 0;
    for (const char* name : {"uproot-sample-6.16.00-zlib.root", "uproot-histograms.root",
                             "nanoAOD_2015_CMS_Open_Data_ttbar.root"}) {
        io::RootFile f(test::reference(std::string("root-files/") + name).string());
        for (const auto& [cls, info] : parse_streamers(f)) {
            SCOPED_TRACE(std::string(name) + " " + cls);
            if (info.elements.empty())
                continue; // classes with hand-written streamers (TString, THashList)
            EXPECT_EQ(io::detail::streamer_checksum(cls, info.elements), info.checksum);
            ++computed;
            try {
                if (io::detail::class_version(cls) == info.version) {
                    EXPECT_EQ(io::detail::class_checksum(cls), info.checksum);
                    ++same_version;
                }
            } catch (const std::logic_error&) {
                // a class hepkit does not write
            }
        }
    }
    EXPECT_GT(computed, 30);
    EXPECT_GE(same_version, 15);
}

TEST(WriterLayout, BasketsHoldBigEndianValuesAndEntryOffsets) {
    // Scenario: uncompressed, one basket per branch. An int64 branch holds the hand-encoded
    // big-endian two's complement values; a jagged branch Muon_pt (entries of 2, 0, 1 values)
    // holds its floats, then the entry-offset array [count = nev+1][start of each entry, counted
    // from the key's start][0], as ROOT lays it out; the counter nMuon holds 2, 0, 1.
    const auto p = temp_path("baskets.root");
    auto x = Column::make("x", ColumnType::Int64);
    x.mut<std::int64_t>() = {-4294967291500LL, std::numeric_limits<std::int64_t>::min(),
                             std::numeric_limits<std::int64_t>::max()};
    auto mu = floats("Muon_pt", {1.5F, -2.0F, 3.25F});
    mu.offsets = {0, 2, 2, 3};
    {
        io::RootWriter out(p.string(), {.compression = {io::Codec::None, 0}, .title = "", .timestamp = 0});
        out.write_tree("T", std::vector<Column>{x, mu});
        out.close();
    }
    io::RootFile f(p.string());
    std::map<std::string, io::Key> baskets;
    for (std::int64_t at = 100; at < static_cast<std::int64_t>(f.size());) {
        const auto k = f.read_key(at, "chain");
        if (k.class_name == "TBasket")
            baskets[k.name] = k;
        at += k.nbytes;
    }
    ASSERT_EQ(baskets.size(), 3U);
    const auto bytes = [&](const io::Key& k) {
        return f.read_raw(k.seek_key + k.key_len, static_cast<std::size_t>(k.obj_len), "basket");
    };
    EXPECT_EQ(
        bytes(baskets.at("x")),
        (std::vector<std::uint8_t>{0xff, 0xff, 0xfc, 0x18, 0x00, 0x00, 0x11, 0x94, 0x80, 0,    0,    0,
                                   0,    0,    0,    0,    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
    const auto& kp = baskets.at("Muon_pt");
    const auto kl = static_cast<std::uint8_t>(kp.key_len);
    EXPECT_EQ(bytes(kp), (std::vector<std::uint8_t>{0x3f, 0xc0, 0, 0,
                                                    0xc0, 0,    0, 0,
                                                    0x40, 0x50, 0, 0, //
                                                    0,    0,    0, 4,
                                                    0,    0,    0, kl,
                                                    0,    0,    0, static_cast<std::uint8_t>(kl + 8),
                                                    0,    0,    0, static_cast<std::uint8_t>(kl + 8),
                                                    0,    0,    0, 0}));
    EXPECT_EQ(bytes(baskets.at("nMuon")), (std::vector<std::uint8_t>{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1}));
    fs::remove(p);
}

TEST(WriterLayout, ClusterLayoutIsRecordedInAutoFlushAndClusterRanges) {
    // Scenario: two appends of 250 entries with 100-entry clusters give clusters of 100, 100, 50,
    // 100, 100, 50 entries. ROOT describes them as two ranges — entries up to 199 in clusters of
    // 100, up to 249 in one of 50 — and fAutoFlush = 100 for the rest (the last short cluster
    // ends the tree). An empty tree is written too: no baskets, zero entries.
    const auto p = temp_path("clusters.root");
    {
        io::RootWriter out(p.string(), {.compression = {io::Codec::Zlib, 1}, .title = "", .timestamp = 0});
        auto& t = out.tree("T", {.title = "", .basket_size = 32000, .cluster_entries = 100});
        const auto cols = hepkit::test::sample_flat(500);
        std::vector<Column> a, b;
        for (const auto& c : cols) {
            a.push_back(hepkit::test::slice(c, 0, 250));
            b.push_back(hepkit::test::slice(c, 250, 250));
        }
        t.append(a);
        t.append(b);
        EXPECT_EQ(t.entries(), 500);
        auto empty = floats("Jet_pt", {});
        empty.offsets = {0};
        out.write_tree("Empty", std::vector<Column>{empty});
        out.close();
    }
    io::RootFile f(p.string());
    const auto read_clusters = [&](const std::string& name) {
        const auto key = f.key(name);
        const auto payload = f.read_payload(key);
        io::Cursor c(payload, p.string(), name, 0, key.key_len);
        c.frame("TTree");
        c.tnamed();
        for (const char* att : {"TAttLine", "TAttFill", "TAttMarker"}) {
            const auto fr = c.frame(att);
            c.skip_to_end(fr, att);
        }
        const std::int64_t entries = c.i64();
        c.skip(4 * 8 + 8 + 4 * 4);
        const std::int32_t nranges = c.i32();
        c.skip(4 * 8);
        const std::int64_t auto_flush = c.i64();
        c.i64();
        std::vector<std::int64_t> ends, sizes;
        for (auto* v : {&ends, &sizes})
            if (c.u8() != 0)
                for (std::int32_t i = 0; i < nranges; ++i)
                    v->push_back(c.i64());
        return std::make_tuple(entries, auto_flush, ends, sizes);
    };
    const auto [entries, auto_flush, ends, sizes] = read_clusters("T");
    EXPECT_EQ(entries, 500);
    EXPECT_EQ(auto_flush, 100);
    EXPECT_EQ(ends, (std::vector<std::int64_t>{199, 249}));
    EXPECT_EQ(sizes, (std::vector<std::int64_t>{100, 50}));
    EXPECT_EQ(std::get<0>(read_clusters("Empty")), 0);
    fs::remove(p);
}

class WriterTreeReader : public ::testing::TestWithParam<int> {};

TEST_P(WriterTreeReader, HepkitsTreeReaderGetsBackEveryColumn) {
    // Scenario: the flat tree (every basic type, a fixed array, 64-bit values of any size and sign)
    // in 300-entry clusters of 512-byte baskets, and the NanoAOD-like tree in two appends, each
    // codec; hepkit's TTree reader returns every column exactly as written (types, widths,
    // offsets, values), the counters nMuon/nJet hold the counts, the clusters are the ones written.
    const auto setting = io::CompressionSetting::from_root(GetParam());
    const auto p = temp_path("reader-" + std::to_string(GetParam()) + ".root");
    auto flat = hepkit::test::sample_flat(1000);
    // Beyond what the jsroot test can check: the full int64/uint64 range.
    flat[7].mut<std::int64_t>()[3] = std::numeric_limits<std::int64_t>::min();
    flat[7].mut<std::int64_t>()[5] = -4294967291500LL;
    flat[8].mut<std::uint64_t>()[4] = std::numeric_limits<std::uint64_t>::max();
    const auto jagged = hepkit::test::sample_jagged(2000);
    {
        io::RootWriter out(p.string(), {.compression = setting, .title = "", .timestamp = 1});
        out.write_tree("Flat", flat, {.title = "", .basket_size = 512, .cluster_entries = 300});
        auto& ev = out.tree("Events", {.title = "", .basket_size = 4000, .cluster_entries = 0});
        std::vector<Column> a, b;
        for (const auto& c : jagged) {
            a.push_back(hepkit::test::slice(c, 0, 1500));
            b.push_back(hepkit::test::slice(c, 1500, 500));
        }
        ev.append(a);
        ev.append(b);
        out.close();
    }
    io::RootFile f(p.string());
    const io::Tree t(f, "Flat");
    ASSERT_EQ(t.entries(), 1000);
    const auto clusters = t.clusters();
    ASSERT_EQ(clusters.size(), 4U);
    EXPECT_EQ(clusters[3].begin, 900);
    EXPECT_EQ(clusters[3].end, 1000);
    for (const auto& c : flat) {
        SCOPED_TRACE(c.name);
        const auto r = t.read(c.name, 0, 1000);
        EXPECT_EQ(r.type, c.type);
        EXPECT_EQ(r.width, c.width);
        EXPECT_FALSE(r.jagged());
        EXPECT_TRUE(r.values == c.values);
    }
    const io::Tree e(f, "Events");
    ASSERT_EQ(e.entries(), 2000);
    EXPECT_EQ(e.clusters().size(), 2U);
    for (const auto& c : jagged) {
        SCOPED_TRACE(c.name);
        const auto r = e.read(c.name, 0, 2000);
        EXPECT_EQ(r.type, c.type);
        EXPECT_EQ(r.offsets, c.offsets);
        EXPECT_TRUE(r.values == c.values);
        if (c.jagged()) {
            EXPECT_EQ(e.branch(c.name).counter, c.name[0] == 'M' ? "nMuon" : "nJet");
        }
    }
    const auto n = e.read("nMuon", 0, 2000);
    const auto& mu = jagged[3];
    for (std::size_t i = 0; i < 2000; ++i)
        ASSERT_EQ(n.value_as_double(i), static_cast<double>(mu.offsets[i + 1] - mu.offsets[i]))
            << "entry " << i;
    fs::remove(p);
}

INSTANTIATE_TEST_SUITE_P(Codecs, WriterTreeReader, ::testing::Values(0, 101, 505, 404, 204),
                         [](const auto& info) {
                             return std::string(
                                 io::codec_name(io::CompressionSetting::from_root(info.param).codec));
                         });

// ---- statistics ----------------------------------------------------------------------------

TEST(WriterHist, FillKeepsRootsStatisticsConventions) {
    // Hand-worked: axis 4 bins on [0, 4); fills 0.5 (w 2), 1.5 (w 1), 3.5 (w 1), -1 (underflow,
    // w 1), 9 (overflow, w 3). Entries 5; sums over in-range fills only: tsumw = 4, tsumw2 = 6,
    // tsumwx = 2·0.5 + 1.5 + 3.5 = 6, tsumwx2 = 2·0.25 + 2.25 + 12.25 = 15.
    io::Hist1D h("h", "t", io::HistAxis::fixed(4, 0, 4));
    for (const auto& [x, w] :
         std::vector<std::pair<double, double>>{{0.5, 2}, {1.5, 1}, {3.5, 1}, {-1, 1}, {9, 3}})
        h.fill(x, w);
    EXPECT_EQ(h.contents, (std::vector<double>{1, 2, 1, 0, 1, 3}));
    EXPECT_EQ(h.sumw2, (std::vector<double>{1, 4, 1, 0, 1, 9}));
    EXPECT_EQ(h.entries, 5);
    EXPECT_EQ(h.tsumw, 4);
    EXPECT_EQ(h.tsumw2, 6);
    EXPECT_EQ(h.tsumwx, 6);
    EXPECT_EQ(h.tsumwx2, 15);
    // Variable bins: [0,1) [1,3) [3,7); x = 3 lies in bin 3, x = 7 in the overflow.
    const auto a = io::HistAxis::variable({0, 1, 3, 7});
    EXPECT_EQ(a.find_bin(0.99), 1);
    EXPECT_EQ(a.find_bin(1), 2);
    EXPECT_EQ(a.find_bin(3), 3);
    EXPECT_EQ(a.find_bin(7), 4);
    EXPECT_EQ(a.find_bin(-0.1), 0);
}

// ---- atomic output -------------------------------------------------------------------------

TEST(WriterAtomic, NoFileWithoutClose) {
    const auto p = temp_path("unclosed.root");
    {
        io::RootWriter out(p.string());
        out.write(hepkit::test::sample_hist1d());
    }
    EXPECT_FALSE(fs::exists(p));
    EXPECT_TRUE(leftovers(p).empty());
}

TEST(WriterAtomic, AnErrorMidWriteLeavesNoFileAndKeepsTheOldOne) {
    // An existing good file at the path survives a failed write untouched.
    const auto p = temp_path("midwrite.root");
    { std::ofstream(p) << "previous output"; }
    try {
        io::RootWriter out(p.string());
        auto& t = out.tree("Events");
        t.append(hepkit::test::sample_jagged(100)); // baskets on disk already
        auto bad = hepkit::test::sample_jagged(50);
        bad.pop_back(); // one column fewer than the first append
        t.append(bad);
        out.close();
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("first append had 10"), std::string::npos) << e.what();
    }
    std::ifstream in(p);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "previous output");
    EXPECT_EQ(leftovers(p).size(), 1U); // only the old file, no temporary
    fs::remove(p);
}

TEST(WriterAtomic, UnwritableDirectoryIsAnOutputError) {
    const auto e = test::input_error([] { io::RootWriter out("/nonexistent-dir-hepkit/x.root"); });
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-hepkit/x.root"), std::string::npos);
}

TEST(WriterAtomic, CloseTwiceIsALogicError) {
    const auto p = temp_path("twice.root");
    io::RootWriter out(p.string());
    out.write(hepkit::test::sample_hist1d());
    out.close();
    EXPECT_THROW(out.close(), std::logic_error);
    EXPECT_THROW(out.write(hepkit::test::sample_hist2d()), std::logic_error);
    fs::remove(p);
}

// ---- bad input -----------------------------------------------------------------------------

std::string error_of(const std::function<void(io::RootWriter&)>& f) {
    const auto p = temp_path("bad.root");
    try {
        io::RootWriter out(p.string());
        f(out);
        out.close();
    } catch (const std::invalid_argument& e) {
        EXPECT_FALSE(fs::exists(p));
        return e.what();
    }
    fs::remove(p);
    ADD_FAILURE() << "no std::invalid_argument";
    return "";
}

TEST(WriterBadInput, ColumnsOfDifferentLengthsNameBoth) {
    const auto m = error_of([](io::RootWriter& w) {
        std::vector<Column> cols{floats("x", {1, 2, 3}), floats("y", {1, 2})};
        w.write_tree("T", cols);
    });
    EXPECT_NE(m.find("column y has 2 entries, column x has 3"), std::string::npos) << m;
}

TEST(WriterBadInput, NamesRootCannotHold) {
    for (const char* name : {"", "a/b", "x[2]", "1x", "a b", "n:F", "caf\xc3\xa9"}) {
        SCOPED_TRACE(name);
        const auto m = error_of([&](io::RootWriter& w) {
            std::vector<Column> cols{floats(name, {1})};
            w.write_tree("T", cols);
        });
        EXPECT_NE(m.find("name"), std::string::npos) << m;
    }
    const auto k =
        error_of([](io::RootWriter& w) { w.write_tree("a;1", std::vector<Column>{floats("x", {1})}); });
    EXPECT_NE(k.find("character"), std::string::npos) << k;
    const auto dup = error_of([](io::RootWriter& w) {
        w.write(hepkit::test::sample_hist1d());
        w.write(hepkit::test::sample_hist1d());
    });
    EXPECT_NE(dup.find("already holds"), std::string::npos) << dup;
    const auto twice = error_of([](io::RootWriter& w) {
        std::vector<Column> cols{floats("x", {1}), floats("x", {2})};
        w.write_tree("T", cols);
    });
    EXPECT_NE(twice.find("two columns named x"), std::string::npos) << twice;
}

TEST(WriterBadInput, StringsAndInconsistentJaggedColumns) {
    const auto s = error_of([](io::RootWriter& w) {
        auto c = Column::make("s", ColumnType::String);
        c.mut<std::string>() = {"a"};
        w.write_tree("T", std::vector<Column>{c});
    });
    EXPECT_NE(s.find("string columns are not written"), std::string::npos) << s;
    // Muon_pt and Muon_eta share nMuon but count differently.
    const auto shared = error_of([](io::RootWriter& w) {
        auto a = floats("Muon_pt", {1, 2, 3});
        a.offsets = {0, 1, 3};
        auto b = floats("Muon_eta", {1, 2, 3});
        b.offsets = {0, 2, 3};
        w.write_tree("T", std::vector<Column>{a, b});
    });
    EXPECT_NE(shared.find("share the counter nMuon"), std::string::npos) << shared;
    // A given counter column that disagrees with the jagged column.
    const auto counter = error_of([](io::RootWriter& w) {
        auto n = Column::make("nJet", ColumnType::Int32);
        n.mut<std::int32_t>() = {1, 1};
        auto a = floats("Jet_pt", {1, 2, 3});
        a.offsets = {0, 1, 3};
        w.write_tree("T", std::vector<Column>{n, a});
    });
    EXPECT_NE(counter.find("counter column nJet entry 1 = 1"), std::string::npos) << counter;
    const auto offsets = error_of([](io::RootWriter& w) {
        auto a = floats("Jet_pt", {1, 2, 3});
        a.offsets = {0, 2, 1, 3};
        w.write_tree("T", std::vector<Column>{a});
    });
    EXPECT_NE(offsets.find("offsets decrease"), std::string::npos) << offsets;
}

TEST(WriterBadInput, HistogramsWithBadAxesOrSizes) {
    EXPECT_THROW(io::HistAxis::fixed(0, 0, 1), std::invalid_argument);
    EXPECT_THROW(io::HistAxis::fixed(3, 1, 1), std::invalid_argument);
    EXPECT_THROW(io::HistAxis::variable({0, 2, 1}), std::invalid_argument);
    const auto m = error_of([](io::RootWriter& w) {
        auto h = hepkit::test::sample_hist1d();
        h.contents.pop_back();
        w.write(h);
    });
    EXPECT_NE(m.find("contents, the axes need 22"), std::string::npos) << m;
}

} // namespace
