// A HistFactory workspace built from histogram JSON files as hepkit events writes them
// (HistFactoryBuild.hpp): the templates, the observation and the staterror from sqrt(sumw2), the
// fit of the result against the closed form of two-bin counting, and the errors.

#include "hepkit/fit/HistFactoryBuild.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/fit/Fit.hpp"
#include "hepkit/fit/HistFactoryModel.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hepkit::fit::hf;

namespace {

struct Dir {
    fs::path path = fs::temp_directory_path() / ("hepkit_hf_build_" + std::to_string(::getpid()));
    Dir() { fs::create_directories(path); }
    ~Dir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
    std::string hist(const std::string& name, const std::string& counts, const std::string& sumw2,
                     const std::string& edges = "[0, 1, 2]") const {
        write(name, R"({"edges": )" + edges + R"(, "counts": )" + counts + R"(, "sumw2": )" + sumw2 +
                        R"(, "underflow": 0, "overflow": 0, "entries": 10})");
        return name;
    }
};

const char* kSpec = R"(channels:
  - name: sr
    data: data.json
    samples:
      - name: signal
        histogram: sig.json
        modifiers:
          - {name: mu, type: normfactor}
      - name: background
        histogram: bkg.json
        staterror: stat_sr
        modifiers:
          - {name: shape, type: histosys, hi: bkg_up.json, lo: bkg_down.json, interpcode: smooth}
measurements:
  - {name: m, poi: mu, parameters: [{name: mu, bounds: [[-5, 10]]}]}
)";

} // namespace

TEST(HistFactoryBuild, TheHistogramsBecomeTheWorkspace) {
    Dir d;
    d.hist("data.json", "[60, 52]", "[60, 52]");
    d.hist("sig.json", "[10, 4]", "[1, 0.5]");
    d.hist("bkg.json", "[50, 48]", "[4, 9]");
    d.hist("bkg_up.json", "[55, 50]", "[4, 9]");
    d.hist("bkg_down.json", "[45, 46]", "[4, 9]");
    d.write("spec.yaml", kSpec);
    const auto doc = workspace_document_from_histograms((d.path / "spec.yaml").string());
    EXPECT_EQ(doc["observations"][0]["data"], (nlohmann::json{60.0, 52.0}));
    const auto& bkg = doc["channels"][0]["samples"][1];
    EXPECT_EQ(bkg["data"], (nlohmann::json{50.0, 48.0}));
    EXPECT_EQ(bkg["modifiers"][0]["type"], "staterror");
    EXPECT_DOUBLE_EQ(bkg["modifiers"][0]["data"][0].get<double>(), 2.0); // sqrt(sumw2)
    EXPECT_DOUBLE_EQ(bkg["modifiers"][0]["data"][1].get<double>(), 3.0);
    EXPECT_EQ(bkg["modifiers"][1]["data"]["hi_data"], (nlohmann::json{55.0, 50.0}));
    EXPECT_EQ(bkg["modifiers"][1]["data"]["interpcode"], "smooth");
    // read_workspace takes the YAML too, and the model has the parameters of the modifiers
    const Workspace ws = read_workspace((d.path / "spec.yaml").string());
    const Model model(ws);
    EXPECT_EQ(model.names(), (std::vector<std::string>{"mu", "shape", "stat_sr[0]", "stat_sr[1]"}));
}

TEST(HistFactoryBuild, TheFitOfCountingHistogramsIsTheClosedForm) {
    // no nuisance: two bins, ν_i = μ s_i + b_i; the MLE solves Σ s_i (n_i/ν_i − 1) = 0, which for
    // proportional templates (b = 5 s) is μ̂ = (Σn − Σb)/Σs
    Dir d;
    d.hist("data.json", "[70, 30]", "[70, 30]");
    d.hist("sig.json", "[8, 4]", "[1, 1]");
    d.hist("bkg.json", "[40, 20]", "[1, 1]");
    d.write("spec.yaml", R"(channels:
  - {name: sr, data: data.json, samples: [{name: s, histogram: sig.json, modifiers: [{name: mu, type: normfactor}]},
                                          {name: b, histogram: bkg.json}]}
measurements: [{name: m, poi: mu, parameters: [{name: mu, bounds: [[-5, 20]]}]}]
)");
    const Model model(build_workspace((d.path / "spec.yaml").string()));
    hepkit::fit::Fit fit = make_fit(model);
    const auto r = fit.run();
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_NEAR(r.values[0], (100.0 - 60.0) / 12.0, 1e-5);
    // σ_μ from the curvature of −ln L at the minimum: 1/σ² = Σ n_i s_i²/ν̂_i²
    const double mu = 40.0 / 12.0, nu0 = 8 * mu + 40, nu1 = 4 * mu + 20;
    EXPECT_NEAR(r.errors[0], 1 / std::sqrt(70 * 64 / (nu0 * nu0) + 30 * 16 / (nu1 * nu1)), 1e-5);
}

TEST(HistFactoryBuild, ErrorsNameTheFileAndWhatIsWrong) {
    Dir d;
    d.hist("data.json", "[60, 52]", "[60, 52]");
    d.hist("sig.json", "[10, 4]", "[1, 0.5]");
    d.hist("bkg.json", "[50, 48, 1]", "[4, 9, 1]", "[0, 1, 2, 3]"); // other binning
    d.hist("bkg_up.json", "[55, 50]", "[4, 9]");
    d.hist("bkg_down.json", "[45, 46]", "[4, 9]");
    d.write("spec.yaml", kSpec);
    auto message = [&](const std::string& file) {
        try {
            build_workspace((d.path / file).string());
        } catch (const hepkit::InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("spec.yaml").find("must have the same edges"), std::string::npos)
        << message("spec.yaml");
    d.hist("bkg.json", "[50, 48]", "[4, 9]");
    d.write("bkg_down.json", R"({"edges": [0, 1, 2], "counts": [45, 46]})");
    EXPECT_NE(message("spec.yaml").find("sumw2"), std::string::npos) << message("spec.yaml");
    d.write("typo.yaml", "channels: []\nmeasurments: []\n");
    EXPECT_NE(message("typo.yaml").find("measurments"), std::string::npos) << message("typo.yaml");
    d.write("missing.yaml", "channels: [{name: sr, data: nothere.json, samples: []}]\nmeasurements: []\n");
    EXPECT_NE(message("missing.yaml").find("nothere.json"), std::string::npos) << message("missing.yaml");
}
