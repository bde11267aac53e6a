// Histograms read from ROOT-written reference files against the values jsroot (an independent
// reader) gives in expected/*.hists.json; bin errors against ROOT's definitions and the closed
// form of hsimple's profile; hostile objects (truncated, bytes flipped, lying lengths, a class
// containing itself, a version the file does not describe) end in InputError, never a crash.

#include "hepkit/io/Histogram.hpp"
#include "Helpers.hpp"
#include "Reference.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/StreamerInfo.hpp"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace io = hepkit::io;
using hepkit::InputError;

namespace {

void expect_close(double actual, double expected, double rel, const std::string& what) {
    EXPECT_LE(std::abs(actual - expected), rel * std::max(1.0, std::abs(expected)))
        << what << ": " << actual << " vs " << expected;
}

// Every histogram of a file's expected/*.hists.json, compared field by field.
void check_against_jsroot(const std::string& root_name, const std::string& json_name) {
    const io::RootFile file(hepkit::test::root_file(root_name));
    std::ifstream in(hepkit::test::reference("root-files/expected/" + json_name));
    const auto expected = nlohmann::json::parse(in);
    const io::StreamerInfos infos = io::read_streamer_infos(file);
    ASSERT_FALSE(expected.at("objects").empty());
    for (const auto& [name, want] : expected.at("objects").items()) {
        SCOPED_TRACE(root_name + ":" + name);
        const io::Histogram h = io::read_histogram(file, name, infos);
        EXPECT_EQ(h.class_name, want.at("class").get<std::string>());
        EXPECT_EQ(h.name, name);
        EXPECT_EQ(h.title, want.at("title").get<std::string>());
        EXPECT_EQ(h.axes[0].nbins, want.at("nbinsx").get<int>());
        EXPECT_EQ(h.axes[0].min, want.at("xmin").get<double>());
        EXPECT_EQ(h.axes[0].max, want.at("xmax").get<double>());
        EXPECT_EQ(h.axes[1].nbins, want.at("nbinsy").get<int>());
        EXPECT_EQ(h.stats.entries, want.at("entries").get<double>());
        EXPECT_EQ(h.stats.tsumw, want.at("tsumw").get<double>());
        expect_close(h.stats.tsumwx, want.at("tsumwx").get<double>(), 1e-12, "tsumwx");
        double sum = 0;
        for (double v : h.contents)
            sum += v;
        expect_close(sum, want.at("sum_all_bins").get<double>(), 1e-9, "sum of all bins");
        const auto& first = want.at("first_bins");
        ASSERT_GE(h.contents.size(), first.size());
        for (std::size_t i = 0; i < first.size(); ++i)
            EXPECT_EQ(h.contents[i], first[i].get<double>()) << "bin " << i;
        EXPECT_EQ(h.contents.size(), want.at("n_array").get<std::size_t>());
        EXPECT_EQ(h.sumw2.size(), want.at("sumw2_len").get<std::size_t>());
    }
}

} // namespace

TEST(Histogram, HepdataExampleMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/expected/uproot-hepdata-example.hists.json");
    check_against_jsroot("uproot-hepdata-example.root", "uproot-hepdata-example.hists.json");
}

TEST(Histogram, HistogramsFileMatchesJsroot) {
    HEPKIT_REQUIRE_REFERENCE("root-files/expected/uproot-histograms.hists.json");
    check_against_jsroot("uproot-histograms.root", "uproot-histograms.hists.json");
}

