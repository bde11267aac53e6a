// A histogram written by hepkit events is an input of hepkit fit without conversion (issue 15):
// the fit file's dataset names the JSON (`file: h.json`, docs/fit.md). The histogram here has the
// bins and contents of tests/fit/data/histogram_bin_heights.yml, so the fit must give kafe2
// 2.10.0's numbers for that file (the same reference as Kafe2Yaml.HistogramBinHeightsSimpson).

#include "Helpers.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/events/Histogram.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using hepkit::events::Axis;
using hepkit::events::Hist;

namespace {

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

const char* model = "parametric_model:\n"
                    "  model_density_function: normal\n"
                    "  model_parameters: [0.1, 1.2]\n"
                    "  bin_evaluation: simpson\n"
                    "cost_function: nll_poisson\n";

} // namespace

TEST(EventsHistogramFit, FitReadsTheJsonOfHepkitEvents) {
    const auto d = hepkit::test::fresh_dir("histfit", "");
    Hist h("x", Axis::variable({-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0}));
    const std::vector<int> counts{3, 12, 17, 24, 21, 14, 15, 4};
    for (int b = 0; b < 8; ++b)
        for (int k = 0; k < counts[static_cast<std::size_t>(b)];
             ++k) // one entry per event, at the bin's lower edge
            h.fill(h.x().edges()[static_cast<std::size_t>(b)]);
    h.write_json((d / "x.json").string());
    write(d / "fit.yml", std::string("type: histogram\ndataset:\n  file: x.json\n") + model);

    auto f = hepkit::fit::read_kafe2go((d / "fit.yml").string());
    const auto r = f.fit->run();
    ASSERT_TRUE(r.converged);
    EXPECT_NEAR(r.values[0], 0.0347075521476, 0.01 * 0.1020926553);
    EXPECT_NEAR(r.values[1], 1.03304883413, 0.01 * 0.0820756634);
    EXPECT_NEAR(r.errors[0], 0.1020926553, 0.005 * 0.1020926553);
    EXPECT_NEAR(r.errors[1], 0.0820756634, 0.005 * 0.0820756634);
    fs::remove_all(d);
}

TEST(EventsHistogramFit, ErrorsNameTheFitFileAndTheHistogram) {
    const auto d = hepkit::test::fresh_dir("histfit", "");
    Hist h2("xy", Axis::regular(2, 0, 1), Axis::regular(2, 0, 1));
    h2.write_json((d / "xy.json").string());
    Hist h("x", Axis::regular(2, 0, 1));
    h.write_json((d / "x.json").string());
    auto error = [&](const std::string& text) {
        write(d / "fit.yml", text);
        try {
            hepkit::fit::read_kafe2go((d / "fit.yml").string());
        } catch (const hepkit::InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error(std::string("type: histogram\nfile: xy.json\n") + model)
                  .find("xy.json: dimension: 2: a histogram fit takes a 1D histogram"),
              std::string::npos);
    EXPECT_NE(error(std::string("type: histogram\nfile: x.json\nbin_edges: [0, 1]\n") + model)
                  .find("fit.yml:3: bin_edges: give the histogram file or bin_edges, not both"),
              std::string::npos);
    EXPECT_NE(error(std::string("type: histogram\nfile: nope.json\n") + model).find("nope.json"),
              std::string::npos);
    fs::remove_all(d);
}
