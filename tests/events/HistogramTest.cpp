// Weighted histograms of hepkit events (Histogram.hpp): boost-histogram's bin and flow rules,
// sums of weights and squared weights, adding, JSON and ROOT round trips. Expected values from
// numpy 1.24 (numpy.histogram, numpy.histogram2d with the same values and weights; the script is
// quoted before each case), or by hand.

#include "hepkit/events/Histogram.hpp"
#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/Histogram.hpp"
#include "hepkit/io/RootFile.hpp"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <unistd.h>

using hepkit::events::Axis;
using hepkit::events::Hist;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

// The values of the numpy script: v = arange(41)·0.05 − 0.2, w = 0.5 + (k % 3). Several values
// fall on or next to the edges of 10 bins in [0, 1) in floating point.
struct Sample {
    std::vector<double> v, w, y;
    Sample() {
        for (int k = 0; k <= 40; ++k) {
            v.push_back(k * 0.05 - 0.2);
            w.push_back(0.5 + (k % 3));
            y.push_back((k % 5) * 0.3 - 0.1);
        }
    }
};

} // namespace

// Axis rules by hand: [lo, hi) bins, x == hi and NaN to the overflow, −inf to the underflow.
TEST(EventsHistogram, RegularAxisFlowRules) {
    const Axis a = Axis::regular(4, 0, 1);
    EXPECT_EQ(a.edges(), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
    EXPECT_EQ(a.index(0), 0);
    EXPECT_EQ(a.index(0.25), 1); // an inner edge belongs to the bin above
    EXPECT_EQ(a.index(0.9999), 3);
    EXPECT_EQ(a.index(1), 4); // the last edge is the overflow's (numpy would close the last bin)
    EXPECT_EQ(a.index(-1e-300), -1);
    EXPECT_EQ(a.index(nan_v), 4); // boost-histogram: NaN goes to the overflow
    EXPECT_EQ(a.index(inf_v), 4);
    EXPECT_EQ(a.index(-inf_v), -1);
}

TEST(EventsHistogram, VariableAxisFlowRules) {
    const Axis a = Axis::variable({0, 0.1, 0.25, 0.5, 1});
    EXPECT_EQ(a.size(), 4);
    EXPECT_EQ(a.index(0.1), 1);
    EXPECT_EQ(a.index(0.0999), 0);
    EXPECT_EQ(a.index(0.5), 3);
    EXPECT_EQ(a.index(1), 4);
    EXPECT_EQ(a.index(nan_v), 4);
    EXPECT_EQ(a.index(-0.5), -1);
}

TEST(EventsHistogram, AxisErrorsNameTheValue) {
    EXPECT_THROW(Axis::regular(0, 0, 1), std::invalid_argument);
    EXPECT_THROW(Axis::regular(5, 1, 1), std::invalid_argument);
    EXPECT_THROW(Axis::regular(5, 0, inf_v), std::invalid_argument);
    EXPECT_THROW(Axis::regular(5, -1.7e308, 1.7e308), std::invalid_argument);  // width overflows
    EXPECT_THROW(Axis::regular(1000, 1e16, 1e16 + 10), std::invalid_argument); // edges 1e16 + 0.01 k collide
    try {
        Axis::variable({0, 2, 1});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("edges 1 and 2 (2, 1)"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Axis::variable({0}), std::invalid_argument);
    EXPECT_THROW(Axis::variable({0, nan_v}), std::invalid_argument);
}

// numpy: c, _ = np.histogram(v, bins=np.linspace(0, 1, 11), weights=w) (and w*w), with values
// equal to 1 moved to the overflow (there are none); under = w[v < 0].sum(), over = w[v >= 1].sum().
// Edge 3 is 0.30000000000000004 (numpy.linspace): v = 0.3 − ε lands in bin 2 by the written edges.
TEST(EventsHistogram, RegularWeightedAgainstNumpy) {
    const Sample s;
    Hist h("v", Axis::regular(10, 0, 1));
    h.fill(s.v, s.w);
    EXPECT_DOUBLE_EQ(h.x().edges()[3], 0.30000000000000004);
    const std::vector<double> counts{4.0, 2.0, 4.5, 2.5, 2.0, 3.0, 4.5, 1.5, 3.0, 4.0};
    const std::vector<double> sumw2{8.5, 2.5, 8.75, 6.25, 2.5, 6.5, 8.75, 2.25, 6.5, 8.5};
    for (int i = 0; i < 10; ++i) {
        EXPECT_DOUBLE_EQ(h.at(i).sumw, counts[static_cast<std::size_t>(i)]) << "bin " << i;
        EXPECT_DOUBLE_EQ(h.at(i).sumw2, sumw2[static_cast<std::size_t>(i)]) << "bin " << i;
    }
    EXPECT_DOUBLE_EQ(h.at(-1).sumw, 5.0);
    EXPECT_DOUBLE_EQ(h.at(10).sumw, 24.5);
    EXPECT_EQ(h.entries(), 41);
    // ROOT's statistics over the in-range fills: w.sum(), (w*w).sum(), (w*v).sum(), (w*v*v).sum()
    EXPECT_DOUBLE_EQ(h.stats().sumw, 31.0);
    EXPECT_DOUBLE_EQ(h.stats().sumw2, 61.0);
    EXPECT_NEAR(h.stats().sumwx, 14.9, 1e-12);
    EXPECT_NEAR(h.stats().sumwx2, 9.895, 1e-12);
}

// numpy: np.histogram(v, bins=[0, 0.1, 0.25, 0.5, 1.0], weights=w)
TEST(EventsHistogram, VariableWeightedAgainstNumpy) {
    const Sample s;
    Hist h("v", Axis::variable({0, 0.1, 0.25, 0.5, 1.0}));
    for (std::size_t k = 0; k < s.v.size(); ++k)
        h.fill(s.v[k], s.w[k]);
    const std::vector<double> counts{4.0, 4.5, 6.5, 16.0}, sumw2{8.5, 8.75, 11.25, 32.5};
    for (int i = 0; i < 4; ++i) {
        EXPECT_DOUBLE_EQ(h.at(i).sumw, counts[static_cast<std::size_t>(i)]);
        EXPECT_DOUBLE_EQ(h.at(i).sumw2, sumw2[static_cast<std::size_t>(i)]);
    }
    EXPECT_DOUBLE_EQ(h.at(-1).sumw, 5.0);
    EXPECT_DOUBLE_EQ(h.at(4).sumw, 24.5);
}

// numpy: np.histogram2d(v, y, bins=[np.linspace(0, 1, 5), [0, 0.5, 1.0]], weights=w)[0], with
// y = (k % 5)·0.3 − 0.1.
TEST(EventsHistogram, TwoDimensionalAgainstNumpy) {
    const Sample s;
    Hist h("vy", Axis::regular(4, 0, 1), Axis::variable({0, 0.5, 1.0}));
    h.fill(s.v, s.y, s.w);
    const double expected[4][2] = {{0.5, 4.0}, {2.5, 2.0}, {1.5, 3.0}, {0.5, 4.0}};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 2; ++j)
            EXPECT_DOUBLE_EQ(h.at(i, j).sumw, expected[i][j]) << i << "," << j;
    EXPECT_DOUBLE_EQ(h.sum(true), 60.5); // every weight lands in some cell: w.sum()
    EXPECT_EQ(h.entries(), 41);
}

// A jagged column: event weights broadcast over each event's elements (by hand).
TEST(EventsHistogram, JaggedFillBroadcastsEventWeights) {
    Hist h("pt", Axis::regular(2, 0, 2));
    const std::vector<double> x{0.5, 1.5, 1.7, 0.2};
    const std::vector<std::int64_t> offsets{0, 2, 2, 4}; // events: {0.5, 1.5}, {}, {1.7, 0.2}
    const std::vector<double> w{2, 5, 3};
    h.fill_jagged(x, offsets, w);
    EXPECT_DOUBLE_EQ(h.at(0).sumw, 2 + 3);
    EXPECT_DOUBLE_EQ(h.at(1).sumw, 2 + 3);
    EXPECT_DOUBLE_EQ(h.at(1).sumw2, 4 + 9);
    EXPECT_EQ(h.entries(), 4);
    EXPECT_THROW(h.fill_jagged(x, offsets, std::vector<double>{1, 2}), std::invalid_argument);
}

TEST(EventsHistogram, AddSumsAndRefusesOtherBinnings) {
    const Sample s;
    Hist a("v", Axis::regular(10, 0, 1)), b("v", Axis::regular(10, 0, 1)), all("v", Axis::regular(10, 0, 1));
    for (std::size_t k = 0; k < s.v.size(); ++k)
        (k < 20 ? a : b).fill(s.v[k], s.w[k]);
    all.fill(s.v, s.w);
    a.add(b);
    for (int i = -1; i <= 10; ++i)
        EXPECT_DOUBLE_EQ(a.at(i).sumw, all.at(i).sumw);
    EXPECT_EQ(a.entries(), 41);
    Hist other("v", Axis::regular(10, 0, 2));
    try {
        a.add(other);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("x binning 10 bins in [0, 2) differs from 10 bins in [0, 1)"),
                  std::string::npos)
            << e.what();
    }
    // a variable axis with a regular one's edges has its bins: they add (as a JSON file read back)
    Hist same("v", Axis::variable(Axis::regular(10, 0, 1).edges()));
    same.fill(0.35, 2);
    a.add(same);
    EXPECT_DOUBLE_EQ(a.at(3).sumw, all.at(3).sumw + 2);
    Hist two("v", Axis::regular(10, 0, 1), Axis::regular(2, 0, 1));
    EXPECT_THROW(a.add(two), std::invalid_argument);
}