TEST(Histogram, AxesAndBinIndexing) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const io::RootFile file(hepkit::test::root_file("uproot-hepdata-example.root"));
    const auto h2 = io::read_histogram(file, "hpxpy");
    EXPECT_EQ(h2.dimension, 2);
    EXPECT_EQ(h2.axes[1].nbins, 40);
    EXPECT_EQ(h2.axes[1].min, -4);
    EXPECT_EQ(h2.axes[1].max, 4);
    EXPECT_EQ(h2.ncells(), 42u * 42u);
    EXPECT_EQ(h2.bin(3, 5), 3u + 42u * 5u);
    EXPECT_TRUE(h2.axes[0].variable_edges.empty());
    const auto edges = h2.axes[0].edges();
    ASSERT_EQ(edges.size(), 41u);
    EXPECT_DOUBLE_EQ(edges[0], -4);
    EXPECT_DOUBLE_EQ(edges[20], 0);
    EXPECT_DOUBLE_EQ(edges[40], 4);
    EXPECT_DOUBLE_EQ(h2.axes[0].center(1), -3.9);
    // Projections of the 2-D contents agree with the 1-D histogram of the same px values
    // (hsimple fills both from the same events; hpx has 100 bins, hpxpy 40, both on [-4, 4]).
    double inside = 0;
    for (int x = 1; x <= 40; ++x)
        for (int y = 0; y <= 41; ++y)
            inside += h2.contents[h2.bin(x, y)];
    const auto h1 = io::read_histogram(file, "hpx");
    double inside1 = 0;
    for (int x = 1; x <= 100; ++x)
        inside1 += h1.contents[h1.bin(x)];
    EXPECT_EQ(inside, inside1);
    // Without stored sumw2 the error is sqrt(content) (TH1::GetBinError).
    EXPECT_TRUE(h1.sumw2.empty());
    EXPECT_DOUBLE_EQ(h1.error(50), std::sqrt(h1.contents[50]));
    EXPECT_EQ(h1.value(50), h1.contents[50]);
}

TEST(Histogram, ProfileMeansAndErrorsFollowHsimple) {
    // hsimple.C fills hprof with (px, pz) where pz = px² + py², px and py standard normal: the
    // mean of pz in a px bin is px² + 1 averaged over the bin. The bin errors (error on the mean,
    // TProfile's default) must cover the deviation from that closed form.
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const io::RootFile file(hepkit::test::root_file("uproot-hepdata-example.root"));
    const auto p = io::read_histogram(file, "hprof");
    ASSERT_TRUE(p.is_profile);
    EXPECT_EQ(p.profile.error_mode, 0);
    ASSERT_EQ(p.profile.bin_entries.size(), 102u);
    double total_entries = 0;
    for (double n : p.profile.bin_entries)
        total_entries += n;
    EXPECT_EQ(total_entries, p.stats.entries);
    int checked = 0;
    double chi2 = 0;
    for (int b = 1; b <= p.axes[0].nbins; ++b) {
        if (p.profile.bin_entries[static_cast<std::size_t>(b)] < 50)
            continue;
        const double lo = p.axes[0].low_edge(b), hi = p.axes[0].low_edge(b + 1);
        const double mean_px2 = (hi * hi * hi - lo * lo * lo) / (3 * (hi - lo)); // uniform within the bin
        const double err = p.error(static_cast<std::size_t>(b));
        ASSERT_GT(err, 0);
        const double pull = (p.value(static_cast<std::size_t>(b)) - (mean_px2 + 1)) / err;
        chi2 += pull * pull;
        EXPECT_LT(std::abs(pull), 5) << "bin " << b;
        ++checked;
    }
    ASSERT_GT(checked, 50);
    EXPECT_LT(chi2 / checked, 2.0);
    // The spread option ("s") is the error on the mean times sqrt(effective entries).
    auto s = p;
    s.profile.error_mode = 1;
    EXPECT_NEAR(s.error(50), p.error(50) * std::sqrt(p.effective_entries(50)), 1e-12);
    EXPECT_EQ(p.error(0) == 0, p.profile.bin_entries[0] == 0);
}

TEST(Histogram, RefusesWhatIsNotAHistogram) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    const io::RootFile file(hepkit::test::root_file("uproot-hepdata-example.root"));
    const auto e = hepkit::test::input_error([&] { io::read_histogram(file, "ntuple"); });
    const std::string m = e.what();
    EXPECT_NE(m.find(file.path()), std::string::npos) << m;
    EXPECT_NE(m.find("ntuple"), std::string::npos) << m;
    EXPECT_NE(m.find("TNtuple"), std::string::npos) << m;
    EXPECT_THROW(io::read_histogram(file, "no_such_histogram"), InputError);
}

