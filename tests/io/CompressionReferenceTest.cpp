// Every record of the reference ROOT files (written by ROOT itself) decompresses, whatever its
// codec: the file is walked record by record from fBEGIN as ROOT's TFile::Map does, so baskets
// are read too, not only the keys of directories. The five uproot-HZZ*.root files hold the same
// tree written with zlib, LZ4, LZMA, ZSTD and without compression: their baskets must decompress
// to the same bytes.
#include "Reference.hpp"
#include "hepkit/io/Compression.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>

namespace io = hepkit::io;
using io::Codec;
using Bytes = std::vector<std::uint8_t>;

namespace {

struct Walk {
    std::map<std::string, std::map<std::string, int>> codecs; ///< class → codec → records
    std::map<std::string, std::vector<Bytes>> baskets;        ///< branch → basket payloads
    Bytes tree;                                               ///< the TTree's payload
    int records = 0;
};

std::int64_t be32(const Bytes& b, std::size_t at) {
    return static_cast<std::int32_t>((static_cast<std::uint32_t>(b[at]) << 24) | (b[at + 1] << 16) |
                                     (b[at + 2] << 8) | b[at + 3]);
}

Walk walk(const std::string& name) {
    const io::RootFile f(hepkit::test::reference("root-files/" + name).string());
    Walk w;
    const Bytes head = f.read_raw(0, 12, "header");
    std::int64_t pos = be32(head, 8); // fBEGIN
    while (pos + 4 <= static_cast<std::int64_t>(f.size())) {
        const std::int64_t n = be32(f.read_raw(pos, 4, "record length"), 0);
        if (n < 0) { // a free gap
            pos -= n;
            continue;
        }
        if (n == 0)
            break;
        const io::Key k = f.read_key(pos, "record");
        pos += n;
        // RNTuple blobs hold pages compressed one by one, not one ROOT record: the RNTuple reader's.
        if (k.class_name == "RBlob")
            continue;
        const Bytes stored =
            f.read_raw(k.seek_key + k.key_len, static_cast<std::size_t>(k.stored_size()), "stored");
        ++w.codecs[k.class_name][std::string(
            io::codec_name(io::record_codec(stored, static_cast<std::size_t>(k.obj_len))))];
        Bytes payload = f.read_payload(k);
        EXPECT_EQ(payload.size(), static_cast<std::size_t>(k.obj_len)) << name << " " << k.name;
        ++w.records;
        if (k.class_name == "TBasket")
            w.baskets[k.name].push_back(std::move(payload));
        else if (k.class_name == "TTree")
            w.tree = std::move(payload);
    }
    // Same order in every file whatever the layout: by length, then bytes.
    for (auto& [branch, list] : w.baskets)
        std::sort(list.begin(), list.end(), [](const Bytes& a, const Bytes& b) {
            return a.size() != b.size() ? a.size() < b.size() : std::memcmp(a.data(), b.data(), a.size()) < 0;
        });
    return w;
}

} // namespace

TEST(CompressionReference, EveryRecordOfEveryReferenceFileDecompresses) {
    HEPKIT_REQUIRE_REFERENCE("root-files");
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(hepkit::test::reference("root-files"))) {
        if (e.path().extension() != ".root")
            continue;
        SCOPED_TRACE(e.path().filename().string());
        const Walk w = walk(e.path().filename().string());
        EXPECT_GT(w.records, 3); // the file's own key, its name, the streamer info, objects
        ++files;
        const io::RootFile f(e.path().string());
        const Bytes streamers = f.read_streamer_record();
        ASSERT_GT(streamers.size(), 100u);
        // A TList written by TBufferFile: byte count with kByteCountMask, then the version.
        EXPECT_EQ(streamers[0] & 0x40, 0x40);
    }
    EXPECT_EQ(files, 12);
}

TEST(CompressionReference, HzzBasketsAreTheSameBytesWhateverTheCodec) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-HZZ.root");
    const Walk zlib = walk("uproot-HZZ.root");
    ASSERT_EQ(zlib.baskets.size(), 51u) << "one basket list per branch";
    EXPECT_EQ(zlib.codecs.at("TBasket").at("zlib"), 57);
    EXPECT_EQ(zlib.codecs.at("TTree").at("zlib"), 1);

    const std::map<std::string, Codec> variants = {{"uproot-HZZ-lz4.root", Codec::Lz4},
                                                   {"uproot-HZZ-lzma.root", Codec::Lzma},
                                                   {"uproot-HZZ-zstd.root", Codec::Zstd},
                                                   {"uproot-HZZ-uncompressed.root", Codec::None}};
    for (const auto& [file, codec] : variants) {
        SCOPED_TRACE(file);
        const Walk w = walk(file);
        const std::string name(io::codec_name(codec));
        // The tree and its baskets carry the file's codec (LZ4 leaves a few tiny baskets raw, where
        // compression did not pay); the streamer info is zlib in all but the ZSTD file.
        EXPECT_EQ(w.codecs.at("TTree").at(name), 1);
        EXPECT_GE(w.codecs.at("TBasket").at(name), 50);
        EXPECT_EQ(w.codecs.at("TBasket").size(), codec == Codec::Lz4 ? 2u : 1u);
        EXPECT_EQ(w.baskets, zlib.baskets);
        // The TTree object records each branch's codec, compressed sizes and basket offsets, so
        // a few hundred of its bytes differ; the files written by the same ROOT (6.10; the ZSTD
        // one is 6.19) give a payload of the same length and otherwise the same bytes.
        if (codec != Codec::Zstd) {
            ASSERT_EQ(w.tree.size(), zlib.tree.size());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < w.tree.size(); ++i)
                differ += w.tree[i] != zlib.tree[i];
            EXPECT_GT(differ, 0u);
            EXPECT_LT(differ, 600u) << "of " << w.tree.size();
        }
    }
}