// The issue's schema, and an exact round trip (NaN weight sums written as "nan").
TEST(EventsHistogram, JsonSchemaAndRoundTrip) {
    Hist h("m", Axis::regular(2, 0, 2));
    h.fill(0.5, 2);
    h.fill(-1);
    h.fill(nan_v, 3);
    const auto j = h.to_json();
    EXPECT_EQ(j["edges"], nlohmann::json::parse("[0.0, 1.0, 2.0]"));
    EXPECT_EQ(j["counts"], nlohmann::json::parse("[2.0, 0.0]"));
    EXPECT_EQ(j["sumw2"], nlohmann::json::parse("[4.0, 0.0]"));
    EXPECT_EQ(j["underflow"], 1.0);
    EXPECT_EQ(j["overflow"], 3.0);
    EXPECT_EQ(j["overflow_sumw2"], 9.0);
    EXPECT_EQ(j["entries"], 3);
    EXPECT_TRUE(j["entries"].is_number_integer());
    EXPECT_EQ(Hist::from_json(j, "m.json"), h);

    Hist n("n", Axis::variable({0, 1, 5}));
    n.fill(0.5, nan_v);
    const auto jn = n.to_json();
    EXPECT_EQ(jn["counts"][0], "nan");
    EXPECT_TRUE(std::isnan(Hist::from_json(jn, "n.json").at(0).sumw));

    Hist h2("xy", Axis::regular(2, 0, 2), Axis::variable({0, 1, 3}));
    h2.fill(0.5, 2.5, 2);
    h2.fill(3, -1, 1);
    const auto j2 = h2.to_json();
    EXPECT_EQ(j2["dimension"], 2);
    EXPECT_EQ(j2["counts"], nlohmann::json::parse("[[0.0, 2.0], [0.0, 0.0]]"));
    EXPECT_EQ(j2["counts_flow"][3][0], 1.0); // x overflow, y underflow
    EXPECT_EQ(Hist::from_json(j2, "xy.json"), h2);
}