namespace {
struct Payload {
    std::vector<std::uint8_t> bytes;
    io::StreamerInfos infos;
    io::ObjectOrigin origin;
    std::string class_name;
};
Payload payload_of(const std::string& root_name, const std::string& name) {
    const io::RootFile file(hepkit::test::root_file(root_name));
    const auto key = file.key(name);
    return {file.read_payload(key), io::read_streamer_infos(file),
            io::ObjectOrigin{file.path(), name, static_cast<std::uint64_t>(key.seek_key), key.key_len},
            key.class_name};
}

// Parses `bytes`; returns whether it succeeded. Any exception but InputError fails the test.
bool parses(const Payload& p, std::span<const std::uint8_t> bytes) {
    try {
        const auto h = io::parse_histogram(bytes, p.class_name, p.infos, p.origin);
        // A histogram that parsed must be safe to index everywhere.
        for (std::size_t b = 0; b < h.ncells(); ++b)
            (void)h.error(b), (void)h.value(b);
        return true;
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(p.origin.file), std::string::npos) << e.what();
        return false;
    }
}
} // namespace

TEST(Histogram, TruncatedObjectsAreRefused) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    for (const char* name : {"hpx", "hprof", "hpxpy"}) {
        const Payload p = payload_of("uproot-hepdata-example.root", name);
        ASSERT_TRUE(parses(p, p.bytes)) << name;
        for (std::size_t n = 0; n < p.bytes.size(); ++n)
            EXPECT_FALSE(parses(p, std::span(p.bytes).first(n))) << name << " cut at " << n;
    }
}

TEST(Histogram, CorruptBytesNeverCrash) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-hepdata-example.root");
    for (const char* name : {"hpx", "hprof"}) {
        const Payload p = payload_of("uproot-hepdata-example.root", name);
        auto bytes = p.bytes;
        int refused = 0;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const std::uint8_t keep = bytes[i];
            for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x7f},
                                         static_cast<std::uint8_t>(keep ^ 0x40)}) {
                bytes[i] = v;
                refused += parses(p, bytes) ? 0 : 1;
            }
            bytes[i] = keep;
        }
        EXPECT_GT(refused, 100) << name; // lengths, byte counts and versions are checked
    }
}

TEST(Histogram, LyingArrayLengthIsRefusedBeforeAllocating) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-histograms.root");
    Payload p = payload_of("uproot-histograms.root", "one");
    // The TArrayF of contents is the last member: its length (12) sits 4 + 12·4 bytes from the end.
    const std::size_t at = p.bytes.size() - 12 * 4 - 4;
    ASSERT_EQ(p.bytes[at + 3], 12);
    p.bytes[at] = 0x7f; // 2·10⁹ floats
    const auto e =
        hepkit::test::input_error([&] { io::parse_histogram(p.bytes, p.class_name, p.infos, p.origin); });
    EXPECT_NE(std::string(e.what()).find("TArrayF"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("one at byte"), std::string::npos) << e.what();
}

TEST(Histogram, VersionTheFileDoesNotDescribeIsNamed) {
    HEPKIT_REQUIRE_REFERENCE("root-files/uproot-histograms.root");
    Payload p = payload_of("uproot-histograms.root", "one");
    // TH1F's version is the two bytes after its byte count; the file describes only its own.
    const int version = (p.bytes[4] << 8) | p.bytes[5];
    p.bytes[5] = static_cast<std::uint8_t>(version + 40);
    const auto e =
        hepkit::test::input_error([&] { io::parse_histogram(p.bytes, p.class_name, p.infos, p.origin); });
    const std::string m = e.what();
    EXPECT_NE(m.find("TH1F version " + std::to_string(version + 40)), std::string::npos) << m;
    EXPECT_NE(m.find("streamer info describes TH1F version " + std::to_string(version)), std::string::npos)
        << m;
}

TEST(Histogram, ClassContainingItselfEndsInAnError) {
    // A hostile streamer info whose class X has X as its base: the reader stops at a fixed depth.
    io::StreamerElement base;
    base.kind = "TStreamerBase";
    base.name = "TH1F";
    base.type = io::streamer_type::kBase;
    const io::StreamerInfos infos({io::StreamerInfo{"TH1F", "", 1, 0, {base}}});
    // Version-only headers (no byte count): 0x0001 repeated.
    std::vector<std::uint8_t> bytes(4096);
    for (std::size_t i = 1; i < bytes.size(); i += 2)
        bytes[i] = 1;
    const auto e = hepkit::test::input_error([&] {
        io::parse_histogram(bytes, "TH1F", infos, io::ObjectOrigin{"hostile.root", "h", 0, 0});
    });
    EXPECT_NE(std::string(e.what()).find("nested more than"), std::string::npos) << e.what();
}