TEST(EventsHistogram, JsonErrorsNameFileAndKey) {
    auto expect_error = [](const char* text, const char* what) {
        try {
            Hist::from_json(nlohmann::json::parse(text), "h.json");
            FAIL() << text;
        } catch (const hepkit::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    expect_error(R"({"counts": [1]})", "h.json: edges: missing");
    expect_error(R"({"edges": [0, 1, 2], "counts": [1]})", "h.json: counts: 1 values, expected 2");
    expect_error(R"({"edges": [0, 2, 1], "counts": [1, 1]})", "h.json: edges: edges 1 and 2");
    expect_error(R"({"edges": [0, 1], "counts": ["x"]})", "h.json: counts[0]: \"x\": expected a number");
    expect_error(R"({"edges": [0, 1], "counts": [1], "sumw2": [-1]})", "h.json: sumw2[0]: -1");
    expect_error(R"({"edges": [0, 1], "counts": [1], "dimension": 3})",
                 "h.json: dimension: 3: must be 1 or 2");
}

// The TH1D read back with hepkit's ROOT reader (io::read_histogram, tested against ROOT files).
TEST(EventsHistogram, RootOutputReadsBack) {
    const auto dir = hepkit::test::fresh_dir("hist", "root");
    const Sample s;
    Hist h("v", Axis::regular(10, 0, 1));
    h.fill(s.v, s.w);
    h.write_root((dir / "v.root").string());
    hepkit::io::RootFile file((dir / "v.root").string());
    const auto r = hepkit::io::read_histogram(file, "v");
    EXPECT_EQ(r.class_name, "TH1D");
    ASSERT_EQ(r.contents.size(), 12u);
    for (int i = -1; i <= 10; ++i) {
        EXPECT_DOUBLE_EQ(r.contents[static_cast<std::size_t>(i + 1)], h.at(i).sumw);
        EXPECT_DOUBLE_EQ(r.sumw2[static_cast<std::size_t>(i + 1)], h.at(i).sumw2);
    }
    EXPECT_DOUBLE_EQ(r.stats.entries, 41);
    EXPECT_DOUBLE_EQ(r.stats.tsumw, 31.0);

    Hist h2("vy", Axis::regular(4, 0, 1), Axis::variable({0, 0.5, 1.0}));
    h2.fill(s.v, s.y, s.w);
    h2.write_root((dir / "vy.root").string());
    hepkit::io::RootFile file2((dir / "vy.root").string());
    const auto r2 = hepkit::io::read_histogram(file2, "vy");
    EXPECT_EQ(r2.class_name, "TH2D");
    EXPECT_EQ(r2.contents, h2.sumw());
    std::filesystem::remove_all(dir);
}
